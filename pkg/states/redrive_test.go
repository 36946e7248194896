package states_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

// outage is a set of tasks that fail (with "Outage") while their state is
// down, and counts each state's calls: the service a redrive is for, down
// during the first attempt and fixed before the redrive.
type outage struct {
	mu    sync.Mutex
	down  map[string]bool
	calls map[string][]states.TaskRequest
}

func newOutage(down ...string) *outage {
	o := &outage{down: map[string]bool{}, calls: map[string][]states.TaskRequest{}}
	for _, d := range down {
		o.down[d] = true
	}
	return o
}

func (o *outage) Run(_ context.Context, r states.TaskRequest) (any, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls[r.StateName] = append(o.calls[r.StateName], r)
	if o.down[r.StateName] {
		return nil, &states.Error{Name: "Outage", Cause: r.StateName + " is down"}
	}
	return map[string]any{"state": r.StateName, "params": r.Parameters}, nil
}

// fix brings every state up and forgets the calls so far.
func (o *outage) fix() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down, o.calls = map[string]bool{}, map[string][]states.TaskRequest{}
}

func (o *outage) called(state string) []states.TaskRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls[state]
}

func redriveMachine(t *testing.T, def string, tasks states.Tasks, clock states.Clock) *states.Machine {
	t.Helper()
	d, err := asl.Parse([]byte(def))
	require.NoError(t, err)
	m, err := states.New(d, states.WithTasks(tasks), states.WithClock(clock), states.WithRandom(func() float64 { return 0.5 }))
	require.NoError(t, err)
	return m
}

const chargeMachine = `{"StartAt":"Prep","States":{
 "Prep":{"Type":"Pass","Parameters":{"id.$":"States.UUID()"},"Next":"Charge"},
 "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"id.$":"$.id","redrives.$":"$$.Execution.RedriveCount","retry.$":"$$.State.RetryCount"},
   "Retry":[{"ErrorEquals":["Outage"],"MaxAttempts":1,"IntervalSeconds":2}],"ResultPath":"$.charge","Next":"Ship"},
 "Ship":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"redriven.$":"$$.Execution.RedriveTime"},"End":true}}}`

func TestRedriveRunsTheFailedTaskAgainNotThePassBeforeIt(t *testing.T) {
	tasks := newOutage("Charge")
	m := redriveMachine(t, chargeMachine, tasks, states.NewVirtualClock(epoch))
	ctx := context.Background()
	failed, err := m.Run(ctx, nil, states.WithExecutionName("order"))
	require.NoError(t, err)
	require.Equal(t, states.StatusFailed, failed.Status)
	require.Len(t, tasks.called("Charge"), 2, "the first attempt and its one retry")
	var prep struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(*event(t, failed, types.HistoryEventTypePassStateExited).StateExitedEventDetails.Output), &prep))

	tasks.fix()
	var sunk []types.HistoryEvent
	ex, err := m.Redrive(ctx, failed.History, states.WithExecutionName("order"), states.WithEventSink(func(ev types.HistoryEvent) { sunk = append(sunk, ev) }))
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	n := len(failed.History)
	assert.Equal(t, failed.History, ex.History[:n], "the first attempt's events are kept")
	assert.Equal(t, ex.History[n:], sunk, "the sink gets the redrive's events")

	redriven := ex.History[n]
	require.Equal(t, types.HistoryEventTypeExecutionRedriven, redriven.Type)
	assert.Equal(t, int64(n), redriven.PreviousEventId, "it follows the execution's end")
	assert.Equal(t, int32(1), aws.ToInt32(redriven.ExecutionRedrivenEventDetails.RedriveCount))
	reentered := ex.History[n+1]
	require.Equal(t, types.HistoryEventTypeTaskStateEntered, reentered.Type)
	assert.Equal(t, "Charge", *reentered.StateEnteredEventDetails.Name)
	assert.Equal(t, redriven.Id, reentered.PreviousEventId)
	assert.JSONEq(t, `{"id":"`+prep.ID+`"}`, *reentered.StateEnteredEventDetails.Input, "the failed state re-enters with its input")

	assert.Equal(t, 1, count(ex.History, types.HistoryEventTypePassStateEntered), "Prep is not run again")
	calls := tasks.called("Charge")
	require.Len(t, calls, 1, "Charge runs again, once")
	assert.Equal(t, 0, calls[0].Attempt, "retries count afresh")
	assert.Equal(t, map[string]any{"id": prep.ID, "redrives": json.Number("1"), "retry": json.Number("0")}, calls[0].Parameters)
	ship := tasks.called("Ship")
	require.Len(t, ship, 1)
	assert.Equal(t, map[string]any{"redriven": redriven.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z")}, ship[0].Parameters, "$$.Execution.RedriveTime")
	assert.Equal(t, 1, ex.RedriveCount)
	assert.Equal(t, aws.ToTime(redriven.Timestamp), ex.RedriveDate)
	assert.Equal(t, failed.StartDate, ex.StartDate)

	again, err := m.Resume(ctx, ex.History, states.WithExecutionName("order"))
	require.NoError(t, err)
	assert.Equal(t, 1, again.RedriveCount, "a redriven history says so when resumed")
	_, err = m.Redrive(ctx, ex.History, states.WithExecutionName("order"))
	var nr *states.NotRedrivableError
	require.ErrorAs(t, err, &nr)
	assert.ErrorIs(t, err, states.ErrNotRedrivable)
	assert.Equal(t, "Execution is SUCCEEDED and cannot be redriven", nr.Reason)
}

func count(evs []types.HistoryEvent, typ types.HistoryEventType) int {
	n := 0
	for _, ev := range evs {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

func TestRedriveTwiceAndResumeARedrive(t *testing.T) {
	// Redriven while still down, the execution fails again and can be
	// redriven again (the count goes on); the second redrive, interrupted
	// after any of its events, resumes from that history and ends as it
	// would have, calling no finished task again.
	tasks := newOutage("Charge")
	clock := states.NewVirtualClock(epoch)
	m := redriveMachine(t, chargeMachine, tasks, clock)
	ctx := context.Background()
	name := states.WithExecutionName("order")
	first, err := m.Run(ctx, nil, name)
	require.NoError(t, err)
	second, err := m.Redrive(ctx, first.History, name)
	require.NoError(t, err)
	require.Equal(t, states.StatusFailed, second.Status)
	assert.Equal(t, 1, second.RedriveCount)

	tasks.fix()
	want, err := m.Redrive(ctx, second.History, name)
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, want.Status, "%s: %s", want.Error, want.Cause)
	assert.Equal(t, 2, want.RedriveCount)
	assert.Equal(t, 2, count(want.History, types.HistoryEventTypeExecutionRedriven))
	assert.Equal(t, 1, count(want.History, types.HistoryEventTypeExecutionSucceeded))
	calls := tasks.called("Charge")
	require.Len(t, calls, 1)
	assert.Equal(t, json.Number("2"), calls[0].Parameters.(map[string]any)["redrives"])

	for k := len(second.History) + 1; k < len(want.History); k++ {
		prefix := want.History[:k]
		tasks.fix()
		got, err := m.Resume(ctx, prefix, name)
		require.NoError(t, err, "resume after event %d (%s)", k, prefix[k-1].Type)
		require.Equal(t, states.StatusSucceeded, got.Status, "after event %d: %s %s", k, got.Error, got.Cause)
		assert.JSONEq(t, string(want.Output), string(got.Output), "after event %d", k)
		assert.Equal(t, eventTypes(want), eventTypes(got), "after event %d", k)
		assert.Equal(t, prefix, got.History[:k], "the recorded events are kept")
		assert.Equal(t, 2, got.RedriveCount)
		ran := int64(len(tasks.called("Charge")) + len(tasks.called("Ship")))
		assert.Equal(t, 2-outcomes(prefix[len(second.History):]), ran, "after event %d: no finished task runs again", k)
	}
}

func TestRedriveRunsOnlyTheBranchesAndIterationsThatFailed(t *testing.T) {
	// A Parallel whose branch B failed, then a Map whose item 2 failed:
	// each redrive runs again only what failed (or never started), and the
	// results are the ones a run without the outage would have given.
	def := `{"StartAt":"Fan","States":{
 "Fan":{"Type":"Parallel","ResultPath":"$.fan","Next":"Each","Branches":[
   {"StartAt":"A1","States":{"A1":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"A2"},"A2":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
   {"StartAt":"B0","States":{"B0":{"Type":"Pass","Next":"B1"},"B1":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}]},
 "Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,"ResultPath":"$.each","ItemSelector":{"n.$":"$$.Map.Item.Value"},
   "ItemProcessor":{"StartAt":"Item","States":{"Item":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":2,"Next":"Two"}],"Default":"Other"},
     "Two":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true},
     "Other":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
   "End":true}}}`
	input := []byte(`{"items":[1,2,3]}`)
	ctx := context.Background()
	healthy := newOutage()
	want, err := redriveMachine(t, def, healthy, states.NewVirtualClock(epoch)).Run(ctx, input)
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, want.Status)

	tasks := newOutage("B1", "Two")
	// B1 fails once A has finished, or its failure would abort A (which
	// the redrive would then run again).
	aDone := make(chan struct{})
	gated := states.TaskFunc(func(ctx context.Context, r states.TaskRequest) (any, error) {
		if r.StateName == "B1" {
			<-aDone
		}
		return tasks.Run(ctx, r)
	})
	m := redriveMachine(t, def, gated, states.NewVirtualClock(epoch))
	name := states.WithExecutionName("fan")
	first, err := m.Run(ctx, input, name, states.WithEventSink(func(ev types.HistoryEvent) {
		if d := ev.StateExitedEventDetails; d != nil && *d.Name == "A2" {
			close(aDone)
		}
	}))
	require.NoError(t, err)
	require.Equal(t, states.StatusFailed, first.Status)
	assert.Equal(t, "Outage", first.Error)

	tasks.fix()
	tasks.down["Two"] = true
	second, err := m.Redrive(ctx, first.History, name)
	require.NoError(t, err)
	require.Equal(t, states.StatusFailed, second.Status, "the Map's item 2 still fails")
	assert.Empty(t, tasks.called("A1"), "branch A succeeded: not run again")
	assert.Empty(t, tasks.called("A2"))
	assert.Len(t, tasks.called("B1"), 1, "branch B runs again")
	assert.Equal(t, 1, count(second.History, types.HistoryEventTypePassStateEntered), "B0 succeeded: not run again")
	assert.Equal(t, 1, count(second.History, types.HistoryEventTypeParallelStateSucceeded))
	assert.Equal(t, 1, count(second.History, types.HistoryEventTypeParallelStateExited))
	assert.Len(t, tasks.called("Other"), 1, "item 1 ran; item 3 never started (MaxConcurrency 1)")

	tasks.fix()
	third, err := m.Redrive(ctx, second.History, name)
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, third.Status, "%s: %s", third.Error, third.Cause)
	assert.JSONEq(t, string(want.Output), string(third.Output))
	assert.Empty(t, tasks.called("B1"), "the Parallel succeeded: not run again")
	other := tasks.called("Other")
	require.Len(t, other, 1, "item 1 succeeded: not run again; item 3 runs at last")
	assert.Equal(t, map[string]any{"n": json.Number("3")}, other[0].Parameters)
	two := tasks.called("Two")
	require.Len(t, two, 1, "only item 2 runs again")
	assert.Equal(t, map[string]any{"n": json.Number("2")}, two[0].Parameters)
	assert.Equal(t, 2, third.RedriveCount)

	// Interrupted after any of its events, the redrive resumes from there.
	for k := len(second.History) + 1; k < len(third.History); k++ {
		tasks.fix()
		got, err := m.Resume(ctx, third.History[:k], name)
		require.NoError(t, err, "resume after event %d", k)
		require.Equal(t, states.StatusSucceeded, got.Status, "after event %d: %s %s", k, got.Error, got.Cause)
		assert.JSONEq(t, string(want.Output), string(got.Output), "after event %d", k)
		assert.Equal(t, eventTypes(third), eventTypes(got), "after event %d", k)
		ran := int64(len(tasks.called("Two")) + len(tasks.called("Other")))
		assert.Equal(t, 2-outcomes(third.History[len(second.History):k]), ran, "after event %d: no finished task runs again", k)
	}
}

func TestRedriveATimedOutExecutionGetsItsTimeoutAfresh(t *testing.T) {
	// The first task overran the machine's TimeoutSeconds; redriven, the
	// execution goes on with the state it never entered, its timeout
	// counted from the redrive.
	def := `{"TimeoutSeconds":5,"StartAt":"Slow","States":{
 "Slow":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"Then"},
 "Then":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`
	clock := states.NewVirtualClock(epoch)
	calls := map[string]int{}
	tasks := states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) {
		calls[r.StateName]++
		if r.StateName == "Slow" {
			clock.Advance(6 * time.Second)
		}
		return map[string]any{"from": r.StateName}, nil
	})
	m := redriveMachine(t, def, tasks, clock)
	timedOut, err := m.Run(context.Background(), nil, states.WithExecutionName("t"))
	require.NoError(t, err)
	require.Equal(t, states.StatusTimedOut, timedOut.Status)
	ex, err := m.Redrive(context.Background(), timedOut.History, states.WithExecutionName("t"))
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	assert.JSONEq(t, `{"from":"Then"}`, string(ex.Output))
	assert.Equal(t, map[string]int{"Slow": 1, "Then": 1}, calls)
	then := ex.History[len(timedOut.History)+1]
	assert.Equal(t, "Then", *then.StateEnteredEventDetails.Name)
	assert.JSONEq(t, `{"from":"Slow"}`, *then.StateEnteredEventDetails.Input)
}

func TestRedriveAnAbortedExecution(t *testing.T) {
	// Stopped while its task ran, the execution is ABORTED; redriven, the
	// task runs again and the execution succeeds.
	def := one(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`)
	var calls int
	started := make(chan struct{})
	tasks := states.TaskFunc(func(ctx context.Context, r states.TaskRequest) (any, error) {
		calls++
		if calls == 1 {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return map[string]any{"ok": true}, nil
	})
	m := redriveMachine(t, def, tasks, states.NewVirtualClock(epoch))
	ctx, stop := context.WithCancel(context.Background())
	go func() { <-started; stop() }()
	aborted, err := m.Run(ctx, nil, states.WithExecutionName("x"))
	require.NoError(t, err)
	require.Equal(t, states.StatusAborted, aborted.Status)
	ex, err := m.Redrive(context.Background(), aborted.History, states.WithExecutionName("x"))
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	assert.JSONEq(t, `{"ok":true}`, string(ex.Output))
	assert.Equal(t, 2, calls)
}

func TestRedrivableSaysWhyNot(t *testing.T) {
	tasks := newOutage("Charge")
	clock := states.NewVirtualClock(epoch)
	m := redriveMachine(t, chargeMachine, tasks, clock)
	failed, err := m.Run(context.Background(), nil, states.WithExecutionName("x"))
	require.NoError(t, err)
	stop := failed.StopDate
	for _, c := range []struct {
		name    string
		history []types.HistoryEvent
		now     time.Time
		reason  string
	}{
		{"failed", failed.History, stop.Add(time.Hour), ""},
		{"running", failed.History[:3], stop, "Execution is RUNNING and cannot be redriven"},
		{"no history", nil, stop, "Execution is RUNNING and cannot be redriven"},
		{"after 14 days", failed.History, stop.Add(15 * 24 * time.Hour), "Execution redrivable period exceeded"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := states.Redrivable(c.history, c.now)
			if c.reason == "" {
				assert.NoError(t, err)
				return
			}
			var nr *states.NotRedrivableError
			require.ErrorAs(t, err, &nr)
			assert.True(t, errors.Is(err, states.ErrNotRedrivable))
			assert.Equal(t, c.reason, nr.Reason)
		})
	}
	clock.Advance(15 * 24 * time.Hour)
	_, err = m.Redrive(context.Background(), failed.History, states.WithExecutionName("x"))
	assert.ErrorIs(t, err, states.ErrNotRedrivable, "Redrive checks on the machine's clock")
	_, err = m.Redrive(context.Background(), failed.History)
	assert.ErrorContains(t, err, "name")
}

func TestRedriveKeepsVariablesAndRunsADistributedMapAgain(t *testing.T) {
	// A JSONata machine: the variable Prep assigned is there when the
	// redriven Task runs; the distributed Map whose Map Run failed runs its
	// Map Run again, whole. (A replayed distributed Map runs its child
	// executions again, as on Resume: their histories are not the
	// parent's; its recorded output is kept.)
	def := `{"QueryLanguage":"JSONata","StartAt":"Prep","States":{
 "Prep":{"Type":"Pass","Assign":{"order":"{% $uuid() %}"},"Output":{"items":[1,2]},"Next":"Fan"},
 "Fan":{"Type":"Map","Items":"{% $states.input.items %}","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
   "StartAt":"Item","States":{"Item":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},"Next":"Charge"},
 "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"order":"{% $order %}"},"End":true}}}`
	tasks := newOutage("Item", "Charge")
	m := redriveMachine(t, def, tasks, states.NewVirtualClock(epoch))
	ctx := context.Background()
	name := states.WithExecutionName("v")
	first, err := m.Run(ctx, nil, name)
	require.NoError(t, err)
	require.Equal(t, states.StatusFailed, first.Status)
	assert.Empty(t, tasks.called("Charge"), "the Map Run failed first")

	tasks.fix()
	tasks.down["Charge"] = true
	second, err := m.Redrive(ctx, first.History, name)
	require.NoError(t, err)
	require.Equal(t, states.StatusFailed, second.Status)
	assert.Len(t, tasks.called("Item"), 2, "the Map Run runs again")
	assert.Len(t, second.Children, 2)

	tasks.fix()
	ex, err := m.Redrive(ctx, second.History, name)
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	assert.Equal(t, 1, count(ex.History[len(second.History):], types.HistoryEventTypeTaskStateEntered), "only Charge is entered again")
	assert.Zero(t, count(ex.History[len(second.History):], types.HistoryEventTypeMapStateEntered), "the Map succeeded: not entered again")
	charge := tasks.called("Charge")
	require.Len(t, charge, 1)
	var assigned map[string]string
	for _, ev := range first.History {
		if d := ev.StateExitedEventDetails; d != nil && *d.Name == "Prep" {
			assigned = d.AssignedVariables
		}
	}
	assert.JSONEq(t, assigned["order"], string(mustJSON(t, charge[0].Parameters.(map[string]any)["order"])), "Prep's variable, from the first attempt")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
