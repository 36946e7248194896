package machines_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
)

const waitThenPass = `{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":30,"Next":"Done"},"Done":{"Type":"Pass","Result":"rested","End":true}}}`

func openStore(t *testing.T, path string) *localcloud.Store {
	t.Helper()
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	return st
}

// historyHas polls until the execution's history holds an event of typ.
func historyHas(t *testing.T, client *sfn.Client, arn string, typ types.HistoryEventType) {
	t.Helper()
	for {
		for _, got := range eventTypes(t, client, arn) {
			if got == typ {
				return
			}
		}
		waitABit()
	}
}

func TestAStandardExecutionGoesOnAfterARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")

	// First life: real time, so the 30 s Wait is still waiting at Close.
	store := openStore(t, path)
	svc := machines.New(store)
	client := serve(t, svc)
	arn := create(t, client, "Napper", waitThenPass, types.StateMachineTypeStandard)
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("nap-1")})
	require.NoError(t, err)
	exec := aws.ToString(started.ExecutionArn)
	historyHas(t, client, exec, types.HistoryEventTypeWaitStateEntered)
	require.NoError(t, svc.Close())
	d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &exec})
	require.NoError(t, err)
	assert.Equal(t, types.ExecutionStatusRunning, d.Status, "Close leaves it running")
	require.NoError(t, store.Close())

	// Second life, on the reopened store: the Wait's remaining time, scaled.
	store = openStore(t, path)
	t.Cleanup(func() { _ = store.Close() })
	svc = newService(t, store, machines.WithTimeScale(0.0001))
	client = serve(t, svc)
	require.NoError(t, svc.Start(ctx))
	d = wait(t, client, exec)
	assert.Equal(t, types.ExecutionStatusSucceeded, d.Status)
	assert.Equal(t, `"rested"`, aws.ToString(d.Output))
	assert.Equal(t, started.StartDate.UnixMilli(), d.StartDate.UnixMilli())
	assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "WaitStateEntered", "WaitStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"},
		eventTypes(t, client, exec), "one continuous history")
}

func TestTaskTokensCompleteTheirTasksAcrossARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	pub := &published{}
	store := openStore(t, path)
	svc := machines.New(store, machines.WithPublisher(pub))
	client := serve(t, svc)
	arn := create(t, client, "Asker", waitForToken, types.StateMachineTypeStandard)
	ok, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("ok")})
	require.NoError(t, err)
	fail, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("fail")})
	require.NoError(t, err)
	historyHas(t, client, aws.ToString(ok.ExecutionArn), types.HistoryEventTypeTaskSubmitted)
	historyHas(t, client, aws.ToString(fail.ExecutionArn), types.HistoryEventTypeTaskSubmitted)
	require.Len(t, pub.msgs, 2)
	tokens := map[string]bool{}
	for _, m := range pub.msgs {
		tokens[m.Message] = true
	}
	_, err = client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(pub.msgs[0].Message)})
	require.NoError(t, err)
	require.NoError(t, svc.Close())
	require.NoError(t, store.Close())

	store = openStore(t, path)
	t.Cleanup(func() { _ = store.Close() })
	svc = newService(t, store, machines.WithPublisher(pub))
	client = serve(t, svc)
	require.NoError(t, svc.Start(ctx))
	// Which token is whose: the task's parameters name it in the history.
	tokenOf := func(exec string) string {
		page, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: &exec})
		require.NoError(t, err)
		for _, ev := range page.Events {
			if ev.TaskScheduledEventDetails != nil {
				for tok := range tokens {
					if strings.Contains(aws.ToString(ev.TaskScheduledEventDetails.Parameters), tok) {
						return tok
					}
				}
			}
		}
		t.Fatalf("no token in the history of %s", exec)
		return ""
	}
	okToken, failToken := tokenOf(aws.ToString(ok.ExecutionArn)), tokenOf(aws.ToString(fail.ExecutionArn))
	for {
		// The resumed task registers its token as it resumes.
		_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &okToken, Output: aws.String(`{"answer":42}`)})
		var te *types.TaskDoesNotExist
		var inv *types.InvalidToken
		if !errors.As(err, &te) && !errors.As(err, &inv) {
			break
		}
		waitABit()
	}
	require.NoError(t, err)
	_, err = client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: &failToken, Error: aws.String("NoAnswer"), Cause: aws.String("nobody knew")})
	require.NoError(t, err)

	d := wait(t, client, aws.ToString(ok.ExecutionArn))
	assert.Equal(t, types.ExecutionStatusSucceeded, d.Status)
	assert.JSONEq(t, `{"answer":42}`, aws.ToString(d.Output))
	d = wait(t, client, aws.ToString(fail.ExecutionArn))
	assert.Equal(t, types.ExecutionStatusFailed, d.Status)
	assert.Equal(t, "NoAnswer", aws.ToString(d.Error))
	assert.Equal(t, "nobody knew", aws.ToString(d.Cause))

	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &okToken, Output: aws.String(`{}`)})
	var gone *types.TaskDoesNotExist
	assert.True(t, errors.As(err, &gone), "a completed task: %v", err)
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("not-a-token"), Output: aws.String(`{}`)})
	var invalid *types.InvalidToken
	assert.True(t, errors.As(err, &invalid), "%v", err)
}

func TestAFailedExecutionIsRedrivenFromWhereItFailed(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	flaky := invoker(func(context.Context, string, string, []byte, string) ([]byte, *machines.FunctionError, error) {
		if calls.Add(1) == 1 {
			return nil, &machines.FunctionError{Type: "OvenCold", Message: "not yet"}, nil
		}
		return []byte(`{"baked":true}`), nil, nil
	})
	svc := newService(t, openStore(t, filepath.Join(t.TempDir(), "state.db")), machines.WithLambda(flaky))
	client := serve(t, svc)
	arn := create(t, client, "Bake", `{"StartAt":"Prep","States":{"Prep":{"Type":"Pass","Next":"Bake"},
		"Bake":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"Bake"},"OutputPath":"$.Payload","End":true}}}`,
		types.StateMachineTypeStandard)
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn})
	require.NoError(t, err)
	d := wait(t, client, aws.ToString(started.ExecutionArn))
	require.Equal(t, types.ExecutionStatusFailed, d.Status)
	assert.Equal(t, "OvenCold", aws.ToString(d.Error))

	_, err = client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: started.ExecutionArn})
	require.NoError(t, err)
	d = wait(t, client, aws.ToString(started.ExecutionArn))
	assert.Equal(t, types.ExecutionStatusSucceeded, d.Status)
	assert.JSONEq(t, `{"baked":true}`, aws.ToString(d.Output))
	assert.Equal(t, int32(1), aws.ToInt32(d.RedriveCount))
	assert.Equal(t, int32(2), calls.Load())
	typesSeen := eventTypes(t, client, aws.ToString(started.ExecutionArn))
	assert.Contains(t, typesSeen, types.HistoryEventTypeExecutionRedriven)
	passes := 0
	for _, typ := range typesSeen {
		if typ == types.HistoryEventTypePassStateEntered {
			passes++
		}
	}
	assert.Equal(t, 1, passes, "the state that succeeded is not run again")

	_, err = client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: started.ExecutionArn})
	var no *types.ExecutionNotRedrivable
	assert.True(t, errors.As(err, &no), "a SUCCEEDED execution: %v", err)
}
