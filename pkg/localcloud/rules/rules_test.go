package rules_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/rules"
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

const s3Pattern = `{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["uploads"]},"object":{"key":[{"suffix":".txt"}]}}}`

func TestPatternsAndSchedules(t *testing.T) {
	for _, ok := range []string{
		s3Pattern,
		`{"detail":{"size":[{"numeric":[">",0,"<=",5]}],"ip":[{"cidr":"10.0.0.0/24"}]}}`,
		`{"detail":{"state":[{"anything-but":["stopped","pending"]}],"name":[{"prefix":{"equals-ignore-case":"ab"}}]}}`,
		`{"detail":{"x":[{"exists":false}],"y":[null, 1, true, "s"],"z":[{"wildcard":"a*b"}]}}`,
		`{"$or":[{"source":["a"]},{"detail-type":["b"]}]}`,
	} {
		assert.NoError(t, rules.ValidatePattern(ok), ok)
	}
	for pat, reason := range map[string]string{
		`[1]`:                                 "Filter is not an object",
		`{"source":"aws.s3"}`:                 `"source" must be an object or an array`,
		`{"source":[{"bogus":1}]}`:            "Unrecognized match type bogus",
		`{"source":[]}`:                       "Empty arrays are not allowed",
		`{"d":[{"exists":"yes"}]}`:            "exists match pattern must be either true or false.",
		`{"d":[{"numeric":["~",1]}]}`:         "Unrecognized numeric range operator: ~",
		`{"d":[{"prefix":"a","suffix":"b"}]}`: "Only one key allowed in match expression",
	} {
		err := rules.ValidatePattern(pat)
		awsErr(t, err, "InvalidEventPatternException", "Event pattern is not valid. Reason: "+reason)
	}
	awsErr(t, rules.ValidatePattern(`{"source":`), "InvalidEventPatternException", "")

	for _, ok := range []string{"rate(1 minute)", "rate(5 minutes)", "rate(2 days)", "cron(0 20 * * ? *)",
		"cron(0/15 8-17 ? * MON-FRI *)", "cron(0 10 L * ? 2030)", "cron(0 12 ? * 6#3 *)"} {
		assert.NoError(t, rules.ValidateSchedule(ok), ok)
	}
	for _, bad := range []string{"rate(1 minutes)", "rate(5 minute)", "rate(0 hours)", "rate(5 weeks)", "every hour",
		"cron(0 20 * * * *)", "cron(0 20 ? * ? *)", "cron(61 20 * * ? *)", "cron(0 20 * *)", "cron(0 25 * * ? *)"} {
		awsErr(t, rules.ValidateSchedule(bad), "ValidationException", "Parameter ScheduleExpression is not valid.")
	}
}

func TestRuleLifecycle(t *testing.T) {
	ctx := context.Background()
	svc := rules.New(lctest.Store(t))

	b, err := svc.DescribeEventBus(ctx, "us-east-1", "")
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:event-bus/default", b.Arn)

	arn, err := svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "new-text", EventPattern: s3Pattern, Description: "txt uploads"})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/new-text", arn)
	r, err := svc.DescribeRule(ctx, "us-east-1", "new-text", "")
	require.NoError(t, err)
	assert.Equal(t, "ENABLED", r.State)
	assert.Equal(t, "default", r.EventBusName)
	assert.Equal(t, s3Pattern, r.EventPattern)

	_, err = svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "nothing"})
	awsErr(t, err, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.")
	_, err = svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "bad pattern", EventPattern: s3Pattern})
	awsErr(t, err, "ValidationException", "")
	_, err = svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "x", EventPattern: `{"a":1}`})
	awsErr(t, err, "InvalidEventPatternException", `Event pattern is not valid. Reason: "a" must be an object or an array`)
	_, err = svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "x", ScheduleExpression: "rate(5 minute)"})
	awsErr(t, err, "ValidationException", "Parameter ScheduleExpression is not valid.")
	_, err = svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "x", ScheduleExpression: "rate(5 minutes)", State: "ON"})
	awsErr(t, err, "ValidationException", "")
	_, err = svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "x", EventPattern: s3Pattern, EventBusName: "orders"})
	awsErr(t, err, "ResourceNotFoundException", "Event bus orders does not exist.")

	// A custom bus: rule ARNs name it; schedules are for the default bus only.
	busArn, err := svc.CreateEventBus(ctx, "us-east-1", "orders", "", nil)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:event-bus/orders", busArn)
	arn2, err := svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "placed", EventPattern: `{"detail-type":["Order Placed"]}`, EventBusName: busArn})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/orders/placed", arn2)
	_, err = svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "tick", ScheduleExpression: "rate(1 hour)", EventBusName: "orders"})
	awsErr(t, err, "ValidationException", "ScheduleExpression is supported only on the default event bus.")

	// Targets.
	_, err = svc.PutTargets(ctx, "us-east-1", "missing", "", []rules.Target{{Id: "a", Arn: "arn:aws:sqs:us-east-1:123456789012:q"}})
	awsErr(t, err, "ResourceNotFoundException", "Rule missing does not exist on EventBus default.")
	_, err = svc.PutTargets(ctx, "us-east-1", "new-text", "", []rules.Target{{Id: "a", Arn: "not-an-arn"}})
	awsErr(t, err, "ValidationException", "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.")
	_, err = svc.PutTargets(ctx, "us-east-1", "new-text", "", []rules.Target{{Id: "a", Arn: "arn:aws:sqs:us-east-1:123456789012:q", Input: "{}", InputPath: "$.detail"}})
	awsErr(t, err, "ValidationException", "Only one of Input, InputPath, or InputTransformer must be provided.")
	five := 5
	failed, err := svc.PutTargets(ctx, "us-east-1", "new-text", "", []rules.Target{
		{Id: "StartUploadAlarm", Arn: "arn:aws:states:us-east-1:123456789012:stateMachine:UploadAlarm", RoleArn: "arn:aws:iam::123456789012:role/r",
			RetryPolicy: &rules.RetryPolicy{MaximumRetryAttempts: &five}},
		{Id: "log", Arn: "arn:aws:lambda:us-east-1:123456789012:function:log", InputTransformer: &rules.InputTransformer{
			InputPathsMap: map[string]string{"key": "$.detail.object.key"}, InputTemplate: `{"key": <key>}`}},
	})
	require.NoError(t, err)
	assert.Empty(t, failed)
	more := make([]rules.Target, 4)
	for i := range more {
		more[i] = rules.Target{Id: fmt.Sprintf("m%d", i), Arn: "arn:aws:sqs:us-east-1:123456789012:q"}
	}
	_, err = svc.PutTargets(ctx, "us-east-1", "new-text", "", more)
	awsErr(t, err, "LimitExceededException", "")

	ts, _, err := svc.ListTargetsByRule(ctx, "us-east-1", "new-text", "", "", 0)
	require.NoError(t, err)
	require.Len(t, ts, 2)
	assert.Equal(t, "StartUploadAlarm", ts[0].Id)
	assert.Equal(t, 5, *ts[0].RetryPolicy.MaximumRetryAttempts)

	// Paging over targets.
	page1, next, err := svc.ListTargetsByRule(ctx, "us-east-1", "new-text", "", "", 1)
	require.NoError(t, err)
	require.Len(t, page1, 1)
	require.NotEmpty(t, next)
	page2, next, err := svc.ListTargetsByRule(ctx, "us-east-1", "new-text", "", next, 1)
	require.NoError(t, err)
	require.Len(t, page2, 1)
	assert.Equal(t, "log", page2[0].Id)
	assert.Empty(t, next)

	require.NoError(t, svc.DisableRule(ctx, "us-east-1", "new-text", ""))
	all, err := svc.Rules(ctx, "default")
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, "DISABLED", all[0].State)
	assert.Len(t, all[0].Targets, 2)
	require.NoError(t, svc.EnableRule(ctx, "us-east-1", "new-text", ""))
	onOrders, err := svc.Rules(ctx, busArn)
	require.NoError(t, err)
	require.Len(t, onOrders, 1)
	assert.Equal(t, "placed", onOrders[0].Name)

	// PutRule again replaces the rule but keeps its targets.
	_, err = svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "new-text", ScheduleExpression: "rate(1 day)"})
	require.NoError(t, err)
	r, err = svc.DescribeRule(ctx, "us-east-1", "new-text", "")
	require.NoError(t, err)
	assert.Empty(t, r.Description)
	assert.Empty(t, r.EventPattern)
	assert.Len(t, r.Targets, 2)

	awsErr(t, svc.DeleteRule(ctx, "us-east-1", "new-text", ""), "ValidationException", "Rule can't be deleted since it has targets.")
	_, err = svc.RemoveTargets(ctx, "us-east-1", "new-text", "", []string{"StartUploadAlarm", "log"})
	require.NoError(t, err)
	require.NoError(t, svc.DeleteRule(ctx, "us-east-1", "new-text", ""))
	require.NoError(t, svc.DeleteRule(ctx, "us-east-1", "new-text", ""), "deleting a rule that is gone is not an error")
	_, err = svc.DescribeRule(ctx, "us-east-1", "new-text", "")
	awsErr(t, err, "ResourceNotFoundException", "Rule new-text does not exist on EventBus default.")
}

func TestListRulesPagingAndTags(t *testing.T) {
	ctx := context.Background()
	svc := rules.New(lctest.Store(t))
	for i := range 7 {
		_, err := svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: fmt.Sprintf("r%d", i), ScheduleExpression: "rate(5 minutes)"})
		require.NoError(t, err)
	}
	_, err := svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "other", ScheduleExpression: "rate(5 minutes)"})
	require.NoError(t, err)
	var names []string
	token := ""
	for {
		rs, next, err := svc.ListRules(ctx, "us-east-1", "", "r", token, 3)
		require.NoError(t, err)
		for _, r := range rs {
			names = append(names, r.Name)
		}
		if next == "" {
			break
		}
		token = next
	}
	assert.Equal(t, []string{"r0", "r1", "r2", "r3", "r4", "r5", "r6"}, names)
	_, _, err = svc.ListRules(ctx, "us-east-1", "", "", "", 101)
	awsErr(t, err, "ValidationException", "")

	arn := rules.RuleARN("us-east-1", "default", "r1")
	require.NoError(t, svc.TagResource(ctx, arn, []rules.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}))
	require.NoError(t, svc.UntagResource(ctx, arn, []string{"b"}))
	tags, err := svc.ListTagsForResource(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, []rules.Tag{{Key: "a", Value: "1"}}, tags)
	_, err = svc.ListTagsForResource(ctx, rules.RuleARN("us-east-1", "default", "nope"))
	awsErr(t, err, "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")
	require.NoError(t, svc.TagResource(ctx, rules.BusARN("us-east-1", "default"), []rules.Tag{{Key: "bus", Value: "yes"}}))
	tags, err = svc.ListTagsForResource(ctx, rules.BusARN("us-east-1", "default"))
	require.NoError(t, err)
	assert.Equal(t, []rules.Tag{{Key: "bus", Value: "yes"}}, tags)
}

func TestRestartKeepsRules(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/state.db"
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	svc := rules.New(st)
	_, err = svc.CreateEventBus(ctx, "us-east-1", "orders", "order events", nil)
	require.NoError(t, err)
	_, err = svc.PutRule(ctx, "us-east-1", rules.PutRuleInput{Name: "placed", EventPattern: `{"source":["shop"]}`, EventBusName: "orders", State: "DISABLED"})
	require.NoError(t, err)
	_, err = svc.PutTargets(ctx, "us-east-1", "placed", "orders", []rules.Target{{Id: "q", Arn: "arn:aws:sqs:us-east-1:123456789012:q", Input: `{"a":1}`}})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer st.Close()
	svc = rules.New(st)
	b, err := svc.DescribeEventBus(ctx, "us-east-1", "orders")
	require.NoError(t, err)
	assert.Equal(t, "order events", b.Description)
	rs, err := svc.Rules(ctx, "orders")
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, "DISABLED", rs[0].State)
	require.Len(t, rs[0].Targets, 1)
	assert.Equal(t, `{"a":1}`, rs[0].Targets[0].Input)
}
