package logs

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// logGroupProps are AWS::Logs::LogGroup's properties.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html
type logGroupProps struct {
	LogGroupName                     string
	RetentionInDays                  *int
	KmsKeyId                         string
	LogGroupClass                    string
	Tags                             []struct{ Key, Value string }
	DeletionProtectionEnabled        bool
	DataProtectionPolicy             any
	FieldIndexPolicies               any
	ResourcePolicyDocument           any
	BearerTokenAuthenticationEnabled bool
}

func (p logGroupProps) unsupported() error {
	var names []string
	if p.DataProtectionPolicy != nil {
		names = append(names, "DataProtectionPolicy")
	}
	if p.FieldIndexPolicies != nil {
		names = append(names, "FieldIndexPolicies")
	}
	if p.ResourcePolicyDocument != nil {
		names = append(names, "ResourcePolicyDocument")
	}
	if p.DeletionProtectionEnabled {
		names = append(names, "DeletionProtectionEnabled")
	}
	if p.BearerTokenAuthenticationEnabled {
		names = append(names, "BearerTokenAuthenticationEnabled")
	}
	if len(names) > 0 {
		return fmt.Errorf("Resource handler returned message: \"the local cloud does not support the AWS::Logs::LogGroup properties %v\" (HandlerErrorCode: InvalidRequest)", names)
	}
	return nil
}

func (p logGroupProps) tags() map[string]string {
	if len(p.Tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(p.Tags))
	for _, t := range p.Tags {
		m[t.Key] = t.Value
	}
	return m
}

type logGroupProvider struct{ svc *Service }

// LogGroupProvider is the CloudFormation provider of AWS::Logs::LogGroup:
// Ref is the log group's name, Fn::GetAtt Arn its ARN ending in ":*".
func LogGroupProvider(svc *Service) cfnengine.Provider { return &logGroupProvider{svc} }

func (p *logGroupProvider) Type() string { return "AWS::Logs::LogGroup" }

// CreateOnlyProperties: a log group's name and class cannot change.
func (p *logGroupProvider) CreateOnlyProperties() []string {
	return []string{"LogGroupName", "LogGroupClass"}
}

func (p *logGroupProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	var props logGroupProps
	if err := req.Decode(&props); err != nil {
		return nil, handlerError(err)
	}
	if err := props.unsupported(); err != nil {
		return nil, err
	}
	name := props.LogGroupName
	if name == "" {
		name = req.PhysicalName(512, false)
	}
	tags := props.tags()
	if req.StackName != "" {
		if tags == nil {
			tags = map[string]string{}
		}
		tags["aws:cloudformation:stack-name"] = req.StackName
		tags["aws:cloudformation:logical-id"] = req.LogicalID
		if req.StackID != "" {
			tags["aws:cloudformation:stack-id"] = req.StackID
		}
	}
	if props.RetentionInDays != nil {
		// Checked before the group is made, so a refused template leaves nothing behind.
		if err := checkRetention(*props.RetentionInDays); err != nil {
			return nil, handlerError(err)
		}
	}
	g, err := p.svc.CreateGroup(ctx, req.Region, CreateGroupInput{LogGroupName: name, KmsKeyID: props.KmsKeyId, Tags: tags, LogGroupClass: props.LogGroupClass})
	if err != nil {
		var e *localcloud.Error
		if errors.As(err, &e) && e.Code == "ResourceAlreadyExistsException" {
			return nil, fmt.Errorf("Resource handler returned message: \"Resource of type 'AWS::Logs::LogGroup' with identifier '%s' already exists.\" (HandlerErrorCode: AlreadyExists)", name)
		}
		return nil, handlerError(err)
	}
	if props.RetentionInDays != nil {
		if err := p.svc.PutRetention(ctx, req.Region, name, *props.RetentionInDays); err != nil {
			_ = p.svc.DeleteGroup(ctx, req.Region, name)
			return nil, handlerError(err)
		}
	}
	return groupResult(g), nil
}

func (p *logGroupProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	var props, old logGroupProps
	if err := req.Decode(&props); err != nil {
		return nil, handlerError(err)
	}
	if err := cfnengine.DecodeProperties(req.OldProperties, &old); err != nil {
		return nil, handlerError(err)
	}
	if err := props.unsupported(); err != nil {
		return nil, err
	}
	name := req.PhysicalID
	var err error
	switch {
	case props.RetentionInDays != nil:
		err = p.svc.PutRetention(ctx, req.Region, name, *props.RetentionInDays)
	case old.RetentionInDays != nil:
		err = p.svc.DeleteRetention(ctx, req.Region, name)
	}
	if err != nil {
		return nil, handlerError(err)
	}
	if props.KmsKeyId != old.KmsKeyId {
		if err := p.svc.AssociateKmsKey(ctx, req.Region, name, props.KmsKeyId); err != nil {
			return nil, handlerError(err)
		}
	}
	newTags, oldTags := props.tags(), old.tags()
	var removed []string
	for k := range oldTags {
		if _, ok := newTags[k]; !ok {
			removed = append(removed, k)
		}
	}
	if len(removed) > 0 {
		if err := p.svc.UntagGroup(ctx, req.Region, name, removed); err != nil {
			return nil, handlerError(err)
		}
	}
	if len(newTags) > 0 && !maps.Equal(newTags, oldTags) {
		if err := p.svc.TagGroup(ctx, req.Region, name, newTags); err != nil {
			return nil, handlerError(err)
		}
	}
	g, err := p.svc.Group(ctx, req.Region, name)
	if err != nil {
		return nil, handlerError(err)
	}
	return groupResult(g), nil
}

func (p *logGroupProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	if req.PhysicalID == "" {
		return nil
	}
	err := p.svc.DeleteGroup(ctx, req.Region, req.PhysicalID)
	var e *localcloud.Error
	if errors.As(err, &e) && (e.Code == "ResourceNotFoundException" || e.Code == "InvalidParameterException") {
		return nil // already gone, or never made
	}
	if err != nil {
		return handlerError(err)
	}
	return nil
}

func groupResult(g LogGroup) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: g.Name, Ref: g.Name, Attributes: map[string]any{"Arn": g.ARN()}}
}

// handlerError words a failure as CloudFormation's resource handlers do.
func handlerError(err error) error {
	var e *localcloud.Error
	if errors.As(err, &e) {
		status := e.Status
		if status == 0 {
			status = 400
		}
		return fmt.Errorf("Resource handler returned message: \"%s (Service: CloudWatchLogs, Status Code: %d, Request ID: %s)\" (HandlerErrorCode: InvalidRequest)", e.Message, status, localcloud.NewID())
	}
	return fmt.Errorf("Resource handler returned message: \"%s\" (HandlerErrorCode: InvalidRequest)", err.Error())
}
