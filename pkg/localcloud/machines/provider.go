package machines

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// stateMachineProps are AWS::StepFunctions::StateMachine's properties.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html
type stateMachineProps struct {
	StateMachineName        string
	StateMachineType        string
	Definition              any
	DefinitionString        string
	DefinitionS3Location    any
	DefinitionSubstitutions map[string]any
	RoleArn                 string
	LoggingConfiguration    *struct {
		Level                string
		IncludeExecutionData bool
		Destinations         []struct {
			CloudWatchLogsLogGroup *struct{ LogGroupArn string }
		}
	}
	TracingConfiguration    *struct{ Enabled bool }
	EncryptionConfiguration *struct {
		Type                         string
		KmsKeyId                     string
		KmsDataKeyReusePeriodSeconds *int
	}
	Tags []struct{ Key, Value string }
}

type stateMachineProvider struct{ svc *Service }

// StateMachineProvider is the CloudFormation provider of
// AWS::StepFunctions::StateMachine: Ref is the state machine's ARN,
// Fn::GetAtt gives Arn, Name and StateMachineRevisionId.
func StateMachineProvider(svc *Service) cfnengine.Provider { return &stateMachineProvider{svc} }

func (p *stateMachineProvider) Type() string { return "AWS::StepFunctions::StateMachine" }

// CreateOnlyProperties are the properties whose change replaces the state
// machine ("Update requires: Replacement").
func (p *stateMachineProvider) CreateOnlyProperties() []string {
	return []string{"StateMachineName", "StateMachineType"}
}

func (p *stateMachineProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	props, def, err := decodeStateMachine(req.Properties)
	if err != nil {
		return nil, err
	}
	name := props.StateMachineName
	if name == "" {
		name = req.PhysicalName(80, false)
	}
	tags := stackTags(req)
	for _, t := range props.Tags {
		tags = append(tags, Tag{Key: t.Key, Value: t.Value})
	}
	arn := ARN(req.Region, name)
	if _, err := p.svc.Get(ctx, arn); err == nil {
		return nil, fmt.Errorf("Resource handler returned message: \"Resource of type '%s' with identifier '%s' already exists.\" (HandlerErrorCode: AlreadyExists)", p.Type(), arn)
	}
	sm, err := p.svc.Create(ctx, req.Region, CreateInput{
		Name: name, Definition: def, RoleArn: props.RoleArn, Type: props.StateMachineType,
		LoggingConfiguration: props.logging(), TracingConfiguration: props.tracing(),
		EncryptionConfiguration: props.encryption(), Tags: tags,
	})
	if err != nil {
		return nil, handlerError(err)
	}
	return result(sm), nil
}

func (p *stateMachineProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	props, def, err := decodeStateMachine(req.Properties)
	if err != nil {
		return nil, err
	}
	var old stateMachineProps
	if err := cfnengine.DecodeProperties(req.OldProperties, &old); err != nil {
		return nil, handlerError(err)
	}
	in := UpdateInput{
		StateMachineArn: req.PhysicalID, Definition: def, RoleArn: props.RoleArn,
		LoggingConfiguration: props.logging(), TracingConfiguration: props.tracing(),
		EncryptionConfiguration: props.encryption(),
	}
	if in.LoggingConfiguration == nil {
		in.LoggingConfiguration = &LoggingConfiguration{Level: "OFF"}
	}
	if in.TracingConfiguration == nil {
		in.TracingConfiguration = &TracingConfiguration{}
	}
	if in.EncryptionConfiguration == nil {
		in.EncryptionConfiguration = &EncryptionConfiguration{Type: "AWS_OWNED_KEY"}
	}
	if _, err := p.svc.Update(ctx, in); err != nil {
		return nil, handlerError(err)
	}
	var removed []string
	for _, t := range old.Tags {
		if !slices.ContainsFunc(props.Tags, func(n struct{ Key, Value string }) bool { return n.Key == t.Key }) {
			removed = append(removed, t.Key)
		}
	}
	if len(removed) > 0 {
		if err := p.svc.Untag(ctx, req.PhysicalID, removed); err != nil {
			return nil, handlerError(err)
		}
	}
	if len(props.Tags) > 0 {
		tags := make([]Tag, len(props.Tags))
		for i, t := range props.Tags {
			tags[i] = Tag{Key: t.Key, Value: t.Value}
		}
		if err := p.svc.Tag(ctx, req.PhysicalID, tags); err != nil {
			return nil, handlerError(err)
		}
	}
	sm, err := p.svc.Get(ctx, req.PhysicalID)
	if err != nil {
		return nil, handlerError(err)
	}
	return result(sm), nil
}

func (p *stateMachineProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	if req.PhysicalID == "" {
		return nil
	}
	if err := p.svc.Delete(ctx, req.PhysicalID); err != nil {
		var e *localcloud.Error
		if errors.As(err, &e) && e.Code == "InvalidArn" {
			return nil // never made: there is nothing to delete
		}
		return handlerError(err)
	}
	return nil
}

func result(sm StateMachine) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{
		PhysicalID: sm.ARN,
		Ref:        sm.ARN,
		Attributes: map[string]any{"Arn": sm.ARN, "Name": sm.Name, "StateMachineRevisionId": sm.RevisionID},
	}
}

// stackTags are the tags CloudFormation puts on every resource it makes.
func stackTags(req *cfnengine.ResourceRequest) []Tag {
	var tags []Tag
	if req.StackName != "" {
		tags = append(tags, Tag{"aws:cloudformation:stack-name", req.StackName})
	}
	if req.StackID != "" {
		tags = append(tags, Tag{"aws:cloudformation:stack-id", req.StackID})
	}
	if req.LogicalID != "" {
		tags = append(tags, Tag{"aws:cloudformation:logical-id", req.LogicalID})
	}
	return tags
}

// decodeStateMachine reads the properties and gives the definition with
// DefinitionSubstitutions applied.
func decodeStateMachine(properties map[string]any) (stateMachineProps, string, error) {
	var props stateMachineProps
	if err := cfnengine.DecodeProperties(properties, &props); err != nil {
		return props, "", handlerError(err)
	}
	if props.DefinitionS3Location != nil {
		return props, "", handlerError(errors.New("DefinitionS3Location is not supported by the local cloud: give Definition or DefinitionString"))
	}
	if props.Definition != nil && props.DefinitionString != "" {
		return props, "", handlerError(errors.New("Definition and DefinitionString are mutually exclusive: specify only one"))
	}
	def := props.DefinitionString
	if props.Definition != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(props.Definition); err != nil {
			return props, "", handlerError(fmt.Errorf("Definition: %w", err))
		}
		def = strings.TrimSuffix(buf.String(), "\n")
	}
	def, err := Substitute(def, props.DefinitionSubstitutions)
	if err != nil {
		return props, "", handlerError(err)
	}
	return props, def, nil
}

// Substitute replaces every ${key} in definition with the value of key in
// subs, as CloudFormation applies DefinitionSubstitutions: values are
// strings, numbers or booleans; a ${name} with no substitution is left as
// it is.
func Substitute(definition string, subs map[string]any) (string, error) {
	if len(subs) == 0 {
		return definition, nil
	}
	keys := make([]string, 0, len(subs))
	for k := range subs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, 2*len(subs))
	for _, k := range keys {
		var v string
		switch x := subs[k].(type) {
		case string:
			v = x
		case json.Number:
			v = x.String()
		case bool:
			v = strconv.FormatBool(x)
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		case int:
			v = strconv.Itoa(x)
		default:
			return "", fmt.Errorf("DefinitionSubstitutions: the value of %q must be a string, a number or a boolean, not %T", k, x)
		}
		pairs = append(pairs, "${"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(definition), nil
}

func (p stateMachineProps) logging() *LoggingConfiguration {
	if p.LoggingConfiguration == nil {
		return nil
	}
	c := &LoggingConfiguration{Level: p.LoggingConfiguration.Level, IncludeExecutionData: p.LoggingConfiguration.IncludeExecutionData}
	for _, d := range p.LoggingConfiguration.Destinations {
		dest := LogDestination{}
		if d.CloudWatchLogsLogGroup != nil {
			dest.CloudWatchLogsLogGroup = &CloudWatchLogsLogGroup{LogGroupArn: d.CloudWatchLogsLogGroup.LogGroupArn}
		}
		c.Destinations = append(c.Destinations, dest)
	}
	return c
}

func (p stateMachineProps) tracing() *TracingConfiguration {
	if p.TracingConfiguration == nil {
		return nil
	}
	return &TracingConfiguration{Enabled: p.TracingConfiguration.Enabled}
}

func (p stateMachineProps) encryption() *EncryptionConfiguration {
	if p.EncryptionConfiguration == nil {
		return nil
	}
	e := p.EncryptionConfiguration
	return &EncryptionConfiguration{Type: e.Type, KmsKeyID: e.KmsKeyId, KmsDataKeyReusePeriodSeconds: e.KmsDataKeyReusePeriodSeconds}
}

// handlerError words a failure as CloudFormation's resource handlers do.
func handlerError(err error) error {
	var e *localcloud.Error
	if errors.As(err, &e) {
		status := e.Status
		if status == 0 {
			status = 400
		}
		return fmt.Errorf("Resource handler returned message: \"%s\" (Service: Sfn, Status Code: %d, Request ID: %s)", e.Message, status, localcloud.NewID())
	}
	return fmt.Errorf("Resource handler returned message: \"%s\" (HandlerErrorCode: InvalidRequest)", err.Error())
}

// VolatileAttributes: an update in place gives the machine a new revision.
func (p *stateMachineProvider) VolatileAttributes() []string {
	return []string{"StateMachineRevisionId"}
}
