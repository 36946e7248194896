package states_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

func TestMoreStateBehaviour(t *testing.T) {
	flakyBranch, _ := flaky(1, "E")
	runCases(t, []machineCase{
		{name: "Retry on a Parallel state runs its branches again " + doc + "state-parallel.html",
			def: one(`{"Type":"Parallel","Branches":[{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","End":true}}}],
				"Retry":[{"ErrorEquals":["E"],"IntervalSeconds":1}],"End":true}`),
			tasks: flakyBranch, input: `{}`, output: `["done"]`},
		{name: "MaxConcurrencyPath reads the limit from the input " + doc + "state-map-inline.html",
			def:   one(`{"Type":"Map","ItemsPath":"$.i","MaxConcurrencyPath":"$.c","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`),
			input: `{"c":1,"i":[1,2]}`, output: `[1,2]`},
		{name: "SecondsPath not selecting a non-negative integer fails with States.Runtime " + doc + "state-wait.html",
			def:   one(`{"Type":"Wait","SecondsPath":"$.s","End":true}`),
			input: `{"s":"ten"}`, status: "FAILED", err: "States.Runtime"},
		{name: "a variable assigned in a branch stays in the branch " + doc + "workflow-variables.html",
			def: `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":"outer"},"Next":"P"},
				"P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"x":"inner"},"Next":"C"},
					"C":{"Type":"Pass","Parameters":{"inBranch.$":"$x"},"End":true}}}],"Next":"D"},
				"D":{"Type":"Pass","Parameters":{"branch.$":"$[0].inBranch","after.$":"$x"},"End":true}}}`,
			input: `{}`, output: `{"branch":"inner","after":"outer"}`},
		{name: "a branch reads the outer variables " + doc + "workflow-variables.html",
			def: `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"Next":"M"},
				"M":{"Type":"Map","ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Pass","Parameters":{"x.$":"$x","v.$":"$"},"End":true}}},"End":true}}}`,
			input: `[5]`, output: `[{"x":1,"v":5}]`},
		{name: "a Choice rule's Assign applies when it matches " + doc + "workflow-variables.html",
			def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Assign":{"picked":"one"},"Next":"P"}],"Default":"P"},
				"P":{"Type":"Pass","Parameters":{"picked.$":"$picked"},"End":true}}}`,
			input: `{"n":1}`, output: `{"picked":"one"}`},
	})
}

func TestFailWithoutErrorOrCauseLeavesThemOut(t *testing.T) {
	// AWS records an ExecutionFailed with empty details for a bare Fail
	// (LocalStack's snapshot of test_state_fail_empty).
	def, err := asl.Parse([]byte(one(`{"Type":"Fail"}`)))
	require.NoError(t, err)
	ex, _ := run(t, def, echoTasks, `{}`)
	assert.Equal(t, states.StatusFailed, ex.Status)
	last := ex.History[len(ex.History)-1]
	require.Equal(t, types.HistoryEventTypeExecutionFailed, last.Type)
	assert.Nil(t, last.ExecutionFailedEventDetails.Error)
	assert.Nil(t, last.ExecutionFailedEventDetails.Cause)
}

func TestTaskScheduledDetails(t *testing.T) {
	// TaskScheduled names the integration and carries the parameters,
	// region, timeout and heartbeat.
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskScheduledEventDetails.html
	def, err := asl.Parse([]byte(one(`{"Type":"Task","Resource":"arn:aws:states:::sns:publish","Parameters":{"Message.$":"$.m","TopicArn":"t"},"TimeoutSeconds":30,"HeartbeatSeconds":10,"End":true}`)))
	require.NoError(t, err)
	var got states.TaskRequest
	tasks := states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) {
		got = r
		return map[string]any{"MessageId": "1"}, nil
	})
	ex, _ := run(t, def, tasks, `{"m":"hi"}`)
	require.Equal(t, states.StatusSucceeded, ex.Status)
	d := ex.History[2].TaskScheduledEventDetails
	require.NotNil(t, d)
	assert.Equal(t, "sns", *d.ResourceType)
	assert.Equal(t, "publish", *d.Resource)
	assert.Equal(t, "us-east-1", *d.Region)
	assert.JSONEq(t, `{"Message":"hi","TopicArn":"t"}`, *d.Parameters)
	assert.Equal(t, int64(30), *d.TimeoutInSeconds)
	assert.Equal(t, int64(10), *d.HeartbeatInSeconds)
	assert.Equal(t, states.TaskRequest{Resource: "arn:aws:states:::sns:publish", Parameters: map[string]any{"Message": "hi", "TopicArn": "t"}, StateName: "S", Timeout: 30, Heartbeat: 10}, got)
	assert.JSONEq(t, `{"MessageId":"1"}`, *ex.History[4].TaskSucceededEventDetails.Output)
}

func TestRealClockScale(t *testing.T) {
	// The real clock with a scale factor makes a 10 s Wait take 10 ms.
	def, err := asl.Parse([]byte(one(`{"Type":"Wait","Seconds":10,"End":true}`)))
	require.NoError(t, err)
	m, err := states.New(def, states.WithClock(states.RealClock{Scale: 1000}))
	require.NoError(t, err)
	start := time.Now()
	ex, err := m.Run(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, states.StatusSucceeded, ex.Status)
	assert.GreaterOrEqual(t, time.Since(start), 10*time.Millisecond)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestGoDeclaredDefinition(t *testing.T) {
	// A definition declared in Go, with int values in its templates, runs
	// as its JSON would.
	def := &asl.StateMachine{StartAt: "P", States: asl.States{
		&asl.Pass{Name: "P", Parameters: asl.Object{"n": 1, "sum.$": "States.MathAdd(2, 3)"}, End: true},
	}}
	ex, _ := run(t, def, echoTasks, `{}`)
	require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
	assert.JSONEq(t, `{"n":1,"sum":5}`, string(ex.Output))
}

func TestLambdaFunctionARNResource(t *testing.T) {
	// A Task whose Resource is the function's ARN passes its whole input to
	// the function and takes the function's result as is, recorded as
	// LambdaFunction* events.
	// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
	arn := "arn:aws:lambda:us-east-1:123456789012:function:Check"
	def, err := asl.Parse([]byte(one(`{"Type":"Task","Resource":"` + arn + `","End":true}`)))
	require.NoError(t, err)
	ok := states.Router{arn: states.LambdaFunc(func(_ context.Context, p any) (any, error) {
		return map[string]any{"saw": p}, nil
	})}
	ex, _ := run(t, def, ok, `{"a":1}`)
	require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
	assert.JSONEq(t, `{"saw":{"a":1}}`, string(ex.Output))
	assert.Equal(t, []types.HistoryEventType{
		"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
		"LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded",
	}, eventTypes(ex))
	assert.Equal(t, arn, *ex.History[2].LambdaFunctionScheduledEventDetails.Resource)

	bad := states.Router{arn: states.LambdaFunc(func(context.Context, any) (any, error) { return nil, PaymentDeclined{} })}
	ex, _ = run(t, def, bad, `{}`)
	assert.Equal(t, "PaymentDeclined", ex.Error)
	assert.Equal(t, types.HistoryEventTypeLambdaFunctionFailed, ex.History[4].Type)
}

func TestMachineTimeoutInsideAParallel(t *testing.T) {
	// The machine's deadline stops a branch mid-Wait: the Parallel state is
	// aborted, not failed, and the execution TIMED_OUT.
	def, err := asl.Parse([]byte(`{"TimeoutSeconds":3,"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
		{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}],
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`))
	require.NoError(t, err)
	ex, clock := run(t, def, echoTasks, `{}`)
	assert.Equal(t, states.StatusTimedOut, ex.Status)
	assert.Equal(t, 3*time.Second, clock.Now().Sub(epoch))
	assert.Contains(t, eventTypes(ex), types.HistoryEventTypeParallelStateAborted)
}

func TestRuntimeErrorNamesTheState(t *testing.T) {
	// AWS prefixes a States.Runtime cause with the state and the id of its
	// StateEntered event: "An error occurred while executing the state
	// 'Glue StartJobRun' (entered at the event id #8). The JSONPath ...".
	def, err := asl.Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Parameters":{"x.$":"$.missing"},"End":true}}}`))
	require.NoError(t, err)
	ex, _ := run(t, def, echoTasks, `{}`)
	assert.Equal(t, "States.Runtime", ex.Error)
	assert.Contains(t, ex.Cause, "An error occurred while executing the state 'B' (entered at the event id #4). ")
}

func TestTaskTimeoutOnTheRealClock(t *testing.T) {
	// On the real clock a task still running at TimeoutSeconds has its
	// context cancelled and fails with States.Timeout.
	def, err := asl.Parse([]byte(one(`{"Type":"Task","Resource":"arn:aws:states:::x:y","TimeoutSeconds":1,"End":true}`)))
	require.NoError(t, err)
	blocked := states.TaskFunc(func(ctx context.Context, _ states.TaskRequest) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	m, err := states.New(def, states.WithTasks(blocked), states.WithClock(states.RealClock{Scale: 100}))
	require.NoError(t, err)
	ex, err := m.Run(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, states.StatusFailed, ex.Status)
	assert.Equal(t, "States.Timeout", ex.Error)
}

func TestHeartbeatSecondsPathAndResultSelectorOnAMap(t *testing.T) {
	// HeartbeatSecondsPath is read from the effective input and reported;
	// a Map's ResultSelector shapes the array of results.
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
	def, err := asl.Parse([]byte(one(`{"Type":"Map","ResultSelector":{"n.$":"States.ArrayLength($)"},"ItemProcessor":{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","HeartbeatSecondsPath":"$.hb","End":true}}},"End":true}`)))
	require.NoError(t, err)
	var hb []int
	tasks := states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) {
		hb = append(hb, r.Heartbeat)
		return 1, nil
	})
	m, err := states.New(def, states.WithTasks(tasks), states.WithClock(states.NewVirtualClock(epoch)))
	require.NoError(t, err)
	ex, err := m.Run(context.Background(), []byte(`[{"hb":5}]`))
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
	assert.JSONEq(t, `{"n":1}`, string(ex.Output))
	assert.Equal(t, []int{5}, hb)
}
