package machines_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
)

// waitABit is the pause of a poll for an asynchronous outcome.
func waitABit() { time.Sleep(2 * time.Millisecond) }

func TestPizzaRunsSynchronouslyAsTheSeedShows(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, lctest.Store(t), machines.WithLambda(invoker(checkPizza)))
	client := serve(t, svc)
	arn := create(t, client, "Pizza", definition(t, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn}), types.StateMachineTypeExpress)

	ok, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: &arn, Input: aws.String(`{ "flavour": "pepperoni"}`)})
	require.NoError(t, err)
	assert.Equal(t, types.SyncExecutionStatusSucceeded, ok.Status)
	assert.Equal(t, `{"containsPineapple":false}`, aws.ToString(ok.Output))
	assert.Equal(t, `{ "flavour": "pepperoni"}`, aws.ToString(ok.Input))
	assert.Equal(t, arn, aws.ToString(ok.StateMachineArn))
	assert.True(t, strings.HasPrefix(aws.ToString(ok.ExecutionArn), "arn:aws:states:us-east-1:123456789012:express:Pizza:"+aws.ToString(ok.Name)+":"), aws.ToString(ok.ExecutionArn))
	assert.True(t, ok.InputDetails.Included)
	assert.True(t, ok.OutputDetails.Included)
	assert.Equal(t, int64(64), ok.BillingDetails.BilledMemoryUsedInMB)
	assert.Equal(t, int64(0), ok.BillingDetails.BilledDurationInMilliseconds%100, "billed in 100 ms steps")
	assert.GreaterOrEqual(t, ok.BillingDetails.BilledDurationInMilliseconds, int64(100))
	assert.False(t, ok.StopDate.Before(*ok.StartDate))
	assert.Regexp(t, `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0$`, aws.ToString(ok.TraceHeader))

	bad, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: &arn, Input: aws.String(`{ "flavour": "pineapple"}`),
		TraceHeader: aws.String("Root=1-612601bf-c54eff48a04f8cc9ce170772;Sampled=1")})
	require.NoError(t, err)
	assert.Equal(t, types.SyncExecutionStatusFailed, bad.Status)
	assert.Equal(t, "Failed To Make Pizza", aws.ToString(bad.Error))
	assert.Equal(t, "They asked for Pineapple", aws.ToString(bad.Cause))
	assert.Nil(t, bad.Output)
	assert.True(t, bad.OutputDetails.Included)
	assert.Equal(t, "Root=1-612601bf-c54eff48a04f8cc9ce170772;Sampled=1", aws.ToString(bad.TraceHeader))
}

func TestStartSyncExecutionAnswersTheSeedsFields(t *testing.T) {
	svc := newService(t, lctest.Store(t), machines.WithLambda(invoker(checkPizza)))
	_, err := svc.Create(context.Background(), "", machines.CreateInput{Name: "Pizza", RoleArn: role, Type: machines.Express,
		Definition: definition(t, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn})})
	require.NoError(t, err)
	out, err := svc.Call(context.Background(), "StartSyncExecution", &localcloud.Request{
		Body: []byte(`{"stateMachineArn":"` + machines.ARN("", "Pizza") + `","input":"{\"flavour\":\"pineapple\"}"}`)})
	require.NoError(t, err)
	b, err := json.Marshal(out)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	for _, k := range []string{"billingDetails", "cause", "error", "executionArn", "input", "inputDetails", "name", "outputDetails",
		"startDate", "stateMachineArn", "status", "stopDate", "traceHeader"} {
		assert.Contains(t, got, k)
	}
	assert.NotContains(t, got, "output", "a failed execution has no output")
	assert.Equal(t, map[string]any{"__type": "com.amazonaws.swf.base.model#CloudWatchEventsExecutionDataDetails", "included": true}, got["inputDetails"])
	assert.Equal(t, map[string]any{"billedDurationInMilliseconds": 100.0, "billedMemoryUsedInMB": 64.0}, got["billingDetails"])
}

func TestStandardExecutionHasAPagedHistory(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, lctest.Store(t), machines.WithLambda(invoker(checkPizza)))
	client := serve(t, svc)
	arn := create(t, client, "Pizza", definition(t, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn}), types.StateMachineTypeStandard)

	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("order-1"), Input: aws.String(`{"flavour":"margherita"}`)})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:Pizza:order-1", aws.ToString(started.ExecutionArn))
	d := wait(t, client, aws.ToString(started.ExecutionArn))
	assert.Equal(t, types.ExecutionStatusSucceeded, d.Status)
	assert.Equal(t, `{"containsPineapple":false}`, aws.ToString(d.Output))
	assert.Equal(t, started.StartDate.UnixMilli(), d.StartDate.UnixMilli())

	all := eventTypes(t, client, aws.ToString(started.ExecutionArn))
	want := []types.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
		"ChoiceStateEntered", "ChoiceStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"}
	assert.Equal(t, want, all)

	// Pages of 4, forward then reverse, with data left out.
	var fwd, rev []int64
	for _, reverse := range []bool{false, true} {
		var token *string
		for {
			page, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn, MaxResults: 4,
				ReverseOrder: reverse, NextToken: token, IncludeExecutionData: aws.Bool(false)})
			require.NoError(t, err)
			require.LessOrEqual(t, len(page.Events), 4)
			for _, ev := range page.Events {
				if reverse {
					rev = append(rev, ev.Id)
				} else {
					fwd = append(fwd, ev.Id)
				}
				if ev.ExecutionStartedEventDetails != nil {
					assert.Nil(t, ev.ExecutionStartedEventDetails.Input, "includeExecutionData false leaves the input out")
					assert.Equal(t, role, aws.ToString(ev.ExecutionStartedEventDetails.RoleArn))
				}
			}
			if token = page.NextToken; token == nil {
				break
			}
		}
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, fwd)
	assert.Equal(t, []int64{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, rev)

	page, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
	require.NoError(t, err)
	sched := page.Events[2].TaskScheduledEventDetails
	require.NotNil(t, sched)
	assert.Equal(t, "lambda", aws.ToString(sched.ResourceType))
	assert.Equal(t, "invoke", aws.ToString(sched.Resource))
	assert.Equal(t, int64(10), aws.ToInt64(sched.TimeoutInSeconds))
	assert.False(t, page.Events[1].Timestamp.IsZero())
	assert.Equal(t, int64(0), page.Events[1].PreviousEventId, "on AWS the first state's chain starts at 0")
	assert.Equal(t, int64(2), page.Events[2].PreviousEventId)

	_, err = client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn, NextToken: aws.String("bogus")})
	var bad *types.InvalidToken
	assert.True(t, errors.As(err, &bad), "%v", err)

	list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &arn, StatusFilter: types.ExecutionStatusSucceeded})
	require.NoError(t, err)
	require.Len(t, list.Executions, 1)
	assert.Equal(t, "order-1", aws.ToString(list.Executions[0].Name))
	list, err = client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &arn, StatusFilter: types.ExecutionStatusFailed})
	require.NoError(t, err)
	assert.Empty(t, list.Executions)

	forExec, err := client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: started.ExecutionArn})
	require.NoError(t, err)
	assert.Equal(t, arn, aws.ToString(forExec.StateMachineArn))
	assert.Contains(t, aws.ToString(forExec.Definition), pizzaFn)
}

func TestExecutionNamesAreIdempotentWhileRunning(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, lctest.Store(t), machines.WithPublisher(&published{}))
	client := serve(t, svc)
	arn := create(t, client, "Waiter", waitForToken, types.StateMachineTypeStandard)

	first, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("once"), Input: aws.String(`{"a":1}`)})
	require.NoError(t, err)
	again, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("once"), Input: aws.String(`{"a":1}`)})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(first.ExecutionArn), aws.ToString(again.ExecutionArn))
	assert.Equal(t, first.StartDate.UnixMilli(), again.StartDate.UnixMilli())

	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("once"), Input: aws.String(`{"a":2}`)})
	var exists *types.ExecutionAlreadyExists
	require.True(t, errors.As(err, &exists), "%v", err)
	assert.Contains(t, err.Error(), "Execution Already Exists: '"+aws.ToString(first.ExecutionArn)+"'")

	stopped, err := client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: first.ExecutionArn, Error: aws.String("Cancelled"), Cause: aws.String("the customer left")})
	require.NoError(t, err)
	assert.False(t, stopped.StopDate.IsZero())
	d := wait(t, client, aws.ToString(first.ExecutionArn))
	assert.Equal(t, types.ExecutionStatusAborted, d.Status)
	assert.Equal(t, "Cancelled", aws.ToString(d.Error))
	assert.Equal(t, "the customer left", aws.ToString(d.Cause))
	history, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: first.ExecutionArn, ReverseOrder: true, MaxResults: 1})
	require.NoError(t, err)
	require.Equal(t, types.HistoryEventTypeExecutionAborted, history.Events[0].Type)
	assert.Equal(t, "Cancelled", aws.ToString(history.Events[0].ExecutionAbortedEventDetails.Error))
	assert.Equal(t, "the customer left", aws.ToString(history.Events[0].ExecutionAbortedEventDetails.Cause))

	// An ended execution's name stays taken, whatever the input.
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("once"), Input: aws.String(`{"a":1}`)})
	assert.True(t, errors.As(err, &exists), "%v", err)
}

func TestStartRefusesWhatAWSRefuses(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, lctest.Store(t), machines.WithLambda(invoker(checkPizza)))
	client := serve(t, svc)
	std := create(t, client, "Std", hello, types.StateMachineTypeStandard)
	exp := create(t, client, "Exp", hello, types.StateMachineTypeExpress)

	_, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &std, Input: aws.String("{nope")})
	var badInput *types.InvalidExecutionInput
	assert.True(t, errors.As(err, &badInput), "%v", err)
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &std, Name: aws.String("a b")})
	var badName *types.InvalidName
	assert.True(t, errors.As(err, &badName), "%v", err)
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machines.ARN("", "Nope"))})
	var noMachine *types.StateMachineDoesNotExist
	assert.True(t, errors.As(err, &noMachine), "%v", err)
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("nope")})
	var badArn *types.InvalidArn
	assert.True(t, errors.As(err, &badArn), "%v", err)

	_, err = client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: &std})
	var notSupported *types.StateMachineTypeNotSupported
	assert.True(t, errors.As(err, &notSupported), "StartSyncExecution of a Standard machine: %v", err)
	_, err = client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &exp})
	assert.True(t, errors.As(err, &notSupported), "ListExecutions of an Express machine: %v", err)

	// An Express execution has no DescribeExecution nor history.
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &exp})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(started.ExecutionArn), ":express:Exp:")
	_, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
	assert.True(t, errors.As(err, &badArn), "%v", err)
	_, err = client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
	assert.True(t, errors.As(err, &badArn), "%v", err)

	_, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:Std:nope")})
	var noExec *types.ExecutionDoesNotExist
	assert.True(t, errors.As(err, &noExec), "%v", err)
}

func TestRetryOn500WaitsInScaledTime(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	check := invoker(func(_ context.Context, _, _ string, payload []byte, _ string) ([]byte, *machines.FunctionError, error) {
		status := 200
		if calls.Add(1) <= 2 {
			status = 500
		}
		return []byte(fmt.Sprintf(`{"statusCode":%d,"event":%s}`, status, payload)), nil, nil
	})
	svc := newService(t, lctest.Store(t), machines.WithLambda(check), machines.WithTimeScale(0.001))
	client := serve(t, svc)
	arn := create(t, client, "RetryOn500", definition(t, "retryon500.asl.json", map[string]string{"CheckStatusFunctionArn": "CheckStatus"}), types.StateMachineTypeStandard)
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"url":"https://example.com"}`)})
	require.NoError(t, err)
	d := wait(t, client, aws.ToString(started.ExecutionArn))
	assert.Equal(t, types.ExecutionStatusSucceeded, d.Status, "%s %s", aws.ToString(d.Error), aws.ToString(d.Cause))
	assert.Equal(t, int32(3), calls.Load())
	waits := 0
	for _, typ := range eventTypes(t, client, aws.ToString(started.ExecutionArn)) {
		if typ == types.HistoryEventTypeWaitStateEntered {
			waits++
		}
	}
	assert.Equal(t, 2, waits)
}

const waitForToken = `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sns:publish.waitForTaskToken",
 "Parameters":{"TopicArn":"arn:aws:sns:us-east-1:123456789012:asks","Message.$":"$$.Task.Token"},"HeartbeatSeconds":3600,"End":true}}}`
