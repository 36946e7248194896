package topics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
)

func awsErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var e *localcloud.Error
	require.True(t, errors.As(err, &e), "want %s, got %v", code, err)
	assert.Equal(t, code, e.Code)
	if msg != "" {
		assert.Equal(t, msg, e.Message)
	}
}

func TestCreateTopicRules(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctestStore(t))

	arn, err := svc.CreateTopic(ctx, "us-east-1", "alarms", map[string]string{"DisplayName": "Alarms"}, []topics.Tag{{Key: "team", Value: "ops"}})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sns:us-east-1:123456789012:alarms", arn)

	// Idempotent with the same attributes; an error with different ones.
	again, err := svc.CreateTopic(ctx, "us-east-1", "alarms", map[string]string{"DisplayName": "Alarms"}, nil)
	require.NoError(t, err)
	assert.Equal(t, arn, again)
	_, err = svc.CreateTopic(ctx, "us-east-1", "alarms", map[string]string{"DisplayName": "Other"}, nil)
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
	_, err = svc.CreateTopic(ctx, "us-east-1", "alarms", nil, []topics.Tag{{Key: "team", Value: "dev"}})
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different tags")

	_, err = svc.CreateTopic(ctx, "us-east-1", "bad name", nil, nil)
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Topic Name")
	_, err = svc.CreateTopic(ctx, "us-east-1", "plain.fifo", nil, nil)
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Topic Name")
	_, err = svc.CreateTopic(ctx, "us-east-1", strings.Repeat("a", 257), nil, nil)
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Topic Name")
	_, err = svc.CreateTopic(ctx, "us-east-1", "orders", map[string]string{"FifoTopic": "true"}, nil)
	awsErr(t, err, "InvalidParameter", "")
	_, err = svc.CreateTopic(ctx, "us-east-1", "orders", map[string]string{"ContentBasedDeduplication": "true"}, nil)
	awsErr(t, err, "InvalidParameter", "Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics")
	_, err = svc.CreateTopic(ctx, "us-east-1", "orders", map[string]string{"TracingConfig": "Sometimes"}, nil)
	awsErr(t, err, "InvalidParameter", "")
	_, err = svc.CreateTopic(ctx, "us-east-1", "orders", map[string]string{"Colour": "red"}, nil)
	awsErr(t, err, "InvalidParameter", "Invalid parameter: AttributeName")

	fifo, err := svc.CreateTopic(ctx, "us-east-1", "orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"}, nil)
	require.NoError(t, err)
	attrs, err := svc.GetTopicAttributes(ctx, fifo)
	require.NoError(t, err)
	assert.Equal(t, "true", attrs["FifoTopic"])
	assert.Equal(t, "true", attrs["ContentBasedDeduplication"])
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: fifo, Protocol: "email", Endpoint: "a@example.com"})
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Invalid protocol type: email")

	attrs, err = svc.GetTopicAttributes(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, arn, attrs["TopicArn"])
	assert.Equal(t, "123456789012", attrs["Owner"])
	assert.Equal(t, "Alarms", attrs["DisplayName"])
	assert.Equal(t, "0", attrs["SubscriptionsConfirmed"])
	assert.NotContains(t, attrs, "FifoTopic")
	var policy struct {
		Version   string
		Statement []struct {
			Effect, Resource string
			Action           []string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(attrs["Policy"]), &policy))
	assert.Equal(t, "2008-10-17", policy.Version)
	assert.Equal(t, arn, policy.Statement[0].Resource)
	assert.Contains(t, policy.Statement[0].Action, "SNS:Publish")
	assert.Contains(t, attrs["EffectiveDeliveryPolicy"], `"defaultHealthyRetryPolicy"`)

	require.NoError(t, svc.SetTopicAttributes(ctx, arn, "KmsMasterKeyId", "alias/aws/sns"))
	attrs, err = svc.GetTopicAttributes(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, "alias/aws/sns", attrs["KmsMasterKeyId"])
	awsErr(t, svc.SetTopicAttributes(ctx, arn, "FifoTopic", "true"), "InvalidParameter", "Invalid parameter: AttributeName")

	_, err = svc.GetTopicAttributes(ctx, "arn:aws:sns:us-east-1:123456789012:missing")
	awsErr(t, err, "NotFound", "Topic does not exist")
	_, err = svc.GetTopicAttributes(ctx, "not-an-arn")
	awsErr(t, err, "InvalidParameter", "Invalid parameter: TopicArn")

	require.NoError(t, svc.DeleteTopic(ctx, arn))
	require.NoError(t, svc.DeleteTopic(ctx, arn), "deleting a topic that is gone is not an error")
	_, err = svc.GetTopicAttributes(ctx, arn)
	awsErr(t, err, "NotFound", "Topic does not exist")
}

func TestSubscriptionsAndConfirmation(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctestStore(t))
	arn, err := svc.CreateTopic(ctx, "us-east-1", "alarms", nil, nil)
	require.NoError(t, err)

	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "email", Endpoint: "not-an-email"})
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Email address")
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "carrier-pigeon", Endpoint: "x"})
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon")
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "https", Endpoint: "http://example.com/hook"})
	awsErr(t, err, "InvalidParameter", "")
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "lambda", Endpoint: "arn:aws:sqs:us-east-1:123456789012:q"})
	awsErr(t, err, "InvalidParameter", "")
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn + "x", Protocol: "email", Endpoint: "ops@example.com"})
	awsErr(t, err, "NotFound", "Topic does not exist")
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:123456789012:q",
		Attributes: map[string]string{"FilterPolicy": "[1"}})
	awsErr(t, err, "InvalidParameter", "Invalid parameter: FilterPolicy: failed to parse JSON.")

	email, err := svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "email", Endpoint: "ops@example.com"})
	require.NoError(t, err)
	assert.True(t, email.PendingConfirmation)
	assert.True(t, strings.HasPrefix(email.Arn, arn+":"))
	fn, err := svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "lambda",
		Endpoint: "arn:aws:lambda:us-east-1:123456789012:function:notify", Attributes: map[string]string{"FilterPolicy": `{"level":["error"]}`}})
	require.NoError(t, err)
	assert.False(t, fn.PendingConfirmation)

	// Subscribing again is idempotent; with other attributes an error.
	again, err := svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "email", Endpoint: "ops@example.com"})
	require.NoError(t, err)
	assert.Equal(t, email.Arn, again.Arn)
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "lambda",
		Endpoint: "arn:aws:lambda:us-east-1:123456789012:function:notify", Attributes: map[string]string{"FilterPolicy": `{"level":["info"]}`}})
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Attributes Reason: Subscription already exists with different attributes")

	attrs, err := svc.GetTopicAttributes(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, "1", attrs["SubscriptionsConfirmed"])
	assert.Equal(t, "1", attrs["SubscriptionsPending"])

	sa, err := svc.GetSubscriptionAttributes(ctx, email.Arn)
	require.NoError(t, err)
	assert.Equal(t, "true", sa["PendingConfirmation"])
	assert.Equal(t, "false", sa["ConfirmationWasAuthenticated"])
	assert.Equal(t, "email", sa["Protocol"])
	assert.Equal(t, "false", sa["RawMessageDelivery"])
	sa, err = svc.GetSubscriptionAttributes(ctx, fn.Arn)
	require.NoError(t, err)
	assert.Equal(t, `{"level":["error"]}`, sa["FilterPolicy"])
	assert.Equal(t, "MessageAttributes", sa["FilterPolicyScope"])
	assert.Equal(t, "true", sa["ConfirmationWasAuthenticated"])

	awsErr(t, svc.SetSubscriptionAttributes(ctx, email.Arn, "RawMessageDelivery", "true"), "InvalidParameter", "")
	require.NoError(t, svc.SetSubscriptionAttributes(ctx, fn.Arn, "RawMessageDelivery", "true"))
	awsErr(t, svc.SetSubscriptionAttributes(ctx, fn.Arn, "Colour", "red"), "InvalidParameter", "Invalid parameter: AttributeName")

	// The email endpoint confirms locally.
	_, err = svc.ConfirmLocally(ctx, arn, "nobody@example.com")
	awsErr(t, err, "NotFound", "Subscription does not exist")
	got, err := svc.ConfirmLocally(ctx, arn, "ops@example.com")
	require.NoError(t, err)
	assert.Equal(t, email.Arn, got)
	sa, err = svc.GetSubscriptionAttributes(ctx, email.Arn)
	require.NoError(t, err)
	assert.Equal(t, "false", sa["PendingConfirmation"])

	// An http endpoint confirms with its token through the API.
	hook, err := svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "https", Endpoint: "https://example.com/hook"})
	require.NoError(t, err)
	require.NotEmpty(t, hook.Token)
	_, err = svc.ConfirmSubscription(ctx, arn, "wrong")
	awsErr(t, err, "InvalidParameter", "Invalid parameter: Token")
	got, err = svc.ConfirmSubscription(ctx, arn, hook.Token)
	require.NoError(t, err)
	assert.Equal(t, hook.Arn, got)
	sa, err = svc.GetSubscriptionAttributes(ctx, hook.Arn)
	require.NoError(t, err)
	assert.Equal(t, "true", sa["ConfirmationWasAuthenticated"])
	assert.Contains(t, sa["EffectiveDeliveryPolicy"], "healthyRetryPolicy")

	subs, err := svc.Subscriptions(ctx, arn)
	require.NoError(t, err)
	assert.Len(t, subs, 3)

	require.NoError(t, svc.Unsubscribe(ctx, fn.Arn))
	awsErr(t, svc.Unsubscribe(ctx, fn.Arn), "NotFound", "Subscription does not exist")
	attrs, err = svc.GetTopicAttributes(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, "1", attrs["SubscriptionsDeleted"])
	assert.Equal(t, "2", attrs["SubscriptionsConfirmed"])

	// Deleting the topic deletes its subscriptions.
	require.NoError(t, svc.DeleteTopic(ctx, arn))
	_, err = svc.GetSubscriptionAttributes(ctx, email.Arn)
	awsErr(t, err, "NotFound", "Subscription does not exist")
}

func TestListPaging(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctestStore(t))
	for i := range 205 {
		_, err := svc.CreateTopic(ctx, "us-east-1", fmt.Sprintf("t%03d", i), nil, nil)
		require.NoError(t, err)
	}
	_, err := svc.CreateTopic(ctx, "eu-west-1", "elsewhere", nil, nil)
	require.NoError(t, err)
	var all []string
	token := ""
	pages := 0
	for {
		arns, next, err := svc.ListTopics(ctx, "us-east-1", token)
		require.NoError(t, err)
		all = append(all, arns...)
		pages++
		if next == "" {
			break
		}
		token = next
	}
	assert.Equal(t, 3, pages)
	assert.Len(t, all, 205)
	assert.Equal(t, "arn:aws:sns:us-east-1:123456789012:t000", all[0])
	assert.Equal(t, "arn:aws:sns:us-east-1:123456789012:t204", all[204])
	_, _, err = svc.ListTopics(ctx, "us-east-1", "%%%")
	awsErr(t, err, "InvalidParameter", "Invalid parameter: NextToken")
}

func TestTags(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctestStore(t))
	arn, err := svc.CreateTopic(ctx, "us-east-1", "tagged", nil, []topics.Tag{{Key: "b", Value: "1"}})
	require.NoError(t, err)
	require.NoError(t, svc.TagResource(ctx, arn, []topics.Tag{{Key: "a", Value: "2"}, {Key: "b", Value: "3"}}))
	tags, err := svc.ListTagsForResource(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, []topics.Tag{{Key: "a", Value: "2"}, {Key: "b", Value: "3"}}, tags)
	require.NoError(t, svc.UntagResource(ctx, arn, []string{"a"}))
	tags, err = svc.ListTagsForResource(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, []topics.Tag{{Key: "b", Value: "3"}}, tags)
	_, err = svc.ListTagsForResource(ctx, arn+"-gone")
	awsErr(t, err, "ResourceNotFound", "Resource does not exist")
}

func TestRestartKeepsState(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/state.db"
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	svc := topics.New(st)
	arn, err := svc.CreateTopic(ctx, "us-east-1", "durable", map[string]string{"DisplayName": "Durable"}, []topics.Tag{{Key: "k", Value: "v"}})
	require.NoError(t, err)
	sub, err := svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "email", Endpoint: "ops@example.com"})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer st.Close()
	svc = topics.New(st)
	attrs, err := svc.GetTopicAttributes(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, "Durable", attrs["DisplayName"])
	assert.Equal(t, "1", attrs["SubscriptionsPending"])
	tags, err := svc.ListTagsForResource(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, []topics.Tag{{Key: "k", Value: "v"}}, tags)
	got, err := svc.ConfirmLocally(ctx, arn, "ops@example.com")
	require.NoError(t, err)
	assert.Equal(t, sub.Arn, got)
}

func lctestStore(t *testing.T) *localcloud.Store {
	t.Helper()
	st, err := localcloud.OpenStore(t.TempDir() + "/state.db")
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}
