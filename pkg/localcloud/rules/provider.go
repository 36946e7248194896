package rules

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// handlerError words a service error as CloudFormation's resource
// handlers report it in stack events.
func handlerError(err error) error {
	var e *localcloud.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("Resource handler returned message: %q (HandlerErrorCode: GeneralServiceException)", err.Error())
	}
	status := e.Status
	if status == 0 {
		status = 400
	}
	code := "InvalidRequest"
	switch {
	case e.Code == "ResourceNotFoundException":
		code = "NotFound"
	case e.Code == "LimitExceededException":
		code = "ServiceLimitExceeded"
	case status >= 500:
		code = "GeneralServiceException"
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Errorf("Resource handler returned message: \"%s (Service: EventBridge, Status Code: %d, Request ID: %s-%s-%s-%s-%s)\" (HandlerErrorCode: %s)",
		e.Message, status, h[:8], h[8:12], h[12:16], h[16:20], h[20:], code)
}

type ruleProvider struct{ svc *Service }

// RuleProvider provisions AWS::Events::Rule. Ref is the rule's name for
// a rule on the default bus and "<bus name>|<rule name>" for one on a
// custom bus; Fn::GetAtt Arn is the rule's ARN. The physical id is the
// Ref value.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html
func RuleProvider(svc *Service) cfnengine.Provider { return &ruleProvider{svc} }

func (p *ruleProvider) Type() string { return "AWS::Events::Rule" }

func (p *ruleProvider) CreateOnlyProperties() []string { return []string{"Name", "EventBusName"} }

// ruleProps are AWS::Events::Rule's properties (goformation's
// events.Rule decodes only a whole resource).
type ruleProps struct {
	Name, EventBusName, ScheduleExpression, State, Description, RoleArn string
	EventPattern                                                        any
	Targets                                                             []Target
}

func decodeRule(props map[string]any) (*ruleProps, error) {
	var r ruleProps
	if err := cfnengine.DecodeProperties(props, &r); err != nil {
		return nil, err
	}
	if r.EventBusName != "" {
		bus, err := busName(r.EventBusName)
		if err != nil {
			return nil, handlerError(err)
		}
		r.EventBusName = bus
	} else {
		r.EventBusName = DefaultBus
	}
	return &r, nil
}

func (r *ruleProps) input(name string) (PutRuleInput, error) {
	in := PutRuleInput{Name: name, EventBusName: r.EventBusName, ScheduleExpression: r.ScheduleExpression,
		State: r.State, Description: r.Description, RoleArn: r.RoleArn}
	if r.EventPattern != nil {
		pat, err := CompactPattern(r.EventPattern)
		if err != nil {
			return in, fmt.Errorf("property EventPattern: %w", err)
		}
		in.EventPattern = pat
	}
	return in, nil
}

// physicalID is the rule's Ref: its name, or bus|name off the default bus.
func physicalID(bus, name string) string {
	if bus == DefaultBus {
		return name
	}
	return bus + "|" + name
}

func parsePhysicalID(id string) (bus, name string) {
	if b, n, ok := strings.Cut(id, "|"); ok {
		return b, n
	}
	return DefaultBus, id
}

func (p *ruleProvider) result(region, bus, name string) *cfnengine.ResourceResult {
	id := physicalID(bus, name)
	return &cfnengine.ResourceResult{PhysicalID: id, Ref: id, Attributes: map[string]any{"Arn": RuleARN(region, bus, name)}}
}

func (p *ruleProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	r, err := decodeRule(req.Properties)
	if err != nil {
		return nil, err
	}
	name := r.Name
	if name == "" {
		name = req.PhysicalName(64, false)
	}
	if _, err := p.svc.DescribeRule(ctx, req.Region, name, r.EventBusName); err == nil {
		return nil, fmt.Errorf("Resource handler returned message: \"%s already exists\" (HandlerErrorCode: AlreadyExists)", name)
	}
	in, err := r.input(name)
	if err != nil {
		return nil, err
	}
	if _, err := p.svc.PutRule(ctx, req.Region, in); err != nil {
		return nil, handlerError(err)
	}
	if len(r.Targets) > 0 {
		if _, err := p.svc.PutTargets(ctx, req.Region, name, r.EventBusName, r.Targets); err != nil {
			_ = p.svc.DeleteRule(ctx, req.Region, name, r.EventBusName)
			return nil, handlerError(err)
		}
	}
	return p.result(req.Region, r.EventBusName, name), nil
}

func (p *ruleProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	bus, name := parsePhysicalID(req.PhysicalID)
	r, err := decodeRule(req.Properties)
	if err != nil {
		return nil, err
	}
	r.EventBusName = bus
	in, err := r.input(name)
	if err != nil {
		return nil, err
	}
	if _, err := p.svc.PutRule(ctx, req.Region, in); err != nil {
		return nil, handlerError(err)
	}
	current, _, err := p.svc.ListTargetsByRule(ctx, req.Region, name, bus, "", 100)
	if err != nil {
		return nil, handlerError(err)
	}
	want := map[string]bool{}
	for _, t := range r.Targets {
		want[t.Id] = true
	}
	var drop []string
	for _, t := range current {
		if !want[t.Id] {
			drop = append(drop, t.Id)
		}
	}
	if len(drop) > 0 {
		if _, err := p.svc.RemoveTargets(ctx, req.Region, name, bus, drop); err != nil {
			return nil, handlerError(err)
		}
	}
	if len(r.Targets) > 0 {
		if _, err := p.svc.PutTargets(ctx, req.Region, name, bus, r.Targets); err != nil {
			return nil, handlerError(err)
		}
	}
	return p.result(req.Region, bus, name), nil
}

func (p *ruleProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	bus, name := parsePhysicalID(req.PhysicalID)
	targets, _, err := p.svc.ListTargetsByRule(ctx, req.Region, name, bus, "", 100)
	if err != nil {
		var e *localcloud.Error
		if errors.As(err, &e) && e.Code == "ResourceNotFoundException" {
			return nil
		}
		return handlerError(err)
	}
	if len(targets) > 0 {
		ids := make([]string, len(targets))
		for i, t := range targets {
			ids[i] = t.Id
		}
		if _, err := p.svc.RemoveTargets(ctx, req.Region, name, bus, ids); err != nil {
			return handlerError(err)
		}
	}
	if err := p.svc.DeleteRule(ctx, req.Region, name, bus); err != nil {
		return handlerError(err)
	}
	return nil
}
