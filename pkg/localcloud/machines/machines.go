// Package machines is the local cloud's Step Functions: state machines
// created, described, listed, updated, tagged and deleted as AWS Step
// Functions does it, their definitions checked with pkg/asl and refused
// the way AWS refuses an invalid definition; and their executions, run by
// pkg/states. A Standard execution writes every history event to the
// store as it is recorded and goes on after a restart (Start); an Express
// one runs in memory, at least once, with no history API.
//
// Tasks reach the other local services through the small interfaces
// declared here (LambdaInvoker, Publisher, Authorizer, LogSink, Tracer),
// which the assembler adapts.
//
// StartSyncExecution and TestState have the endpoint host prefix "sync-":
// the SDK for Go sends them to sync-127.0.0.1..., which does not resolve.
// A client of the local cloud turns the prefix off with an initialize
// middleware that sets smithyhttp.DisableEndpointHostPrefix(ctx, true)
// (github.com/aws/smithy-go/transport/http), added through
// sfn.WithAPIOptions; the package's tests show it. The AWS CLI does the
// same with AWS_DISABLE_HOST_PREFIX_INJECTION=true (or
// disable_host_prefix_injection = true in its config file).
//
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
package machines

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/states"
)

// table holds the state machines, keyed by ARN.
const table = "states.machines"

// The state machine types.
const (
	Standard = "STANDARD"
	Express  = "EXPRESS"
)

// Service is Step Functions over the local cloud's store: state machines
// and their executions.
type Service struct {
	store *localcloud.Store
	now   func() time.Time

	lambda     LambdaInvoker
	publisher  Publisher
	authorizer Authorizer
	logs       LogSink
	tracer     Tracer
	mockPath   string
	clock      states.Clock

	runner *runner
}

// New returns the service keeping its state in store. Executions left
// RUNNING by a previous process go on once Start is called.
func New(store *localcloud.Store, opts ...Option) *Service {
	s := &Service{store: store, now: func() time.Time { return time.Now().UTC() }, clock: states.RealClock{}}
	for _, o := range opts {
		o(s)
	}
	s.runner = newRunner(s)
	return s
}

// StateMachine is a state machine as DescribeStateMachine gives it.
type StateMachine struct {
	ARN          string                  `json:"stateMachineArn"`
	Name         string                  `json:"name"`
	Status       string                  `json:"status"`
	Definition   string                  `json:"definition"`
	RoleArn      string                  `json:"roleArn"`
	Type         string                  `json:"type"`
	CreationDate time.Time               `json:"creationDate"`
	UpdateDate   time.Time               `json:"updateDate,omitzero"`
	Logging      LoggingConfiguration    `json:"loggingConfiguration"`
	Tracing      TracingConfiguration    `json:"tracingConfiguration"`
	Encryption   EncryptionConfiguration `json:"encryptionConfiguration"`
	RevisionID   string                  `json:"revisionId,omitempty"`
	Tags         []Tag                   `json:"tags,omitempty"`
}

// LoggingConfiguration is where and how much a state machine logs.
type LoggingConfiguration struct {
	Level                string           `json:"level,omitempty"`
	IncludeExecutionData bool             `json:"includeExecutionData"`
	Destinations         []LogDestination `json:"destinations,omitempty"`
}

// LogDestination is a CloudWatch Logs log group a state machine logs to.
type LogDestination struct {
	CloudWatchLogsLogGroup *CloudWatchLogsLogGroup `json:"cloudWatchLogsLogGroup,omitempty"`
}

// CloudWatchLogsLogGroup names a log group by its ARN, which ends in ":*".
type CloudWatchLogsLogGroup struct {
	LogGroupArn string `json:"logGroupArn,omitempty"`
}

// TracingConfiguration turns X-Ray tracing on or off.
type TracingConfiguration struct {
	Enabled bool `json:"enabled"`
}

// EncryptionConfiguration is how the state machine's data is encrypted;
// the local cloud supports only AWS_OWNED_KEY, the default.
type EncryptionConfiguration struct {
	Type                         string `json:"type,omitempty"`
	KmsKeyID                     string `json:"kmsKeyId,omitempty"`
	KmsDataKeyReusePeriodSeconds *int   `json:"kmsDataKeyReusePeriodSeconds,omitempty"`
}

// Tag is a key-value pair on a state machine.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// CreateInput is CreateStateMachine's input.
type CreateInput struct {
	Name                    string                   `json:"name"`
	Definition              string                   `json:"definition"`
	RoleArn                 string                   `json:"roleArn"`
	Type                    string                   `json:"type,omitempty"`
	LoggingConfiguration    *LoggingConfiguration    `json:"loggingConfiguration,omitempty"`
	TracingConfiguration    *TracingConfiguration    `json:"tracingConfiguration,omitempty"`
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
	Tags                    []Tag                    `json:"tags,omitempty"`
	Publish                 bool                     `json:"publish,omitempty"`
	VersionDescription      string                   `json:"versionDescription,omitempty"`
}

// UpdateInput is UpdateStateMachine's input: nil or empty fields are left
// as they are.
type UpdateInput struct {
	StateMachineArn         string                   `json:"stateMachineArn"`
	Definition              string                   `json:"definition,omitempty"`
	RoleArn                 string                   `json:"roleArn,omitempty"`
	LoggingConfiguration    *LoggingConfiguration    `json:"loggingConfiguration,omitempty"`
	TracingConfiguration    *TracingConfiguration    `json:"tracingConfiguration,omitempty"`
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
	Publish                 bool                     `json:"publish,omitempty"`
	VersionDescription      string                   `json:"versionDescription,omitempty"`
}

// ARN is the ARN of the state machine name in region.
func ARN(region, name string) string {
	if region == "" {
		region = localcloud.Region
	}
	return "arn:aws:states:" + region + ":" + localcloud.Account + ":stateMachine:" + name
}

// Create makes a state machine in region. Creating one that exists with
// the same name, definition, type, logging, tracing and encryption returns
// it unchanged (a different role or tags are ignored, as AWS documents);
// any other difference is StateMachineAlreadyExists.
func (s *Service) Create(_ context.Context, region string, in CreateInput) (StateMachine, error) {
	if err := required("name", in.Name); err != nil {
		return StateMachine{}, err
	}
	if err := required("definition", in.Definition); err != nil {
		return StateMachine{}, err
	}
	if err := required("roleArn", in.RoleArn); err != nil {
		return StateMachine{}, err
	}
	if err := checkName(in.Name); err != nil {
		return StateMachine{}, err
	}
	if err := checkPublish(in.Publish, in.VersionDescription); err != nil {
		return StateMachine{}, err
	}
	typ := in.Type
	if typ == "" {
		typ = Standard
	}
	if typ != Standard && typ != Express {
		return StateMachine{}, enumError("type", typ, Standard, Express)
	}
	if err := checkRoleArn(in.RoleArn); err != nil {
		return StateMachine{}, err
	}
	if err := checkDefinition(in.Definition, typ); err != nil {
		return StateMachine{}, err
	}
	logging, err := checkLogging(in.LoggingConfiguration)
	if err != nil {
		return StateMachine{}, err
	}
	tracing := TracingConfiguration{}
	if in.TracingConfiguration != nil {
		tracing = *in.TracingConfiguration
	}
	enc, err := checkEncryption(in.EncryptionConfiguration)
	if err != nil {
		return StateMachine{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return StateMachine{}, err
	}
	if len(dedupeTags(in.Tags)) > maxTags {
		return StateMachine{}, tooManyTags(ARN(region, in.Name))
	}
	sm := StateMachine{
		ARN: ARN(region, in.Name), Name: in.Name, Status: "ACTIVE", Definition: in.Definition,
		RoleArn: in.RoleArn, Type: typ, CreationDate: s.now(), Logging: logging, Tracing: tracing,
		Encryption: enc, RevisionID: localcloud.NewID(), Tags: dedupeTags(in.Tags),
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		var old StateMachine
		found, err := tx.Get(table, sm.ARN, &old)
		if err != nil {
			return err
		}
		if found {
			if old.Definition == sm.Definition && old.Type == sm.Type && reflect.DeepEqual(old.Logging, sm.Logging) &&
				old.Tracing == sm.Tracing && reflect.DeepEqual(old.Encryption, sm.Encryption) {
				sm = old
				return nil
			}
			return &localcloud.Error{Code: "StateMachineAlreadyExists", Message: "State Machine Already Exists: '" + sm.ARN + "'"}
		}
		return tx.Put(table, sm.ARN, sm)
	})
	if err != nil {
		return StateMachine{}, err
	}
	return sm, nil
}

// Get returns the state machine arn names: its definition, type, role,
// logging and tracing, for the execution engine and for
// DescribeStateMachine.
func (s *Service) Get(_ context.Context, arn string) (StateMachine, error) {
	if err := checkMachineArn(arn); err != nil {
		return StateMachine{}, err
	}
	var sm StateMachine
	err := s.store.View(func(tx *localcloud.Tx) error {
		found, err := tx.Get(table, arn, &sm)
		if err == nil && !found {
			err = doesNotExist(arn)
		}
		return err
	})
	if err != nil {
		return StateMachine{}, err
	}
	return sm, nil
}

// Page is one page of ListStateMachines.
type Page struct {
	StateMachines []StateMachine
	NextToken     string
}

// List returns the state machines of region, in name order, maxResults
// (1-1000, 0 meaning 100) at a time from nextToken.
func (s *Service) List(_ context.Context, region string, maxResults int, nextToken string) (Page, error) {
	if maxResults < 0 || maxResults > 1000 {
		return Page{}, validation(fmt.Sprintf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000", maxResults))
	}
	if maxResults == 0 {
		maxResults = 100
	}
	prefix := ARN(region, "")
	start := prefix
	if nextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(nextToken)
		if err != nil || !strings.HasPrefix(string(b), prefix) {
			return Page{}, &localcloud.Error{Code: "InvalidToken", Message: "Invalid Token: '" + nextToken + "'"}
		}
		start = string(b)
	}
	var page Page
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(table, prefix, func(key string, raw []byte) error {
			if key < start {
				return nil
			}
			if len(page.StateMachines) == maxResults {
				if page.NextToken == "" {
					page.NextToken = base64.RawURLEncoding.EncodeToString([]byte(key))
				}
				return nil
			}
			var sm StateMachine
			if err := json.Unmarshal(raw, &sm); err != nil {
				return err
			}
			page.StateMachines = append(page.StateMachines, sm)
			return nil
		})
	})
	return page, err
}

// Update changes a state machine's definition, role, logging, tracing or
// encryption and gives it a new revision id. At least one of definition,
// roleArn, logging, tracing or encryption must be given.
func (s *Service) Update(_ context.Context, in UpdateInput) (StateMachine, error) {
	if err := required("stateMachineArn", in.StateMachineArn); err != nil {
		return StateMachine{}, err
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		return StateMachine{}, err
	}
	if in.Definition == "" && in.RoleArn == "" && in.LoggingConfiguration == nil && in.TracingConfiguration == nil && in.EncryptionConfiguration == nil {
		return StateMachine{}, &localcloud.Error{Code: "MissingRequiredParameter",
			Message: "Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration or the TracingConfiguration must be specified"}
	}
	if err := checkPublish(in.Publish, in.VersionDescription); err != nil {
		return StateMachine{}, err
	}
	if in.RoleArn != "" {
		if err := checkRoleArn(in.RoleArn); err != nil {
			return StateMachine{}, err
		}
	}
	var logging LoggingConfiguration
	if in.LoggingConfiguration != nil {
		var err error
		if logging, err = checkLogging(in.LoggingConfiguration); err != nil {
			return StateMachine{}, err
		}
	}
	var enc EncryptionConfiguration
	if in.EncryptionConfiguration != nil {
		var err error
		if enc, err = checkEncryption(in.EncryptionConfiguration); err != nil {
			return StateMachine{}, err
		}
	}
	var sm StateMachine
	err := s.store.Update(func(tx *localcloud.Tx) error {
		found, err := tx.Get(table, in.StateMachineArn, &sm)
		if err != nil {
			return err
		}
		if !found {
			return doesNotExist(in.StateMachineArn)
		}
		if in.Definition != "" {
			if err := checkDefinition(in.Definition, sm.Type); err != nil {
				return err
			}
			sm.Definition = in.Definition
		}
		if in.RoleArn != "" {
			sm.RoleArn = in.RoleArn
		}
		if in.LoggingConfiguration != nil {
			sm.Logging = logging
		}
		if in.TracingConfiguration != nil {
			sm.Tracing = *in.TracingConfiguration
		}
		if in.EncryptionConfiguration != nil {
			sm.Encryption = enc
		}
		sm.UpdateDate = s.now()
		sm.RevisionID = localcloud.NewID()
		return tx.Put(table, sm.ARN, sm)
	})
	if err != nil {
		return StateMachine{}, err
	}
	return sm, nil
}

// Delete removes a state machine; deleting one that does not exist
// succeeds, as it does on AWS.
func (s *Service) Delete(_ context.Context, arn string) error {
	if err := required("stateMachineArn", arn); err != nil {
		return err
	}
	if err := checkMachineArn(arn); err != nil {
		return err
	}
	return s.store.Update(func(tx *localcloud.Tx) error { return tx.Delete(table, arn) })
}

// maxTags is how many tags a resource can have.
const maxTags = 50

// Tag adds or replaces tags on the state machine arn.
func (s *Service) Tag(_ context.Context, arn string, tags []Tag) error {
	if err := required("resourceArn", arn); err != nil {
		return err
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.withResource(arn, func(sm *StateMachine) error {
		sm.Tags = dedupeTags(append(slices.Clone(sm.Tags), tags...))
		if len(sm.Tags) > maxTags {
			return tooManyTags(arn)
		}
		return nil
	})
}

// Untag removes the tags with the given keys from the state machine arn.
func (s *Service) Untag(_ context.Context, arn string, keys []string) error {
	if err := required("resourceArn", arn); err != nil {
		return err
	}
	return s.withResource(arn, func(sm *StateMachine) error {
		sm.Tags = slices.DeleteFunc(sm.Tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
		return nil
	})
}

// Tags lists the tags of the state machine arn.
func (s *Service) Tags(ctx context.Context, arn string) ([]Tag, error) {
	if err := required("resourceArn", arn); err != nil {
		return nil, err
	}
	if err := checkResourceArn(arn); err != nil {
		return nil, err
	}
	var sm StateMachine
	err := s.store.View(func(tx *localcloud.Tx) error {
		found, err := tx.Get(table, arn, &sm)
		if err == nil && !found {
			err = resourceNotFound(arn)
		}
		return err
	})
	if sm.Tags == nil {
		sm.Tags = []Tag{}
	}
	return sm.Tags, err
}

func (s *Service) withResource(arn string, fn func(*StateMachine) error) error {
	if err := checkResourceArn(arn); err != nil {
		return err
	}
	return s.store.Update(func(tx *localcloud.Tx) error {
		var sm StateMachine
		found, err := tx.Get(table, arn, &sm)
		if err != nil {
			return err
		}
		if !found {
			return resourceNotFound(arn)
		}
		if err := fn(&sm); err != nil {
			return err
		}
		return tx.Put(table, arn, sm)
	})
}

// dedupeTags keeps the last value given for each key, in first-seen order.
func dedupeTags(tags []Tag) []Tag {
	var out []Tag
	for _, t := range tags {
		if i := slices.IndexFunc(out, func(o Tag) bool { return o.Key == t.Key }); i >= 0 {
			out[i].Value = t.Value
			continue
		}
		out = append(out, t)
	}
	return out
}

func checkTags(tags []Tag) error {
	for i, t := range tags {
		if n := len([]rune(t.Key)); n < 1 || n > 128 {
			return validation(fmt.Sprintf("Value '%s' at 'tags.%d.member.key' failed to satisfy constraint: Member must have length between 1 and 128", t.Key, i+1))
		}
		if len([]rune(t.Value)) > 256 {
			return validation(fmt.Sprintf("Value '%s' at 'tags.%d.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", t.Value, i+1))
		}
	}
	return nil
}

func tooManyTags(arn string) error {
	return &localcloud.Error{Code: "TooManyTags", Message: fmt.Sprintf("Too many tags: a resource can have at most %d tags: '%s'", maxTags, arn)}
}

// checkName applies AWS's rules for state machine names: 1-80 characters,
// none of them white space, brackets, wildcards, the listed punctuation
// or control characters.
func checkName(name string) error {
	if n := len([]rune(name)); n > 80 {
		return validation(fmt.Sprintf("Value '%s' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80", name))
	}
	for _, r := range name {
		if unicode.IsSpace(r) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) ||
			r <= 0x1f || (r >= 0x7f && r <= 0x9f) || (r >= 0xfffe && r <= 0xffff) || r == unicode.ReplacementChar {
			return &localcloud.Error{Code: "InvalidName", Message: "Invalid Name: '" + name + "'"}
		}
	}
	return nil
}

func checkPublish(publish bool, description string) error {
	if publish {
		return validation("publish: the local cloud does not publish state machine versions")
	}
	if description != "" {
		return validation("Version description can only be set when publish is true")
	}
	return nil
}

// parseArn splits an ARN into its six parts, the last holding any colons.
func parseArn(arn string) ([]string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return nil, &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Invalid ARN prefix: " + arn + "'"}
	}
	return parts, nil
}

func checkRoleArn(arn string) error {
	parts, err := parseArn(arn)
	if err != nil {
		return err
	}
	if parts[2] != "iam" {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource service is invalid: " + parts[2] + "'"}
	}
	if !strings.HasPrefix(parts[5], "role/") || len(parts[5]) == len("role/") {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource type not valid in this context: " + parts[5] + "'"}
	}
	return nil
}

// checkMachineArn checks that arn is a Step Functions state machine ARN.
func checkMachineArn(arn string) error {
	parts, err := parseArn(arn)
	if err != nil {
		return err
	}
	if parts[2] != "states" {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource service is invalid: " + parts[2] + "'"}
	}
	typ, name, _ := strings.Cut(parts[5], ":")
	if typ != "stateMachine" {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource type not valid in this context: " + typ + "'"}
	}
	if name == "" {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource name not valid: " + arn + "'"}
	}
	return nil
}

// checkResourceArn checks a taggable resource's ARN: the local cloud's
// taggable Step Functions resources are state machines.
func checkResourceArn(arn string) error {
	parts, err := parseArn(arn)
	if err != nil {
		return err
	}
	if parts[2] != "states" {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource service is invalid: " + parts[2] + "'"}
	}
	if typ, _, _ := strings.Cut(parts[5], ":"); typ != "stateMachine" && typ != "activity" {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource type not valid in this context: " + typ + "'"}
	}
	return nil
}

var logLevels = []string{"ALL", "ERROR", "FATAL", "OFF"}

// checkLogging checks a logging configuration and gives it with AWS's
// defaults: level OFF, no destination. A level other than OFF needs
// exactly one destination, a log group ARN ending in ":*".
func checkLogging(c *LoggingConfiguration) (LoggingConfiguration, error) {
	out := LoggingConfiguration{Level: "OFF"}
	if c == nil {
		return out, nil
	}
	out = *c
	out.Destinations = slices.Clone(c.Destinations)
	if out.Level == "" {
		out.Level = "OFF"
	}
	if !slices.Contains(logLevels, out.Level) {
		return out, enumError("loggingConfiguration.level", out.Level, logLevels...)
	}
	if len(out.Destinations) > 1 {
		return out, invalidLogging("Must specify exactly one Log Destination.")
	}
	if out.Level != "OFF" && len(out.Destinations) == 0 {
		return out, invalidLogging("Must specify exactly one Log Destination when logging is enabled.")
	}
	for _, d := range out.Destinations {
		if d.CloudWatchLogsLogGroup == nil || d.CloudWatchLogsLogGroup.LogGroupArn == "" {
			return out, invalidLogging("Log Destination must have a CloudWatch Logs log group ARN.")
		}
		arn := d.CloudWatchLogsLogGroup.LogGroupArn
		parts := strings.SplitN(arn, ":", 7)
		if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" || parts[6] == "" {
			return out, invalidLogging("Invalid Log Destination ARN: '" + arn + "'. It must be a CloudWatch Logs log group ARN.")
		}
		if !strings.HasSuffix(arn, ":*") {
			return out, invalidLogging("Log Destination ARN must end with ':*': '" + arn + "'")
		}
	}
	return out, nil
}

func invalidLogging(msg string) error {
	return &localcloud.Error{Code: "InvalidLoggingConfiguration", Message: "Invalid Logging Configuration: " + msg}
}

func checkEncryption(c *EncryptionConfiguration) (EncryptionConfiguration, error) {
	out := EncryptionConfiguration{Type: "AWS_OWNED_KEY"}
	if c == nil {
		return out, nil
	}
	switch c.Type {
	case "AWS_OWNED_KEY":
		if c.KmsKeyID != "" || c.KmsDataKeyReusePeriodSeconds != nil {
			return out, &localcloud.Error{Code: "InvalidEncryptionConfiguration", Message: "Invalid Encryption Configuration: kmsKeyId and kmsDataKeyReusePeriodSeconds cannot be set when the type is AWS_OWNED_KEY."}
		}
		return out, nil
	case "CUSTOMER_MANAGED_KMS_KEY":
		return out, &localcloud.Error{Code: "InvalidEncryptionConfiguration", Message: "Invalid Encryption Configuration: the local cloud does not support CUSTOMER_MANAGED_KMS_KEY encryption of state machines."}
	case "":
		return out, validation("Value null at 'encryptionConfiguration.type' failed to satisfy constraint: Member must not be null")
	}
	return out, enumError("encryptionConfiguration.type", c.Type, "AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY")
}

func required(field, v string) error {
	if v == "" {
		return validation("Value null at '" + field + "' failed to satisfy constraint: Member must not be null")
	}
	return nil
}

func enumError(field, v string, allowed ...string) error {
	return validation(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v, field, strings.Join(allowed, ", ")))
}

func validation(msg string) error {
	if !strings.HasPrefix(msg, "Value ") {
		return &localcloud.Error{Code: "ValidationException", Message: msg}
	}
	return &localcloud.Error{Code: "ValidationException", Message: "1 validation error detected: " + msg}
}

func doesNotExist(arn string) error {
	return &localcloud.Error{Code: "StateMachineDoesNotExist", Message: "State Machine Does Not Exist: '" + arn + "'"}
}

func resourceNotFound(arn string) error {
	return &localcloud.Error{Code: "ResourceNotFound", Message: "Resource not found: '" + arn + "'"}
}

// newID is a random UUID, the shape of AWS's revision ids.
