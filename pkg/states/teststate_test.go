package states_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/states"
)

const testStateTask = `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
 "InputPath":"$.order","Parameters":{"FunctionName":"f","Payload.$":"$"},
 "ResultSelector":{"total.$":"$.Payload.total"},"ResultPath":"$.priced","OutputPath":"$.priced",
 "Assign":{"lastTotal.$":"$.total"},
 "Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],"MaxAttempts":2}],
 "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"HandleError"}],
 "Next":"Ship"}`

func TestTestState(t *testing.T) {
	// TestState runs one state once, with a mocked task, and reports the
	// status, the next state and the data after each step.
	// https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
	m, err := states.SingleState([]byte(testStateTask))
	require.NoError(t, err)
	input := []byte(`{"order":{"id":7}}`)
	ctx := context.Background()

	ok, err := m.TestState(ctx, states.TestStateInput{Input: input, Mock: &states.TestStateMock{Result: json.RawMessage(`{"StatusCode":200,"Payload":{"total":42}}`)}})
	require.NoError(t, err)
	assert.Equal(t, states.TestSucceeded, ok.Status)
	assert.Equal(t, "Ship", ok.NextState)
	assert.JSONEq(t, `{"total":42}`, string(ok.Output))
	assert.JSONEq(t, `{"id":7}`, string(ok.Inspection["afterInputPath"]))
	assert.JSONEq(t, `{"FunctionName":"f","Payload":{"id":7}}`, string(ok.Inspection["afterParameters"]))
	assert.JSONEq(t, `{"StatusCode":200,"Payload":{"total":42}}`, string(ok.Inspection["result"]))
	assert.JSONEq(t, `{"total":42}`, string(ok.Inspection["afterResultSelector"]))
	assert.JSONEq(t, `{"order":{"id":7},"priced":{"total":42}}`, string(ok.Inspection["afterResultPath"]))
	assert.JSONEq(t, `{"lastTotal":42}`, string(ok.Inspection["variables"]))

	throttled := &states.TestStateMock{Error: "Lambda.TooManyRequestsException", Cause: "Rate exceeded"}
	retry, err := m.TestState(ctx, states.TestStateInput{Input: input, Mock: throttled})
	require.NoError(t, err)
	assert.Equal(t, states.TestRetriable, retry.Status)
	assert.Equal(t, "Lambda.TooManyRequestsException", retry.Error)
	assert.Empty(t, retry.NextState)

	caught, err := m.TestState(ctx, states.TestStateInput{Input: input, Mock: throttled, RetrierRetryCount: 2})
	require.NoError(t, err)
	assert.Equal(t, states.TestCaughtError, caught.Status, "the retrier is spent: the catcher takes it")
	assert.Equal(t, "HandleError", caught.NextState)
	assert.JSONEq(t, `{"order":{"id":7},"error":{"Error":"Lambda.TooManyRequestsException","Cause":"Rate exceeded"}}`, string(caught.Output))

	bare, err := states.SingleState([]byte(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`))
	require.NoError(t, err)
	failed, err := bare.TestState(ctx, states.TestStateInput{Mock: &states.TestStateMock{Error: "Boom", Cause: "it broke"}})
	require.NoError(t, err)
	assert.Equal(t, states.TestFailed, failed.Status)
	assert.Equal(t, "Boom", failed.Error)
	assert.Equal(t, "it broke", failed.Cause)
}

func TestTestStateVariablesAndContext(t *testing.T) {
	m, err := states.SingleState([]byte(`{"Type":"Pass","Parameters":{"who.$":"$name","exec.$":"$$.Execution.Name","state.$":"$$.State.Name"},"Next":"After"}`))
	require.NoError(t, err)
	res, err := m.TestState(context.Background(), states.TestStateInput{
		Variables: []byte(`{"name":"ann"}`),
		Context:   []byte(`{"Execution":{"Name":"given"}}`),
	})
	require.NoError(t, err)
	require.Equal(t, states.TestSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	assert.JSONEq(t, `{"who":"ann","exec":"given","state":"TestState"}`, string(res.Output))
	assert.Equal(t, "After", res.NextState)

	choice, err := states.SingleState([]byte(`{"Type":"Choice","QueryLanguage":"JSONata","Choices":[{"Condition":"{% $states.input.n > 1 %}","Next":"Big"}],"Default":"Small"}`))
	require.NoError(t, err)
	res, err = choice.TestState(context.Background(), states.TestStateInput{Input: []byte(`{"n":2}`)})
	require.NoError(t, err)
	assert.Equal(t, "Big", res.NextState)

	_, err = m.TestState(context.Background(), states.TestStateInput{StateName: "Nope"})
	assert.ErrorContains(t, err, `no state "Nope"`)
}
