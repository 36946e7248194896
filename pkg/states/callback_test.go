package states_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

// The .waitForTaskToken integration pattern ("Wait for a Callback with Task
// Token"): the task gets $$.Task.Token, its call returning is TaskSubmitted,
// and the state waits for SendTaskSuccess / SendTaskFailure, its heartbeat
// or its timeout. The history shapes are those AWS recorded in LocalStack's
// tests/aws/services/stepfunctions/v2/callback/test_callback.snapshot.json.
const callbackDoc = doc + "connect-to-resource.html#connect-wait-token"

// sqsCallback is a send-message task with a callback, as in AWS's example.
func sqsCallback(extra string) string {
	return `{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"QueueUrl":"q","MessageBody":{"Message.$":"$.msg","TaskToken.$":"$$.Task.Token"}}` + extra + `}`
}

// tokenTask hands every callback task's token to tokens and answers as SQS
// does, after checking that Parameters carried the same token.
func tokenTask(t *testing.T, tokens chan<- string) states.Tasks {
	return states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) {
		body, _ := r.Parameters.(map[string]any)["MessageBody"].(map[string]any)
		assert.NotEmpty(t, r.TaskToken)
		assert.Equal(t, r.TaskToken, body["TaskToken"], "$$.Task.Token is the request's token")
		tokens <- r.TaskToken
		return map[string]any{"MessageId": "m-1"}, nil
	})
}

// callbackMachine builds def with a virtual clock and tokenTask.
func callbackMachine(t *testing.T, def string, opts ...states.Option) (*states.Machine, *states.VirtualClock, chan string) {
	t.Helper()
	parsed, err := asl.Parse([]byte(def))
	require.NoError(t, err)
	clock := states.NewVirtualClock(epoch)
	tokens := make(chan string, 16)
	m, err := states.New(parsed, append([]states.Option{states.WithTasks(tokenTask(t, tokens)), states.WithClock(clock)}, opts...)...)
	require.NoError(t, err)
	return m, clock, tokens
}

// runAsync runs m in the background; the result comes on the channel.
func runAsync(ctx context.Context, m *states.Machine, input string) <-chan *states.Execution {
	done := make(chan *states.Execution, 1)
	go func() {
		ex, err := m.Run(ctx, []byte(input))
		if err != nil {
			panic(err)
		}
		done <- ex
	}()
	return done
}

func event(t *testing.T, ex *states.Execution, typ types.HistoryEventType) types.HistoryEvent {
	t.Helper()
	for _, ev := range ex.History {
		if ev.Type == typ {
			return ev
		}
	}
	require.Failf(t, "no event", "%s in %v", typ, eventTypes(ex))
	return types.HistoryEvent{}
}

func TestCallbackSucceedsThroughSendTaskSuccess(t *testing.T) {
	// AWS: the task is TaskSubmitted when the message is sent, and
	// TaskSucceeded with SendTaskSuccess's output, which is the task's
	// result. callbackDoc; snapshot test_sqs_wait_for_task_token.
	m, _, tokens := callbackMachine(t, one(sqsCallback(`,"End":true`)))
	done := runAsync(context.Background(), m, `{"msg":"test_message_txt"}`)
	token := <-tokens
	require.NoError(t, m.Tokens().SendTaskSuccess(token, []byte(`"test_message_txt"`)))
	ex := <-done

	require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
	assert.JSONEq(t, `"test_message_txt"`, string(ex.Output))
	assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
		"TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}, eventTypes(ex))
	sched := event(t, ex, types.HistoryEventTypeTaskScheduled).TaskScheduledEventDetails
	assert.Equal(t, "sqs", *sched.ResourceType)
	assert.Equal(t, "sendMessage.waitForTaskToken", *sched.Resource)
	assert.JSONEq(t, `{"QueueUrl":"q","MessageBody":{"Message":"test_message_txt","TaskToken":"`+token+`"}}`, *sched.Parameters)
	sub := event(t, ex, types.HistoryEventTypeTaskSubmitted).TaskSubmittedEventDetails
	assert.JSONEq(t, `{"MessageId":"m-1"}`, *sub.Output)
	assert.Equal(t, "sendMessage.waitForTaskToken", *sub.Resource)
	assert.Equal(t, "sqs", *sub.ResourceType)
	succ := event(t, ex, types.HistoryEventTypeTaskSucceeded).TaskSucceededEventDetails
	assert.Equal(t, `"test_message_txt"`, *succ.Output)

	// The task is over: the token takes no more calls.
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
	err := m.Tokens().SendTaskSuccess(token, []byte(`{}`))
	assert.ErrorIs(t, err, states.ErrTaskDoesNotExist)
	var te *states.TokenError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "TaskDoesNotExist", te.Code)
	assert.ErrorIs(t, m.Tokens().SendTaskHeartbeat(token), states.ErrTaskDoesNotExist)
	assert.ErrorIs(t, m.Tokens().SendTaskFailure(token, "E", "C"), states.ErrTaskDoesNotExist)
}

func TestCallbackFailure(t *testing.T) {
	// SendTaskFailure fails the task with its error and cause (TaskFailed);
	// uncaught, the execution fails with them. callbackDoc; snapshot
	// test_sqs_failure_in_wait_for_task_token.
	t.Run("uncaught, the execution fails with the error and cause "+callbackDoc, func(t *testing.T) {
		m, _, tokens := callbackMachine(t, one(sqsCallback(`,"End":true`)))
		done := runAsync(context.Background(), m, `{"msg":"x"}`)
		require.NoError(t, m.Tokens().SendTaskFailure(<-tokens, "Failure error", "Failure cause"))
		ex := <-done
		require.Equal(t, states.StatusFailed, ex.Status)
		assert.Equal(t, "Failure error", ex.Error)
		assert.Equal(t, "Failure cause", ex.Cause)
		assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
			"TaskSubmitted", "TaskFailed", "ExecutionFailed"}, eventTypes(ex))
		f := event(t, ex, types.HistoryEventTypeTaskFailed).TaskFailedEventDetails
		assert.Equal(t, "Failure error", *f.Error)
		assert.Equal(t, "Failure cause", *f.Cause)
	})
	t.Run("a Catch handles the custom error "+doc+"concepts-error-handling.html", func(t *testing.T) {
		m, _, tokens := callbackMachine(t, `{"StartAt":"S","States":{"S":`+sqsCallback(`,
			"Catch":[{"ErrorEquals":["Failure error"],"ResultPath":"$.err","Next":"Done"}],"End":true`)+`,"Done":{"Type":"Succeed"}}}`)
		done := runAsync(context.Background(), m, `{"msg":"x"}`)
		require.NoError(t, m.Tokens().SendTaskFailure(<-tokens, "Failure error", "Failure cause"))
		ex := <-done
		require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
		assert.JSONEq(t, `{"msg":"x","err":{"Error":"Failure error","Cause":"Failure cause"}}`, string(ex.Output))
	})
	t.Run("a Retry runs the task again with a new token "+doc+"concepts-error-handling.html", func(t *testing.T) {
		m, clock, tokens := callbackMachine(t, one(sqsCallback(`,
			"Retry":[{"ErrorEquals":["Busy"],"IntervalSeconds":3,"MaxAttempts":1}],"End":true`)))
		done := runAsync(context.Background(), m, `{"msg":"x"}`)
		first := <-tokens
		require.NoError(t, m.Tokens().SendTaskFailure(first, "Busy", "try later"))
		second := <-tokens
		assert.NotEqual(t, first, second)
		assert.ErrorIs(t, m.Tokens().SendTaskSuccess(first, []byte(`1`)), states.ErrTaskDoesNotExist)
		require.NoError(t, m.Tokens().SendTaskSuccess(second, []byte(`{"ok":true}`)))
		ex := <-done
		require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
		assert.JSONEq(t, `{"ok":true}`, string(ex.Output))
		assert.Equal(t, 3*time.Second, clock.Now().Sub(epoch))
		assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "TaskStateEntered",
			"TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskFailed",
			"TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded",
			"TaskStateExited", "ExecutionSucceeded"}, eventTypes(ex))
	})
}

func TestCallbackHeartbeatTimeout(t *testing.T) {
	// No SendTaskHeartbeat within HeartbeatSeconds fails the task with
	// States.HeartbeatTimeout (TaskTimedOut); each heartbeat starts the
	// interval again. Time is the virtual clock, moved by the test while the
	// state waits. callbackDoc and
	// docs.aws.amazon.com/step-functions/latest/dg/state-task.html (HeartbeatSeconds).
	m, clock, tokens := callbackMachine(t, one(sqsCallback(`,"HeartbeatSeconds":60,"TimeoutSeconds":600,"End":true`)))
	done := runAsync(context.Background(), m, `{"msg":"x"}`)
	token := <-tokens
	clock.Advance(50 * time.Second)
	require.NoError(t, m.Tokens().SendTaskHeartbeat(token))
	clock.Advance(50 * time.Second) // 100 s: 50 s since the heartbeat
	select {
	case ex := <-done:
		t.Fatalf("ended before its heartbeat was due: %s %s", ex.Status, ex.Error)
	case <-time.After(50 * time.Millisecond):
	}
	clock.Advance(10 * time.Second) // 110 s: 60 s since the heartbeat
	ex := <-done

	require.Equal(t, states.StatusFailed, ex.Status)
	assert.Equal(t, "States.HeartbeatTimeout", ex.Error)
	assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
		"TaskSubmitted", "TaskTimedOut", "ExecutionFailed"}, eventTypes(ex))
	sched := event(t, ex, types.HistoryEventTypeTaskScheduled).TaskScheduledEventDetails
	assert.Equal(t, int64(60), *sched.HeartbeatInSeconds)
	assert.Equal(t, int64(600), *sched.TimeoutInSeconds)
	to := event(t, ex, types.HistoryEventTypeTaskTimedOut).TaskTimedOutEventDetails
	assert.Equal(t, "States.HeartbeatTimeout", *to.Error)
	assert.Nil(t, to.Cause)
	assert.Equal(t, 110*time.Second, ex.StopDate.Sub(epoch))

	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
	assert.ErrorIs(t, m.Tokens().SendTaskSuccess(token, []byte(`{}`)), states.ErrTaskTimedOut)
	assert.ErrorIs(t, m.Tokens().SendTaskHeartbeat(token), states.ErrTaskTimedOut)
}

func TestCallbackTimeout(t *testing.T) {
	// TimeoutSeconds passing with no callback fails the task with
	// States.Timeout: TaskTimedOut with no cause, as AWS recorded.
	// callbackDoc; snapshot test_sqs_wait_for_task_token_timeout.
	m, clock, tokens := callbackMachine(t, one(sqsCallback(`,"TimeoutSeconds":5,"End":true`)))
	done := runAsync(context.Background(), m, `{"msg":"x"}`)
	token := <-tokens
	clock.Advance(5 * time.Second)
	ex := <-done
	require.Equal(t, states.StatusFailed, ex.Status)
	assert.Equal(t, "States.Timeout", ex.Error)
	assert.Empty(t, ex.Cause)
	assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
		"TaskSubmitted", "TaskTimedOut", "ExecutionFailed"}, eventTypes(ex))
	to := event(t, ex, types.HistoryEventTypeTaskTimedOut).TaskTimedOutEventDetails
	assert.Equal(t, "States.Timeout", *to.Error)
	assert.Nil(t, to.Cause)
	fail := event(t, ex, types.HistoryEventTypeExecutionFailed).ExecutionFailedEventDetails
	assert.Nil(t, fail.Cause)
	assert.ErrorIs(t, m.Tokens().SendTaskSuccess(token, []byte(`{}`)), states.ErrTaskTimedOut)
}

func TestCallbackTokenErrors(t *testing.T) {
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
	// A token never issued is InvalidToken; output that is not JSON is
	// InvalidOutput.
	b := states.NewTokenBroker()
	assert.ErrorIs(t, b.SendTaskSuccess("no-such-token", []byte(`{}`)), states.ErrInvalidToken)
	assert.ErrorIs(t, b.SendTaskFailure("no-such-token", "E", "C"), states.ErrInvalidToken)
	assert.ErrorIs(t, b.SendTaskHeartbeat("no-such-token"), states.ErrInvalidToken)
	assert.NotErrorIs(t, b.SendTaskHeartbeat("no-such-token"), states.ErrTaskDoesNotExist)

	m, _, tokens := callbackMachine(t, one(sqsCallback(`,"End":true`)), states.WithTokenBroker(b))
	require.Same(t, b, m.Tokens())
	done := runAsync(context.Background(), m, `{"msg":"x"}`)
	token := <-tokens
	assert.ErrorIs(t, b.SendTaskSuccess(token, []byte(`{not json`)), states.ErrInvalidOutput)
	require.NoError(t, b.SendTaskSuccess(token, []byte(`[1,2]`)), "a bad output leaves the task waiting")
	ex := <-done
	require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
	assert.JSONEq(t, `[1,2]`, string(ex.Output))
}

func TestCallbackAbortClosesTheToken(t *testing.T) {
	// StopExecution while the task waits aborts the execution; its token's
	// task is gone. docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
	m, _, tokens := callbackMachine(t, one(sqsCallback(`,"End":true`)))
	ctx, cancel := context.WithCancel(context.Background())
	done := runAsync(ctx, m, `{"msg":"x"}`)
	token := <-tokens
	cancel()
	ex := <-done
	assert.Equal(t, states.StatusAborted, ex.Status)
	assert.ErrorIs(t, m.Tokens().SendTaskSuccess(token, []byte(`{}`)), states.ErrTaskDoesNotExist)
}

func TestCallbackCompletedInsideTheTask(t *testing.T) {
	// A fake task may complete its own token before it returns (a mock of
	// a callback service): the state takes the outcome once the request is
	// submitted. callbackDoc
	def, err := asl.Parse([]byte(one(sqsCallback(`,"ResultPath":"$.r","End":true`))))
	require.NoError(t, err)
	task := states.TaskFunc(func(ctx context.Context, r states.TaskRequest) (any, error) {
		return map[string]any{"MessageId": "m"}, states.BrokerFrom(ctx).SendTaskSuccess(r.TaskToken, []byte(`{"done":1}`))
	})
	ex, _ := run(t, def, task, `{"msg":"x"}`)
	require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
	assert.JSONEq(t, `{"msg":"x","r":{"done":1}}`, string(ex.Output))
}

func TestCallbackConcurrentExecutionsHaveTheirOwnTokens(t *testing.T) {
	// Every execution (and every attempt) gets its own token, and a broker
	// shared by machines routes each token to its execution. callbackDoc
	broker := states.NewTokenBroker()
	type job struct{ token, id string }
	jobs := make(chan job, 64)
	task := states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) {
		body := r.Parameters.(map[string]any)["MessageBody"].(map[string]any)
		jobs <- job{r.TaskToken, body["Message"].(string)}
		return map[string]any{}, nil
	})
	var machines []*states.Machine
	for _, name := range []string{"A", "B"} {
		def, err := asl.Parse([]byte(one(sqsCallback(`,"End":true`))))
		require.NoError(t, err)
		m, err := states.New(def, states.WithName(name), states.WithTasks(task), states.WithTokenBroker(broker),
			states.WithClock(states.NewVirtualClock(epoch)))
		require.NoError(t, err)
		machines = append(machines, m)
	}
	// The worker answers each token with the id its request carried, in an
	// order of its own (newest first).
	const n = 20
	go func() {
		var pending []job
		for len(pending) < n {
			pending = append(pending, <-jobs)
		}
		for i := len(pending) - 1; i >= 0; i-- {
			out, _ := json.Marshal(map[string]string{"id": pending[i].id})
			assert.NoError(t, broker.SendTaskSuccess(pending[i].token, out))
		}
	}()
	var wg sync.WaitGroup
	seen := sync.Map{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("exec-%d", i)
			ex, err := machines[i%2].Run(context.Background(), []byte(`{"msg":"`+id+`"}`))
			if !assert.NoError(t, err) {
				return
			}
			assert.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
			assert.JSONEq(t, `{"id":"`+id+`"}`, string(ex.Output))
			params := *event(t, ex, types.HistoryEventTypeTaskScheduled).TaskScheduledEventDetails.Parameters
			_, dup := seen.LoadOrStore(params, true)
			assert.False(t, dup, "tokens are unique")
		}()
	}
	wg.Wait()
}

func TestCallbackWaitEndsAtTheMachineTimeout(t *testing.T) {
	// The machine's TimeoutSeconds ends an execution waiting for a token:
	// TIMED_OUT, and the token's task is over.
	// docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html (TimeoutSeconds)
	m, clock, tokens := callbackMachine(t, `{"TimeoutSeconds":30,"StartAt":"S","States":{"S":`+sqsCallback(`,"End":true`)+`}}`)
	done := runAsync(context.Background(), m, `{"msg":"x"}`)
	token := <-tokens
	clock.Advance(30 * time.Second)
	ex := <-done
	assert.Equal(t, states.StatusTimedOut, ex.Status)
	assert.Equal(t, "ExecutionTimedOut", string(ex.History[len(ex.History)-1].Type))
	assert.ErrorIs(t, m.Tokens().SendTaskSuccess(token, []byte(`{}`)), states.ErrTaskTimedOut)
}

func TestCallbackTimeoutOnTheRealClock(t *testing.T) {
	// The same States.Timeout on the real clock, scaled so that 5 s take
	// 5 ms, caught: a timeout has no cause, so the error output's Cause is
	// "" (as AWS recorded in LocalStack's error_handling
	// test_task_service_lambda snapshot). callbackDoc
	def, err := asl.Parse([]byte(`{"StartAt":"S","States":{"S":` + sqsCallback(`,"TimeoutSeconds":5,"Catch":[{"ErrorEquals":["States.Timeout"],"ResultPath":"$.err","Next":"Late"}],"End":true`) + `,"Late":{"Type":"Pass","End":true}}}`))
	require.NoError(t, err)
	tokens := make(chan string, 1)
	m, err := states.New(def, states.WithTasks(tokenTask(t, tokens)), states.WithClock(states.RealClock{Scale: 1000}))
	require.NoError(t, err)
	begin := time.Now()
	ex, err := m.Run(context.Background(), []byte(`{"msg":"x"}`))
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
	assert.JSONEq(t, `{"msg":"x","err":{"Error":"States.Timeout","Cause":""}}`, string(ex.Output))
	assert.Less(t, time.Since(begin), 2*time.Second)
}

func TestCallbackInParallelBranches(t *testing.T) {
	// Each branch's callback task waits for its own token; the Parallel
	// state's output is the branches' results in order, whichever token is
	// completed first. docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html, callbackDoc
	branch := func(name string) string {
		return `{"StartAt":"` + name + `","States":{"` + name + `":` + sqsCallback(`,"End":true`) + `}}`
	}
	m, _, tokens := callbackMachine(t, one(`{"Type":"Parallel","Branches":[`+branch("A")+`,`+branch("B")+`],"End":true}`))
	done := runAsync(context.Background(), m, `{"msg":"x"}`)
	first, second := <-tokens, <-tokens
	require.NotEqual(t, first, second)
	require.NoError(t, m.Tokens().SendTaskSuccess(second, []byte(`"second"`)))
	require.NoError(t, m.Tokens().SendTaskSuccess(first, []byte(`"first"`)))
	ex := <-done
	require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
	var out []string
	require.NoError(t, json.Unmarshal(ex.Output, &out))
	assert.ElementsMatch(t, []string{"first", "second"}, out)
	n := 0
	for _, ev := range ex.History {
		if ev.Type == types.HistoryEventTypeTaskSubmitted {
			n++
		}
	}
	assert.Equal(t, 2, n)
}

func TestCallbackSubmittedLateTimesOutInTheWait(t *testing.T) {
	// A request accepted after TimeoutSeconds is still TaskSubmitted; the
	// task then times out with States.Timeout. callbackDoc
	def, err := asl.Parse([]byte(one(sqsCallback(`,"TimeoutSeconds":5,"End":true`))))
	require.NoError(t, err)
	slow := states.TaskFunc(func(ctx context.Context, r states.TaskRequest) (any, error) {
		clock := states.ClockFrom(ctx)
		return map[string]any{}, clock.WaitUntil(ctx, clock.Now().Add(6*time.Second))
	})
	ex, _ := run(t, def, slow, `{"msg":"x"}`)
	require.Equal(t, states.StatusFailed, ex.Status)
	assert.Equal(t, "States.Timeout", ex.Error)
	assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
		"TaskSubmitted", "TaskTimedOut", "ExecutionFailed"}, eventTypes(ex))
}
