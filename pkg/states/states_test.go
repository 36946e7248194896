package states_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

func TestWait(t *testing.T) {
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
	for _, c := range []struct {
		name, state, input string
		want               time.Duration
	}{
		{"Seconds waits that long", `{"Type":"Wait","Seconds":10,"End":true}`, `{}`, 10 * time.Second},
		{"SecondsPath reads the seconds from the input", `{"Type":"Wait","SecondsPath":"$.s","End":true}`, `{"s":7}`, 7 * time.Second},
		{"Timestamp waits until then", `{"Type":"Wait","Timestamp":"2026-01-02T03:05:05Z","End":true}`, `{}`, time.Minute},
		{"TimestampPath reads the timestamp from the input", `{"Type":"Wait","TimestampPath":"$.at","End":true}`, `{"at":"2026-01-02T04:04:05Z"}`, time.Hour},
		{"a Timestamp in the past does not wait", `{"Type":"Wait","Timestamp":"2020-01-01T00:00:00Z","End":true}`, `{}`, 0},
	} {
		t.Run(c.name+" "+doc+"state-wait.html", func(t *testing.T) {
			def, err := asl.Parse([]byte(one(c.state)))
			require.NoError(t, err)
			ex, clock := run(t, def, echoTasks, c.input)
			require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
			assert.JSONEq(t, c.input, string(ex.Output))
			assert.Equal(t, c.want, clock.Now().Sub(epoch))
			assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"}, eventTypes(ex))
		})
	}
}

func TestFail(t *testing.T) {
	runCases(t, []machineCase{
		{name: "Error and Cause are literal " + doc + "state-fail.html",
			def: one(`{"Type":"Fail","Error":"E","Cause":"C"}`), input: `{}`, status: "FAILED", err: "E", cause: "C"},
		{name: "ErrorPath and CausePath read the input " + doc + "state-fail.html",
			def: one(`{"Type":"Fail","ErrorPath":"$.e","CausePath":"$.c"}`), input: `{"e":"Bad","c":"because"}`, status: "FAILED", err: "Bad", cause: "because"},
		{name: "CausePath may call an intrinsic function " + doc + "state-fail.html",
			def: one(`{"Type":"Fail","Error":"E","CausePath":"States.Format('{} went wrong', $.what)"}`), input: `{"what":"it"}`, status: "FAILED", err: "E", cause: "it went wrong"},
		{name: "Succeed applies InputPath and OutputPath " + doc + "state-succeed.html",
			def: one(`{"Type":"Succeed","InputPath":"$.a","OutputPath":"$.b"}`), input: `{"a":{"b":3}}`, output: `3`},
	})
}

func TestParallel(t *testing.T) {
	runCases(t, []machineCase{
		{name: "the output is the array of branch outputs in order " + doc + "state-parallel.html",
			def: one(`{"Type":"Parallel","Branches":[
				{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":5,"Next":"A2"},"A2":{"Type":"Pass","Result":"a","End":true}}},
				{"StartAt":"B","States":{"B":{"Type":"Pass","InputPath":"$.x","End":true}}}],"ResultPath":"$.r","End":true}`),
			input: `{"x":1}`, output: `{"x":1,"r":["a",1]}`},
		{name: "a failing branch fails the state with the branch's error " + doc + "state-parallel.html",
			def: one(`{"Type":"Parallel","Branches":[
				{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
				{"StartAt":"B","States":{"B":{"Type":"Fail","Error":"BranchBroke","Cause":"b"}}}],"End":true}`),
			input: `{}`, status: "FAILED", err: "BranchBroke", cause: "b"},
		{name: "a Catch on the Parallel state handles a branch's error " + doc + "state-parallel.html",
			def: `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
				{"StartAt":"B","States":{"B":{"Type":"Fail","Error":"BranchBroke","Cause":"b"}}}],
				"Catch":[{"ErrorEquals":["BranchBroke"],"ResultPath":"$.err","Next":"Done"}],"End":true},"Done":{"Type":"Succeed"}}}`,
			input: `{"k":1}`, output: `{"k":1,"err":{"Error":"BranchBroke","Cause":"b"}}`},
	})
}

func TestMap(t *testing.T) {
	runCases(t, []machineCase{
		{name: "each item runs the processor, outputs in item order " + doc + "state-map-inline.html",
			def:   one(`{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"Double","States":{"Double":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($.n, $.n)"},"End":true}}},"ResultPath":"$.out","End":true}`),
			input: `{"items":[{"n":1},{"n":2},{"n":3}]}`, output: `{"items":[{"n":1},{"n":2},{"n":3}],"out":[{"v":2},{"v":4},{"v":6}]}`},
		{name: "ItemSelector sees the Map's input and $$.Map.Item " + doc + "input-output-itemselector.html",
			def:   one(`{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,"ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","tag.$":"$.tag"},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`),
			input: `{"tag":"t","items":["a","b"]}`, output: `[{"i":0,"v":"a","tag":"t"},{"i":1,"v":"b","tag":"t"}]`},
		{name: "the legacy Iterator and Parameters still work " + doc + "state-map-inline.html",
			def:   one(`{"Type":"Map","Parameters":{"v.$":"$$.Map.Item.Value"},"Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":"$.v","End":true}}},"End":true}`),
			input: `[1,2]`, output: `[1,2]`},
		{name: "iterations see the execution's input in $$.Execution.Input " + doc + "input-output-contextobject.html",
			def:   one(`{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"in.$":"$$.Execution.Input[0]"},"End":true}}},"End":true}`),
			input: `[7,8]`, output: `[{"in":7},{"in":7}]`},
		{name: "an empty array gives an empty array " + doc + "state-map-inline.html",
			def:   one(`{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`),
			input: `[]`, output: `[]`},
		{name: "ItemsPath not selecting an array fails with States.Runtime " + doc + "state-map-inline.html",
			def:   one(`{"Type":"Map","ItemsPath":"$.x","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`),
			input: `{"x":"no"}`, status: "FAILED", err: "States.Runtime"},
		{name: "a failing iteration fails the Map with its error " + doc + "state-map-inline.html",
			def:   one(`{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Fail","Error":"ItemBad"}}},"End":true}`),
			input: `[1]`, status: "FAILED", err: "ItemBad"},
	})
}

func TestMapMaxConcurrency(t *testing.T) {
	// MaxConcurrency bounds the iterations running at once.
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
	var running, peak atomic.Int32
	tasks := states.TaskFunc(func(context.Context, states.TaskRequest) (any, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		running.Add(-1)
		return "ok", nil
	})
	def, err := asl.Parse([]byte(one(`{"Type":"Map","MaxConcurrency":2,"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","End":true}}},"End":true}`)))
	require.NoError(t, err)
	ex, _ := run(t, def, tasks, `[1,2,3,4,5,6]`)
	require.Equal(t, states.StatusSucceeded, ex.Status)
	assert.JSONEq(t, `["ok","ok","ok","ok","ok","ok"]`, string(ex.Output))
	assert.LessOrEqual(t, peak.Load(), int32(2))
}

// flaky fails its first n calls with name, then returns "done".
func flaky(n int, name string) (states.Tasks, *int) {
	calls := 0
	return states.TaskFunc(func(context.Context, states.TaskRequest) (any, error) {
		calls++
		if calls <= n {
			return nil, &states.Error{Name: name, Cause: "attempt failed"}
		}
		return "done", nil
	}), &calls
}

func TestRetryBackoff(t *testing.T) {
	// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
	for _, c := range []struct {
		name, retry string
		failures    int
		status      string
		calls       int
		elapsed     time.Duration
	}{
		{"defaults are IntervalSeconds 1, BackoffRate 2, MaxAttempts 3", `[{"ErrorEquals":["E"]}]`, 3, "SUCCEEDED", 4, (1 + 2 + 4) * time.Second},
		{"MaxAttempts 3 by default, then the error stands", `[{"ErrorEquals":["E"]}]`, 4, "FAILED", 4, (1 + 2 + 4) * time.Second},
		{"MaxAttempts 0 never retries", `[{"ErrorEquals":["E"],"MaxAttempts":0}]`, 1, "FAILED", 1, 0},
		{"IntervalSeconds and BackoffRate", `[{"ErrorEquals":["E"],"IntervalSeconds":3,"BackoffRate":1.5,"MaxAttempts":3}]`, 3, "SUCCEEDED", 4, (3 + 4.5 + 6.75) * 1000 * time.Millisecond},
		{"MaxDelaySeconds caps the interval", `[{"ErrorEquals":["E"],"IntervalSeconds":2,"MaxAttempts":4,"MaxDelaySeconds":5}]`, 4, "SUCCEEDED", 5, (2 + 4 + 5 + 5) * time.Second},
		{"JitterStrategy FULL takes a random fraction of each interval", `[{"ErrorEquals":["E"],"IntervalSeconds":2,"MaxAttempts":2,"JitterStrategy":"FULL"}]`, 2, "SUCCEEDED", 3, (1 + 2) * time.Second},
		{"States.ALL retries any error", `[{"ErrorEquals":["States.ALL"],"MaxAttempts":1}]`, 1, "SUCCEEDED", 2, time.Second},
		{"only the first matching retrier counts", `[{"ErrorEquals":["E"],"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}]`, 2, "FAILED", 2, time.Second},
		{"a retrier not matching is skipped", `[{"ErrorEquals":["Other"]},{"ErrorEquals":["E"],"IntervalSeconds":4,"MaxAttempts":1}]`, 1, "SUCCEEDED", 2, 4 * time.Second},
	} {
		t.Run(c.name+" "+doc+"concepts-error-handling.html", func(t *testing.T) {
			tasks, calls := flaky(c.failures, "E")
			def, err := asl.Parse([]byte(one(`{"Type":"Task","Resource":"arn:aws:states:::x:y","Retry":` + c.retry + `,"End":true}`)))
			require.NoError(t, err)
			ex, clock := run(t, def, tasks, `{}`) // the random source gives 0.5
			assert.Equal(t, c.status, ex.Status)
			assert.Equal(t, c.calls, *calls)
			assert.Equal(t, c.elapsed, clock.Now().Sub(epoch))
		})
	}
}

func TestRetryHistoryAndRetryCount(t *testing.T) {
	// A retried task schedules again without leaving the state; the
	// context object's State.RetryCount counts the retries.
	// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
	calls := 0
	tasks := states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) {
		calls++
		if calls == 1 {
			return nil, &states.Error{Name: "E", Cause: "c"}
		}
		return r.Parameters, nil
	})
	def, err := asl.Parse([]byte(one(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"retry.$":"$$.State.RetryCount"},"Retry":[{"ErrorEquals":["E"]}],"End":true}`)))
	require.NoError(t, err)
	ex, _ := run(t, def, tasks, `{}`)
	require.Equal(t, states.StatusSucceeded, ex.Status)
	assert.JSONEq(t, `{"retry":1}`, string(ex.Output))
	assert.Equal(t, []types.HistoryEventType{
		"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed",
		"TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded",
	}, eventTypes(ex))
	failed := ex.History[4].TaskFailedEventDetails
	require.NotNil(t, failed)
	assert.Equal(t, "E", *failed.Error)
	assert.Equal(t, "lambda", *failed.ResourceType)
	assert.Equal(t, "invoke", *failed.Resource)
	assert.Equal(t, `{"retry":0}`, *ex.History[2].TaskScheduledEventDetails.Parameters)
}

func TestCatch(t *testing.T) {
	catchTo := func(errs, resultPath string) string {
		rp := ""
		if resultPath != "" {
			rp = `"ResultPath":` + resultPath + `,`
		}
		return `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","Catch":[{"ErrorEquals":` + errs + `,` + rp + `"Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}`
	}
	timeout := states.TaskFunc(func(ctx context.Context, _ states.TaskRequest) (any, error) {
		return nil, &states.Error{Name: "States.Timeout", Cause: "slow"}
	})
	runCases(t, []machineCase{
		{name: "the error output replaces the input by default " + doc + "concepts-error-handling.html",
			def: catchTo(`["E"]`, ""), tasks: failing("E", "c"), input: `{"a":1}`, output: `{"Error":"E","Cause":"c"}`},
		{name: "ResultPath puts the error output into the input " + doc + "input-output-resultpath.html",
			def: catchTo(`["E"]`, `"$.err"`), tasks: failing("E", "c"), input: `{"a":1}`, output: `{"a":1,"err":{"Error":"E","Cause":"c"}}`},
		{name: "ResultPath null keeps the input " + doc + "input-output-resultpath.html",
			def: catchTo(`["E"]`, `null`), tasks: failing("E", "c"), input: `{"a":1}`, output: `{"a":1}`},
		{name: "States.ALL catches a named error " + doc + "concepts-error-handling.html",
			def: catchTo(`["States.ALL"]`, `null`), tasks: failing("Custom", "c"), input: `{}`, output: `{}`},
		{name: "States.TaskFailed catches a task's error " + doc + "concepts-error-handling.html",
			def: catchTo(`["States.TaskFailed"]`, `null`), tasks: failing("Custom", "c"), input: `{}`, output: `{}`},
		{name: "States.TaskFailed does not catch States.Timeout " + doc + "concepts-error-handling.html",
			def: catchTo(`["States.TaskFailed"]`, `null`), tasks: timeout, input: `{}`, status: "FAILED", err: "States.Timeout"},
		{name: "States.ALL does not catch States.Runtime " + doc + "concepts-error-handling.html",
			def: catchTo(`["States.ALL"]`, `null`), tasks: failing("States.Runtime", "r"), input: `{}`, status: "FAILED", err: "States.Runtime"},
		{name: "an error no catcher names fails the execution " + doc + "concepts-error-handling.html",
			def: catchTo(`["Other"]`, `null`), tasks: failing("E", "c"), input: `{}`, status: "FAILED", err: "E", cause: "c"},
		{name: "a plain Go error is States.TaskFailed " + doc + "concepts-error-handling.html",
			def: catchTo(`["States.TaskFailed"]`, ``), input: `{}`, output: `{"Error":"States.TaskFailed","Cause":"plain"}`,
			tasks: states.TaskFunc(func(context.Context, states.TaskRequest) (any, error) { return nil, errors.New("plain") })},
	})
}

func TestCatchHistory(t *testing.T) {
	// A caught failure exits the state with the catcher's output.
	def, err := asl.Parse([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`))
	require.NoError(t, err)
	ex, _ := run(t, def, failing("E", "c"), `{}`)
	assert.Equal(t, []types.HistoryEventType{
		"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited",
		"SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded",
	}, eventTypes(ex))
	assert.JSONEq(t, `{"Error":"E","Cause":"c"}`, *ex.History[5].StateExitedEventDetails.Output)
}

func TestTaskTimeout(t *testing.T) {
	// A task running past TimeoutSeconds fails with States.Timeout.
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
	slow := states.TaskFunc(func(ctx context.Context, _ states.TaskRequest) (any, error) {
		clock := states.ClockFrom(ctx).(*states.VirtualClock)
		clock.Advance(11 * time.Second)
		return "late", nil
	})
	for _, c := range []struct{ name, timeout, input string }{
		{"TimeoutSeconds", `"TimeoutSeconds":10`, `{}`},
		{"TimeoutSecondsPath", `"TimeoutSecondsPath":"$.t"`, `{"t":10}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			def, err := asl.Parse([]byte(one(`{"Type":"Task","Resource":"arn:aws:states:::x:y",` + c.timeout + `,"End":true}`)))
			require.NoError(t, err)
			ex, _ := run(t, def, slow, c.input)
			assert.Equal(t, states.StatusFailed, ex.Status)
			assert.Equal(t, "States.Timeout", ex.Error)
			assert.Contains(t, eventTypes(ex), types.HistoryEventType("TaskTimedOut"))
			assert.Equal(t, int64(10), *ex.History[2].TaskScheduledEventDetails.TimeoutInSeconds)
		})
	}
}

func TestMachineTimeout(t *testing.T) {
	// The machine's TimeoutSeconds ends the execution as TIMED_OUT.
	// https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
	def, err := asl.Parse([]byte(`{"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`))
	require.NoError(t, err)
	ex, clock := run(t, def, echoTasks, `{}`)
	assert.Equal(t, states.StatusTimedOut, ex.Status)
	assert.Equal(t, "States.Timeout", ex.Error)
	assert.Equal(t, 5*time.Second, clock.Now().Sub(epoch))
	assert.Equal(t, types.HistoryEventTypeExecutionTimedOut, ex.History[len(ex.History)-1].Type)
}

func TestAbort(t *testing.T) {
	// Ending the context aborts the execution, as StopExecution does.
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
	ctx, cancel := context.WithCancel(context.Background())
	tasks := states.TaskFunc(func(context.Context, states.TaskRequest) (any, error) { cancel(); return "x", nil })
	def, err := asl.Parse([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","Next":"P"},"P":{"Type":"Pass","End":true}}}`))
	require.NoError(t, err)
	m, err := states.New(def, states.WithTasks(tasks), states.WithClock(states.NewVirtualClock(epoch)))
	require.NoError(t, err)
	ex, err := m.Run(ctx, []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, states.StatusAborted, ex.Status)
	assert.Equal(t, types.HistoryEventTypeExecutionAborted, ex.History[len(ex.History)-1].Type)
}

func TestDataLimit(t *testing.T) {
	// Payloads over 256 KiB fail with States.DataLimitExceeded, which no
	// States.ALL catches. https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
	big := strings.Repeat("x", 256*1024)
	tasks := states.TaskFunc(func(context.Context, states.TaskRequest) (any, error) { return big, nil })
	def, err := asl.Parse([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`))
	require.NoError(t, err)
	ex, _ := run(t, def, tasks, `{}`)
	assert.Equal(t, states.StatusFailed, ex.Status)
	assert.Equal(t, "States.DataLimitExceeded", ex.Error)

	m, err := states.New(def)
	require.NoError(t, err)
	_, err = m.Run(context.Background(), []byte(`"`+big+`"`))
	var inputErr *states.InputError
	assert.ErrorAs(t, err, &inputErr, "an input over the limit starts no execution")
}

func TestInvalidDefinitionsAreRefused(t *testing.T) {
	// New checks the rules of the language as CreateStateMachine does and
	// names each problem's place.
	def, err := asl.Parse([]byte(one(`{"Type":"Map","ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`)))
	require.NoError(t, err)
	_, err = states.New(def)
	var ve *asl.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), "States.S: ToleratedFailureCount is only allowed in a distributed Map")
}

func TestUnsupportedIsRejected(t *testing.T) {
	// What the executor does not run yet is refused by name, never run
	// differently from AWS.
	for _, c := range []struct{ name, def, state, field string }{
		{"Parquet items", one(`{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"PARQUET"},"Parameters":{"Bucket":"b","Key":"k"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`), "S", "ItemReader.ReaderConfig.InputType"},
		{"activity", one(`{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:work","End":true}`), "S", "Resource"},
	} {
		t.Run(c.name, func(t *testing.T) {
			def, err := asl.Parse([]byte(c.def))
			require.NoError(t, err)
			_, err = states.New(def)
			var ue *states.UnsupportedError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, c.state, ue.State)
			assert.Equal(t, c.field, ue.Field)
		})
	}
}

func TestJSONataDefinitionErrors(t *testing.T) {
	// AWS refuses these at CreateStateMachine; New refuses them with AWS's
	// code and message, naming the state and the field.
	for _, c := range []struct{ name, state, want string }{
		{"invalid expression", `{"Type":"Pass","Output":{"v":"{% $states.input. %}"},"Next":"E"}`, "INVALID_JSONATA_EXPRESSION"},
		{"top-level field reference", `{"Type":"Pass","Output":{"v":"{% phone %}"},"Next":"E"}`, "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at /States/S/Output/v"},
		{"bad condition", `{"Type":"Choice","Choices":[{"Condition":"{% ( %}","Next":"E"}],"Default":"E"}`, "at /States/S/Choices/0/Condition"},
	} {
		t.Run(c.name, func(t *testing.T) {
			def, err := asl.Parse([]byte(`{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":` + c.state + `,"E":{"Type":"Succeed"}}}`))
			require.NoError(t, err)
			_, err = states.New(def)
			var de *states.DefinitionError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "S", de.State)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestVariableSizeLimits(t *testing.T) {
	// One variable over 256 KiB, or one Assign over 256 KiB in all, fails
	// the state with States.DataLimitExceeded, which States.ALL does not
	// catch. https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
	big := strings.Repeat("x", 200*1024)
	for _, c := range []struct{ name, assign string }{
		{"one variable", `{"a.$":"States.Format('{}{}', $.big, $.big)"}`},
		{"one Assign in all", `{"a.$":"$.big","b.$":"$.big"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			def, err := asl.Parse([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","Assign":` + c.assign + `,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`))
			require.NoError(t, err)
			ex, _ := run(t, def, states.TaskFunc(func(context.Context, states.TaskRequest) (any, error) { return map[string]any{"big": big}, nil }), `{}`)
			assert.Equal(t, states.StatusFailed, ex.Status)
			assert.Equal(t, "States.DataLimitExceeded", ex.Error)
		})
	}
	def, err := asl.Parse([]byte(`{"StartAt":"T","States":{"T":{"Type":"Pass","Assign":{"a.$":"$.big"},"End":true}}}`))
	require.NoError(t, err)
	ex, _ := run(t, def, nil, `{"big":"`+strings.Repeat("x", 100*1024)+`"}`)
	assert.Equal(t, states.StatusSucceeded, ex.Status, "under the limits")
}
