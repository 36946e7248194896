package topics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

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
		status = http.StatusBadRequest
	}
	code := "GeneralServiceException"
	switch {
	case e.Code == "NotFound" || e.Code == "ResourceNotFound":
		code = "NotFound"
	case status < 500:
		code = "InvalidRequest"
	}
	return fmt.Errorf("Resource handler returned message: \"%s (Service: Sns, Status Code: %d, Request ID: %s)\" (HandlerErrorCode: %s)",
		e.Message, status, localcloud.NewID(), code)
}

func unsupported(typ string, props ...string) error {
	for _, p := range props {
		if p != "" {
			return fmt.Errorf("Resource handler returned message: \"the local cloud does not support property %s of %s\" (HandlerErrorCode: InvalidRequest)", p, typ)
		}
	}
	return nil
}

func isNotFound(err error) bool {
	var e *localcloud.Error
	return errors.As(err, &e) && (e.Code == "NotFound" || e.Code == "ResourceNotFound")
}

// jsonAttribute is a Json-typed property as the attribute string SNS
// takes: an object is marshalled, a string taken as it is.
func jsonAttribute(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

type topicProvider struct{ svc *Service }

// TopicProvider provisions AWS::SNS::Topic.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topic.html
func TopicProvider(svc *Service) cfnengine.Provider { return &topicProvider{svc} }

func (p *topicProvider) Type() string { return "AWS::SNS::Topic" }

func (p *topicProvider) CreateOnlyProperties() []string { return []string{"TopicName", "FifoTopic"} }

// topicProps are AWS::SNS::Topic's properties (goformation's sns.Topic
// decodes only a whole resource, so its fields are restated here).
type topicProps struct {
	TopicName, DisplayName, KmsMasterKeyId, TracingConfig, SignatureVersion, FifoThroughputScope *string
	FifoTopic, ContentBasedDeduplication                                                         *bool
	Subscription                                                                                 []struct{ Endpoint, Protocol string }
	Tags                                                                                         []Tag
	ArchivePolicy, DataProtectionPolicy                                                          any
	DeliveryStatusLogging                                                                        []any
}

// subscriptionProps are AWS::SNS::Subscription's properties.
type subscriptionProps struct {
	TopicArn, Protocol                                        string
	Endpoint, FilterPolicyScope, SubscriptionRoleArn, Region  *string
	RawMessageDelivery                                        *bool
	FilterPolicy, RedrivePolicy, DeliveryPolicy, ReplayPolicy any
}

func decodeTopic(props map[string]any) (*topicProps, map[string]string, error) {
	var t topicProps
	if err := cfnengine.DecodeProperties(props, &t); err != nil {
		return nil, nil, err
	}
	var dsl string
	if len(t.DeliveryStatusLogging) > 0 {
		dsl = "DeliveryStatusLogging"
	}
	var archive, dpp string
	if t.ArchivePolicy != nil {
		archive = "ArchivePolicy"
	}
	if t.DataProtectionPolicy != nil {
		dpp = "DataProtectionPolicy"
	}
	if err := unsupported("AWS::SNS::Topic", dsl, archive, dpp); err != nil {
		return nil, nil, err
	}
	attrs := map[string]string{}
	set := func(k string, v *string) {
		if v != nil {
			attrs[k] = *v
		}
	}
	set("DisplayName", t.DisplayName)
	set("KmsMasterKeyId", t.KmsMasterKeyId)
	set("TracingConfig", t.TracingConfig)
	set("SignatureVersion", t.SignatureVersion)
	set("FifoThroughputScope", t.FifoThroughputScope)
	if t.FifoTopic != nil && *t.FifoTopic {
		attrs["FifoTopic"] = "true"
	}
	if t.ContentBasedDeduplication != nil {
		attrs["ContentBasedDeduplication"] = strconv.FormatBool(*t.ContentBasedDeduplication)
	}
	return &t, attrs, nil
}

func topicTags(t *topicProps) []Tag { return t.Tags }

func topicResult(arn string) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: arn, Ref: arn,
		Attributes: map[string]any{"TopicArn": arn, "TopicName": TopicName(arn)}}
}

func (p *topicProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	t, attrs, err := decodeTopic(req.Properties)
	if err != nil {
		return nil, err
	}
	name := ""
	if t.TopicName != nil {
		name = *t.TopicName
	}
	if name == "" {
		if attrs["FifoTopic"] == "true" {
			name = req.PhysicalName(251, false) + ".fifo"
		} else {
			name = req.PhysicalName(256, false)
		}
	}
	arn := TopicARN(req.Region, name)
	if _, err := p.svc.GetTopicAttributes(ctx, arn); err == nil {
		return nil, fmt.Errorf("Resource handler returned message: \"%s already exists\" (HandlerErrorCode: AlreadyExists)", name)
	}
	if _, err := p.svc.CreateTopic(ctx, req.Region, name, attrs, topicTags(t)); err != nil {
		return nil, handlerError(err)
	}
	for _, s := range t.Subscription {
		if _, err := p.svc.Subscribe(ctx, SubscribeInput{TopicArn: arn, Protocol: s.Protocol, Endpoint: s.Endpoint}); err != nil {
			_ = p.svc.DeleteTopic(ctx, arn)
			return nil, handlerError(err)
		}
	}
	return topicResult(arn), nil
}

// resetValue is what an attribute goes back to when the template stops
// setting it.
func resetValue(name string) string {
	switch name {
	case "TracingConfig":
		return "PassThrough"
	case "SignatureVersion":
		return "1"
	case "ContentBasedDeduplication":
		return "false"
	}
	return ""
}

func (p *topicProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	arn := req.PhysicalID
	t, attrs, err := decodeTopic(req.Properties)
	if err != nil {
		return nil, err
	}
	old, oldAttrs, err := decodeTopic(req.OldProperties)
	if err != nil {
		old, oldAttrs = &topicProps{}, map[string]string{}
	}
	for k, v := range attrs {
		if k != "FifoTopic" && oldAttrs[k] != v {
			if err := p.svc.SetTopicAttributes(ctx, arn, k, v); err != nil {
				return nil, handlerError(err)
			}
		}
	}
	for k := range oldAttrs {
		if _, ok := attrs[k]; !ok && k != "FifoTopic" {
			if err := p.svc.SetTopicAttributes(ctx, arn, k, resetValue(k)); err != nil {
				return nil, handlerError(err)
			}
		}
	}
	// Subscriptions: endpoints no longer listed go, new ones come.
	type key struct{ protocol, endpoint string }
	want := map[key]bool{}
	for _, s := range t.Subscription {
		want[key{s.Protocol, s.Endpoint}] = true
	}
	had := map[key]bool{}
	for _, s := range old.Subscription {
		had[key{s.Protocol, s.Endpoint}] = true
	}
	subs, err := p.svc.Subscriptions(ctx, arn)
	if err != nil {
		return nil, handlerError(err)
	}
	for _, s := range subs {
		k := key{s.Protocol, s.Endpoint}
		if had[k] && !want[k] {
			if err := p.svc.Unsubscribe(ctx, s.Arn); err != nil && !isNotFound(err) {
				return nil, handlerError(err)
			}
		}
	}
	for _, s := range t.Subscription {
		if !had[key{s.Protocol, s.Endpoint}] {
			if _, err := p.svc.Subscribe(ctx, SubscribeInput{TopicArn: arn, Protocol: s.Protocol, Endpoint: s.Endpoint}); err != nil {
				return nil, handlerError(err)
			}
		}
	}
	// Tags.
	newTags := topicTags(t)
	keep := map[string]bool{}
	for _, tag := range newTags {
		keep[tag.Key] = true
	}
	var drop []string
	for _, tag := range topicTags(old) {
		if !keep[tag.Key] {
			drop = append(drop, tag.Key)
		}
	}
	if len(drop) > 0 {
		if err := p.svc.UntagResource(ctx, arn, drop); err != nil {
			return nil, handlerError(err)
		}
	}
	if len(newTags) > 0 {
		if err := p.svc.TagResource(ctx, arn, newTags); err != nil {
			return nil, handlerError(err)
		}
	}
	return topicResult(arn), nil
}

func (p *topicProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	if err := p.svc.DeleteTopic(ctx, req.PhysicalID); err != nil && !isNotFound(err) {
		return handlerError(err)
	}
	return nil
}

type subscriptionProvider struct{ svc *Service }

// SubscriptionProvider provisions AWS::SNS::Subscription. Its Ref is the
// subscription's ARN, a pending (email, http) subscription's too: the
// provider subscribes as CloudFormation does, asking SNS to return the
// ARN rather than "pending confirmation".
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-subscription.html
func SubscriptionProvider(svc *Service) cfnengine.Provider { return &subscriptionProvider{svc} }

func (p *subscriptionProvider) Type() string { return "AWS::SNS::Subscription" }

func (p *subscriptionProvider) CreateOnlyProperties() []string {
	return []string{"TopicArn", "Protocol", "Endpoint"}
}

func decodeSubscription(props map[string]any) (*subscriptionProps, map[string]string, error) {
	var s subscriptionProps
	if err := cfnengine.DecodeProperties(props, &s); err != nil {
		return nil, nil, err
	}
	attrs := map[string]string{}
	for name, v := range map[string]any{"FilterPolicy": s.FilterPolicy, "RedrivePolicy": s.RedrivePolicy,
		"DeliveryPolicy": s.DeliveryPolicy, "ReplayPolicy": s.ReplayPolicy} {
		str, err := jsonAttribute(v)
		if err != nil {
			return nil, nil, fmt.Errorf("property %s: %w", name, err)
		}
		if str != "" {
			attrs[name] = str
		}
	}
	if s.FilterPolicyScope != nil {
		attrs["FilterPolicyScope"] = *s.FilterPolicyScope
	}
	if s.RawMessageDelivery != nil {
		attrs["RawMessageDelivery"] = strconv.FormatBool(*s.RawMessageDelivery)
	}
	if s.SubscriptionRoleArn != nil {
		attrs["SubscriptionRoleArn"] = *s.SubscriptionRoleArn
	}
	return &s, attrs, nil
}

func (p *subscriptionProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	s, attrs, err := decodeSubscription(req.Properties)
	if err != nil {
		return nil, err
	}
	endpoint := ""
	if s.Endpoint != nil {
		endpoint = *s.Endpoint
	}
	sub, err := p.svc.Subscribe(ctx, SubscribeInput{TopicArn: s.TopicArn, Protocol: s.Protocol, Endpoint: endpoint, Attributes: attrs})
	if err != nil {
		return nil, handlerError(err)
	}
	return &cfnengine.ResourceResult{PhysicalID: sub.Arn, Ref: sub.Arn}, nil
}

func (p *subscriptionProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	_, attrs, err := decodeSubscription(req.Properties)
	if err != nil {
		return nil, err
	}
	_, oldAttrs, err := decodeSubscription(req.OldProperties)
	if err != nil {
		oldAttrs = map[string]string{}
	}
	// FilterPolicy before FilterPolicyScope: the scope needs a policy.
	for _, k := range []string{"FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy", "SubscriptionRoleArn", "ReplayPolicy"} {
		v, ok := attrs[k]
		old, had := oldAttrs[k]
		switch {
		case ok && (!had || old != v):
			err = p.svc.SetSubscriptionAttributes(ctx, req.PhysicalID, k, v)
		case !ok && had:
			reset := ""
			switch k {
			case "RawMessageDelivery":
				reset = "false"
			case "FilterPolicyScope":
				if attrs["FilterPolicy"] == "" {
					continue
				}
				reset = "MessageAttributes"
			}
			err = p.svc.SetSubscriptionAttributes(ctx, req.PhysicalID, k, reset)
		}
		if err != nil {
			return nil, handlerError(err)
		}
	}
	return &cfnengine.ResourceResult{PhysicalID: req.PhysicalID, Ref: req.PhysicalID}, nil
}

func (p *subscriptionProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	if err := p.svc.Unsubscribe(ctx, req.PhysicalID); err != nil && !isNotFound(err) {
		var e *localcloud.Error
		if errors.As(err, &e) && e.Code == "InvalidParameter" {
			return nil // never made: nothing to delete
		}
		return handlerError(err)
	}
	return nil
}
