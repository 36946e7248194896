package topics_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
)

func TestPublishKeepsTheMessageAndOneDeliveryPerConfirmedSubscription(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/state.db"
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	svc := topics.New(st)
	arn, err := svc.CreateTopic(ctx, "us-east-1", "orders", nil, nil)
	require.NoError(t, err)
	fn, err := svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "lambda", Endpoint: "arn:aws:lambda:us-east-1:123456789012:function:notify"})
	require.NoError(t, err)
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "email", Endpoint: "ops@example.com"})
	require.NoError(t, err)

	id, err := svc.Publish(ctx, "us-east-1", topics.PublishInput{TopicArn: arn, Message: "pineapple ordered", Subject: "Order",
		MessageAttributes: map[string]topics.MessageAttribute{"kind": {DataType: "String", StringValue: "pizza"}, "n": {DataType: "Number", StringValue: "2"}}})
	require.NoError(t, err)
	assert.Len(t, id, 36)
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	svc = topics.New(st)
	msgs, err := svc.Messages(ctx, arn)
	require.NoError(t, err)
	require.Len(t, msgs, 1, "a restart keeps the message")
	m := msgs[0]
	assert.Equal(t, id, m.ID)
	assert.Equal(t, "pineapple ordered", m.Message)
	assert.Equal(t, "Order", m.Subject)
	assert.Equal(t, "pizza", m.MessageAttributes["kind"].StringValue)
	assert.False(t, m.Time.IsZero())

	pending, err := svc.PendingDeliveries(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 1, "the email subscription awaits confirmation: no delivery for it")
	assert.Equal(t, fn.Arn, pending[0].SubscriptionArn)
	assert.Equal(t, "lambda", pending[0].Protocol)
	assert.Equal(t, id, pending[0].MessageID)

	// Confirmed later: the next message has two deliveries.
	_, err = svc.ConfirmLocally(ctx, arn, "ops@example.com")
	require.NoError(t, err)
	_, err = svc.Publish(ctx, "us-east-1", topics.PublishInput{TargetArn: arn, Message: "second"})
	require.NoError(t, err)
	pending, err = svc.PendingDeliveries(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 3)
	require.NoError(t, svc.DeliveryDone(ctx, pending[0].Key))
	pending, err = svc.PendingDeliveries(ctx)
	require.NoError(t, err)
	assert.Len(t, pending, 2)
}

func TestPublishRefusesWhatSNSRefuses(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctestStore(t))
	arn, err := svc.CreateTopic(ctx, "us-east-1", "orders", nil, nil)
	require.NoError(t, err)
	fifo, err := svc.CreateTopic(ctx, "us-east-1", "orders.fifo", map[string]string{"FifoTopic": "true"}, nil)
	require.NoError(t, err)
	str := func(v string) topics.MessageAttribute {
		return topics.MessageAttribute{DataType: "String", StringValue: v}
	}
	for _, tc := range []struct {
		in        topics.PublishInput
		code, msg string
	}{
		{topics.PublishInput{Message: "m"}, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"},
		{topics.PublishInput{TopicArn: arn + "-gone", Message: "m"}, "NotFound", "Topic does not exist"},
		{topics.PublishInput{TopicArn: "not-an-arn", Message: "m"}, "InvalidParameter", "Invalid parameter: TopicArn"},
		{topics.PublishInput{TopicArn: arn}, "InvalidParameter", "Invalid parameter: Empty message"},
		{topics.PublishInput{TopicArn: arn, Message: strings.Repeat("x", 262145)}, "InvalidParameter", "Invalid parameter: Message too long"},
		{topics.PublishInput{TopicArn: arn, Message: "m", Subject: strings.Repeat("s", 101)}, "InvalidParameter", "Invalid parameter: Subject"},
		{topics.PublishInput{TopicArn: arn, Message: "m", Subject: "two\nlines"}, "InvalidParameter", "Invalid parameter: Subject"},
		{topics.PublishInput{TopicArn: arn, Message: "m", MessageStructure: "xml"}, "InvalidParameter", "Invalid parameter: MessageStructure"},
		{topics.PublishInput{TopicArn: arn, Message: "{", MessageStructure: "json"}, "InvalidParameter", "Invalid parameter: Message Structure - JSON message body failed to parse"},
		{topics.PublishInput{TopicArn: arn, Message: `{"email":"hi"}`, MessageStructure: "json"}, "InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body"},
		{topics.PublishInput{TopicArn: arn, Message: "m", MessageAttributes: map[string]topics.MessageAttribute{"a": {DataType: "Date", StringValue: "x"}}},
			"ParameterValueInvalid", "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{topics.PublishInput{TopicArn: arn, Message: "m", MessageAttributes: map[string]topics.MessageAttribute{"a": {DataType: "String"}}},
			"ParameterValueInvalid", "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."},
		{topics.PublishInput{TopicArn: arn, Message: "m", MessageAttributes: map[string]topics.MessageAttribute{"n": {DataType: "Number", StringValue: "many"}}},
			"ParameterValueInvalid", "Could not cast message attribute 'n' value to number."},
		{topics.PublishInput{TopicArn: arn, Message: "m", MessageAttributes: map[string]topics.MessageAttribute{"AWS.x": str("v")}},
			"ParameterValueInvalid", "The message attribute name 'AWS.x' is invalid."},
		{topics.PublishInput{TopicArn: arn, Message: "m", MessageAttributes: map[string]topics.MessageAttribute{"l": {DataType: "String.Array", StringValue: "[1"}}},
			"ParameterValueInvalid", ""},
		{topics.PublishInput{TopicArn: arn, Message: "m", MessageAttributes: map[string]topics.MessageAttribute{
			"a1": str("v"), "a2": str("v"), "a3": str("v"), "a4": str("v"), "a5": str("v"), "a6": str("v"),
			"a7": str("v"), "a8": str("v"), "a9": str("v"), "a10": str("v"), "a11": str("v")}},
			"ParameterValueInvalid", "Number of message attributes [11] exceeds the allowed maximum [10]."},
		{topics.PublishInput{TopicArn: arn, Message: "m", MessageDeduplicationId: "d"}, "InvalidParameter",
			"Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"},
		{topics.PublishInput{TopicArn: fifo, Message: "m"}, "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"},
		{topics.PublishInput{TopicArn: fifo, Message: "m", MessageGroupId: "g"}, "InvalidParameter",
			"Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"},
	} {
		_, err := svc.Publish(ctx, "us-east-1", tc.in)
		awsErr(t, err, tc.code, tc.msg)
	}
	msgs, err := svc.Messages(ctx, arn)
	require.NoError(t, err)
	assert.Empty(t, msgs, "nothing refused is kept")

	_, err = svc.Publish(ctx, "us-east-1", topics.PublishInput{TopicArn: arn, Message: `{"default":"hi","email":"Hello"}`, MessageStructure: "json",
		MessageAttributes: map[string]topics.MessageAttribute{"l": {DataType: "String.Array", StringValue: `["a",1]`}, "b": {DataType: "Binary", BinaryValue: []byte{1}},
			"custom": {DataType: "String.order", StringValue: "x"}}})
	require.NoError(t, err)
}

func TestFIFOPublishesAreSequencedAndDeduplicated(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctestStore(t))
	arn, err := svc.CreateTopic(ctx, "us-east-1", "orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"}, nil)
	require.NoError(t, err)
	id1, seq1, err := svc.PublishFIFO(ctx, "us-east-1", topics.PublishInput{TopicArn: arn, Message: "one", MessageGroupId: "g"})
	require.NoError(t, err)
	id2, seq2, err := svc.PublishFIFO(ctx, "us-east-1", topics.PublishInput{TopicArn: arn, Message: "two", MessageGroupId: "g"})
	require.NoError(t, err)
	again, seqAgain, err := svc.PublishFIFO(ctx, "us-east-1", topics.PublishInput{TopicArn: arn, Message: "one", MessageGroupId: "g"})
	require.NoError(t, err)
	assert.NotEqual(t, id1, id2)
	assert.Len(t, seq1, 20)
	assert.Less(t, seq1, seq2)
	assert.Equal(t, id1, again, "the same content within five minutes is the same message")
	assert.Equal(t, seq1, seqAgain)
	msgs, err := svc.Messages(ctx, arn)
	require.NoError(t, err)
	assert.Len(t, msgs, 2)
}

func TestPublishToAnEncryptedTopicNeedsItsKey(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctestStore(t))
	known := "arn:aws:kms:us-east-1:123456789012:key/0b6f1f8e-0000-4000-8000-000000000001"
	var asked []string
	svc.SetKeyChecker(topics.KeyCheckerFunc(func(_ context.Context, region, keyID string) error {
		asked = append(asked, region+" "+keyID)
		if keyID == known {
			return nil
		}
		return &localcloud.Error{Code: "KMSNotFound", Status: 400, Message: "Invalid keyId " + keyID}
	}))
	good, err := svc.CreateTopic(ctx, "us-east-1", "good", map[string]string{"KmsMasterKeyId": known}, nil)
	require.NoError(t, err)
	bad, err := svc.CreateTopic(ctx, "us-east-1", "bad", map[string]string{"KmsMasterKeyId": "alias/gone"}, nil)
	require.NoError(t, err)
	managed, err := svc.CreateTopic(ctx, "us-east-1", "managed", map[string]string{"KmsMasterKeyId": "alias/aws/sns"}, nil)
	require.NoError(t, err)

	_, err = svc.Publish(ctx, "us-east-1", topics.PublishInput{TopicArn: good, Message: "m"})
	require.NoError(t, err)
	_, err = svc.Publish(ctx, "us-east-1", topics.PublishInput{TopicArn: bad, Message: "m"})
	awsErr(t, err, "KMSNotFound", "Invalid keyId alias/gone")
	_, err = svc.Publish(ctx, "us-east-1", topics.PublishInput{TopicArn: managed, Message: "m"})
	require.NoError(t, err, "the AWS managed key always exists")
	assert.Equal(t, []string{"us-east-1 " + known, "us-east-1 alias/gone"}, asked)
}
