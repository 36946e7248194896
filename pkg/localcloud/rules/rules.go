// Package rules is the local cloud's Amazon EventBridge: event buses
// (the default bus always exists), rules with their event patterns and
// schedules, targets and tags, and the delivery of events (PutEvents,
// and other services' events through Emit) to the targets of the rules
// they match: Step Functions, Lambda and SNS. Schedules are kept but do
// not fire.
//
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html
package rules

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Tables of the store.
const (
	tableBuses = "events.buses" // by <region>/<bus>
	tableRules = "events.rules" // by <region>/<bus>/<rule>
)

// DefaultBus is the name of every account's default event bus.
const DefaultBus = "default"

// maxTargets is EventBridge's quota of targets per rule.
const maxTargets = 5

// Tag is a rule's or bus's tag.
type Tag struct {
	Key   string
	Value string
}

// InputTransformer is a target's input template.
type InputTransformer struct {
	InputPathsMap map[string]string `json:",omitempty"`
	InputTemplate string
}

// RetryPolicy bounds a target's delivery retries.
type RetryPolicy struct {
	MaximumRetryAttempts     *int `json:",omitempty"`
	MaximumEventAgeInSeconds *int `json:",omitempty"`
}

// DeadLetterConfig is where undeliverable events go.
type DeadLetterConfig struct {
	Arn string `json:",omitempty"`
}

// Target is one target of a rule, with EventBridge's wire names. The
// service-specific parameters that matching does not read are kept as
// given and returned unchanged.
type Target struct {
	Id                          string
	Arn                         string
	RoleArn                     string            `json:",omitempty"`
	Input                       string            `json:",omitempty"`
	InputPath                   string            `json:",omitempty"`
	InputTransformer            *InputTransformer `json:",omitempty"`
	RetryPolicy                 *RetryPolicy      `json:",omitempty"`
	DeadLetterConfig            *DeadLetterConfig `json:",omitempty"`
	SqsParameters               json.RawMessage   `json:",omitempty"`
	HttpParameters              json.RawMessage   `json:",omitempty"`
	KinesisParameters           json.RawMessage   `json:",omitempty"`
	EcsParameters               json.RawMessage   `json:",omitempty"`
	BatchParameters             json.RawMessage   `json:",omitempty"`
	RunCommandParameters        json.RawMessage   `json:",omitempty"`
	RedshiftDataParameters      json.RawMessage   `json:",omitempty"`
	SageMakerPipelineParameters json.RawMessage   `json:",omitempty"`
	AppSyncParameters           json.RawMessage   `json:",omitempty"`
}

// Rule is a rule with its targets, as matching needs it.
type Rule struct {
	Name               string
	Arn                string
	EventBusName       string
	Region             string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	CreatedBy          string
	Targets            []Target `json:",omitempty"`
	Tags               []Tag    `json:",omitempty"`
}

// EventBus is an event bus.
type EventBus struct {
	Name             string
	Arn              string
	Description      string `json:",omitempty"`
	CreationTime     time.Time
	LastModifiedTime time.Time
	Tags             []Tag `json:",omitempty"`
}

// Service is EventBridge over the local cloud's store.
type Service struct {
	store  *localcloud.Store
	sfn    StepFunctions
	lambda Lambda
	sns    SNS
	authz  Authorizer
	scale  float64
	log    *slog.Logger

	wake      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New returns the EventBridge service keeping its state in store, and
// starts delivering the events queued there (Close stops it).
func New(store *localcloud.Store, opts ...Option) *Service {
	s := &Service{store: store, scale: 1, log: slog.New(slog.DiscardHandler),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	go s.run()
	return s
}

// Close stops delivering and waits for a delivery under way to end;
// queued events stay in the store for the next New.
func (s *Service) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	return nil
}

func validation(format string, args ...any) error {
	return &localcloud.Error{Code: "ValidationException", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func ruleNotFound(name, bus string) error {
	return &localcloud.Error{Code: "ResourceNotFoundException", Status: http.StatusBadRequest,
		Message: fmt.Sprintf("Rule %s does not exist on EventBus %s.", name, bus)}
}

func busNotFound(bus string) error {
	return &localcloud.Error{Code: "ResourceNotFoundException", Status: http.StatusBadRequest,
		Message: fmt.Sprintf("Event bus %s does not exist.", bus)}
}

var (
	ruleNameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
	busNameRE  = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)
	targetIDRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
	arnRE      = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$`)
)

func checkRuleName(name string) error {
	if !ruleNameRE.MatchString(name) {
		return validation(`1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`, name)
	}
	return nil
}

func regionOr(region string) string {
	if region == "" {
		return localcloud.Region
	}
	return region
}

// BusARN is the ARN of the event bus named bus in region.
func BusARN(region, bus string) string {
	return "arn:aws:events:" + regionOr(region) + ":" + localcloud.Account + ":event-bus/" + bus
}

// RuleARN is the ARN of a rule: rule/<name> on the default bus,
// rule/<bus>/<name> on any other.
func RuleARN(region, bus, name string) string {
	res := "rule/" + name
	if bus != DefaultBus {
		res = "rule/" + bus + "/" + name
	}
	return "arn:aws:events:" + regionOr(region) + ":" + localcloud.Account + ":" + res
}

// busName turns an EventBusName parameter (a name or an ARN, empty for
// the default bus) into the bus's name.
func busName(nameOrArn string) (string, error) {
	if nameOrArn == "" {
		return DefaultBus, nil
	}
	if strings.HasPrefix(nameOrArn, "arn:") {
		_, name, ok := strings.Cut(nameOrArn, ":event-bus/")
		if !ok || name == "" {
			return "", validation("Parameter EventBusName is not valid.")
		}
		return name, nil
	}
	if !busNameRE.MatchString(nameOrArn) {
		return "", validation(`1 validation error detected: Value '%s' at 'eventBusName' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\.\-_A-Za-z0-9]+`, nameOrArn)
	}
	return nameOrArn, nil
}

func busKey(region, bus string) string        { return regionOr(region) + "/" + bus }
func ruleKey(region, bus, name string) string { return busKey(region, bus) + "/" + name }

// getBus reads a bus; the default bus always exists.
func getBus(tx *localcloud.Tx, region, bus string) (*EventBus, error) {
	var b EventBus
	found, err := tx.Get(tableBuses, busKey(region, bus), &b)
	if err != nil {
		return nil, err
	}
	if !found {
		if bus != DefaultBus {
			return nil, busNotFound(bus)
		}
		b = EventBus{Name: DefaultBus, Arn: BusARN(region, DefaultBus)}
	}
	return &b, nil
}

// CreateEventBus creates a custom event bus.
func (s *Service) CreateEventBus(_ context.Context, region, name, description string, tags []Tag) (string, error) {
	if name == DefaultBus || strings.Contains(name, "/") || !busNameRE.MatchString(name) || strings.HasPrefix(name, "aws.") {
		return "", validation("Event bus name is not valid: %s", name)
	}
	arn := BusARN(region, name)
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var b EventBus
		found, err := tx.Get(tableBuses, busKey(region, name), &b)
		if err != nil {
			return err
		}
		if found {
			return &localcloud.Error{Code: "ResourceAlreadyExistsException", Status: http.StatusBadRequest, Message: fmt.Sprintf("Event bus %s already exists.", name)}
		}
		now := time.Now().UTC()
		return tx.Put(tableBuses, busKey(region, name), &EventBus{Name: name, Arn: arn, Description: description, CreationTime: now, LastModifiedTime: now, Tags: tags})
	})
	return arn, err
}

// DeleteEventBus deletes a custom event bus and its rules. The default
// bus cannot be deleted; a bus that does not exist is not an error.
func (s *Service) DeleteEventBus(_ context.Context, region, name string) error {
	if name == DefaultBus {
		return validation("Cannot delete event bus default.")
	}
	return s.store.Update(func(tx *localcloud.Tx) error {
		var keys []string
		if err := tx.Scan(tableRules, busKey(region, name)+"/", func(k string, _ []byte) error { keys = append(keys, k); return nil }); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(tableRules, k); err != nil {
				return err
			}
		}
		return tx.Delete(tableBuses, busKey(region, name))
	})
}

// DescribeEventBus describes a bus, by name or ARN (empty: default).
func (s *Service) DescribeEventBus(_ context.Context, region, nameOrArn string) (*EventBus, error) {
	bus, err := busName(nameOrArn)
	if err != nil {
		return nil, err
	}
	var out *EventBus
	err = s.store.View(func(tx *localcloud.Tx) error {
		out, err = getBus(tx, region, bus)
		return err
	})
	return out, err
}

// ListEventBuses lists the region's buses, the default first, whose
// names start with prefix.
func (s *Service) ListEventBuses(_ context.Context, region, prefix string) ([]EventBus, error) {
	var out []EventBus
	err := s.store.View(func(tx *localcloud.Tx) error {
		def, err := getBus(tx, region, DefaultBus)
		if err != nil {
			return err
		}
		if strings.HasPrefix(DefaultBus, prefix) {
			out = append(out, *def)
		}
		return tx.Scan(tableBuses, regionOr(region)+"/", func(_ string, raw []byte) error {
			var b EventBus
			if err := json.Unmarshal(raw, &b); err != nil {
				return err
			}
			if b.Name != DefaultBus && strings.HasPrefix(b.Name, prefix) {
				out = append(out, b)
			}
			return nil
		})
	})
	return out, err
}

// PutRuleInput is what PutRule takes.
type PutRuleInput struct {
	Name, EventBusName, EventPattern, ScheduleExpression string
	State, Description, RoleArn                          string
	Tags                                                 []Tag
}

var states = map[string]bool{"ENABLED": true, "DISABLED": true, "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS": true}

// PutRule creates a rule or replaces one (fields not given are cleared,
// as EventBridge documents; targets and tags are kept). It returns the
// rule's ARN.
func (s *Service) PutRule(_ context.Context, region string, in PutRuleInput) (string, error) {
	if err := checkRuleName(in.Name); err != nil {
		return "", err
	}
	bus, err := busName(in.EventBusName)
	if err != nil {
		return "", err
	}
	if in.State == "" {
		in.State = "ENABLED"
	}
	if !states[in.State] {
		return "", validation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", in.State)
	}
	if len(in.Description) > 512 {
		return "", validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return "", validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if in.EventPattern != "" {
		if err := ValidatePattern(in.EventPattern); err != nil {
			return "", err
		}
	}
	if in.ScheduleExpression != "" {
		if bus != DefaultBus {
			return "", validation("ScheduleExpression is supported only on the default event bus.")
		}
		if err := ValidateSchedule(in.ScheduleExpression); err != nil {
			return "", err
		}
	}
	if in.RoleArn != "" && !arnRE.MatchString(in.RoleArn) {
		return "", validation("Parameter RoleArn is not valid.")
	}
	arn := RuleARN(region, bus, in.Name)
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getBus(tx, region, bus); err != nil {
			return err
		}
		var r Rule
		found, err := tx.Get(tableRules, ruleKey(region, bus, in.Name), &r)
		if err != nil {
			return err
		}
		if !found {
			r = Rule{Name: in.Name, Arn: arn, EventBusName: bus, Region: regionOr(region), CreatedBy: localcloud.Account, Tags: in.Tags}
		}
		r.EventPattern, r.ScheduleExpression = in.EventPattern, in.ScheduleExpression
		r.State, r.Description, r.RoleArn = in.State, in.Description, in.RoleArn
		return tx.Put(tableRules, ruleKey(region, bus, in.Name), &r)
	})
	if err != nil {
		return "", err
	}
	return arn, nil
}

func getRule(tx *localcloud.Tx, region, name, busNameOrArn string) (*Rule, error) {
	if err := checkRuleName(name); err != nil {
		return nil, err
	}
	bus, err := busName(busNameOrArn)
	if err != nil {
		return nil, err
	}
	var r Rule
	found, err := tx.Get(tableRules, ruleKey(region, bus, name), &r)
	if err != nil {
		return nil, err
	}
	if !found {
		if _, err := getBus(tx, region, bus); err != nil {
			return nil, err
		}
		return nil, ruleNotFound(name, bus)
	}
	return &r, nil
}

func putRule(tx *localcloud.Tx, r *Rule) error {
	return tx.Put(tableRules, ruleKey(r.Region, r.EventBusName, r.Name), r)
}

// DescribeRule returns a rule.
func (s *Service) DescribeRule(_ context.Context, region, name, bus string) (*Rule, error) {
	var out *Rule
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		out, err = getRule(tx, region, name, bus)
		return err
	})
	return out, err
}

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 {
		return "", validation("The NextToken provided is not valid.")
	}
	return string(b), nil
}

func pageLimit(limit int) (int, error) {
	if limit < 0 || limit > 100 {
		return 0, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100", limit)
	}
	if limit == 0 {
		limit = 100
	}
	return limit, nil
}

// ListRules lists a bus's rules whose names start with prefix, by name,
// limit (at most 100) a page.
func (s *Service) ListRules(_ context.Context, region, busNameOrArn, prefix, token string, limit int) ([]Rule, string, error) {
	bus, err := busName(busNameOrArn)
	if err != nil {
		return nil, "", err
	}
	if limit, err = pageLimit(limit); err != nil {
		return nil, "", err
	}
	start := ""
	if token != "" {
		if start, err = decodeToken(token); err != nil {
			return nil, "", err
		}
	}
	var out []Rule
	next := ""
	err = s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getBus(tx, region, bus); err != nil {
			return err
		}
		base := busKey(region, bus) + "/"
		return tx.Scan(tableRules, base+prefix, func(k string, raw []byte) error {
			name := strings.TrimPrefix(k, base)
			if name < start || next != "" || strings.Contains(name, "/") {
				return nil
			}
			if len(out) == limit {
				next = encodeToken(name)
				return nil
			}
			var r Rule
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, next, err
}

// Rules returns every rule of a bus (a name or an ARN; a name is in the
// local cloud's default region) with its targets, for matching events.
// Disabled rules are included: the caller checks State.
func (s *Service) Rules(_ context.Context, busNameOrArn string) ([]Rule, error) {
	region := localcloud.Region
	if strings.HasPrefix(busNameOrArn, "arn:") {
		if parts := strings.SplitN(busNameOrArn, ":", 6); len(parts) == 6 && parts[3] != "" {
			region = parts[3]
		}
	}
	bus, err := busName(busNameOrArn)
	if err != nil {
		return nil, err
	}
	var out []Rule
	err = s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getBus(tx, region, bus); err != nil {
			return err
		}
		base := busKey(region, bus) + "/"
		return tx.Scan(tableRules, base, func(k string, raw []byte) error {
			if strings.Contains(strings.TrimPrefix(k, base), "/") {
				return nil
			}
			var r Rule
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// DeleteRule deletes a rule, which must have no targets left. A rule
// that does not exist is not an error.
func (s *Service) DeleteRule(_ context.Context, region, name, busNameOrArn string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		r, err := getRule(tx, region, name, busNameOrArn)
		if err != nil {
			if e, ok := err.(*localcloud.Error); ok && e.Code == "ResourceNotFoundException" && strings.HasPrefix(e.Message, "Rule ") {
				return nil
			}
			return err
		}
		if len(r.Targets) > 0 {
			return validation("Rule can't be deleted since it has targets.")
		}
		return tx.Delete(tableRules, ruleKey(r.Region, r.EventBusName, r.Name))
	})
}

func (s *Service) setState(region, name, bus, state string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		r, err := getRule(tx, region, name, bus)
		if err != nil {
			return err
		}
		r.State = state
		return putRule(tx, r)
	})
}

// EnableRule enables a rule.
func (s *Service) EnableRule(_ context.Context, region, name, bus string) error {
	return s.setState(region, name, bus, "ENABLED")
}

// DisableRule disables a rule.
func (s *Service) DisableRule(_ context.Context, region, name, bus string) error {
	return s.setState(region, name, bus, "DISABLED")
}

// FailedEntry is a target PutTargets or RemoveTargets could not apply.
type FailedEntry struct {
	TargetId     string
	ErrorCode    string
	ErrorMessage string
}

func checkTarget(t *Target) error {
	if !targetIDRE.MatchString(t.Id) {
		return validation(`1 validation error detected: Value '%s' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`, t.Id)
	}
	if !arnRE.MatchString(t.Arn) {
		return validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", t.Arn)
	}
	if t.RoleArn != "" && !arnRE.MatchString(t.RoleArn) {
		return validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", t.RoleArn)
	}
	n := 0
	if t.Input != "" {
		n++
		if !json.Valid([]byte(t.Input)) {
			return validation("Input is not valid JSON text.")
		}
	}
	if t.InputPath != "" {
		n++
		if !strings.HasPrefix(t.InputPath, "$") {
			return validation("InputPath is not valid JSONPath: %s", t.InputPath)
		}
	}
	if t.InputTransformer != nil {
		n++
		if t.InputTransformer.InputTemplate == "" {
			return validation("1 validation error detected: Value null at 'targets.1.member.inputTransformer.inputTemplate' failed to satisfy constraint: Member must not be null")
		}
		if len(t.InputTransformer.InputPathsMap) > 100 {
			return validation("InputPathsMap has more than 100 entries.")
		}
	}
	if n > 1 {
		return validation("Only one of Input, InputPath, or InputTransformer must be provided.")
	}
	if rp := t.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil && (*rp.MaximumRetryAttempts < 0 || *rp.MaximumRetryAttempts > 185) {
			return validation("1 validation error detected: Value '%d' at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185", *rp.MaximumRetryAttempts)
		}
		if rp.MaximumEventAgeInSeconds != nil && (*rp.MaximumEventAgeInSeconds < 60 || *rp.MaximumEventAgeInSeconds > 86400) {
			return validation("1 validation error detected: Value '%d' at 'targets.1.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 86400", *rp.MaximumEventAgeInSeconds)
		}
	}
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.Arn != "" && !strings.HasPrefix(t.DeadLetterConfig.Arn, "arn:aws:sqs:") {
		return validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", t.DeadLetterConfig.Arn)
	}
	return nil
}

// PutTargets adds targets to a rule or replaces those of the same Id.
func (s *Service) PutTargets(_ context.Context, region, rule, bus string, targets []Target) ([]FailedEntry, error) {
	if len(targets) == 0 {
		return nil, validation("1 validation error detected: Value '[]' at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	seen := map[string]bool{}
	for i := range targets {
		if err := checkTarget(&targets[i]); err != nil {
			return nil, err
		}
		if seen[targets[i].Id] {
			return nil, validation("The same target ID %s is used more than once in the request.", targets[i].Id)
		}
		seen[targets[i].Id] = true
	}
	err := s.store.Update(func(tx *localcloud.Tx) error {
		r, err := getRule(tx, region, rule, bus)
		if err != nil {
			return err
		}
		for _, t := range targets {
			replaced := false
			for i := range r.Targets {
				if r.Targets[i].Id == t.Id {
					r.Targets[i], replaced = t, true
				}
			}
			if !replaced {
				r.Targets = append(r.Targets, t)
			}
		}
		if len(r.Targets) > maxTargets {
			return &localcloud.Error{Code: "LimitExceededException", Status: http.StatusBadRequest,
				Message: "The requested resource exceeds the maximum number allowed."}
		}
		return putRule(tx, r)
	})
	if err != nil {
		return nil, err
	}
	return []FailedEntry{}, nil
}

// RemoveTargets removes targets from a rule by Id; an Id the rule does
// not have is left alone.
func (s *Service) RemoveTargets(_ context.Context, region, rule, bus string, ids []string) ([]FailedEntry, error) {
	if len(ids) == 0 {
		return nil, validation("1 validation error detected: Value '[]' at 'ids' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	err := s.store.Update(func(tx *localcloud.Tx) error {
		r, err := getRule(tx, region, rule, bus)
		if err != nil {
			return err
		}
		kept := r.Targets[:0]
		for _, t := range r.Targets {
			if !drop[t.Id] {
				kept = append(kept, t)
			}
		}
		r.Targets = kept
		return putRule(tx, r)
	})
	if err != nil {
		return nil, err
	}
	return []FailedEntry{}, nil
}

// ListTargetsByRule lists a rule's targets in the order they were put,
// limit (at most 100) a page.
func (s *Service) ListTargetsByRule(_ context.Context, region, rule, bus, token string, limit int) ([]Target, string, error) {
	limit, err := pageLimit(limit)
	if err != nil {
		return nil, "", err
	}
	start := 0
	if token != "" {
		t, err := decodeToken(token)
		if err != nil {
			return nil, "", err
		}
		if start, err = strconv.Atoi(t); err != nil || start < 0 {
			return nil, "", validation("The NextToken provided is not valid.")
		}
	}
	var out []Target
	next := ""
	err = s.store.View(func(tx *localcloud.Tx) error {
		r, err := getRule(tx, region, rule, bus)
		if err != nil {
			return err
		}
		if start > len(r.Targets) {
			start = len(r.Targets)
		}
		end := min(start+limit, len(r.Targets))
		out = append(out, r.Targets[start:end]...)
		if end < len(r.Targets) {
			next = encodeToken(strconv.Itoa(end))
		}
		return nil
	})
	return out, next, err
}

// resource is what a tagging ARN names: a rule or a bus.
func parseResourceARN(arn string) (region, bus, rule string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "events" {
		return "", "", "", validation("Parameter ResourceARN is not valid.")
	}
	region = parts[3]
	res := parts[5]
	switch {
	case strings.HasPrefix(res, "rule/"):
		rest := strings.TrimPrefix(res, "rule/")
		if i := strings.LastIndex(rest, "/"); i >= 0 {
			return region, rest[:i], rest[i+1:], nil
		}
		return region, DefaultBus, rest, nil
	case strings.HasPrefix(res, "event-bus/"):
		return region, strings.TrimPrefix(res, "event-bus/"), "", nil
	}
	return "", "", "", validation("Parameter ResourceARN is not valid.")
}

// updateTags changes the tags of the rule or bus arn names.
func (s *Service) updateTags(arn string, change func([]Tag) []Tag) error {
	region, bus, rule, err := parseResourceARN(arn)
	if err != nil {
		return err
	}
	return s.store.Update(func(tx *localcloud.Tx) error {
		if rule != "" {
			r, err := getRule(tx, region, rule, bus)
			if err != nil {
				return err
			}
			r.Tags = change(r.Tags)
			return putRule(tx, r)
		}
		b, err := getBus(tx, region, bus)
		if err != nil {
			return err
		}
		b.Tags = change(b.Tags)
		return tx.Put(tableBuses, busKey(region, bus), b)
	})
}

// TagResource adds tags to a rule or bus (a tag of the same key is
// replaced).
func (s *Service) TagResource(_ context.Context, arn string, tags []Tag) error {
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return validation("Tag key or value is not valid: %s", t.Key)
		}
	}
	var tooMany bool
	err := s.updateTags(arn, func(old []Tag) []Tag {
		out := append([]Tag(nil), old...)
		for _, t := range tags {
			found := false
			for i := range out {
				if out[i].Key == t.Key {
					out[i].Value, found = t.Value, true
				}
			}
			if !found {
				out = append(out, t)
			}
		}
		if len(out) > 50 {
			tooMany = true
			return old
		}
		return out
	})
	if err == nil && tooMany {
		return &localcloud.Error{Code: "LimitExceededException", Status: http.StatusBadRequest, Message: "The requested resource exceeds the maximum number allowed."}
	}
	return err
}

// UntagResource removes tags by key.
func (s *Service) UntagResource(_ context.Context, arn string, keys []string) error {
	drop := map[string]bool{}
	for _, k := range keys {
		drop[k] = true
	}
	return s.updateTags(arn, func(old []Tag) []Tag {
		var out []Tag
		for _, t := range old {
			if !drop[t.Key] {
				out = append(out, t)
			}
		}
		return out
	})
}

// ListTagsForResource returns a rule's or bus's tags, sorted by key.
func (s *Service) ListTagsForResource(_ context.Context, arn string) ([]Tag, error) {
	region, bus, rule, err := parseResourceARN(arn)
	if err != nil {
		return nil, err
	}
	var out []Tag
	err = s.store.View(func(tx *localcloud.Tx) error {
		if rule != "" {
			r, err := getRule(tx, region, rule, bus)
			if err != nil {
				return err
			}
			out = append(out, r.Tags...)
			return nil
		}
		b, err := getBus(tx, region, bus)
		if err != nil {
			return err
		}
		out = append(out, b.Tags...)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}
