package stacks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// parallelism bounds the provider calls one stack operation makes at once.
const parallelism = 16

// operation is one stack operation in progress: the stack's record, kept
// in memory and written to the store (with its event) at every step.
type operation struct {
	s       *Service
	mu      sync.Mutex
	st      *stackRecord
	token   string
	pending []pendingEvent
	flushMu sync.Mutex
}

// event records a stack or resource event and saves the stack with it.
func (o *operation) event(logical, physical, typ, status, reason string, props json.RawMessage) {
	o.mu.Lock()
	o.eventLocked(logical, physical, typ, status, reason, props)
	o.mu.Unlock()
	o.flush()
}

// eventLocked records an event in memory; the caller holds o.mu and calls
// flush once it has let go of it.
func (o *operation) eventLocked(logical, physical, typ, status, reason string, props json.RawMessage) {
	now := o.s.now()
	if logical == o.st.Name && typ == stackType {
		o.st.Status, o.st.StatusReason = status, reason
	}
	o.st.NextEvent++
	ev := Event{
		EventID: fmt.Sprintf("%s-%s-%s", logical, status, localcloud.NewID()[:8]), StackID: o.st.ID, StackName: o.st.Name,
		LogicalResourceID: logical, PhysicalResourceID: physical, ResourceType: typ, Timestamp: now,
		ResourceStatus: status, StatusReason: reason, ResourceProperties: string(props), ClientRequestToken: o.token,
	}
	if logical == o.st.Name && typ == stackType {
		ev.EventID = localcloud.NewID()
	}
	o.pending = append(o.pending, pendingEvent{key: fmt.Sprintf("%s/%09d", o.st.ID, o.st.NextEvent), ev: ev})
}

type pendingEvent struct {
	key string
	ev  Event
}

// flush writes the events recorded so far and the stack as it is now in
// one transaction, and returns once they are on disk. Concurrent callers
// group-commit: while one writes, the others' events gather, and the next
// writer takes them all.
func (o *operation) flush() {
	o.flushMu.Lock()
	defer o.flushMu.Unlock()
	o.mu.Lock()
	batch := o.pending
	o.pending = nil
	var snapshot []byte
	if len(batch) > 0 {
		snapshot, _ = json.Marshal(o.st)
	}
	o.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	if err := o.s.store.Update(func(tx *localcloud.Tx) error {
		for _, p := range batch {
			if err := tx.Put(tableEvents, p.key, p.ev); err != nil {
				return err
			}
		}
		return tx.Put(tableStacks, o.st.ID, json.RawMessage(snapshot))
	}); err != nil {
		o.s.logf("stacks: saving %s: %v", o.st.Name, err)
	}
}

const stackType = "AWS::CloudFormation::Stack"

func (o *operation) stackEvent(status, reason string) {
	o.event(o.st.Name, o.st.ID, stackType, status, reason, nil)
}

// resource returns a resource record (nil if none) under the lock.
func (o *operation) resource(name string) *resourceRecord {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.st.Resources[name]
}

// resolver is the resolver of t for this stack with the given parameter
// values; Resource answers from the stack's resources as they are now.
func (o *operation) resolver(t *cfnengine.Template, params map[string]any) *cfnengine.Resolver {
	return &cfnengine.Resolver{
		Template:   t,
		Pseudo:     o.s.pseudo(o.st),
		Parameters: params,
		Resource: func(name string) (any, map[string]any, bool) {
			o.mu.Lock()
			defer o.mu.Unlock()
			r := o.st.Resources[name]
			if r == nil || r.PhysicalID == "" || !live(r.Status) {
				return nil, nil, false
			}
			return r.refValue(), r.Attributes, true
		},
		Export: o.s.export,
	}
}

func (r *resourceRecord) refValue() string {
	if r.Ref != "" {
		return r.Ref
	}
	return r.PhysicalID
}

// live reports whether a resource in this status exists.
func live(status string) bool {
	switch status {
	case CreateComplete, UpdateComplete, UpdateInProgress, UpdateFailed, DeleteFailed, DeleteInProgress:
		return true
	}
	return false
}

// plan is a template made ready to apply: parsed, parameters resolved,
// conditions evaluated, the resources that exist under them and their
// dependencies.
type plan struct {
	tmpl     *cfnengine.Template
	params   map[string]any
	res      *cfnengine.Resolver
	included []string
	deps     map[string][]string
}

func (o *operation) plan(body string, params []Parameter) (*plan, error) {
	t, err := cfnengine.Parse([]byte(body))
	if err != nil {
		return nil, err
	}
	vals, err := cfnengine.ResolveParameters(t, givenValues(params), nil)
	if err != nil {
		return nil, err
	}
	p := &plan{tmpl: t, params: vals}
	p.res = o.resolver(t, vals)
	p.res.LanguageExtensions = hasLanguageExtensions(body)
	if err := p.res.EvalConditions(); err != nil {
		return nil, err
	}
	p.included, p.deps, err = includedResources(t, p.res.Conditions)
	return p, err
}

// includedResources lists the resources whose condition holds and their
// dependencies among each other, ordered (a cycle is an error).
func includedResources(t *cfnengine.Template, conds map[string]bool) ([]string, map[string][]string, error) {
	all, err := t.Dependencies()
	if err != nil {
		return nil, nil, err
	}
	in := map[string]bool{}
	for name, r := range t.Resources {
		if r.Condition == "" || conds[r.Condition] {
			in[name] = true
		}
	}
	deps := map[string][]string{}
	for name := range in {
		var ds []string
		for _, d := range all[name] {
			if in[d] {
				ds = append(ds, d)
			}
		}
		deps[name] = ds
	}
	if _, err := cfnengine.Order(deps); err != nil {
		return nil, nil, err
	}
	names := make([]string, 0, len(in))
	for n := range in {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, deps, nil
}

func givenValues(params []Parameter) map[string]string {
	out := map[string]string{}
	for _, p := range params {
		if !p.UsePreviousValue {
			out[p.Key] = p.Value
		}
	}
	return out
}

// runDAG calls fn for every name once the names it depends on have
// succeeded (reverse: once the names that depend on it have), at most
// parallelism at a time. A name whose prerequisite failed or was skipped
// is skipped. It returns the names that failed and those skipped.
func runDAG(ctx context.Context, names []string, deps map[string][]string, reverse bool, fn func(string) error) (failed, skipped []string) {
	need := map[string][]string{}
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	for _, n := range names {
		for _, d := range deps[n] {
			if !set[d] {
				continue
			}
			if reverse {
				need[d] = append(need[d], n)
			} else {
				need[n] = append(need[n], d)
			}
		}
	}
	type result struct{ ok bool }
	done := map[string]chan struct{}{}
	results := map[string]*result{}
	for _, n := range names {
		done[n] = make(chan struct{})
		results[n] = &result{}
	}
	sem := make(chan struct{}, parallelism)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[n])
			for _, d := range need[n] {
				<-done[d]
				if !results[d].ok {
					mu.Lock()
					skipped = append(skipped, n)
					mu.Unlock()
					return
				}
			}
			if ctx.Err() != nil {
				mu.Lock()
				skipped = append(skipped, n)
				mu.Unlock()
				return
			}
			sem <- struct{}{}
			err := fn(n)
			<-sem
			if err != nil {
				mu.Lock()
				failed = append(failed, n)
				mu.Unlock()
				return
			}
			results[n].ok = true
		}()
	}
	wg.Wait()
	slices.Sort(failed)
	slices.Sort(skipped)
	return failed, skipped
}

// canonical is the JSON of v with sorted keys, for comparing properties.
func canonical(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// apply creates or updates the resources of p. It returns the resources
// that failed (with their reasons recorded as events).
func (o *operation) apply(ctx context.Context, p *plan, creating bool) []string {
	failed, _ := runDAG(ctx, p.included, p.deps, false, func(name string) error {
		return o.applyOne(ctx, p, name, creating)
	})
	return failed
}

func (o *operation) applyOne(ctx context.Context, p *plan, name string, creating bool) error {
	def := p.tmpl.Resources[name]
	resolved, err := p.res.Resolve(def.Properties)
	var props map[string]any
	if err == nil {
		props, _ = resolved.(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
	}
	propsJSON := canonical(props)
	old := o.resource(name)
	if old != nil && !live(old.Status) {
		old = nil
	}
	inProgress, failedStatus := UpdateInProgress, UpdateFailed
	if old == nil {
		inProgress, failedStatus = CreateInProgress, CreateFailed
	}
	fail := func(physical string, err error) error {
		o.mu.Lock()
		rec := o.st.Resources[name]
		if rec == nil || old == nil {
			rec = &resourceRecord{LogicalID: name, Type: def.Type, DeletionPolicy: def.DeletionPolicy, UpdateReplacePolicy: def.UpdateReplacePolicy}
			if old == nil {
				rec.Added = true
			}
			o.st.Resources[name] = rec
		}
		if old == nil {
			rec.Status = CreateFailed
		} else {
			rec.Status = UpdateFailed
		}
		rec.StatusReason = err.Error()
		rec.Updated = o.s.now()
		o.eventLocked(name, physical, def.Type, failedStatus, err.Error(), nil)
		o.mu.Unlock()
		o.flush()
		return err
	}
	if err != nil {
		o.event(name, "", def.Type, inProgress, "", nil)
		return fail("", err)
	}
	prov := o.s.providers[def.Type]
	if prov == nil {
		o.event(name, "", def.Type, inProgress, "", propsJSON)
		return fail("", fmt.Errorf("Resource type %s is not supported by the local cloud (it has no provider for it)", def.Type))
	}
	req := &cfnengine.ResourceRequest{
		StackName: o.st.Name, StackID: o.st.ID, Region: o.s.region, Account: localcloud.Account,
		LogicalID: name, Type: def.Type, Properties: props,
	}
	if old != nil {
		if bytes.Equal(old.Properties, propsJSON) && old.DeletionPolicy == def.DeletionPolicy && old.UpdateReplacePolicy == def.UpdateReplacePolicy {
			return nil // unchanged
		}
		if bytes.Equal(old.Properties, propsJSON) {
			o.mu.Lock()
			old.DeletionPolicy, old.UpdateReplacePolicy = def.DeletionPolicy, def.UpdateReplacePolicy
			o.mu.Unlock()
			return nil
		}
		oldProps := old.properties()
		if replaces(prov, oldProps, props) {
			o.event(name, old.PhysicalID, def.Type, UpdateInProgress, "Requested update requires the creation of a new physical resource; hence creating one.", propsJSON)
			out, err := prov.Create(ctx, req)
			if err != nil {
				return fail("", providerError(err))
			}
			o.mu.Lock()
			prev := *old
			rec := &resourceRecord{LogicalID: name, Type: def.Type, PhysicalID: out.PhysicalID, Ref: out.Ref, Attributes: out.Attributes,
				Properties: propsJSON, Status: UpdateComplete, Updated: o.s.now(), DeletionPolicy: def.DeletionPolicy,
				UpdateReplacePolicy: def.UpdateReplacePolicy, Old: &prev}
			o.st.Resources[name] = rec
			o.eventLocked(name, out.PhysicalID, def.Type, UpdateComplete, "", nil)
			o.mu.Unlock()
			o.flush()
			return nil
		}
		o.event(name, old.PhysicalID, def.Type, UpdateInProgress, "", propsJSON)
		req.PhysicalID, req.OldProperties, req.Attributes = old.PhysicalID, oldProps, old.Attributes
		out, err := prov.Update(ctx, req)
		if err != nil {
			return fail(old.PhysicalID, providerError(err))
		}
		o.mu.Lock()
		prev := *old
		rec := &resourceRecord{LogicalID: name, Type: def.Type, PhysicalID: orDefault(out.PhysicalID, old.PhysicalID), Ref: out.Ref,
			Attributes: out.Attributes, Properties: propsJSON, Status: UpdateComplete, Updated: o.s.now(),
			DeletionPolicy: def.DeletionPolicy, UpdateReplacePolicy: def.UpdateReplacePolicy, Before: &prev}
		if out.Ref == "" && out.PhysicalID == "" {
			rec.Ref = old.Ref
		}
		if rec.Attributes == nil {
			rec.Attributes = old.Attributes
		}
		o.st.Resources[name] = rec
		o.eventLocked(name, rec.PhysicalID, def.Type, UpdateComplete, "", nil)
		o.mu.Unlock()
		o.flush()
		return nil
	}
	o.mu.Lock()
	o.st.Resources[name] = &resourceRecord{LogicalID: name, Type: def.Type, Status: CreateInProgress, Updated: o.s.now(),
		Properties: propsJSON, DeletionPolicy: def.DeletionPolicy, UpdateReplacePolicy: def.UpdateReplacePolicy, Added: !creating}
	o.eventLocked(name, "", def.Type, CreateInProgress, "", propsJSON)
	o.mu.Unlock()
	o.flush()
	out, err := prov.Create(ctx, req)
	if err != nil {
		return fail("", providerError(err))
	}
	o.mu.Lock()
	rec := o.st.Resources[name]
	rec.PhysicalID, rec.Ref, rec.Attributes, rec.Status, rec.Updated = out.PhysicalID, out.Ref, out.Attributes, CreateComplete, o.s.now()
	o.eventLocked(name, out.PhysicalID, def.Type, CreateComplete, "", nil)
	o.mu.Unlock()
	o.flush()
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// providerError words a provider's failure as CloudFormation shows it.
func providerError(err error) error {
	msg := err.Error()
	var e *localcloud.Error
	if errors.As(err, &e) {
		msg = fmt.Sprintf("Resource handler returned message: \"%s\" (Service: local cloud, Status Code: %d, HandlerErrorCode: %s)", e.Message, statusOf(e), e.Code)
	}
	return errors.New(msg)
}

func statusOf(e *localcloud.Error) int {
	if e.Status != 0 {
		return e.Status
	}
	return 400
}

// replaces reports whether changing old to new properties replaces the
// resource: a create-only property changed.
func replaces(p cfnengine.Provider, old, new map[string]any) bool {
	for _, name := range p.CreateOnlyProperties() {
		if !bytes.Equal(canonical(lookup(old, name)), canonical(lookup(new, name))) {
			return true
		}
	}
	return false
}

// lookup finds a property by a dotted path ("A.B").
func lookup(m map[string]any, path string) any {
	var cur any = m
	for _, part := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[part]
	}
	return cur
}

// deleteResources deletes the named resources, those that others depend
// on last. DeletionPolicy Retain (retain) keeps a resource (DELETE_SKIPPED).
// It returns the names that failed.
func (o *operation) deleteResources(ctx context.Context, names []string, deps map[string][]string, policy func(*resourceRecord) string) []string {
	failed, _ := runDAG(ctx, names, deps, true, func(name string) error {
		rec := o.resource(name)
		if rec == nil {
			return nil
		}
		return o.deleteOne(ctx, name, rec, policy(rec))
	})
	return failed
}

func (o *operation) deleteOne(ctx context.Context, name string, rec *resourceRecord, policy string) error {
	if policy == "Retain" {
		o.mu.Lock()
		delete(o.st.Resources, name)
		o.eventLocked(name, rec.PhysicalID, rec.Type, DeleteSkipped, "", nil)
		o.mu.Unlock()
		o.flush()
		return nil
	}
	o.event(name, rec.PhysicalID, rec.Type, DeleteInProgress, "", nil)
	if err := o.deletePhysical(ctx, rec); err != nil {
		o.mu.Lock()
		if cur := o.st.Resources[name]; cur == rec {
			cur.Status, cur.StatusReason = DeleteFailed, err.Error()
		}
		o.eventLocked(name, rec.PhysicalID, rec.Type, DeleteFailed, err.Error(), nil)
		o.mu.Unlock()
		o.flush()
		return err
	}
	o.mu.Lock()
	if cur := o.st.Resources[name]; cur == rec {
		delete(o.st.Resources, name)
	}
	o.eventLocked(name, rec.PhysicalID, rec.Type, DeleteComplete, "", nil)
	o.mu.Unlock()
	o.flush()
	return nil
}

// deletePhysical calls the provider's Delete for a resource that exists.
func (o *operation) deletePhysical(ctx context.Context, rec *resourceRecord) error {
	if rec.PhysicalID == "" {
		return nil // never created
	}
	prov := o.s.providers[rec.Type]
	if prov == nil {
		return fmt.Errorf("Resource type %s is not supported by the local cloud (it has no provider for it)", rec.Type)
	}
	err := prov.Delete(ctx, &cfnengine.ResourceRequest{
		StackName: o.st.Name, StackID: o.st.ID, Region: o.s.region, Account: localcloud.Account,
		LogicalID: rec.LogicalID, Type: rec.Type, PhysicalID: rec.PhysicalID, Properties: rec.properties(), Attributes: rec.Attributes,
	})
	if err != nil {
		return providerError(err)
	}
	return nil
}

// deleteDeps are the dependencies among a stack's resources, from its
// template, for deleting in the right order.
func deleteDeps(body string) map[string][]string {
	t, err := cfnengine.Parse([]byte(body))
	if err != nil {
		return nil
	}
	deps, err := t.Dependencies()
	if err != nil {
		return nil
	}
	return deps
}

// resourceNames lists the stack's resources.
func (o *operation) resourceNames() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]string, 0, len(o.st.Resources))
	for n := range o.st.Resources {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func deletionPolicy(r *resourceRecord) string { return r.DeletionPolicy }

// create runs CreateStack (or a CREATE change set).
func (o *operation) create(ctx context.Context) {
	o.stackEvent(CreateInProgress, "User Initiated")
	p, err := o.plan(o.st.TemplateBody, o.st.Parameters)
	if err != nil {
		o.rollbackCreate(ctx, err.Error())
		return
	}
	if failed := o.apply(ctx, p, true); len(failed) > 0 {
		o.rollbackCreate(ctx, fmt.Sprintf("The following resource(s) failed to create: [%s]. ", strings.Join(failed, ", ")))
		return
	}
	if err := o.outputs(p); err != nil {
		o.rollbackCreate(ctx, err.Error())
		return
	}
	o.stackEvent(CreateComplete, "")
}

func (o *operation) rollbackCreate(ctx context.Context, reason string) {
	if o.st.DisableRollback {
		o.stackEvent(CreateFailed, reason)
		return
	}
	o.stackEvent(RollbackInProgress, reason+"Rollback requested by user.")
	o.finishRollbackCreate(ctx)
}

func (o *operation) finishRollbackCreate(ctx context.Context) {
	deps := deleteDeps(o.st.TemplateBody)
	if failed := o.deleteResources(ctx, o.resourceNames(), deps, deletionPolicy); len(failed) > 0 {
		o.stackEvent(RollbackFailed, fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(failed, ", ")))
		return
	}
	o.mu.Lock()
	o.st.Outputs = nil
	o.mu.Unlock()
	o.stackEvent(RollbackComplete, "")
}

// outputs resolves the template's outputs into the stack.
func (o *operation) outputs(p *plan) error {
	var outs []Output
	keys := make([]string, 0, len(p.tmpl.Outputs))
	for k := range p.tmpl.Outputs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		def, _ := p.tmpl.Outputs[k].(map[string]any)
		if c, _ := def["Condition"].(string); c != "" && !p.res.Conditions[c] {
			continue
		}
		v, err := p.res.ResolveOutput(def["Value"])
		if err != nil {
			return fmt.Errorf("Output %s: %v", k, err)
		}
		out := Output{Key: k, Value: scalarString(v)}
		out.Description, _ = def["Description"].(string)
		if exp, ok := def["Export"].(map[string]any); ok {
			n, err := p.res.ResolveOutput(exp["Name"])
			if err != nil {
				return fmt.Errorf("Output %s: %v", k, err)
			}
			out.ExportName = scalarString(n)
		}
		outs = append(outs, out)
	}
	o.mu.Lock()
	o.st.Outputs = outs
	o.mu.Unlock()
	return nil
}

// scalarString writes an output's value as CloudFormation does: a list
// joined with commas.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = scalarString(e)
		}
		return strings.Join(parts, ",")
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// update runs UpdateStack (or an UPDATE change set) from o.st.Previous to
// the template and parameters now in o.st.
func (o *operation) update(ctx context.Context) {
	o.stackEvent(UpdateInProgress, "User Initiated")
	p, err := o.plan(o.st.TemplateBody, o.st.Parameters)
	if err != nil {
		o.rollbackUpdate(ctx, err.Error())
		return
	}
	if failed := o.apply(ctx, p, false); len(failed) > 0 {
		o.rollbackUpdate(ctx, fmt.Sprintf("The following resource(s) failed to update: [%s]. ", strings.Join(failed, ", ")))
		return
	}
	if err := o.outputs(p); err != nil {
		o.rollbackUpdate(ctx, err.Error())
		return
	}
	o.stackEvent(UpdateCompleteCleanupInProgress, "")
	o.cleanupUpdate(ctx, p)
}

// cleanupUpdate deletes what the update left behind: resources no longer
// in the template and those replaced.
func (o *operation) cleanupUpdate(ctx context.Context, p *plan) {
	included := map[string]bool{}
	if p != nil {
		for _, n := range p.included {
			included[n] = true
		}
	} else if pl, err := o.plan(o.st.TemplateBody, o.st.Parameters); err == nil {
		for _, n := range pl.included {
			included[n] = true
		}
	}
	var removed []string
	var replaced []*resourceRecord
	o.mu.Lock()
	for name, r := range o.st.Resources {
		if !included[name] {
			removed = append(removed, name)
		}
		if r.Old != nil {
			replaced = append(replaced, r.Old)
		}
	}
	o.mu.Unlock()
	for _, old := range replaced {
		if old.UpdateReplacePolicy == "Retain" {
			o.event(old.LogicalID, old.PhysicalID, old.Type, DeleteSkipped, "", nil)
		} else {
			o.event(old.LogicalID, old.PhysicalID, old.Type, DeleteInProgress, "", nil)
			if err := o.deletePhysical(ctx, old); err != nil {
				o.event(old.LogicalID, old.PhysicalID, old.Type, DeleteFailed, err.Error(), nil)
			} else {
				o.event(old.LogicalID, old.PhysicalID, old.Type, DeleteComplete, "", nil)
			}
		}
	}
	var prevBody string
	if o.st.Previous != nil {
		prevBody = o.st.Previous.TemplateBody
	}
	o.deleteResources(ctx, removed, deleteDeps(prevBody), deletionPolicy)
	o.mu.Lock()
	for name, r := range o.st.Resources {
		if r.Status == DeleteFailed && !included[name] {
			delete(o.st.Resources, name) // CloudFormation leaves it behind and forgets it
		}
		r.Old, r.Before, r.Added = nil, nil, false
	}
	o.st.Previous = nil
	o.mu.Unlock()
	o.stackEvent(UpdateComplete, "")
}

func (o *operation) rollbackUpdate(ctx context.Context, reason string) {
	o.stackEvent(UpdateRollbackInProgress, reason)
	o.finishRollbackUpdate(ctx)
}

// finishRollbackUpdate puts back what the failed update changed: in-place
// updates are updated back, replacements and additions deleted.
func (o *operation) finishRollbackUpdate(ctx context.Context) {
	prev := o.st.Previous
	newBody := o.st.TemplateBody
	if prev == nil {
		o.stackEvent(UpdateRollbackFailed, "the stack's previous state was not recorded")
		return
	}
	pp, err := o.plan(prev.TemplateBody, prev.Parameters)
	if err != nil {
		o.stackEvent(UpdateRollbackFailed, err.Error())
		return
	}
	var added []string
	var fresh []*resourceRecord
	o.mu.Lock()
	for name, r := range o.st.Resources {
		switch {
		case r.Added:
			added = append(added, name)
		case r.Old != nil:
			fresh = append(fresh, r)
			o.st.Resources[name] = r.Old
		}
	}
	o.mu.Unlock()
	// In-place updates back to the previous properties, in dependency order.
	failed, _ := runDAG(ctx, pp.included, pp.deps, false, func(name string) error {
		rec := o.resource(name)
		if rec == nil || rec.Before == nil {
			if rec != nil && rec.Status == UpdateFailed {
				o.mu.Lock()
				rec.Status = UpdateComplete
				o.mu.Unlock()
			}
			return nil
		}
		before := rec.Before
		prov := o.s.providers[rec.Type]
		o.event(name, rec.PhysicalID, rec.Type, UpdateInProgress, "", before.Properties)
		_, err := prov.Update(ctx, &cfnengine.ResourceRequest{
			StackName: o.st.Name, StackID: o.st.ID, Region: o.s.region, Account: localcloud.Account,
			LogicalID: name, Type: rec.Type, PhysicalID: rec.PhysicalID, Properties: before.properties(),
			OldProperties: rec.properties(), Attributes: rec.Attributes,
		})
		if err != nil {
			err = providerError(err)
			o.event(name, rec.PhysicalID, rec.Type, UpdateFailed, err.Error(), nil)
			return err
		}
		o.mu.Lock()
		restored := *before
		restored.Status, restored.Updated = UpdateComplete, o.s.now()
		o.st.Resources[name] = &restored
		o.eventLocked(name, rec.PhysicalID, rec.Type, UpdateComplete, "", nil)
		o.mu.Unlock()
		o.flush()
		return nil
	})
	if len(failed) > 0 {
		o.stackEvent(UpdateRollbackFailed, fmt.Sprintf("The following resource(s) failed to update: [%s]. ", strings.Join(failed, ", ")))
		return
	}
	o.mu.Lock()
	o.st.TemplateBody, o.st.Parameters, o.st.Outputs = prev.TemplateBody, prev.Parameters, prev.Outputs
	o.mu.Unlock()
	o.stackEvent(UpdateRollbackCompleteCleanupInProgress, "")
	for _, r := range fresh {
		o.event(r.LogicalID, r.PhysicalID, r.Type, DeleteInProgress, "", nil)
		if err := o.deletePhysical(ctx, r); err != nil {
			o.event(r.LogicalID, r.PhysicalID, r.Type, DeleteFailed, err.Error(), nil)
		} else {
			o.event(r.LogicalID, r.PhysicalID, r.Type, DeleteComplete, "", nil)
		}
	}
	o.deleteResources(ctx, added, deleteDeps(newBody), func(*resourceRecord) string { return "Delete" })
	o.mu.Lock()
	for name, r := range o.st.Resources {
		if r.Added {
			delete(o.st.Resources, name)
		}
		r.Old, r.Before, r.Added = nil, nil, false
		if r.Status == UpdateFailed {
			r.Status = UpdateComplete
		}
	}
	o.st.Previous = nil
	o.mu.Unlock()
	o.stackEvent(UpdateRollbackComplete, "")
}

// delete runs DeleteStack.
func (o *operation) delete(ctx context.Context) {
	o.stackEvent(DeleteInProgress, "User Initiated")
	o.finishDelete(ctx)
}

func (o *operation) finishDelete(ctx context.Context) {
	deps := deleteDeps(o.st.TemplateBody)
	if failed := o.deleteResources(ctx, o.resourceNames(), deps, deletionPolicy); len(failed) > 0 {
		o.stackEvent(DeleteFailed, fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(failed, ", ")))
		return
	}
	o.mu.Lock()
	o.st.Deleted = o.s.now()
	o.st.Outputs = nil
	o.mu.Unlock()
	o.stackEvent(DeleteComplete, "")
	_ = o.s.store.Update(func(tx *localcloud.Tx) error {
		var id string
		if ok, _ := tx.Get(tableNames, o.st.Name, &id); ok && id == o.st.ID {
			return tx.Delete(tableNames, o.st.Name)
		}
		return nil
	})
}
