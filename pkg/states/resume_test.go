package states_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

// countingTasks answers every task with its parameters and an attempt
// number, failing the first attempt of any state named "Flaky*".
type countingTasks struct{ calls atomic.Int64 }

func (c *countingTasks) Run(_ context.Context, r states.TaskRequest) (any, error) {
	c.calls.Add(1)
	if strings.HasPrefix(r.StateName, "Flaky") && r.Attempt == 0 {
		return nil, &states.Error{Name: "Flaky.Error", Cause: "first attempt"}
	}
	return map[string]any{"state": r.StateName, "attempt": r.Attempt, "params": r.Parameters}, nil
}

// outcomes counts the task outcomes a history records: the calls a resume
// must not make again.
func outcomes(evs []types.HistoryEvent) int64 {
	var n int64
	for _, ev := range evs {
		switch ev.Type {
		case types.HistoryEventTypeTaskSucceeded, types.HistoryEventTypeTaskFailed, types.HistoryEventTypeTaskTimedOut,
			types.HistoryEventTypeLambdaFunctionSucceeded, types.HistoryEventTypeLambdaFunctionFailed:
			n++
		}
	}
	return n
}

const resumeMachine = `{"StartAt":"Start","States":{
 "Start":{"Type":"Pass","Parameters":{"id.$":"States.UUID()","items":[1,2,3]},"Assign":{"seen":0},"Next":"Wait"},
 "Wait":{"Type":"Wait","Seconds":10,"Next":"FlakyTask"},
 "FlakyTask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["Flaky.Error"],"IntervalSeconds":5,"JitterStrategy":"FULL"}],"ResultPath":"$.flaky","Next":"Fan"},
 "Fan":{"Type":"Parallel","ResultPath":"$.fan","Next":"Each","Branches":[
   {"StartAt":"B1","States":{"B1":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:b1","End":true}}},
   {"StartAt":"B2","States":{"B2":{"Type":"Wait","Seconds":3,"Next":"B2Task"},"B2Task":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","End":true}}}]},
 "Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ResultPath":"$.each","ItemSelector":{"n.$":"$$.Map.Item.Value","id.$":"$.id"},
   "ItemProcessor":{"StartAt":"Item","States":{"Item":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"ItemWait"},"ItemWait":{"Type":"Wait","Seconds":1,"End":true}}},
   "Next":"Pick"},
 "Pick":{"Type":"Choice","Choices":[{"Variable":"$.each[0].params.n","NumericEquals":1,"Next":"Done"}],"Default":"Bad"},
 "Bad":{"Type":"Fail","Error":"Bad"},
 "Done":{"Type":"Succeed"}}}`

const resumeJSONata = `{"QueryLanguage":"JSONata","StartAt":"Start","States":{
 "Start":{"Type":"Pass","Output":{"id":"{% $uuid() %}","items":[1,2,3]},"Assign":{"seen":0},"Next":"Wait"},
 "Wait":{"Type":"Wait","Seconds":"{% 10 %}","Next":"FlakyTask"},
 "FlakyTask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":"{% $states.input %}","Retry":[{"ErrorEquals":["Flaky.Error"]}],"Output":"{% $merge([$states.input, {'flaky': $states.result}]) %}","Next":"Each"},
 "Each":{"Type":"Map","Items":"{% $states.input.items %}","MaxConcurrency":2,"ItemSelector":{"n":"{% $states.context.Map.Item.Value %}"},
   "ItemProcessor":{"StartAt":"Item","States":{"Item":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"ItemWait"},"ItemWait":{"Type":"Wait","Seconds":1,"End":true}}},
   "Output":"{% $merge([$states.input, {'each': $states.result}]) %}","Next":"Done"},
 "Done":{"Type":"Succeed"}}}`

func TestResumeFromEveryPrefix(t *testing.T) {
	for name, def := range map[string]string{"JSONPath": resumeMachine, "JSONata": resumeJSONata} {
		t.Run(name, func(t *testing.T) { resumeFromEveryPrefix(t, def) })
	}
}

func resumeFromEveryPrefix(t *testing.T, definition string) {
	// An execution killed after any event, its history written down event
	// by event, resumes from that history alone and ends as it would have:
	// same status and output (the UUID made before the crash included), no
	// finished task called again, and the recorded events kept as they were.
	def, err := asl.Parse([]byte(definition))
	require.NoError(t, err)
	newMachine := func(tasks states.Tasks) *states.Machine {
		m, err := states.New(def, states.WithTasks(tasks), states.WithClock(states.NewVirtualClock(epoch)), states.WithRandom(func() float64 { return 0.5 }))
		require.NoError(t, err)
		return m
	}
	ref := &countingTasks{}
	var mu sync.Mutex
	var sunk []types.HistoryEvent
	want, err := newMachine(ref).Run(context.Background(), []byte(`{}`), states.WithExecutionName("ref"), states.WithEventSink(func(ev types.HistoryEvent) {
		mu.Lock()
		sunk = append(sunk, ev)
		mu.Unlock()
	}))
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, want.Status, "%s: %s", want.Error, want.Cause)
	require.Len(t, sunk, len(want.History), "the sink sees every event")
	for i := range sunk {
		require.Equal(t, int64(i+1), sunk[i].Id, "the sink gets events in id order")
	}

	for k := 1; k < len(want.History); k++ {
		prefix := want.History[:k]
		tasks := &countingTasks{}
		got, err := newMachine(tasks).Resume(context.Background(), prefix, states.WithExecutionName("ref"))
		require.NoError(t, err, "resume after event %d (%s)", k, prefix[k-1].Type)
		require.Equal(t, want.Status, got.Status, "after event %d: %s %s", k, got.Error, got.Cause)
		// The UUID is the one made before the crash once the state that made
		// it has exited; before that the resumed run makes its own.
		wantOut := string(want.Output)
		if !exited(prefix, "Start") {
			var o struct{ ID string }
			require.NoError(t, json.Unmarshal(got.Output, &o))
			wantOut = strings.ReplaceAll(wantOut, uuidOf(t, want.Output), o.ID)
		}
		assert.JSONEq(t, wantOut, string(got.Output), "after event %d", k)
		assert.Len(t, got.History, len(want.History), "after event %d", k)
		assert.Equal(t, prefix, got.History[:k], "the recorded events are kept")
		assert.Equal(t, ref.calls.Load()-outcomes(prefix), tasks.calls.Load(), "after event %d: a task whose outcome is recorded is not called again", k)
	}
}

func exited(evs []types.HistoryEvent, state string) bool {
	for _, ev := range evs {
		if ev.StateExitedEventDetails != nil && *ev.StateExitedEventDetails.Name == state {
			return true
		}
	}
	return false
}

func uuidOf(t *testing.T, out json.RawMessage) string {
	var o struct{ ID string }
	require.NoError(t, json.Unmarshal(out, &o))
	require.Len(t, o.ID, 36)
	return o.ID
}

func TestResumeEndedHistory(t *testing.T) {
	def, err := asl.Parse([]byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"a":1},"End":true}}}`))
	require.NoError(t, err)
	m, err := states.New(def, states.WithClock(states.NewVirtualClock(epoch)))
	require.NoError(t, err)
	ex, err := m.Run(context.Background(), nil, states.WithExecutionName("x"))
	require.NoError(t, err)
	again, err := m.Resume(context.Background(), ex.History, states.WithExecutionName("x"))
	require.NoError(t, err)
	assert.Equal(t, ex.Status, again.Status)
	assert.JSONEq(t, `{"a":1}`, string(again.Output))
	assert.Len(t, again.History, len(ex.History))

	_, err = m.Resume(context.Background(), ex.History)
	assert.ErrorContains(t, err, "name")
	_, err = m.Resume(context.Background(), ex.History[1:], states.WithExecutionName("x"))
	assert.ErrorContains(t, err, "ExecutionStarted")
}

func TestResumeRefusesAHistoryOfAnotherDefinition(t *testing.T) {
	a, err := asl.Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}`))
	require.NoError(t, err)
	b, err := asl.Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","End":true}}}`))
	require.NoError(t, err)
	ma, err := states.New(a)
	require.NoError(t, err)
	ex, err := ma.Run(context.Background(), nil, states.WithExecutionName("x"))
	require.NoError(t, err)
	mb, err := states.New(b)
	require.NoError(t, err)
	_, err = mb.Resume(context.Background(), ex.History[:4], states.WithExecutionName("x"))
	assert.ErrorContains(t, err, "does not fit the definition")
}

func TestResumeWaitingForATaskToken(t *testing.T) {
	// Killed while a callback task waits: resumed with a broker of the same
	// key, the task waits on the token its caller already holds, and
	// SendTaskSuccess with it completes the execution.
	def, err := asl.Parse([]byte(`{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},"End":true}}}`))
	require.NoError(t, err)
	key := []byte("the local cloud's key")
	tokens := make(chan string, 2)
	tasks := states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) {
		tokens <- r.TaskToken
		return map[string]any{"MessageId": "m-1"}, nil
	})
	m1, err := states.New(def, states.WithTasks(tasks), states.WithTokenBroker(states.NewTokenBrokerKey(key)))
	require.NoError(t, err)
	var mu sync.Mutex
	var persisted []types.HistoryEvent
	submitted := make(chan struct{})
	ctx, kill := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = m1.Run(ctx, []byte(`{}`), states.WithExecutionName("cb"), states.WithEventSink(func(ev types.HistoryEvent) {
			mu.Lock()
			defer mu.Unlock()
			if ev.Type == types.HistoryEventTypeExecutionAborted {
				return // the crash: nothing after it is written down
			}
			persisted = append(persisted, ev)
			if ev.Type == types.HistoryEventTypeTaskSubmitted {
				close(submitted)
			}
		}))
	}()
	token := <-tokens
	<-submitted
	kill()
	<-done

	m2, err := states.New(def, states.WithTasks(tasks), states.WithTokenBroker(states.NewTokenBrokerKey(key)))
	require.NoError(t, err)
	mu.Lock()
	history := append([]types.HistoryEvent(nil), persisted...)
	mu.Unlock()
	result := make(chan *states.Execution, 1)
	go func() {
		ex, err := m2.Resume(context.Background(), history, states.WithExecutionName("cb"))
		assert.NoError(t, err)
		result <- ex
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err = m2.Tokens().SendTaskSuccess(token, json.RawMessage(`{"answer":42}`))
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond) // the resumed task registers its token
	}
	require.NoError(t, err, "the resumed task waits on the original token")
	ex := <-result
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	assert.JSONEq(t, `{"answer":42}`, string(ex.Output))
	assert.Len(t, tokens, 0, "the submitted request is not sent again")
}

func TestSyncTaskSubmitsAndResumesOntoItsJob(t *testing.T) {
	// A .sync task records its job's start (TaskSubmitted) and then the
	// job's result; resumed after the submission, it waits for that job
	// instead of starting another.
	def, err := asl.Parse([]byte(`{"StartAt":"Child","States":{"Child":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:child","Input":{"n":1}},"End":true}}}`))
	require.NoError(t, err)
	var started atomic.Int64
	tasks := states.TaskFunc(func(ctx context.Context, r states.TaskRequest) (any, error) {
		require.True(t, r.Sync)
		job := "job-resumed"
		if r.Submitted == nil {
			started.Add(1)
			job = "job-1"
			if err := states.Submit(ctx, map[string]any{"ExecutionArn": job}); err != nil {
				return nil, err
			}
			assert.Error(t, states.Submit(ctx, map[string]any{}), "a job is submitted once")
		} else {
			var sub struct{ ExecutionArn string }
			require.NoError(t, json.Unmarshal(r.Submitted, &sub))
			job = sub.ExecutionArn
		}
		return map[string]any{"ExecutionArn": job, "Status": "SUCCEEDED", "Output": map[string]any{"n": 2}}, nil
	})
	m, err := states.New(def, states.WithTasks(tasks), states.WithClock(states.NewVirtualClock(epoch)))
	require.NoError(t, err)
	ex, err := m.Run(context.Background(), nil, states.WithExecutionName("s"))
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	assert.Equal(t, []types.HistoryEventType{
		types.HistoryEventTypeExecutionStarted, types.HistoryEventTypeTaskStateEntered, types.HistoryEventTypeTaskScheduled,
		types.HistoryEventTypeTaskStarted, types.HistoryEventTypeTaskSubmitted, types.HistoryEventTypeTaskSucceeded,
		types.HistoryEventTypeTaskStateExited, types.HistoryEventTypeExecutionSucceeded,
	}, eventTypes(ex))

	cut := 5 // through TaskSubmitted
	again, err := m.Resume(context.Background(), ex.History[:cut], states.WithExecutionName("s"))
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, again.Status)
	assert.JSONEq(t, `{"ExecutionArn":"job-1","Status":"SUCCEEDED","Output":{"n":2}}`, string(again.Output), "the resumed task waited for the submitted job")
	assert.Equal(t, int64(1), started.Load(), "no second job")
	assert.Error(t, states.Submit(context.Background(), nil), "Submit outside a .sync task fails")
}
