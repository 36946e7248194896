package topics_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
)

func TestAPIThroughSDK(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	c := sns.NewFromConfig(cfg)

	ct, err := c.CreateTopic(ctx, &sns.CreateTopicInput{
		Name:       aws.String("alarms"),
		Attributes: map[string]string{"DisplayName": "Alarm topic", "KmsMasterKeyId": "alias/aws/sns"},
		Tags:       []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}},
	})
	require.NoError(t, err)
	arn := aws.ToString(ct.TopicArn)
	assert.Equal(t, "arn:aws:sns:us-east-1:123456789012:alarms", arn)

	ga, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: ct.TopicArn})
	require.NoError(t, err)
	assert.Equal(t, "Alarm topic", ga.Attributes["DisplayName"])
	assert.Equal(t, "alias/aws/sns", ga.Attributes["KmsMasterKeyId"])
	assert.Equal(t, "123456789012", ga.Attributes["Owner"])
	assert.True(t, json.Valid([]byte(ga.Attributes["Policy"])))

	_, err = c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: ct.TopicArn, AttributeName: aws.String("TracingConfig"), AttributeValue: aws.String("Active")})
	require.NoError(t, err)

	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn + "-gone")})
	var nf *types.NotFoundException
	require.True(t, errors.As(err, &nf), "%v", err)
	assert.Equal(t, "Topic does not exist", nf.ErrorMessage())

	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("nope")})
	var ip *types.InvalidParameterException
	require.True(t, errors.As(err, &ip), "%v", err)
	assert.Equal(t, "Invalid parameter: Email address", ip.ErrorMessage())

	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")})
	require.NoError(t, err)
	assert.Equal(t, "pending confirmation", aws.ToString(sub.SubscriptionArn))
	withArn, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com"), ReturnSubscriptionArn: true})
	require.NoError(t, err)
	emailArn := aws.ToString(withArn.SubscriptionArn)
	assert.Contains(t, emailArn, arn+":")

	fn, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("lambda"),
		Endpoint:   aws.String("arn:aws:lambda:us-east-1:123456789012:function:notify"),
		Attributes: map[string]string{"FilterPolicy": `{"level":["error"]}`}})
	require.NoError(t, err)
	fnArn := aws.ToString(fn.SubscriptionArn)
	assert.Contains(t, fnArn, arn+":")

	ls, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: ct.TopicArn})
	require.NoError(t, err)
	require.Len(t, ls.Subscriptions, 2)
	byProto := map[string]types.Subscription{}
	for _, s := range ls.Subscriptions {
		byProto[aws.ToString(s.Protocol)] = s
	}
	assert.Equal(t, "PendingConfirmation", aws.ToString(byProto["email"].SubscriptionArn))
	assert.Equal(t, fnArn, aws.ToString(byProto["lambda"].SubscriptionArn))
	assert.Equal(t, "123456789012", aws.ToString(byProto["lambda"].Owner))
	assert.Equal(t, arn, aws.ToString(byProto["lambda"].TopicArn))

	gs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(emailArn)})
	require.NoError(t, err)
	assert.Equal(t, "true", gs.Attributes["PendingConfirmation"])
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(fnArn),
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")})
	require.NoError(t, err)
	gs, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(fnArn)})
	require.NoError(t, err)
	assert.Equal(t, "true", gs.Attributes["RawMessageDelivery"])
	assert.Equal(t, `{"level":["error"]}`, gs.Attributes["FilterPolicy"])

	// Confirm through the API with the token a confirmation message carries.
	subs, err := svc.Subscriptions(ctx, arn)
	require.NoError(t, err)
	token := ""
	for _, s := range subs {
		if s.Arn == emailArn {
			token = s.Token
		}
	}
	cs, err := c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: ct.TopicArn, Token: aws.String(token)})
	require.NoError(t, err)
	assert.Equal(t, emailArn, aws.ToString(cs.SubscriptionArn))
	all, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	require.NoError(t, err)
	assert.Len(t, all.Subscriptions, 2)
	for _, s := range all.Subscriptions {
		assert.NotEqual(t, "PendingConfirmation", aws.ToString(s.SubscriptionArn))
	}

	_, err = c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: ct.TopicArn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("local")}}})
	require.NoError(t, err)
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: ct.TopicArn})
	require.NoError(t, err)
	assert.Equal(t, []types.Tag{{Key: aws.String("env"), Value: aws.String("local")}, {Key: aws.String("team"), Value: aws.String("ops")}}, tags.Tags)

	lt, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	require.NoError(t, err)
	require.Len(t, lt.Topics, 1)
	assert.Equal(t, arn, aws.ToString(lt.Topics[0].TopicArn))
	assert.Nil(t, lt.NextToken)

	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(fnArn)})
	require.NoError(t, err)
	_, err = c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: ct.TopicArn})
	require.NoError(t, err)
	lt, err = c.ListTopics(ctx, &sns.ListTopicsInput{})
	require.NoError(t, err)
	assert.Empty(t, lt.Topics)

	// A publish to the deleted topic finds none.
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String("hi")})
	require.True(t, errors.As(err, &nf), "%v", err)

	// SMS is not here: it fails loudly, by name.
	_, err = c.ListPhoneNumbersOptedOut(ctx, &sns.ListPhoneNumbersOptedOutInput{})
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, "InvalidAction", ae.ErrorCode())
	assert.Contains(t, ae.ErrorMessage(), "ListPhoneNumbersOptedOut")
}

func TestCLIListSubscriptions(t *testing.T) {
	lctest.RequireAWSCLI(t)
	ctx := context.Background()
	svc := topics.New(lctest.Store(t))
	_, _, hs := lctest.Start(t, svc)
	arn, err := svc.CreateTopic(ctx, "us-east-1", "cli", nil, nil)
	require.NoError(t, err)
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "email", Endpoint: "ops@example.com"})
	require.NoError(t, err)

	cmd := lctest.AWSCommand("--endpoint-url", hs.URL, "sns", "list-subscriptions", "--output", "json")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	var res struct {
		Subscriptions []struct{ SubscriptionArn, Owner, Protocol, Endpoint, TopicArn string }
	}
	require.NoError(t, json.Unmarshal(out, &res), string(out))
	require.Len(t, res.Subscriptions, 1)
	assert.Equal(t, "PendingConfirmation", res.Subscriptions[0].SubscriptionArn)
	assert.Equal(t, "ops@example.com", res.Subscriptions[0].Endpoint)
	assert.Equal(t, arn, res.Subscriptions[0].TopicArn)

	// The confirmation done locally shows through the SDK.
	subArn, err := svc.ConfirmLocally(ctx, arn, "ops@example.com")
	require.NoError(t, err)
	c := sns.NewFromConfig(lctest.Config(hs.URL))
	gs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subArn)})
	require.NoError(t, err)
	assert.Equal(t, "false", gs.Attributes["PendingConfirmation"])
	assert.Equal(t, "false", gs.Attributes["ConfirmationWasAuthenticated"])
}
