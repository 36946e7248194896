package stacks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// unresolved stands for a value known only once the change set runs: the
// Ref or attribute of a resource it adds or replaces.
const unresolved = "{{localcloud:resolved-at-execution}}"

// noChanges is CloudFormation's reason for an empty change set.
const noChanges = "The submitted information didn't contain changes. Submit different information to create a change set."

// ChangeSetInput is CreateChangeSet's input.
type ChangeSetInput struct {
	StackInput
	ChangeSetName string
	ChangeSetType string // CREATE or UPDATE (default)
	Description   string
}

// CreateChangeSet computes a change set; for CREATE on a stack that does
// not exist it creates the stack in REVIEW_IN_PROGRESS, as AWS does.
func (s *Service) CreateChangeSet(ctx context.Context, in *ChangeSetInput) (id, stackID string, err error) {
	if in.ChangeSetType == "" {
		in.ChangeSetType = "UPDATE"
	}
	if in.ChangeSetType != "CREATE" && in.ChangeSetType != "UPDATE" {
		return "", "", validation("ChangeSetType %s is not supported: use CREATE or UPDATE", in.ChangeSetType)
	}
	if !validChangeSetName(in.ChangeSetName) {
		return "", "", validation("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.ChangeSetName)
	}
	if err := checkStackName(in.StackName); err != nil {
		return "", "", err
	}
	var cur *stackRecord
	_ = s.store.View(func(tx *localcloud.Tx) error { cur, _ = s.load(tx, in.StackName); return nil })
	switch {
	case in.ChangeSetType == "CREATE" && cur != nil && cur.Status != ReviewInProgress:
		return "", "", &localcloud.Error{Code: "AlreadyExistsException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Stack [%s] already exists and cannot be created again with the changeSet [%s].", in.StackName, in.ChangeSetName)}
	case in.ChangeSetType == "UPDATE" && cur == nil:
		return "", "", validation("Stack [%s] does not exist", in.StackName)
	case in.ChangeSetType == "UPDATE":
		if err := updatable(cur); err != nil {
			return "", "", err
		}
	}
	body, err := s.template(ctx, &in.StackInput, cur)
	if err != nil {
		return "", "", err
	}
	t, err := s.check(body, in.Capabilities)
	if err != nil {
		return "", "", err
	}
	if in.ChangeSetType == "UPDATE" {
		if err := typesUnchanged(cur, t); err != nil {
			return "", "", err
		}
	}
	var prev *stackRecord
	if in.ChangeSetType == "UPDATE" {
		prev = cur
	}
	params, err := s.parameters(t, in.Parameters, prev)
	if err != nil {
		return "", "", err
	}
	if cur == nil {
		cur = &stackRecord{
			ID:   cfnengine.ARN("cloudformation", s.region, localcloud.Account, "stack/"+in.StackName+"/"+localcloud.NewID()),
			Name: in.StackName, Status: ReviewInProgress, StatusReason: "User Initiated", Resources: map[string]*resourceRecord{},
			Created: s.now(), Description: t.Description, Tags: in.Tags, Notification: in.NotificationARNs,
		}
	}
	cs := &changeSetRecord{
		ID:   cfnengine.ARN("cloudformation", s.region, localcloud.Account, "changeSet/"+in.ChangeSetName+"/"+localcloud.NewID()),
		Name: in.ChangeSetName, StackID: cur.ID, StackName: cur.Name, Type: in.ChangeSetType, Description: in.Description,
		TemplateBody: body, Parameters: params, Capabilities: in.Capabilities, Tags: in.Tags, Created: s.now(),
		Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE",
	}
	changes, err := s.changes(cur, body, params)
	if err != nil {
		cs.Status, cs.ExecutionStatus, cs.StatusReason = "FAILED", "UNAVAILABLE", err.Error()
	} else {
		cs.Changes = changes
		if in.ChangeSetType == "UPDATE" && len(changes) == 0 && body == cur.TemplateBody && sameParameters(params, cur.Parameters) && sameTags(in.Tags, cur.Tags) {
			cs.Status, cs.ExecutionStatus, cs.StatusReason = "FAILED", "UNAVAILABLE", noChanges
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	err = s.store.Update(func(tx *localcloud.Tx) error {
		var clash bool
		_ = tx.Scan(tableChangeSets, "", func(_ string, raw []byte) error {
			var other changeSetRecord
			if json.Unmarshal(raw, &other) == nil && other.StackID == cur.ID && other.Name == cs.Name && other.ExecutionStatus != "EXECUTE_COMPLETE" {
				clash = true
			}
			return nil
		})
		if clash {
			return &localcloud.Error{Code: "AlreadyExistsException", Status: http.StatusBadRequest,
				Message: fmt.Sprintf("ChangeSet %s already exists", cs.Name)}
		}
		if cur.Status == ReviewInProgress {
			if err := tx.Put(tableNames, cur.Name, cur.ID); err != nil {
				return err
			}
			if err := tx.Put(tableStacks, cur.ID, cur); err != nil {
				return err
			}
		}
		return tx.Put(tableChangeSets, cs.ID, cs)
	})
	if err != nil {
		return "", "", err
	}
	return cs.ID, cur.ID, nil
}

func validChangeSetName(n string) bool {
	if n == "" || len(n) > 128 || !(n[0] >= 'a' && n[0] <= 'z' || n[0] >= 'A' && n[0] <= 'Z') {
		return false
	}
	for _, c := range n {
		if !(c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// changes works out what executing body with params would do to cur.
func (s *Service) changes(cur *stackRecord, body string, params []Parameter) ([]Change, error) {
	t, err := cfnengine.Parse([]byte(body))
	if err != nil {
		return nil, err
	}
	vals, err := cfnengine.ResolveParameters(t, givenValues(params), nil)
	if err != nil {
		return nil, err
	}
	// dynamic marks the resources whose Ref and attributes will change.
	dynamic := map[string]bool{}
	used := attributesUsed(t)
	modified := map[string]bool{}
	res := &cfnengine.Resolver{
		Template: t, Pseudo: s.pseudo(cur), Parameters: vals, Export: s.export, LanguageExtensions: hasLanguageExtensions(body),
		Resource: func(name string) (any, map[string]any, bool) {
			r := cur.Resources[name]
			if dynamic[name] || r == nil || !live(r.Status) {
				return unresolved, unresolvedAttributes(used[name]), true
			}
			if modified[name] {
				// Updated in place: the Ref and the identifying attributes
				// (ARNs, ids, names) stay; only those the provider says an
				// update can change are known at execution.
				return r.refValue(), volatile(s.providers[r.Type], withUnknown(r.Attributes, used[name])), true
			}
			return r.refValue(), withUnknown(r.Attributes, used[name]), true
		},
	}
	if err := res.EvalConditions(); err != nil {
		return nil, err
	}
	included, deps, err := includedResources(t, res.Conditions)
	if err != nil {
		return nil, err
	}
	waves, err := cfnengine.Order(deps)
	if err != nil {
		return nil, err
	}
	var out []Change
	for _, wave := range waves {
		for _, name := range wave {
			def := t.Resources[name]
			old := cur.Resources[name]
			if old == nil || !live(old.Status) {
				dynamic[name] = true
				out = append(out, Change{Action: "Add", LogicalResourceID: name, ResourceType: def.Type, Details: []ChangeDetail{}})
				continue
			}
			resolved, err := res.Resolve(def.Properties)
			if err != nil {
				return nil, err
			}
			props, _ := resolved.(map[string]any)
			ch := modification(s.providers[def.Type], name, def, old, props)
			if ch == nil {
				continue
			}
			if ch.Replacement == "True" {
				dynamic[name] = true
			} else {
				modified[name] = true
			}
			out = append(out, *ch)
		}
	}
	inc := map[string]bool{}
	for _, n := range included {
		inc[n] = true
	}
	for name, r := range cur.Resources {
		if !inc[name] && live(r.Status) {
			out = append(out, Change{Action: "Remove", LogicalResourceID: name, PhysicalResourceID: r.PhysicalID, ResourceType: r.Type, Details: []ChangeDetail{}})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.LogicalResourceID, b.LogicalResourceID) })
	return out, nil
}

// unresolvedAttributes gives each of the named attributes the
// unresolved value.
func unresolvedAttributes(names []string) map[string]any {
	out := make(map[string]any, len(names))
	for _, a := range names {
		out[a] = unresolved
	}
	return out
}

// withUnknown adds the unresolved value for the named attributes that a
// resource's record does not have.
func withUnknown(attrs map[string]any, names []string) map[string]any {
	out := make(map[string]any, len(attrs)+len(names))
	for k, v := range attrs {
		out[k] = v
	}
	for _, a := range names {
		if _, ok := out[a]; !ok {
			out[a] = unresolved
		}
	}
	return out
}

// attributesUsed lists, by resource, the attributes the template reads
// with Fn::GetAtt or ${Resource.Attr}, in one walk of the template.
func attributesUsed(t *cfnengine.Template) map[string][]string {
	out := map[string][]string{}
	add := func(res, attr string) { out[res] = append(out[res], attr) }
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ga, ok := x["Fn::GetAtt"]; ok && len(x) == 1 {
				switch g := ga.(type) {
				case []any:
					if len(g) == 2 {
						r, _ := g[0].(string)
						if a, ok := g[1].(string); ok && r != "" {
							add(r, a)
						}
					}
				case string:
					if r, a, ok := strings.Cut(g, "."); ok {
						add(r, a)
					}
				}
			}
			if sub, ok := x["Fn::Sub"]; ok && len(x) == 1 {
				text, _ := sub.(string)
				if l, ok := sub.([]any); ok && len(l) > 0 {
					text, _ = l[0].(string)
				}
				for _, sv := range cfnengine.SubVariables(text) {
					if r, a, ok := strings.Cut(sv.Name, "."); ok {
						add(r, a)
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, r := range t.Resources {
		walk(r.Properties)
	}
	walk(t.Outputs)
	return out
}

// modification compares a resource's new properties with its current
// ones; nil when nothing changes.
func modification(prov cfnengine.Provider, name string, def *cfnengine.Resource, old *resourceRecord, props map[string]any) *Change {
	oldProps := old.properties()
	keys := map[string]bool{}
	for k := range oldProps {
		keys[k] = true
	}
	for k := range props {
		keys[k] = true
	}
	var createOnly []string
	if prov != nil {
		createOnly = prov.CreateOnlyProperties()
	}
	ch := &Change{Action: "Modify", LogicalResourceID: name, PhysicalResourceID: old.PhysicalID, ResourceType: def.Type, Replacement: "False"}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		a, b := canonical(oldProps[k]), canonical(props[k])
		if bytes.Equal(a, b) {
			continue
		}
		d := ChangeDetail{Attribute: "Properties", Name: k, RequiresRecreation: "Never", Evaluation: "Static", ChangeSource: "DirectModification"}
		if slices.ContainsFunc(createOnly, func(p string) bool { return p == k || strings.HasPrefix(p, k+".") }) {
			d.RequiresRecreation = "Always"
		}
		if bytes.Contains(b, []byte(unresolved)) {
			d.Evaluation, d.ChangeSource = "Dynamic", "ResourceReference"
			if d.RequiresRecreation == "Always" {
				d.RequiresRecreation = "Conditionally"
			}
		}
		ch.Details = append(ch.Details, d)
		switch {
		case d.RequiresRecreation == "Always":
			ch.Replacement = "True"
		case d.RequiresRecreation == "Conditionally" && ch.Replacement != "True":
			ch.Replacement = "Conditional"
		}
	}
	if def.DeletionPolicy != old.DeletionPolicy || def.UpdateReplacePolicy != old.UpdateReplacePolicy {
		ch.Details = append(ch.Details, ChangeDetail{Attribute: "DeletionPolicy", RequiresRecreation: "Never", Evaluation: "Static", ChangeSource: "DirectModification"})
	}
	if len(ch.Details) == 0 {
		return nil
	}
	ch.Scope = []string{"Properties"}
	return ch
}

// changeSet finds a change set by ARN, or by name within a stack.
func (s *Service) changeSet(tx *localcloud.Tx, name, stack string) (*changeSetRecord, error) {
	var found *changeSetRecord
	if strings.HasPrefix(name, "arn:") {
		var cs changeSetRecord
		if ok, _ := tx.Get(tableChangeSets, name, &cs); ok {
			found = &cs
		}
	} else {
		var stackID string
		if stack != "" {
			if st, err := s.load(tx, stack); err == nil {
				stackID = st.ID
			}
		}
		_ = tx.Scan(tableChangeSets, "", func(_ string, raw []byte) error {
			var cs changeSetRecord
			if json.Unmarshal(raw, &cs) == nil && cs.Name == name && (cs.StackID == stackID || cs.StackName == stack) {
				if found == nil || cs.Created.After(found.Created) {
					found = &cs
				}
			}
			return nil
		})
	}
	if found == nil {
		return nil, &localcloud.Error{Code: "ChangeSetNotFound", Status: http.StatusNotFound, Message: fmt.Sprintf("ChangeSet [%s] does not exist", name)}
	}
	return found, nil
}

// DescribeChangeSet returns a change set.
func (s *Service) DescribeChangeSet(ctx context.Context, name, stack string) (*changeSetRecord, error) {
	var cs *changeSetRecord
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		if cs, err = s.changeSet(tx, name, stack); err != nil {
			return err
		}
		if cs.ExecutionStatus == "EXECUTE_IN_PROGRESS" {
			var st stackRecord
			if ok, _ := tx.Get(tableStacks, cs.StackID, &st); ok && !strings.HasSuffix(st.Status, "_IN_PROGRESS") {
				cs.ExecutionStatus = "EXECUTE_COMPLETE"
				if strings.Contains(st.Status, "ROLLBACK") || strings.HasSuffix(st.Status, "_FAILED") {
					cs.ExecutionStatus = "EXECUTE_FAILED"
				}
			}
		}
		return nil
	})
	return cs, err
}

// ListChangeSets lists a stack's change sets not yet executed.
func (s *Service) ListChangeSets(ctx context.Context, stack string) ([]*changeSetRecord, error) {
	var out []*changeSetRecord
	err := s.store.View(func(tx *localcloud.Tx) error {
		st, err := s.load(tx, stack)
		if err != nil {
			return err
		}
		return tx.Scan(tableChangeSets, "", func(_ string, raw []byte) error {
			var cs changeSetRecord
			if json.Unmarshal(raw, &cs) == nil && cs.StackID == st.ID && !strings.HasPrefix(cs.ExecutionStatus, "EXECUTE_") {
				out = append(out, &cs)
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b *changeSetRecord) int { return a.Created.Compare(b.Created) })
	return out, err
}

// DeleteChangeSet deletes a change set that is not executing.
func (s *Service) DeleteChangeSet(ctx context.Context, name, stack string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.Update(func(tx *localcloud.Tx) error {
		cs, err := s.changeSet(tx, name, stack)
		if err != nil {
			return err
		}
		if cs.ExecutionStatus == "EXECUTE_IN_PROGRESS" {
			return &localcloud.Error{Code: "InvalidChangeSetStatus", Status: http.StatusBadRequest,
				Message: fmt.Sprintf("Cannot delete ChangeSet in status %s", cs.ExecutionStatus)}
		}
		return tx.Delete(tableChangeSets, cs.ID)
	})
}

// ExecuteChangeSet starts the operation a change set describes.
func (s *Service) ExecuteChangeSet(ctx context.Context, name, stack, token string, disableRollback bool) error {
	var cs *changeSetRecord
	var st *stackRecord
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		if cs, err = s.changeSet(tx, name, stack); err != nil {
			return err
		}
		st, err = s.load(tx, cs.StackID)
		return err
	})
	if err != nil {
		return err
	}
	if cs.Status != "CREATE_COMPLETE" || cs.ExecutionStatus != "AVAILABLE" {
		return &localcloud.Error{Code: "InvalidChangeSetStatus", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)}
	}
	in := &StackInput{StackName: st.Name, Capabilities: cs.Capabilities, Tags: cs.Tags, ClientRequestToken: token, DisableRollback: disableRollback}
	if cs.Type == "CREATE" {
		s.mu.Lock()
		err = s.store.Update(func(tx *localcloud.Tx) error {
			cur, err := s.load(tx, st.ID)
			if err != nil {
				return err
			}
			if cur.Status != ReviewInProgress {
				return validation("Stack:%s is in %s state and can not be updated.", cur.ID, cur.Status)
			}
			st = cur
			st.TemplateBody, st.Parameters, st.Capabilities, st.Tags = cs.TemplateBody, cs.Parameters, cs.Capabilities, cs.Tags
			st.DisableRollback, st.ChangeSetID, st.Status = disableRollback, cs.ID, CreateInProgress
			return s.executed(tx, cs, st)
		})
		s.mu.Unlock()
		if err != nil {
			return err
		}
		o := &operation{s: s, st: st, token: token}
		s.start(o.create)
		return nil
	}
	if _, err := s.startUpdate(st.ID, cs.TemplateBody, cs.Parameters, in, cs.ID); err != nil {
		return err
	}
	return s.store.Update(func(tx *localcloud.Tx) error { return s.executed(tx, cs, nil) })
}

// executed marks cs executing, deletes the stack's other change sets, as
// CloudFormation does, and saves st when given.
func (s *Service) executed(tx *localcloud.Tx, cs *changeSetRecord, st *stackRecord) error {
	var others []string
	_ = tx.Scan(tableChangeSets, "", func(key string, raw []byte) error {
		var other changeSetRecord
		if json.Unmarshal(raw, &other) == nil && other.StackID == cs.StackID && other.ID != cs.ID {
			others = append(others, key)
		}
		return nil
	})
	for _, k := range others {
		if err := tx.Delete(tableChangeSets, k); err != nil {
			return err
		}
	}
	cs.ExecutionStatus = "EXECUTE_IN_PROGRESS"
	if err := tx.Put(tableChangeSets, cs.ID, cs); err != nil {
		return err
	}
	if st != nil {
		return tx.Put(tableStacks, st.ID, st)
	}
	return nil
}

// VolatileAttributes is what a provider implements when an in-place update
// can change some of its attributes (a state machine's revision id); the
// others are taken to stay as they are, as identifiers do.
type VolatileAttributes interface {
	VolatileAttributes() []string
}

func volatile(p cfnengine.Provider, attrs map[string]any) map[string]any {
	v, ok := p.(VolatileAttributes)
	if !ok {
		return attrs
	}
	for _, a := range v.VolatileAttributes() {
		attrs[a] = unresolved
	}
	return attrs
}
