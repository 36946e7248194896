package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/rules"
)

func TestAPIThroughSDK(t *testing.T) {
	ctx := context.Background()
	svc := rules.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	c := eventbridge.NewFromConfig(cfg)

	db, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
	require.NoError(t, err)
	assert.Equal(t, "default", aws.ToString(db.Name))
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:event-bus/default", aws.ToString(db.Arn))

	cb, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	require.NoError(t, err)
	lb, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	require.NoError(t, err)
	require.Len(t, lb.EventBuses, 2)
	assert.Equal(t, "default", aws.ToString(lb.EventBuses[0].Name))
	assert.Equal(t, aws.ToString(cb.EventBusArn), aws.ToString(lb.EventBuses[1].Arn))
	assert.NotNil(t, lb.EventBuses[1].CreationTime)

	pr, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("new-text"), EventPattern: aws.String(s3Pattern),
		Description: aws.String("txt uploads"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/new-text", aws.ToString(pr.RuleArn))

	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"aws.s3"}`)})
	var iep *types.InvalidEventPatternException
	require.True(t, errors.As(err, &iep), "%v", err)
	assert.Equal(t, `Event pattern is not valid. Reason: "source" must be an object or an array`, iep.ErrorMessage())

	dr, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("new-text")})
	require.NoError(t, err)
	assert.Equal(t, types.RuleStateEnabled, dr.State)
	assert.Equal(t, s3Pattern, aws.ToString(dr.EventPattern))
	assert.Equal(t, "default", aws.ToString(dr.EventBusName))
	assert.Equal(t, "123456789012", aws.ToString(dr.CreatedBy))

	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("missing")})
	var rnf *types.ResourceNotFoundException
	require.True(t, errors.As(err, &rnf), "%v", err)
	assert.Equal(t, "Rule missing does not exist on EventBus default.", rnf.ErrorMessage())

	pt, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("new-text"), Targets: []types.Target{
		{Id: aws.String("StartUploadAlarm"), Arn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:UploadAlarm"),
			RoleArn:          aws.String("arn:aws:iam::123456789012:role/events"),
			RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(3600)},
			DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:dlq")}},
		{Id: aws.String("Queue"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:q.fifo"),
			SqsParameters: &types.SqsParameters{MessageGroupId: aws.String("g1")}, InputPath: aws.String("$.detail")},
	}})
	require.NoError(t, err)
	assert.Equal(t, int32(0), pt.FailedEntryCount)
	assert.Empty(t, pt.FailedEntries)

	lt, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("new-text")})
	require.NoError(t, err)
	require.Len(t, lt.Targets, 2)
	assert.Equal(t, "StartUploadAlarm", aws.ToString(lt.Targets[0].Id))
	assert.Equal(t, int32(3600), aws.ToInt32(lt.Targets[0].RetryPolicy.MaximumEventAgeInSeconds))
	assert.Equal(t, "arn:aws:sqs:us-east-1:123456789012:dlq", aws.ToString(lt.Targets[0].DeadLetterConfig.Arn))
	assert.Equal(t, "g1", aws.ToString(lt.Targets[1].SqsParameters.MessageGroupId))
	assert.Equal(t, "$.detail", aws.ToString(lt.Targets[1].InputPath))

	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("new-text")})
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, "ValidationException", ae.ErrorCode())
	assert.Equal(t, "Rule can't be deleted since it has targets.", ae.ErrorMessage())

	_, err = c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("new-text")})
	require.NoError(t, err)
	lr, err := c.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("new")})
	require.NoError(t, err)
	require.Len(t, lr.Rules, 1)
	assert.Equal(t, types.RuleStateDisabled, lr.Rules[0].State)

	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: pr.RuleArn})
	require.NoError(t, err)
	assert.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}, tags.Tags)
	_, err = c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: pr.RuleArn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("local")}}})
	require.NoError(t, err)

	rt, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("new-text"), Ids: []string{"StartUploadAlarm", "Queue"}})
	require.NoError(t, err)
	assert.Equal(t, int32(0), rt.FailedEntryCount)
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("new-text")})
	require.NoError(t, err)

	pe, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{Source: aws.String("a"), DetailType: aws.String("b"), Detail: aws.String("{}")}}})
	require.NoError(t, err)
	assert.Equal(t, int32(0), pe.FailedEntryCount)
	require.Len(t, pe.Entries, 1)
	assert.NotEmpty(t, aws.ToString(pe.Entries[0].EventId))
}

func TestCLIListTargetsByRule(t *testing.T) {
	lctest.RequireAWSCLI(t)
	ctx := context.Background()
	svc := rules.New(lctest.Store(t))
	_, _, hs := lctest.Start(t, svc)
	_, err := svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "cli-rule", ScheduleExpression: "rate(5 minutes)"})
	require.NoError(t, err)
	_, err = svc.PutTargets(ctx, "us-east-1", "cli-rule", "", []rules.Target{{Id: "fn", Arn: "arn:aws:lambda:us-east-1:123456789012:function:tick", Input: `{"tick":true}`}})
	require.NoError(t, err)

	run := func(args ...string) []byte {
		cmd := lctest.AWSCommand(append([]string{"--endpoint-url", hs.URL, "events"}, append(args, "--output", "json")...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return out
	}
	var res struct {
		Targets []struct{ Id, Arn, Input string }
	}
	out := run("list-targets-by-rule", "--rule", "cli-rule")
	require.NoError(t, json.Unmarshal(out, &res), string(out))
	require.Len(t, res.Targets, 1)
	assert.Equal(t, "fn", res.Targets[0].Id)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:tick", res.Targets[0].Arn)
	assert.Equal(t, `{"tick":true}`, res.Targets[0].Input)

}
