package rules

import (
	"context"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is EventBridge's signing name.
func (s *Service) Name() string { return "events" }

// Protocol is EventBridge's awsJson1.1 protocol.
func (s *Service) Protocol() localcloud.Protocol { return localcloud.JSON("1.1", "AWSEvents") }

type busOut struct {
	Name             string
	Arn              string
	Description      string           `json:",omitempty"`
	CreationTime     *localcloud.Time `json:",omitempty"`
	LastModifiedTime *localcloud.Time `json:",omitempty"`
}

func timePtr(t time.Time) *localcloud.Time {
	if t.IsZero() {
		return nil
	}
	v := localcloud.Time(t)
	return &v
}

func busOutput(b *EventBus) busOut {
	return busOut{Name: b.Name, Arn: b.Arn, Description: b.Description,
		CreationTime: timePtr(b.CreationTime), LastModifiedTime: timePtr(b.LastModifiedTime)}
}

type ruleOut struct {
	Name               string
	Arn                string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	EventBusName       string
	CreatedBy          string `json:",omitempty"`
}

func ruleOutput(r *Rule, withCreator bool) ruleOut {
	out := ruleOut{Name: r.Name, Arn: r.Arn, EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
		State: r.State, Description: r.Description, RoleArn: r.RoleArn, EventBusName: r.EventBusName}
	if withCreator {
		out.CreatedBy = r.CreatedBy
	}
	return out
}

type failedOut struct {
	FailedEntryCount int
	FailedEntries    []FailedEntry
}

type nameBus struct {
	Name         string
	EventBusName string
}

// Call runs one EventBridge operation.
func (s *Service) Call(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	region := in.Region
	if region == "" {
		region = localcloud.Region
	}
	switch op {
	case "CreateEventBus":
		var v struct {
			Name, Description, EventSourceName, KmsKeyIdentifier string
			Tags                                                 []Tag
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		if v.EventSourceName != "" {
			return nil, validation("the local cloud does not support partner event buses (EventSourceName)")
		}
		if v.KmsKeyIdentifier != "" {
			return nil, validation("the local cloud does not support encrypting event buses (KmsKeyIdentifier)")
		}
		arn, err := s.CreateEventBus(ctx, region, v.Name, v.Description, v.Tags)
		if err != nil {
			return nil, err
		}
		return map[string]string{"EventBusArn": arn}, nil
	case "DeleteEventBus":
		var v struct{ Name string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return nil, s.DeleteEventBus(ctx, region, v.Name)
	case "DescribeEventBus":
		var v struct{ Name string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		b, err := s.DescribeEventBus(ctx, region, v.Name)
		if err != nil {
			return nil, err
		}
		return busOutput(b), nil
	case "ListEventBuses":
		var v struct {
			NamePrefix, NextToken string
			Limit                 int
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		limit, err := pageLimit(v.Limit)
		if err != nil {
			return nil, err
		}
		buses, err := s.ListEventBuses(ctx, region, v.NamePrefix)
		if err != nil {
			return nil, err
		}
		start := 0
		if v.NextToken != "" {
			name, err := decodeToken(v.NextToken)
			if err != nil {
				return nil, err
			}
			for start < len(buses) && buses[start].Name != name {
				start++
			}
		}
		out := struct {
			EventBuses []busOut
			NextToken  string `json:",omitempty"`
		}{EventBuses: []busOut{}}
		for i := start; i < len(buses); i++ {
			if len(out.EventBuses) == limit {
				out.NextToken = encodeToken(buses[i].Name)
				break
			}
			out.EventBuses = append(out.EventBuses, busOutput(&buses[i]))
		}
		return out, nil
	case "PutRule":
		var v PutRuleInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		arn, err := s.PutRule(ctx, region, v)
		if err != nil {
			return nil, err
		}
		return map[string]string{"RuleArn": arn}, nil
	case "DescribeRule":
		var v nameBus
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		r, err := s.DescribeRule(ctx, region, v.Name, v.EventBusName)
		if err != nil {
			return nil, err
		}
		return ruleOutput(r, true), nil
	case "ListRules":
		var v struct {
			NamePrefix, EventBusName, NextToken string
			Limit                               int
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		rs, next, err := s.ListRules(ctx, region, v.EventBusName, v.NamePrefix, v.NextToken, v.Limit)
		if err != nil {
			return nil, err
		}
		out := struct {
			Rules     []ruleOut
			NextToken string `json:",omitempty"`
		}{Rules: []ruleOut{}, NextToken: next}
		for i := range rs {
			out.Rules = append(out.Rules, ruleOutput(&rs[i], false))
		}
		return out, nil
	case "DeleteRule":
		var v struct {
			Name, EventBusName string
			Force              bool
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return nil, s.DeleteRule(ctx, region, v.Name, v.EventBusName)
	case "EnableRule", "DisableRule":
		var v nameBus
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		if op == "EnableRule" {
			return nil, s.EnableRule(ctx, region, v.Name, v.EventBusName)
		}
		return nil, s.DisableRule(ctx, region, v.Name, v.EventBusName)
	case "PutTargets":
		var v struct {
			Rule, EventBusName string
			Targets            []Target
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		failed, err := s.PutTargets(ctx, region, v.Rule, v.EventBusName, v.Targets)
		if err != nil {
			return nil, err
		}
		return failedOut{len(failed), failed}, nil
	case "RemoveTargets":
		var v struct {
			Rule, EventBusName string
			Ids                []string
			Force              bool
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		failed, err := s.RemoveTargets(ctx, region, v.Rule, v.EventBusName, v.Ids)
		if err != nil {
			return nil, err
		}
		return failedOut{len(failed), failed}, nil
	case "ListTargetsByRule":
		var v struct {
			Rule, EventBusName, NextToken string
			Limit                         int
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		ts, next, err := s.ListTargetsByRule(ctx, region, v.Rule, v.EventBusName, v.NextToken, v.Limit)
		if err != nil {
			return nil, err
		}
		if ts == nil {
			ts = []Target{}
		}
		return struct {
			Targets   []Target
			NextToken string `json:",omitempty"`
		}{ts, next}, nil
	case "PutEvents":
		var v struct {
			Entries    []EventEntry
			EndpointId string
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		if v.EndpointId != "" {
			return nil, validation("the local cloud does not support global endpoints (EndpointId)")
		}
		results, err := s.PutEvents(ctx, region, v.Entries)
		if err != nil {
			return nil, err
		}
		failed := 0
		for _, r := range results {
			if r.ErrorCode != "" {
				failed++
			}
		}
		return struct {
			FailedEntryCount int
			Entries          []EventResult
		}{failed, results}, nil
	case "TestEventPattern":
		var v struct{ EventPattern, Event string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		ok, err := s.TestEventPattern(ctx, v.EventPattern, v.Event)
		if err != nil {
			return nil, err
		}
		return map[string]bool{"Result": ok}, nil
	case "TagResource":
		var v struct {
			ResourceARN string
			Tags        []Tag
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return struct{}{}, s.TagResource(ctx, v.ResourceARN, v.Tags)
	case "UntagResource":
		var v struct {
			ResourceARN string
			TagKeys     []string
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return struct{}{}, s.UntagResource(ctx, v.ResourceARN, v.TagKeys)
	case "ListTagsForResource":
		var v struct{ ResourceARN string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		tags, err := s.ListTagsForResource(ctx, v.ResourceARN)
		if err != nil {
			return nil, err
		}
		if tags == nil {
			tags = []Tag{}
		}
		return map[string][]Tag{"Tags": tags}, nil
	}
	return nil, localcloud.ErrUnknownOperation
}
