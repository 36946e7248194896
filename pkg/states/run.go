package states

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

// Execution statuses, as DescribeExecution reports them.
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Execution is the outcome of one run.
type Execution struct {
	ARN, Name string
	Status    string
	// Output is the machine's output when it SUCCEEDED, nil otherwise.
	Output              json.RawMessage
	Error, Cause        string
	StartDate, StopDate time.Time
	// History is the event list GetExecutionHistory returns, oldest first.
	History []types.HistoryEvent
	// Children are the child executions its distributed Map states
	// started, each with its own history, as AWS runs them.
	Children []*Execution
	// RedriveCount is how many times the execution was redriven, and
	// RedriveDate when last (zero if never), as DescribeExecution says.
	RedriveCount int
	RedriveDate  time.Time
}

// RunOption configures one Run.
type RunOption func(*runConfig)

type runConfig struct {
	name string
	sink func(types.HistoryEvent)
}

// WithEventSink has every new history event passed to sink as it is
// recorded, in id order (under the history's lock: sink must not block
// long). A service that writes them down can Resume the execution from
// them after a crash.
func WithEventSink(sink func(types.HistoryEvent)) RunOption {
	return func(c *runConfig) { c.sink = sink }
}

// WithExecutionName names the execution ($$.Execution.Name and its ARN);
// the default is a random UUID, as StartExecution gives.
func WithExecutionName(name string) RunOption { return func(c *runConfig) { c.name = name } }

// run is one execution under way.
type run struct {
	m *Machine
	h *history
	// execCtx is $$.Execution, made from exec the first time a context
	// object is built (most executions never build one), unless set.
	execCtx  map[string]any
	exec     execInfo
	execOnce sync.Once
	smCtx    map[string]any // $$.StateMachine
	deadline time.Time      // the machine's TimeoutSeconds; zero when unset
	// timeoutSecs is the machine's TimeoutSeconds, for the cause.
	timeoutSecs int
	// test is set for TestState.
	test *testRun
	// children are the child executions of distributed Maps.
	childMu  sync.Mutex
	children []*Execution
}

// errExecutionTimedOut ends an execution that ran past the machine's
// TimeoutSeconds; no Catch sees it.
var errExecutionTimedOut = errors.New("states: execution timed out")

// terminal reports whether err ends the execution whatever Retry and Catch
// say: an abort (ctx ended) or the machine's own timeout.
func terminal(err error) bool {
	return errors.Is(err, errExecutionTimedOut) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Run starts an execution with input (a JSON document; empty means {}) and
// runs it to its end. The error is non-nil only when no execution could
// start (input not JSON or over 256 KiB); a failed, timed-out or aborted
// execution is an Execution with that Status. Ending ctx aborts it.
func (m *Machine) Run(ctx context.Context, input []byte, opts ...RunOption) (*Execution, error) {
	rc := runConfig{}
	for _, o := range opts {
		o(&rc)
	}
	if rc.name == "" {
		rc.name = newUUID()
	}
	if len(input) == 0 {
		input = []byte("{}")
	}
	in, err := decodeJSON(input)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	inStr, err := checkSize(in, "the execution input")
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return m.execute(ctx, rc, in, inStr, m.cfg.clock.Now(), nil, false)
}

// Resume goes on with an execution from its history (the events Run, or a
// Resume, recorded until the process running it stopped), and runs it to
// its end as it would have run: what the history records is not done again
// (a task that finished is not called again, a Wait that passed is not
// waited again; a task interrupted before its outcome was recorded runs
// again, as AWS runs it at least once), and the rest runs anew. The
// Execution's History holds the recorded events and the new ones. An
// execution whose history has ended is returned as it ended.
//
// The execution's name must be given (WithExecutionName): the history does
// not hold it. Give the machine the same definition and, for callback
// tasks, a TokenBroker with the same key (NewTokenBrokerKey), so that a
// waiting task's token is the one its caller holds.
func (m *Machine) Resume(ctx context.Context, history []types.HistoryEvent, opts ...RunOption) (*Execution, error) {
	rc, in, inStr, err := resumable(history, opts)
	if err != nil {
		return nil, err
	}
	start := *history[0].Timestamp
	if ex := ended(history); ex != nil {
		ex.ARN, ex.Name, ex.StartDate = m.executionARN(rc.name), rc.name, start
		ex.RedriveCount, ex.RedriveDate = redriveInfo(history)
		return ex, nil
	}
	return m.execute(ctx, rc, in, inStr, start, history, false)
}

// resumable checks a history given to Resume or Redrive and returns the
// run's options and the execution's input.
func resumable(history []types.HistoryEvent, opts []RunOption) (rc runConfig, in any, inStr string, err error) {
	for _, o := range opts {
		o(&rc)
	}
	if rc.name == "" {
		return rc, nil, "", errors.New("states: Resume and Redrive need the execution's name (WithExecutionName)")
	}
	if len(history) == 0 || history[0].Type != types.HistoryEventTypeExecutionStarted || history[0].ExecutionStartedEventDetails == nil {
		return rc, nil, "", errors.New("states: a history starts with its ExecutionStarted event")
	}
	for i := range history {
		if history[i].Id != int64(i+1) || history[i].Timestamp == nil {
			return rc, nil, "", fmt.Errorf("states: history event %d has id %d (ids run from 1) or no timestamp", i+1, history[i].Id)
		}
	}
	inStr = aws.ToString(history[0].ExecutionStartedEventDetails.Input)
	if in, err = decodeJSON([]byte(inStr)); err != nil {
		return rc, nil, "", &InputError{Err: err}
	}
	return rc, in, inStr, nil
}

// ended returns the outcome of a history that has its last event.
func ended(history []types.HistoryEvent) *Execution {
	last := history[len(history)-1]
	ex := &Execution{History: history, StopDate: aws.ToTime(last.Timestamp)}
	switch d := last; {
	case d.ExecutionSucceededEventDetails != nil:
		ex.Status, ex.Output = StatusSucceeded, json.RawMessage(aws.ToString(d.ExecutionSucceededEventDetails.Output))
	case d.ExecutionFailedEventDetails != nil:
		ex.Status, ex.Error, ex.Cause = StatusFailed, aws.ToString(d.ExecutionFailedEventDetails.Error), aws.ToString(d.ExecutionFailedEventDetails.Cause)
	case d.ExecutionTimedOutEventDetails != nil:
		ex.Status, ex.Error, ex.Cause = StatusTimedOut, aws.ToString(d.ExecutionTimedOutEventDetails.Error), aws.ToString(d.ExecutionTimedOutEventDetails.Cause)
	case d.ExecutionAbortedEventDetails != nil:
		ex.Status = StatusAborted
	default:
		return nil
	}
	return ex
}

func (m *Machine) executionARN(name string) string {
	return "arn:aws:states:" + m.cfg.region + ":" + m.cfg.account + ":execution:" + m.cfg.name + ":" + name
}

// execute runs an execution started at start, following recorded (when
// resuming) as far as it goes; redrive first records the ExecutionRedriven
// event after it.
func (m *Machine) execute(ctx context.Context, rc runConfig, in any, inStr string, start time.Time, recorded []types.HistoryEvent, redrive bool) (*Execution, error) {
	clock := m.cfg.clock
	arn := m.executionARN(rc.name)
	// One allocation for the run, its main thread and its scope.
	a := &struct {
		r    run
		main thread
		sc   scope
	}{}
	r := &a.r
	r.m, r.h, r.smCtx = m, newHistory(clock, int(m.events.Load()), int(m.strs.Load())), m.smCtx
	r.exec = execInfo{arn: arn, name: rc.name, input: in, start: start, set: true}
	main := &a.main
	main.h, main.lastVal, main.lastStr, main.hasLast = r.h, in, inStr, true
	r.h.sink = rc.sink
	since := start
	if recorded != nil {
		since = r.follow(main, recorded, redrive, start)
	}
	runCtx := ctx
	if m.def.TimeoutSeconds != nil && *m.def.TimeoutSeconds > 0 {
		r.timeoutSecs = *m.def.TimeoutSeconds
		r.deadline = since.Add(time.Duration(*m.def.TimeoutSeconds) * time.Second)
		if _, ok := clock.(RealClock); ok {
			// Like a task's timeout, the machine's bounds real work and
			// is not scaled.
			var cancel context.CancelFunc
			runCtx, cancel = context.WithTimeout(ctx, time.Until(r.deadline))
			defer cancel()
		}
	}
	r.started(main, inStr)
	out, err := r.runProgram(runCtx, m.main, in, main, &a.sc)
	if derr := r.h.divergence(); derr != nil {
		return nil, derr
	}
	ex := &Execution{ARN: arn, Name: rc.name, StartDate: start, RedriveCount: r.exec.redrives, RedriveDate: r.exec.redriven}
	r.end(ctx, main, out, err, ex)
	ex.StopDate = clock.Now()
	ex.History = r.h.done()
	ex.Children = r.children
	if recorded == nil {
		m.events.Store(int64(len(ex.History)))
		m.strs.Store(int64(r.h.strings()))
	}
	return ex, nil
}

// end records how an execution ended (its last event) and fills in ex.
// ctx is the caller's: its end is an abort, a deadline of the execution's
// own a time-out.
func (r *run) end(ctx context.Context, main *thread, out any, err error, ex *Execution) {
	var outStr string
	if err == nil {
		outStr, err = main.encode(out, "the execution output")
	}
	switch {
	case err == nil:
		ex.Status, ex.Output = StatusSucceeded, json.RawMessage(outStr)
		main.emit(types.HistoryEventTypeExecutionSucceeded, func(ev *types.HistoryEvent) {
			ev.ExecutionSucceededEventDetails = &types.ExecutionSucceededEventDetails{Output: r.h.str(outStr), OutputDetails: dataDetails()}
		})
	case !r.deadline.IsZero() && (errors.Is(err, errExecutionTimedOut) || (errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil)):
		ex.Status, ex.Error = StatusTimedOut, errTimeout
		ex.Cause = fmt.Sprintf("The execution ran longer than its TimeoutSeconds (%d)", r.timeoutSecs)
		main.emit(types.HistoryEventTypeExecutionTimedOut, func(ev *types.HistoryEvent) {
			ev.ExecutionTimedOutEventDetails = &types.ExecutionTimedOutEventDetails{Error: aws.String(ex.Error), Cause: aws.String(ex.Cause)}
		})
	case terminal(err):
		ex.Status = StatusAborted
		main.emit(types.HistoryEventTypeExecutionAborted, func(ev *types.HistoryEvent) {
			ev.ExecutionAbortedEventDetails = &types.ExecutionAbortedEventDetails{}
		})
	default:
		se := asStatesError(err)
		ex.Status, ex.Error, ex.Cause = StatusFailed, se.Name, se.Cause
		main.emit(types.HistoryEventTypeExecutionFailed, func(ev *types.HistoryEvent) {
			// A Fail state without Error or Cause leaves them out.
			ev.ExecutionFailedEventDetails = &types.ExecutionFailedEventDetails{Error: optString(se.Name), Cause: optString(se.Cause)}
		})
	}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (c RealClock) scaled(d time.Duration) time.Duration {
	if c.Scale > 0 && c.Scale != 1 {
		return time.Duration(float64(d) / c.Scale)
	}
	return d
}

// runProgram runs states from p's start until one ends the program.
func (r *run) runProgram(ctx context.Context, p *program, input any, th *thread, sc *scope) (any, error) {
	name := p.start
	for {
		if err := r.alive(ctx); err != nil {
			return nil, err
		}
		st := p.states[name]
		out, next, err := r.runState(ctx, st, input, th, sc)
		if err != nil {
			return nil, runtimeCause(err, name, th.entered)
		}
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

// runtimeCause says where a States.Runtime error happened, as AWS does:
// "An error occurred while executing the state 'S' (entered at the event
// id #2). " before the cause.
func runtimeCause(err error, state string, entered int64) error {
	var se statesError
	if !errors.As(err, &se) {
		return err
	}
	name, cause := se.StatesError()
	if name != errRuntime || strings.HasPrefix(cause, runtimePrefix) {
		return err
	}
	return &Error{Name: name, Cause: causeAt(state, entered, cause)}
}

// causeAt puts AWS's "An error occurred while executing the state 'S'
// (entered at the event id #N). " before a cause.
func causeAt(state string, entered int64, cause string) string {
	return fmt.Sprintf("%s'%s' (entered at the event id #%d). %s", runtimePrefix, state, entered, cause)
}

const runtimePrefix = "An error occurred while executing the state "

// alive fails once the execution is aborted or past its deadline.
func (r *run) alive(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !r.deadline.IsZero() && !r.m.cfg.clock.Now().Before(r.deadline) {
		return errExecutionTimedOut
	}
	return nil
}

// sleepUntil waits on the clock until t, or until the machine's deadline
// when that comes first (then failing with errExecutionTimedOut).
func (r *run) sleepUntil(ctx context.Context, t time.Time) error {
	if !r.deadline.IsZero() && t.After(r.deadline) {
		if err := r.m.cfg.clock.WaitUntil(ctx, r.deadline); err != nil {
			return err
		}
		return errExecutionTimedOut
	}
	return r.m.cfg.clock.WaitUntil(ctx, t)
}

func (r *run) runState(ctx context.Context, st asl.State, input any, th *thread, sc *scope) (any, string, error) {
	if r.m.jsonata[st] {
		return r.runJSONata(ctx, st, input, th, sc)
	}
	switch s := st.(type) {
	case *asl.Pass:
		return r.pass(s, input, th, sc)
	case *asl.Task:
		return r.task(ctx, s, input, th, sc)
	case *asl.Choice:
		return r.choice(s, input, th, sc)
	case *asl.Wait:
		return r.wait(ctx, s, input, th, sc)
	case *asl.Succeed:
		return r.succeed(s, input, th, sc)
	case *asl.Fail:
		return nil, "", r.fail(s, input, th, sc)
	case *asl.Parallel:
		return r.parallel(ctx, s, input, th, sc)
	case *asl.Map:
		return r.mapState(ctx, s, input, th, sc)
	}
	return nil, "", runtimeErr("state %q has an unknown type", st.StateName())
}

// enter records a state's entry and returns the environment its paths
// read: its input, the context object and the variables as they are now.
func (r *run) enter(typ, name string, input any, th *thread, sc *scope) (jsonpath.Env, time.Time, error) {
	inStr, err := th.encode(input, "the state's input")
	if err != nil {
		return jsonpath.Env{}, r.m.cfg.clock.Now(), err
	}
	// The state entered when its event says: on a resumed execution, when
	// it first did.
	entered := aws.ToTime(th.enter(typ, name, inStr).Timestamp)
	retries := -1
	switch typ {
	case "Task", "Parallel", "Map":
		retries = 0
	}
	return jsonpath.Env{Input: input, Context: r.lazyContext(name, entered, retries), Vars: sc.all()}, entered, nil
}

// execInfo is what $$.Execution is made of.
type execInfo struct {
	arn, name string
	input     any
	start     time.Time
	set       bool
	// redrives counts the execution's redrives, the last at redriven.
	redrives int
	redriven time.Time
}

// execution returns $$.Execution.
func (r *run) execution() map[string]any {
	r.execOnce.Do(func() {
		if r.execCtx == nil && r.exec.set {
			e := r.exec
			r.execCtx = map[string]any{
				"Id": e.arn, "Input": e.input, "Name": e.name, "RoleArn": r.m.cfg.roleArn,
				"StartTime": timestamp(e.start), "RedriveCount": json.Number(strconv.Itoa(e.redrives)),
			}
			if e.redrives > 0 {
				r.execCtx["RedriveTime"] = timestamp(e.redriven)
			}
		}
	})
	return r.execCtx
}

// lazyContext is the context object of a state, built only when a path
// reads it.
func (r *run) lazyContext(name string, entered time.Time, retries int) func() any {
	return func() any { return r.context(name, entered, retries, nil) }
}

// context builds the context object $$ of a state. State.RetryCount is
// there only for the states that can retry (retries >= 0): AWS gives a Pass
// state's $$.State just Name and EnteredTime.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
func (r *run) context(name string, entered time.Time, retries int, item map[string]any) map[string]any {
	if r.test != nil && r.test.context != nil {
		return r.test.contextFor(name, entered, retries, item)
	}
	st := map[string]any{"Name": name, "EnteredTime": timestamp(entered)}
	if retries >= 0 {
		st["RetryCount"] = json.Number(strconv.Itoa(retries))
	}
	c := map[string]any{
		"Execution":    r.execution(),
		"StateMachine": r.smCtx,
		"State":        st,
	}
	if item != nil {
		c["Map"] = map[string]any{"Item": item}
	}
	return c
}

// leave checks the state's output, applies its variables and records the
// exit. It returns the output: on a resumed execution, the one recorded
// when the state first ran (which a States.UUID or $random made then).
func (r *run) leave(typ, name string, out any, assigned map[string]any, th *thread, sc *scope) (any, error) {
	outStr, err := th.encode(out, "the state's output")
	if err != nil {
		return nil, err
	}
	encoded, err := checkVariables(name, assigned, sc)
	if err != nil {
		return nil, err
	}
	ev, replayed := th.exited(typ, name, outStr, encoded)
	if replayed && ev.StateExitedEventDetails != nil {
		d := ev.StateExitedEventDetails
		if out, err = decodeJSON([]byte(aws.ToString(d.Output))); err != nil {
			return nil, runtimeErr("the recorded output of state %q is not JSON: %v", name, err)
		}
		assigned = nil
		for k, v := range d.AssignedVariables {
			if assigned == nil {
				assigned = make(map[string]any, len(d.AssignedVariables))
			}
			if assigned[k], err = decodeJSON([]byte(v)); err != nil {
				return nil, runtimeErr("the recorded variable %q of state %q is not JSON: %v", k, name, err)
			}
		}
	}
	sc.assign(assigned)
	return out, nil
}

// sleepOn waits on the clock until t, unless the thread is resuming a
// recording that has it past the wait already.
func (r *run) sleepOn(ctx context.Context, th *thread, t time.Time) error {
	if th.replaying() {
		return nil
	}
	return r.sleepUntil(ctx, t)
}
