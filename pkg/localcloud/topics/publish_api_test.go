package topics_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
)

func TestTheSDKPublishes(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	c := sns.NewFromConfig(cfg)
	ct, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders")})
	require.NoError(t, err)

	out, err := c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String("pineapple ordered"), Subject: aws.String("Order"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String("pizza")},
			"count": {DataType: aws.String("Number"), StringValue: aws.String("3")},
			"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		}})
	require.NoError(t, err)
	assert.Len(t, aws.ToString(out.MessageId), 36)
	assert.Nil(t, out.SequenceNumber)
	msgs, err := svc.Messages(ctx, aws.ToString(ct.TopicArn))
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, aws.ToString(out.MessageId), msgs[0].ID)
	assert.Equal(t, map[string]topics.MessageAttribute{
		"kind": {DataType: "String", StringValue: "pizza"}, "count": {DataType: "Number", StringValue: "3"}, "blob": {DataType: "Binary", BinaryValue: []byte{0, 1, 2}},
	}, msgs[0].MessageAttributes)

	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String("")})
	var ip *types.InvalidParameterException
	require.True(t, errors.As(err, &ip), "%v", err)
	assert.Equal(t, "Invalid parameter: Empty message", ip.ErrorMessage())
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String("m"),
		MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String("x")}}})
	var ipv *types.InvalidParameterValueException
	require.True(t, errors.As(err, &ipv), "%v", err)
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(aws.ToString(ct.TopicArn) + "-gone"), Message: aws.String("m")})
	var nf *types.NotFoundException
	require.True(t, errors.As(err, &nf), "%v", err)

	fifo, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	require.NoError(t, err)
	f1, err := c.Publish(ctx, &sns.PublishInput{TopicArn: fifo.TopicArn, Message: aws.String("one"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
	require.NoError(t, err)
	assert.NotEmpty(t, aws.ToString(f1.SequenceNumber))

	batch, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: ct.TopicArn, PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("first"), MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}},
		{Id: aws.String("b"), Message: aws.String("")},
		{Id: aws.String("c"), Message: aws.String("third")},
	}})
	require.NoError(t, err)
	require.Len(t, batch.Successful, 2)
	assert.Equal(t, "a", aws.ToString(batch.Successful[0].Id))
	assert.Equal(t, "c", aws.ToString(batch.Successful[1].Id))
	require.Len(t, batch.Failed, 1)
	assert.Equal(t, "b", aws.ToString(batch.Failed[0].Id))
	assert.Equal(t, "InvalidParameter", aws.ToString(batch.Failed[0].Code))
	assert.True(t, batch.Failed[0].SenderFault)
	msgs, err = svc.Messages(ctx, aws.ToString(ct.TopicArn))
	require.NoError(t, err)
	require.Len(t, msgs, 3)
	assert.Equal(t, "v", msgs[1].MessageAttributes["k"].StringValue, "a batch entry's attributes are its own")

	_, err = c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: ct.TopicArn, PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("x")}, {Id: aws.String("a"), Message: aws.String("y")}}})
	var dup *types.BatchEntryIdsNotDistinctException
	require.True(t, errors.As(err, &dup), "%v", err)
}

func TestTheCLIPublishes(t *testing.T) {
	lctest.RequireAWSCLI(t)
	ctx := context.Background()
	svc := topics.New(lctest.Store(t))
	_, _, hs := lctest.Start(t, svc)
	arn, err := svc.CreateTopic(ctx, "us-east-1", "cli", nil, nil)
	require.NoError(t, err)

	cmd := lctest.AWSCommand("--endpoint-url", hs.URL, "--output", "json", "sns", "publish", "--topic-arn", arn,
		"--message", "hello from the CLI", "--subject", "Hi",
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"pizza"}}`)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var res struct{ MessageId string }
	require.NoError(t, json.Unmarshal(out, &res), "%s", out)
	msgs, err := svc.Messages(ctx, arn)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, res.MessageId, msgs[0].ID)
	assert.Equal(t, "hello from the CLI", msgs[0].Message)
	assert.Equal(t, "pizza", msgs[0].MessageAttributes["kind"].StringValue)

	cmd = lctest.AWSCommand("--endpoint-url", hs.URL, "sns", "publish", "--topic-arn", arn, "--message", "m", "--subject", "x\ny")
	out, err = cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "(InvalidParameter)")
}

// denyPublish refuses sns:Publish to one access key, as a role without it would.
type denyPublish struct {
	mu    sync.Mutex
	asked []string
}

func (d *denyPublish) AuthorizeKey(_ context.Context, key, action, resource string) error {
	d.mu.Lock()
	d.asked = append(d.asked, action+" "+resource)
	d.mu.Unlock()
	if key == "ASIAROLE" && action == "sns:Publish" {
		return &localcloud.Error{Code: "AccessDeniedException", Status: 403, Message: "not authorized to perform: " + action + " on resource: " + resource}
	}
	return nil
}

func TestPublishIsAuthorizedOnTheTopic(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctest.Store(t))
	cfg, srv, _ := lctest.Start(t, svc)
	authz := &denyPublish{}
	srv.SetAuthorizer(authz)
	arn, err := svc.CreateTopic(ctx, "us-east-1", "guarded", nil, nil)
	require.NoError(t, err)
	cfg.Credentials = credentials.NewStaticCredentialsProvider("ASIAROLE", "secret", "token")
	c := sns.NewFromConfig(cfg)

	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("m")})
	var denied *types.AuthorizationErrorException
	require.True(t, errors.As(err, &denied), "%v", err)
	assert.Contains(t, denied.ErrorMessage(), "sns:Publish on resource: "+arn)
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)

	authz.mu.Lock()
	defer authz.mu.Unlock()
	assert.Equal(t, []string{"sns:Publish " + arn, "sns:GetTopicAttributes " + arn}, authz.asked)
	msgs, err := svc.Messages(ctx, arn)
	require.NoError(t, err)
	assert.Empty(t, msgs)
}
