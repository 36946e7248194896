package topics_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
)

const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// The upload-alarm template's AlarmTopic and AlarmTopicEmailSubscription,
// their intrinsics resolved.
func TestProvidersWithUploadAlarmTemplate(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	c := sns.NewFromConfig(cfg)
	tp, sp := topics.TopicProvider(svc), topics.SubscriptionProvider(svc)
	assert.Equal(t, "AWS::SNS::Topic", tp.Type())
	assert.ElementsMatch(t, []string{"TopicName", "FifoTopic"}, tp.CreateOnlyProperties())
	assert.Equal(t, "AWS::SNS::Subscription", sp.Type())

	topicReq := &cfnengine.ResourceRequest{StackName: "upload-alarm", LogicalID: "AlarmTopic", Region: "us-east-1", Account: "123456789012",
		Type: "AWS::SNS::Topic", Properties: map[string]any{
			"DisplayName":    "Topic for Sfn Error Notification",
			"KmsMasterKeyId": keyArn,
		}}
	res, err := tp.Create(ctx, topicReq)
	require.NoError(t, err)
	arn := res.Ref
	assert.Equal(t, arn, res.PhysicalID)
	assert.True(t, strings.HasPrefix(arn, "arn:aws:sns:us-east-1:123456789012:upload-alarm-AlarmTopic-"), arn)
	assert.Equal(t, arn, res.Attributes["TopicArn"])
	assert.Equal(t, topics.TopicName(arn), res.Attributes["TopicName"])

	ga, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, "Topic for Sfn Error Notification", ga.Attributes["DisplayName"])
	assert.Equal(t, keyArn, ga.Attributes["KmsMasterKeyId"])

	subReq := &cfnengine.ResourceRequest{StackName: "upload-alarm", LogicalID: "AlarmTopicEmailSubscription", Region: "us-east-1",
		Type: "AWS::SNS::Subscription", Properties: map[string]any{
			"Endpoint": "ops@example.com", "Protocol": "email", "TopicArn": arn,
		}}
	sres, err := sp.Create(ctx, subReq)
	require.NoError(t, err)
	subArn := sres.Ref
	assert.True(t, strings.HasPrefix(subArn, arn+":"), "a pending email subscription's Ref is still its ARN: %s", subArn)
	gs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subArn)})
	require.NoError(t, err)
	assert.Equal(t, "true", gs.Attributes["PendingConfirmation"])
	assert.Equal(t, "ops@example.com", gs.Attributes["Endpoint"])

	// A bad endpoint fails as CloudFormation words a handler failure.
	_, err = sp.Create(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", Properties: map[string]any{
		"Endpoint": "not-an-email", "Protocol": "email", "TopicArn": arn}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Resource handler returned message: "Invalid parameter: Email address (Service: Sns, Status Code: 400`)

	// Updates in place: the topic's display name and a subscription list
	// entry; the subscription's filter policy and raw delivery.
	upd := &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: arn, OldProperties: topicReq.Properties, Properties: map[string]any{
		"DisplayName":  "Renamed",
		"Subscription": []any{map[string]any{"Protocol": "lambda", "Endpoint": "arn:aws:lambda:us-east-1:123456789012:function:notify"}},
		"Tags":         []any{map[string]any{"Key": "team", "Value": "ops"}},
	}}
	_, err = tp.Update(ctx, upd)
	require.NoError(t, err)
	ga, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, "Renamed", ga.Attributes["DisplayName"])
	assert.NotContains(t, ga.Attributes, "KmsMasterKeyId")
	assert.Equal(t, "1", ga.Attributes["SubscriptionsConfirmed"])
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)

	_, err = sp.Update(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: subArn, OldProperties: subReq.Properties,
		Properties: map[string]any{"Endpoint": "ops@example.com", "Protocol": "email", "TopicArn": arn,
			"FilterPolicy": map[string]any{"level": []any{"error"}}}})
	require.NoError(t, err)
	gs, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subArn)})
	require.NoError(t, err)
	assert.Equal(t, `{"level":["error"]}`, gs.Attributes["FilterPolicy"])

	// Dropping the list entry unsubscribes it.
	_, err = tp.Update(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: arn, OldProperties: upd.Properties,
		Properties: map[string]any{"DisplayName": "Renamed"}})
	require.NoError(t, err)
	ls, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	require.Len(t, ls.Subscriptions, 1)
	assert.Equal(t, "email", aws.ToString(ls.Subscriptions[0].Protocol))
	tags, err = c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Empty(t, tags.Tags)

	require.NoError(t, sp.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: subArn}))
	require.NoError(t, sp.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: subArn}), "an already-gone subscription is deleted")
	require.NoError(t, tp.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: arn}))
	require.NoError(t, tp.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: arn}))
	lt, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	require.NoError(t, err)
	assert.Empty(t, lt.Topics)
}

func TestTopicProviderNamesAndFifo(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctest.Store(t))
	tp := topics.TopicProvider(svc)
	res, err := tp.Create(ctx, &cfnengine.ResourceRequest{StackName: "s", LogicalID: "Orders", Region: "us-east-1",
		Properties: map[string]any{"FifoTopic": "true", "ContentBasedDeduplication": true}})
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(res.Ref, ".fifo"), res.Ref)
	attrs, err := svc.GetTopicAttributes(ctx, res.Ref)
	require.NoError(t, err)
	assert.Equal(t, "true", attrs["FifoTopic"])

	res, err = tp.Create(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", Properties: map[string]any{"TopicName": "named"}})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sns:us-east-1:123456789012:named", res.Ref)
	_, err = tp.Create(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", Properties: map[string]any{"TopicName": "named"}})
	require.ErrorContains(t, err, "named already exists")

	_, err = tp.Create(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", Properties: map[string]any{
		"TopicName": "logged", "DeliveryStatusLogging": []any{map[string]any{"Protocol": "lambda"}}}})
	require.ErrorContains(t, err, "does not support property DeliveryStatusLogging of AWS::SNS::Topic")
}
