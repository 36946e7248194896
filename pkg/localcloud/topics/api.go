package topics

import (
	"context"
	"sort"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is SNS's signing name.
func (s *Service) Name() string { return "sns" }

// Protocol is SNS's query protocol.
func (s *Service) Protocol() localcloud.Protocol {
	return localcloud.Query("http://sns.amazonaws.com/doc/2010-03-31/", "2010-03-31")
}

type attrEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func entries(m map[string]string) []attrEntry {
	out := make([]attrEntry, 0, len(m))
	for k, v := range m {
		out = append(out, attrEntry{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

type attributesResult struct {
	Attributes []attrEntry `xml:"Attributes>entry"`
}

type topicArnResult struct{ TopicArn string }

type topicMember struct{ TopicArn string }

type listTopicsResult struct {
	Topics    []topicMember `xml:"Topics>member"`
	NextToken string        `xml:",omitempty"`
}

type subscriptionArnResult struct{ SubscriptionArn string }

type subscriptionMember struct {
	SubscriptionArn, Owner, Protocol, Endpoint, TopicArn string
}

type listSubscriptionsResult struct {
	Subscriptions []subscriptionMember `xml:"Subscriptions>member"`
	NextToken     string               `xml:",omitempty"`
}

type tagsResult struct {
	Tags []Tag `xml:"Tags>member"`
}

type empty struct{}

// pendingArn is what Subscribe answers for a subscription awaiting
// confirmation, and listingPendingArn what the List operations show.
const (
	pendingArn        = "pending confirmation"
	listingPendingArn = "PendingConfirmation"
)

func members(subs []Subscription) []subscriptionMember {
	out := make([]subscriptionMember, 0, len(subs))
	for _, s := range subs {
		arn := s.Arn
		if s.PendingConfirmation {
			arn = listingPendingArn
		}
		out = append(out, subscriptionMember{arn, s.Owner, s.Protocol, s.Endpoint, s.TopicArn})
	}
	return out
}

// Call runs one SNS operation.
func (s *Service) Call(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	region := in.Region
	if region == "" {
		region = localcloud.Region
	}
	switch op {
	case "CreateTopic":
		var v struct {
			Name                 string
			Attributes           map[string]string
			Tags                 []Tag
			DataProtectionPolicy string
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		if v.DataProtectionPolicy != "" {
			return nil, invalid("DataProtectionPolicy Reason: the local cloud does not support message data protection")
		}
		arn, err := s.CreateTopic(ctx, region, v.Name, v.Attributes, v.Tags)
		if err != nil {
			return nil, err
		}
		return topicArnResult{arn}, nil
	case "GetTopicAttributes":
		var v struct{ TopicArn string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		attrs, err := s.GetTopicAttributes(ctx, v.TopicArn)
		if err != nil {
			return nil, err
		}
		return attributesResult{entries(attrs)}, nil
	case "SetTopicAttributes":
		var v struct{ TopicArn, AttributeName, AttributeValue string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return nil, s.SetTopicAttributes(ctx, v.TopicArn, v.AttributeName, v.AttributeValue)
	case "ListTopics":
		var v struct{ NextToken string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		arns, next, err := s.ListTopics(ctx, region, v.NextToken)
		if err != nil {
			return nil, err
		}
		out := listTopicsResult{NextToken: next}
		for _, a := range arns {
			out.Topics = append(out.Topics, topicMember{a})
		}
		return out, nil
	case "DeleteTopic":
		var v struct{ TopicArn string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return nil, s.DeleteTopic(ctx, v.TopicArn)
	case "Subscribe":
		var v struct {
			TopicArn, Protocol, Endpoint string
			Attributes                   map[string]string
			ReturnSubscriptionArn        bool
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		sub, err := s.Subscribe(ctx, SubscribeInput{TopicArn: v.TopicArn, Protocol: v.Protocol, Endpoint: v.Endpoint, Attributes: v.Attributes})
		if err != nil {
			return nil, err
		}
		if sub.PendingConfirmation && !v.ReturnSubscriptionArn {
			return subscriptionArnResult{pendingArn}, nil
		}
		return subscriptionArnResult{sub.Arn}, nil
	case "ConfirmSubscription":
		var v struct{ TopicArn, Token, AuthenticateOnUnsubscribe string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		arn, err := s.ConfirmSubscription(ctx, v.TopicArn, v.Token)
		if err != nil {
			return nil, err
		}
		return subscriptionArnResult{arn}, nil
	case "Unsubscribe":
		var v struct{ SubscriptionArn string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return nil, s.Unsubscribe(ctx, v.SubscriptionArn)
	case "ListSubscriptions":
		var v struct{ NextToken string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		subs, next, err := s.ListSubscriptions(ctx, region, v.NextToken)
		if err != nil {
			return nil, err
		}
		return listSubscriptionsResult{members(subs), next}, nil
	case "ListSubscriptionsByTopic":
		var v struct{ TopicArn, NextToken string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		subs, next, err := s.ListSubscriptionsByTopic(ctx, v.TopicArn, v.NextToken)
		if err != nil {
			return nil, err
		}
		return listSubscriptionsResult{members(subs), next}, nil
	case "GetSubscriptionAttributes":
		var v struct{ SubscriptionArn string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		attrs, err := s.GetSubscriptionAttributes(ctx, v.SubscriptionArn)
		if err != nil {
			return nil, err
		}
		return attributesResult{entries(attrs)}, nil
	case "SetSubscriptionAttributes":
		var v struct{ SubscriptionArn, AttributeName, AttributeValue string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return nil, s.SetSubscriptionAttributes(ctx, v.SubscriptionArn, v.AttributeName, v.AttributeValue)
	case "Publish":
		return s.callPublish(ctx, region, in)
	case "PublishBatch":
		return s.callPublishBatch(ctx, region, in)
	case "TagResource":
		var v struct {
			ResourceArn string
			Tags        []Tag
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		if err := s.TagResource(ctx, v.ResourceArn, v.Tags); err != nil {
			return nil, err
		}
		return empty{}, nil
	case "UntagResource":
		var v struct {
			ResourceArn string
			TagKeys     []string
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		if err := s.UntagResource(ctx, v.ResourceArn, v.TagKeys); err != nil {
			return nil, err
		}
		return empty{}, nil
	case "ListTagsForResource":
		var v struct{ ResourceArn string }
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		tags, err := s.ListTagsForResource(ctx, v.ResourceArn)
		if err != nil {
			return nil, err
		}
		return tagsResult{tags}, nil
	}
	return nil, localcloud.ErrUnknownOperation
}
