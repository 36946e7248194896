package states_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

// The history is the event list GetExecutionHistory returns.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html

func TestHistoryOfAPass(t *testing.T) {
	def, err := asl.Parse([]byte(one(`{"Type":"Pass","Result":{"r":1},"End":true}`)))
	require.NoError(t, err)
	ex, _ := run(t, def, echoTasks, `{"a":1}`)
	require.Len(t, ex.History, 4)
	h := ex.History
	for i, ev := range h {
		assert.Equal(t, int64(i+1), ev.Id)
		assert.Equal(t, epoch, *ev.Timestamp)
	}
	assert.Equal(t, types.HistoryEventTypeExecutionStarted, h[0].Type)
	assert.Equal(t, `{"a":1}`, *h[0].ExecutionStartedEventDetails.Input)
	assert.False(t, h[0].ExecutionStartedEventDetails.InputDetails.Truncated)
	assert.Equal(t, int64(0), h[1].PreviousEventId, "the first state's entry follows event 0, as on AWS")
	assert.Equal(t, "S", *h[1].StateEnteredEventDetails.Name)
	assert.Equal(t, `{"a":1}`, *h[1].StateEnteredEventDetails.Input)
	assert.Equal(t, int64(2), h[2].PreviousEventId)
	assert.Equal(t, `{"r":1}`, *h[2].StateExitedEventDetails.Output)
	assert.Equal(t, int64(3), h[3].PreviousEventId)
	assert.Equal(t, `{"r":1}`, *h[3].ExecutionSucceededEventDetails.Output)
}

func TestHistoryOfAParallel(t *testing.T) {
	def, err := asl.Parse([]byte(one(`{"Type":"Parallel","Branches":[
		{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
		{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"End":true}`)))
	require.NoError(t, err)
	ex, _ := run(t, def, echoTasks, `{}`)
	types_ := eventTypes(ex)
	assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"}, types_[:3])
	assert.Equal(t, []types.HistoryEventType{"ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"}, types_[7:])
	started := ex.History[2].Id
	for _, ev := range ex.History[3:7] {
		if ev.Type == types.HistoryEventTypePassStateEntered {
			assert.Equal(t, started, ev.PreviousEventId, "each branch's first event follows ParallelStateStarted")
		}
	}
}

func TestHistoryOfAMap(t *testing.T) {
	def, err := asl.Parse([]byte(one(`{"Type":"Map","MaxConcurrency":1,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`)))
	require.NoError(t, err)
	ex, _ := run(t, def, echoTasks, `[1,2]`)
	assert.Equal(t, []types.HistoryEventType{
		"ExecutionStarted", "MapStateEntered", "MapStateStarted",
		"MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
		"MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
		"MapStateSucceeded", "MapStateExited", "ExecutionSucceeded",
	}, eventTypes(ex))
	assert.Equal(t, int32(2), ex.History[2].MapStateStartedEventDetails.Length)
	it := ex.History[7].MapIterationStartedEventDetails
	assert.Equal(t, int32(1), it.Index)
	assert.Equal(t, "S", *it.Name)
}

func TestHistoryOfAnAssign(t *testing.T) {
	def, err := asl.Parse([]byte(one(`{"Type":"Pass","Assign":{"x":1,"y.$":"$.a"},"End":true}`)))
	require.NoError(t, err)
	ex, _ := run(t, def, echoTasks, `{"a":"v"}`)
	d := ex.History[2].StateExitedEventDetails
	assert.Equal(t, map[string]string{"x": "1", "y": `"v"`}, d.AssignedVariables)
}

type PaymentDeclined struct{}

func (PaymentDeclined) Error() string { return "card refused" }

func TestLambdaInvoke(t *testing.T) {
	// The lambda:invoke integration returns AWS's envelope; a function error
	// fails the task named by its errorType, the cause its JSON envelope.
	// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
	def, err := asl.Parse([]byte(one(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"End":true}`)))
	require.NoError(t, err)
	ok := states.LambdaFunc(func(_ context.Context, p any) (any, error) {
		return struct {
			Got any     `json:"got"`
			F   float64 `json:"f"`
		}{p, 2.5}, nil
	})
	ex, _ := run(t, def, ok, `{"n":1}`)
	require.Equal(t, states.StatusSucceeded, ex.Status)
	assert.JSONEq(t, `{"ExecutedVersion":"$LATEST","Payload":{"got":{"n":1},"f":2.5},
		"SdkHttpMetadata":{"AllHttpHeaders":{"X-Amz-Executed-Version":["$LATEST"],"Content-Type":["application/json"]},
		"HttpHeaders":{"X-Amz-Executed-Version":"$LATEST","Content-Type":"application/json"},"HttpStatusCode":200},
		"SdkResponseMetadata":{"RequestId":"00000000-0000-0000-0000-000000000000"},"StatusCode":200}`, string(ex.Output))

	for _, c := range []struct {
		name      string
		err       error
		errorType string
	}{
		{"a typed error is named by its type", PaymentDeclined{}, "PaymentDeclined"},
		{"a pointer error is named by the pointed-to type", &processingFailed{msg: "card refused"}, "processingFailed"},
		{"errors.New is errorString, as aws-lambda-go names it", errors.New("card refused"), "errorString"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := states.LambdaFunc(func(context.Context, any) (any, error) { return nil, c.err })
			ex, _ := run(t, def, bad, `{}`)
			assert.Equal(t, states.StatusFailed, ex.Status)
			assert.Equal(t, c.errorType, ex.Error)
			assert.JSONEq(t, `{"errorMessage":"card refused","errorType":"`+c.errorType+`"}`, ex.Cause)
		})
	}
}
