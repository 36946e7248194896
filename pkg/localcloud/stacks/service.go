package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// maxTemplateBody is CloudFormation's limit on TemplateBody; a larger
// template goes by TemplateURL (up to 1 MB).
const (
	maxTemplateBody = 51200
	maxTemplateURL  = 1 << 20
)

// ObjectSource fetches a template named by TemplateURL from S3.
type ObjectSource interface {
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
}

// Options configure the service.
type Options struct {
	// Providers provision the resource types the local cloud supports.
	Providers []cfnengine.Provider
	// Objects serves TemplateURL; nil refuses TemplateURL.
	Objects ObjectSource
	// Logger gets a line per problem saving state; nil is silent.
	Logger *log.Logger
	// OutputValue, when set, rewrites each output value DescribeStacks
	// answers (the stored value stays as the template made it): the local
	// cloud shows an API's execute-api URL in the form it serves.
	OutputValue func(string) string
}

// Service is the local cloud's CloudFormation.
type Service struct {
	outputValue func(string) string
	store       *localcloud.Store
	providers   map[string]cfnengine.Provider
	objects     ObjectSource
	logger      *log.Logger
	region      string

	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
	// mu serialises the checks and transitions that start operations.
	mu sync.Mutex
}

// New returns the service over store. Operations a previous run left in
// progress (the local cloud was stopped or killed mid-way) are finished
// the way CloudFormation finishes an interrupted one: a create or update
// is rolled back, a rollback or delete carried on.
func New(store *localcloud.Store, o Options) (*Service, error) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{store: store, providers: map[string]cfnengine.Provider{}, objects: o.Objects, logger: o.Logger, outputValue: o.OutputValue,
		region: localcloud.Region, ctx: ctx, cancel: cancel}
	for _, p := range o.Providers {
		s.providers[p.Type()] = p
	}
	var interrupted []*stackRecord
	err := store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableStacks, "", func(_ string, raw []byte) error {
			var st stackRecord
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
			if strings.HasSuffix(st.Status, "_IN_PROGRESS") && st.Status != ReviewInProgress {
				interrupted = append(interrupted, &st)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for _, st := range interrupted {
		s.resume(st)
	}
	return s, nil
}

// Close stops the operations in progress (what they did so far is saved;
// the next New finishes them) and waits for them.
func (s *Service) Close() {
	s.cancel()
	s.running.Wait()
}

// Wait blocks until no operation is in progress.
func (s *Service) Wait() { s.running.Wait() }

const interruptedReason = "The local cloud stopped while the operation was in progress. "

func (s *Service) resume(st *stackRecord) {
	o := &operation{s: s, st: st}
	s.start(func(ctx context.Context) {
		switch st.Status {
		case CreateInProgress:
			o.rollbackCreate(ctx, interruptedReason)
		case RollbackInProgress:
			o.finishRollbackCreate(ctx)
		case UpdateInProgress:
			o.rollbackUpdate(ctx, interruptedReason)
		case UpdateCompleteCleanupInProgress:
			o.cleanupUpdate(ctx, nil)
		case UpdateRollbackInProgress, UpdateRollbackCompleteCleanupInProgress:
			o.finishRollbackUpdate(ctx)
		case DeleteInProgress:
			o.finishDelete(ctx)
		}
	})
}

func (s *Service) start(fn func(context.Context)) {
	s.running.Add(1)
	go func() {
		defer s.running.Done()
		fn(s.ctx)
	}()
}

func (s *Service) now() time.Time { return time.Now().UTC() }

func (s *Service) logf(format string, args ...any) {
	if s.logger != nil {
		s.logger.Printf(format, args...)
	}
}

func (s *Service) pseudo(st *stackRecord) cfnengine.Pseudo {
	return cfnengine.Pseudo{StackName: st.Name, StackID: st.ID, Region: s.region, AccountID: localcloud.Account,
		Partition: "aws", URLSuffix: "amazonaws.com", NotificationARNs: st.Notification}
}

func validation(format string, args ...any) error {
	return &localcloud.Error{Code: "ValidationError", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// export finds an export's value among the live stacks' outputs.
func (s *Service) export(name string) (string, bool) {
	exps, _ := s.ListExports(context.Background())
	for _, e := range exps {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

// load reads a stack by name or id; deleted stacks only by id.
func (s *Service) load(tx *localcloud.Tx, nameOrID string) (*stackRecord, error) {
	id := nameOrID
	if !strings.HasPrefix(nameOrID, "arn:") {
		if ok, err := tx.Get(tableNames, nameOrID, &id); err != nil || !ok {
			return nil, validation("Stack with id %s does not exist", nameOrID)
		}
	}
	var st stackRecord
	if ok, err := tx.Get(tableStacks, id, &st); err != nil || !ok {
		return nil, validation("Stack with id %s does not exist", nameOrID)
	}
	if st.Resources == nil {
		st.Resources = map[string]*resourceRecord{}
	}
	return &st, nil
}

// StackInput is what CreateStack, UpdateStack and CreateChangeSet take.
type StackInput struct {
	StackName           string
	TemplateBody        string
	TemplateURL         string
	UsePreviousTemplate bool
	Parameters          []Parameter
	Capabilities        []string
	Tags                map[string]string
	DisableRollback     bool
	NotificationARNs    []string
	ClientRequestToken  string
}

// template returns the input's template body: given, fetched from S3 or
// (UsePreviousTemplate) the stack's.
func (s *Service) template(ctx context.Context, in *StackInput, prev *stackRecord) (string, error) {
	switch {
	case in.TemplateBody != "" && in.TemplateURL != "":
		return "", validation("Specify exactly one of TemplateBody or TemplateURL.")
	case in.TemplateBody != "":
		if len(in.TemplateBody) > maxTemplateBody {
			return "", validation("1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", maxTemplateBody)
		}
		return in.TemplateBody, nil
	case in.TemplateURL != "":
		return s.fetchTemplate(ctx, in.TemplateURL)
	case in.UsePreviousTemplate && prev != nil:
		return prev.TemplateBody, nil
	}
	return "", validation("Either Template URL or Template Body must be specified.")
}

// fetchTemplate reads a TemplateURL: virtual-hosted
// (https://bucket.s3.region.amazonaws.com/key) or path style
// (https://s3.amazonaws.com/bucket/key, or the local cloud's own
// http://127.0.0.1:4566/bucket/key).
func (s *Service) fetchTemplate(ctx context.Context, raw string) (string, error) {
	if s.objects == nil {
		return "", validation("TemplateURL must be a supported URL: the local cloud has no S3 to read it from")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", validation("TemplateURL must be a supported URL.")
	}
	path := strings.TrimPrefix(u.Path, "/")
	bucket, key := "", ""
	if host := u.Hostname(); strings.Contains(host, ".s3.") || strings.HasSuffix(host, ".s3.amazonaws.com") {
		bucket, key = host[:strings.Index(host, ".s3")], path
	} else {
		bucket, key, _ = strings.Cut(path, "/")
	}
	if bucket == "" || key == "" {
		return "", validation("TemplateURL must be a supported URL.")
	}
	body, err := s.objects.GetObject(ctx, bucket, key)
	if err != nil {
		return "", validation("S3 error: Access Denied or object not found: %s (%v)", raw, err)
	}
	if len(body) > maxTemplateURL {
		return "", validation("Template may not exceed 1048576 bytes in size.")
	}
	return string(body), nil
}

// check parses and statically checks a template, then checks that the
// capabilities it needs were given, as CloudFormation does before it
// creates anything.
func (s *Service) check(body string, caps []string) (*cfnengine.Template, error) {
	t, err := cfnengine.Parse([]byte(body))
	if err != nil {
		return nil, asValidation(err)
	}
	transforms, err := cfnengine.DeclaredTransforms([]byte(body))
	if err != nil {
		return nil, asValidation(err)
	}
	for _, tr := range transforms {
		if tr != languageExtensions {
			return nil, validation("Transform %s is not supported by the local cloud: it runs templates as they are (deploy the processed template instead)", tr)
		}
	}
	if err := staticCheck(t, len(transforms) > 0); err != nil {
		return nil, err
	}
	if need := requiredCapability(t); need != "" && !slices.Contains(caps, need) && !(need == "CAPABILITY_IAM" && slices.Contains(caps, "CAPABILITY_NAMED_IAM")) {
		return nil, &localcloud.Error{Code: "InsufficientCapabilitiesException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Requires capabilities : [%s]", need)}
	}
	return t, nil
}

// staticCheck is what CloudFormation checks of a parsed template before
// anything runs: its functions and names, and that its resources'
// dependencies have no cycle.
func staticCheck(t *cfnengine.Template, languageExtensions bool) error {
	if err := t.StaticCheckWith(cfnengine.CheckOptions{LanguageExtensions: languageExtensions}); err != nil {
		return asValidation(err)
	}
	deps, err := t.Dependencies()
	if err != nil {
		return asValidation(err)
	}
	if _, err := cfnengine.Order(deps); err != nil {
		return asValidation(err)
	}
	return nil
}

func asValidation(err error) error {
	var le *localcloud.Error
	if errors.As(err, &le) {
		return err
	}
	return validation("%s", err.Error())
}

// requiredCapability is the capability the template's IAM resources need:
// CAPABILITY_NAMED_IAM when one has a custom name.
func requiredCapability(t *cfnengine.Template) string {
	need := ""
	for _, r := range t.Resources {
		if !strings.HasPrefix(r.Type, "AWS::IAM::") {
			continue
		}
		for _, k := range []string{"RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName"} {
			if _, ok := r.Properties[k]; ok {
				return "CAPABILITY_NAMED_IAM"
			}
		}
		need = "CAPABILITY_IAM"
	}
	return need
}

// parameters checks the given parameters against the template and fills
// UsePreviousValue from the previous stack.
func (s *Service) parameters(t *cfnengine.Template, given []Parameter, prev *stackRecord) ([]Parameter, error) {
	previous := map[string]string{}
	if prev != nil {
		for _, p := range prev.Parameters {
			previous[p.Key] = p.Value
		}
	}
	out := make([]Parameter, 0, len(given))
	values := map[string]string{}
	for _, p := range given {
		if p.UsePreviousValue {
			v, ok := previous[p.Key]
			if !ok {
				return nil, validation("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", p.Key)
			}
			p.Value, p.UsePreviousValue = v, false
		}
		values[p.Key] = p.Value
		out = append(out, p)
	}
	if _, err := cfnengine.ResolveParameters(t, values, nil); err != nil {
		return nil, asValidation(err)
	}
	noEcho := map[string]bool{}
	for _, n := range cfnengine.NoEchoParameters(t) {
		noEcho[n] = true
	}
	for i := range out {
		out[i].NoEcho = noEcho[out[i].Key]
	}
	return out, nil
}

// CreateStack starts creating a stack and returns its id.
func (s *Service) CreateStack(ctx context.Context, in *StackInput) (string, error) {
	if err := checkStackName(in.StackName); err != nil {
		return "", err
	}
	body, err := s.template(ctx, in, nil)
	if err != nil {
		return "", err
	}
	t, err := s.check(body, in.Capabilities)
	if err != nil {
		return "", err
	}
	params, err := s.parameters(t, in.Parameters, nil)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &stackRecord{
		ID:   cfnengine.ARN("cloudformation", s.region, localcloud.Account, "stack/"+in.StackName+"/"+localcloud.NewID()),
		Name: in.StackName, Description: t.Description, TemplateBody: body, Parameters: params, Capabilities: in.Capabilities,
		Tags: in.Tags, DisableRollback: in.DisableRollback, Resources: map[string]*resourceRecord{}, Created: s.now(),
		Notification: in.NotificationARNs, Status: CreateInProgress,
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		var id string
		if ok, _ := tx.Get(tableNames, in.StackName, &id); ok {
			return &localcloud.Error{Code: "AlreadyExistsException", Status: http.StatusBadRequest, Message: fmt.Sprintf("Stack [%s] already exists", in.StackName)}
		}
		if err := tx.Put(tableNames, st.Name, st.ID); err != nil {
			return err
		}
		return tx.Put(tableStacks, st.ID, st)
	})
	if err != nil {
		return "", err
	}
	o := &operation{s: s, st: st, token: in.ClientRequestToken}
	s.start(o.create)
	return st.ID, nil
}

func checkStackName(name string) error {
	if name == "" || len(name) > 128 || !(name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		return validation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	for _, c := range name {
		if !(c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return validation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
		}
	}
	return nil
}

// updatable is the check UpdateStack and an UPDATE change set make.
func updatable(st *stackRecord) error {
	switch st.Status {
	case CreateComplete, UpdateComplete, UpdateRollbackComplete:
		return nil
	}
	return validation("Stack:%s is in %s state and can not be updated.", st.ID, st.Status)
}

// UpdateStack starts updating a stack and returns its id.
func (s *Service) UpdateStack(ctx context.Context, in *StackInput) (string, error) {
	var cur *stackRecord
	if err := s.store.View(func(tx *localcloud.Tx) (err error) { cur, err = s.load(tx, in.StackName); return err }); err != nil {
		return "", err
	}
	body, err := s.template(ctx, in, cur)
	if err != nil {
		return "", err
	}
	t, err := s.check(body, in.Capabilities)
	if err != nil {
		return "", err
	}
	if err := typesUnchanged(cur, t); err != nil {
		return "", err
	}
	params, err := s.parameters(t, in.Parameters, cur)
	if err != nil {
		return "", err
	}
	if body == cur.TemplateBody && sameParameters(params, cur.Parameters) && sameTags(in.Tags, cur.Tags) {
		return "", validation("No updates are to be performed.")
	}
	return s.startUpdate(in.StackName, body, params, in, "")
}

func (s *Service) startUpdate(name, body string, params []Parameter, in *StackInput, changeSetID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st *stackRecord
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var err error
		if st, err = s.load(tx, name); err != nil {
			return err
		}
		if err := updatable(st); err != nil {
			return err
		}
		st.Previous = &previousState{TemplateBody: st.TemplateBody, Parameters: st.Parameters, Outputs: st.Outputs}
		st.TemplateBody, st.Parameters, st.Capabilities, st.LastUpdated = body, params, in.Capabilities, s.now()
		if in.Tags != nil {
			st.Tags = in.Tags
		}
		st.Status, st.ChangeSetID = UpdateInProgress, changeSetID
		if t, err := cfnengine.Parse([]byte(body)); err == nil {
			st.Description = t.Description
		}
		return tx.Put(tableStacks, st.ID, st)
	})
	if err != nil {
		return "", err
	}
	o := &operation{s: s, st: st, token: in.ClientRequestToken}
	s.start(o.update)
	return st.ID, nil
}

// typesUnchanged refuses an update that changes a resource's type, as
// CloudFormation does.
func typesUnchanged(cur *stackRecord, t *cfnengine.Template) error {
	var changed []string
	for name, r := range cur.Resources {
		if nr := t.Resources[name]; nr != nil && nr.Type != r.Type {
			changed = append(changed, name)
		}
	}
	if len(changed) > 0 {
		slices.Sort(changed)
		return validation("Update of resource type is not permitted. The new template modifies resource type of the following resources: [%s]", strings.Join(changed, ", "))
	}
	return nil
}

func sameParameters(a, b []Parameter) bool {
	am, bm := map[string]string{}, map[string]string{}
	for _, p := range a {
		am[p.Key] = p.Value
	}
	for _, p := range b {
		bm[p.Key] = p.Value
	}
	if len(am) != len(bm) {
		return false
	}
	for k, v := range am {
		if w, ok := bm[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sameTags(given, cur map[string]string) bool {
	if given == nil {
		return true
	}
	if len(given) != len(cur) {
		return false
	}
	for k, v := range given {
		if cur[k] != v {
			return false
		}
	}
	return true
}

// DeleteStack starts deleting a stack; a stack that does not exist is
// not an error, as on AWS.
func (s *Service) DeleteStack(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st *stackRecord
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var err error
		if st, err = s.load(tx, name); err != nil {
			st = nil
			return nil
		}
		switch {
		case st.Status == DeleteComplete, st.Status == DeleteInProgress:
			st = nil
			return nil
		case strings.HasSuffix(st.Status, "_IN_PROGRESS") && st.Status != ReviewInProgress:
			return validation("Stack [%s] cannot be deleted while in status %s", st.Name, st.Status)
		}
		if users := s.importersOf(tx, st); len(users) > 0 {
			return validation("Export %s cannot be deleted as it is in use by %s", users[0][0], users[0][1])
		}
		st.Status = DeleteInProgress
		return tx.Put(tableStacks, st.ID, st)
	})
	if err != nil || st == nil {
		return err
	}
	o := &operation{s: s, st: st}
	s.start(o.delete)
	return nil
}

// importersOf lists [export, importing stack] pairs for st's exports.
func (s *Service) importersOf(tx *localcloud.Tx, st *stackRecord) [][2]string {
	exports := map[string]bool{}
	for _, o := range st.Outputs {
		if o.ExportName != "" {
			exports[o.ExportName] = true
		}
	}
	if len(exports) == 0 {
		return nil
	}
	var out [][2]string
	_ = tx.Scan(tableStacks, "", func(_ string, raw []byte) error {
		var other stackRecord
		if json.Unmarshal(raw, &other) != nil || other.ID == st.ID || other.Status == DeleteComplete {
			return nil
		}
		for name := range exports {
			if strings.Contains(other.TemplateBody, name) {
				out = append(out, [2]string{name, other.Name})
			}
		}
		return nil
	})
	return out
}

// Describe returns a stack by name or id.
func (s *Service) Describe(ctx context.Context, nameOrID string) (*stackRecord, error) {
	var st *stackRecord
	err := s.store.View(func(tx *localcloud.Tx) (err error) { st, err = s.load(tx, nameOrID); return err })
	return st, err
}

// List returns the stacks (live ones, and deleted ones when all is true),
// oldest first.
func (s *Service) List(ctx context.Context, all bool) ([]*stackRecord, error) {
	var out []*stackRecord
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableStacks, "", func(_ string, raw []byte) error {
			var st stackRecord
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
			if all || st.Status != DeleteComplete {
				out = append(out, &st)
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b *stackRecord) int { return a.Created.Compare(b.Created) })
	return out, err
}

// Events returns a stack's events, newest first.
func (s *Service) Events(ctx context.Context, nameOrID string) ([]Event, error) {
	var out []Event
	err := s.store.View(func(tx *localcloud.Tx) error {
		st, err := s.load(tx, nameOrID)
		if err != nil {
			return err
		}
		return tx.Scan(tableEvents, st.ID+"/", func(_ string, raw []byte) error {
			var ev Event
			if err := json.Unmarshal(raw, &ev); err != nil {
				return err
			}
			out = append(out, ev)
			return nil
		})
	})
	slices.Reverse(out)
	return out, err
}

// Export is one stack export.
type Export struct{ StackID, Name, Value string }

// ListExports lists the live stacks' exports.
func (s *Service) ListExports(ctx context.Context) ([]Export, error) {
	stacks, err := s.List(ctx, false)
	var out []Export
	for _, st := range stacks {
		for _, o := range st.Outputs {
			if o.ExportName != "" {
				out = append(out, Export{StackID: st.ID, Name: o.ExportName, Value: o.Value})
			}
		}
	}
	slices.SortFunc(out, func(a, b Export) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

const languageExtensions = "AWS::LanguageExtensions"

// hasLanguageExtensions reports whether a template declares the
// AWS::LanguageExtensions transform (Fn::Length, Fn::ToJsonString, ...).
func hasLanguageExtensions(body string) bool {
	trs, _ := cfnengine.DeclaredTransforms([]byte(body))
	return slices.Contains(trs, languageExtensions)
}
