package states

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

// task runs a Task state: InputPath, Parameters, the task (retried as Retry
// says), ResultSelector, then ResultPath and OutputPath, or a Catch.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
func (r *run) task(ctx context.Context, s *asl.Task, input any, th *thread, sc *scope) (any, string, error) {
	env, entered, err := r.enter("Task", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	callsBack := isCallback(s.Resource)
	result, err := r.withRetry(ctx, th, s.Name, entered, s.Retry, env, func(env jsonpath.Env, retries int) (any, error) {
		// Each attempt of a callback task has a token of its own, in
		// $$.Task.Token for its paths; a token whose task never started
		// (its Parameters failed) is closed at once.
		var cb *callback
		if callsBack {
			cb = r.callback(th, retries, &env)
			defer r.m.cfg.broker.close(cb, false)
		}
		eff, err := applyInputPath(s.InputPath, env)
		if err != nil {
			return nil, err
		}
		r.note("afterInputPath", eff)
		params, err := applyTemplate(s.Parameters, eff, env)
		if err != nil {
			return nil, err
		}
		r.note("afterParameters", params)
		timeout, err := secondsField(s.Name, "TimeoutSeconds", s.TimeoutSeconds, s.TimeoutSecondsPath, eff, env)
		if err != nil {
			return nil, err
		}
		// A request-response task sends no heartbeats, so AWS (and this
		// executor) only reports its HeartbeatSeconds; a callback task's
		// token must get a SendTaskHeartbeat that often.
		heartbeat, err := secondsField(s.Name, "HeartbeatSeconds", s.HeartbeatSeconds, s.HeartbeatSecondsPath, eff, env)
		if err != nil {
			return nil, err
		}
		res, err := r.callTask(ctx, s, params, timeout, heartbeat, retries, th, cb)
		if err != nil {
			return nil, err
		}
		r.note("result", res)
		sel, err := applyTemplate(s.ResultSelector, res, env)
		r.note("afterResultSelector", sel)
		return sel, err
	})
	if err != nil {
		return r.catch("Task", s.Name, s.Catch, err, input, env, th, sc)
	}
	out, assigned, err := r.finish(s.Assign, s.ResultPath, s.OutputPath, input, result, env)
	if err != nil {
		return r.catch("Task", s.Name, s.Catch, err, input, env, th, sc)
	}
	out, err = r.leave("Task", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}

// finish applies Assign (whose "$" is the state's result), ResultPath and
// OutputPath to a state's result.
func (r *run) finish(assign asl.Object, resultPath, outputPath asl.Path, input, result any, env jsonpath.Env) (any, map[string]any, error) {
	assigned, err := evalAssign(assign, result, env)
	if err != nil {
		return nil, nil, err
	}
	out, err := applyResultPath(resultPath, input, result)
	if err != nil {
		return nil, nil, err
	}
	r.note("afterResultPath", out)
	out, err = applyOutputPath(outputPath, out, env)
	if err != nil {
		return nil, nil, err
	}
	return out, assigned, nil
}

// secondsField reads TimeoutSeconds/TimeoutSecondsPath or
// HeartbeatSeconds/HeartbeatSecondsPath: the literal, or a path into the
// effective input holding a positive integer; 0 means not set.
func secondsField(state, field string, lit *int, path asl.Path, eff any, env jsonpath.Env) (int, error) {
	switch {
	case lit != nil:
		return *lit, nil
	case path != "":
		env.Input = eff
		v, err := env.Resolve(string(path))
		if err != nil {
			return 0, err
		}
		n, ok := positiveInt(v)
		if !ok {
			return 0, runtimeErr("%sPath %s of state %q must select a positive integer, not %s", field, path, state, mustEncode(v))
		}
		return n, nil
	}
	return 0, nil
}

func positiveInt(v any) (int, bool) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num.String())
	return n, err == nil && n > 0
}

// callTask runs one attempt of the task through Tasks, recording
// TaskScheduled, TaskStarted and TaskSucceeded, TaskFailed or TaskTimedOut.
// A task still running at its TimeoutSeconds (measured on the clock) fails
// with States.Timeout.
//
// A callback task (cb not nil) records TaskSubmitted when its task returns,
// then waits for cb's token: see callbackResult.
func (r *run) callTask(ctx context.Context, s *asl.Task, params any, timeout, heartbeat, retries int, th *thread, cb *callback) (any, error) {
	paramStr, err := checkSize(params, "the task's parameters")
	if err != nil {
		return nil, err
	}
	events := r.m.events4[s]
	events.scheduled(th, paramStr, timeout, heartbeat)
	events.started(th)
	clock := r.m.cfg.clock
	// The task started at its TaskStarted event: on a resumed execution,
	// when it first did, so its timeout runs from then.
	start := th.at
	tctx := ctx
	// A task's timeout bounds real work (a function process), so a scaled
	// clock does not shorten it: only waits are scaled.
	if _, ok := clock.(RealClock); ok && timeout > 0 {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeout(ctx, time.Duration(timeout)*time.Second)
		defer cancel()
	}
	req := TaskRequest{Resource: s.Resource, Parameters: params, StateName: s.Name, Attempt: retries, Timeout: timeout, Heartbeat: heartbeat, Sync: isSync(s.Resource)}
	if cb != nil {
		req.TaskToken = cb.token
		tctx = context.WithValue(tctx, brokerKey{}, r.m.cfg.broker)
	}
	sync := isSync(s.Resource)
	if rec := th.peek(); sync && rec != nil && rec.TaskSubmittedEventDetails != nil {
		// Resuming a .sync task whose job was started: the task reattaches
		// to the job its submission recorded, unless its outcome is recorded
		// too.
		events.(serviceEvents).submitted(th, aws.ToString(rec.TaskSubmittedEventDetails.Output))
		req.Submitted = json.RawMessage(aws.ToString(rec.TaskSubmittedEventDetails.Output))
	}
	if sync && req.Submitted == nil {
		var once atomic.Bool
		tctx = context.WithValue(tctx, submitKey{}, func(output any) error {
			if !once.CompareAndSwap(false, true) {
				return errors.New("states: the task's job was submitted already")
			}
			v, err := normalize(output)
			if err != nil {
				return err
			}
			str, err := checkSize(v, "the task's submission")
			if err != nil {
				return err
			}
			events.(serviceEvents).submitted(th, str)
			return nil
		})
	}
	var out any
	if rec := th.peek(); rec != nil {
		// Resuming: the task already ran, and its outcome is recorded.
		kind, v, rerr := recordedOutcome(rec)
		switch kind {
		case outcomeTimedOut:
			if cb != nil {
				r.m.cfg.broker.close(cb, true)
			}
			events.timedOut(th, rerr)
			return nil, rerr
		case outcomeNone:
			return nil, runtimeErr("the recorded history has %s where task state %q has its outcome", rec.Type, s.Name)
		}
		out, err = v, rerr
		if rerr == nil {
			err = nil
		}
	} else if r.test != nil && r.test.mock != nil {
		out, err = r.test.mocked()
	} else if r.m.cfg.tasks == nil {
		err = &Error{Name: errTaskFailed, Cause: "no Tasks configured to run " + s.Resource}
	} else {
		out, err = r.m.cfg.tasks.Run(WithClockContext(tctx, clock), req)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timedOut := timeout > 0 && (clock.Now().Sub(start) > time.Duration(timeout)*time.Second || errors.Is(tctx.Err(), context.DeadlineExceeded))
	// A callback task whose request was accepted late is submitted all the
	// same; its wait then times out at once (with no cause), and a token
	// completed during the call still counts.
	if timedOut && !(cb != nil && err == nil) {
		te := &Error{Name: errTimeout, Cause: "Task timed out after " + strconv.Itoa(timeout) + " seconds"}
		if cb != nil {
			r.m.cfg.broker.close(cb, true)
		}
		events.timedOut(th, te)
		return nil, te
	}
	if err == nil {
		out, err = normalize(out)
	}
	var outStr string
	if err == nil {
		outStr, err = checkSize(out, "the task's result")
	}
	if err != nil {
		se := asStatesError(err)
		events.failed(th, se)
		return nil, se
	}
	if cb != nil {
		events.(serviceEvents).submitted(th, outStr)
		lim := waitLimits{deadlineAt: r.deadline, heartbeat: time.Duration(heartbeat) * time.Second}
		if timeout > 0 {
			lim.timeoutAt = start.Add(time.Duration(timeout) * time.Second)
		}
		return r.callbackResult(ctx, cb, lim, events, th)
	}
	events.succeeded(th, outStr)
	return out, nil
}

// callbackResult waits for a callback task's token and records how the
// task ended, as AWS does: TaskSucceeded with SendTaskSuccess's output,
// TaskFailed with SendTaskFailure's error and cause, TaskTimedOut with
// States.HeartbeatTimeout or States.Timeout (and no cause). The machine's
// own timeout and an abort end the wait with no task event.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
func (r *run) callbackResult(ctx context.Context, cb *callback, lim waitLimits, events taskEvents, th *thread) (any, error) {
	var out any
	var err error
	if rec := th.peek(); rec != nil {
		// Resuming: the token's outcome is recorded.
		kind, v, rerr := recordedOutcome(rec)
		r.m.cfg.broker.close(cb, kind == outcomeTimedOut)
		switch kind {
		case outcomeTimedOut:
			events.timedOut(th, rerr)
			return nil, rerr
		case outcomeNone:
			return nil, runtimeErr("the recorded history has %s where a callback task has its outcome", rec.Type)
		}
		out = v
		if rerr != nil {
			err = rerr
		}
	} else {
		out, err = r.m.cfg.broker.wait(ctx, cb, lim)
	}
	switch {
	case err == errCallbackTimeout || err == errCallbackHeartbeat:
		te := &Error{Name: err.(*Error).Name}
		events.timedOut(th, te)
		return nil, te
	case err != nil && terminal(err):
		return nil, err
	}
	var outStr string
	if err == nil {
		outStr, err = checkSize(out, "the task's result")
	}
	if err != nil {
		se := asStatesError(err)
		events.failed(th, se)
		return nil, se
	}
	events.succeeded(th, outStr)
	return out, nil
}

type submitKey struct{}

// Submit records, from inside a .sync task's Run, that its job has started
// (a TaskSubmitted event with output, e.g. StartExecution's response), as
// AWS records it before the task's outcome. Run then waits for the job and
// returns its result. On a resumed execution whose task was submitted, Run
// gets the recorded submission in TaskRequest.Submitted instead and should
// wait for that job rather than start another. Submit fails outside a
// .sync task and when called twice.
func Submit(ctx context.Context, output any) error {
	f, ok := ctx.Value(submitKey{}).(func(any) error)
	if !ok {
		return errors.New("states: Submit is only for the Run of a .sync task that has not been submitted")
	}
	return f(output)
}

// callback issues the task token of a callback task's attempt and puts it
// in env's context object as $$.Task.Token.
func (r *run) callback(th *thread, retries int, env *jsonpath.Env) *callback {
	token, cb := r.m.cfg.broker.issue(r.m.cfg.clock, r.tokenSeed(th, retries))
	env.Context = withTaskToken(env.Context, token)
	return cb
}

// tokenSeed names a callback task's attempt for its token: the execution,
// the StateEntered event and the retry count.
func (r *run) tokenSeed(th *thread, retries int) string {
	ex := r.execution()
	return ex["Id"].(string) + "#" + ex["StartTime"].(string) + "#" + strconv.FormatInt(th.entered, 10) + "#" + strconv.Itoa(retries)
}

// withTaskToken returns the context object c with $$.Task.Token set.
func withTaskToken(c any, token string) any {
	m, ok := jsonpath.Env{Context: c}.ContextObject().(map[string]any)
	if !ok {
		return c
	}
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out["Task"] = map[string]any{"Token": token}
	return out
}

type clockKey struct{}

// WithClockContext returns ctx carrying the execution's clock, as the
// context a task runs with does: a fake task can take virtual time with it.
func WithClockContext(ctx context.Context, c Clock) context.Context {
	return context.WithValue(ctx, clockKey{}, c)
}

// ClockFrom returns the clock of the execution a task runs in, or nil.
func ClockFrom(ctx context.Context) Clock {
	c, _ := ctx.Value(clockKey{}).(Clock)
	return c
}

// What a recorded task event says the task did.
const (
	outcomeNone     = iota
	outcomeDone     // succeeded or submitted, with its output
	outcomeFailed   // failed, with its error
	outcomeTimedOut // timed out, with its error
)

// recordedOutcome reads a task's outcome from its recorded event.
func recordedOutcome(ev *types.HistoryEvent) (int, any, *Error) {
	done := func(s *string) (int, any, *Error) {
		v, err := decodeJSON([]byte(aws.ToString(s)))
		if err != nil {
			return outcomeFailed, nil, runtimeErr("the recorded task output is not JSON: %v", err)
		}
		return outcomeDone, v, nil
	}
	switch {
	case ev.TaskSucceededEventDetails != nil:
		return done(ev.TaskSucceededEventDetails.Output)
	case ev.TaskSubmittedEventDetails != nil:
		return done(ev.TaskSubmittedEventDetails.Output)
	case ev.LambdaFunctionSucceededEventDetails != nil:
		return done(ev.LambdaFunctionSucceededEventDetails.Output)
	case ev.TaskFailedEventDetails != nil:
		d := ev.TaskFailedEventDetails
		return outcomeFailed, nil, &Error{Name: aws.ToString(d.Error), Cause: aws.ToString(d.Cause)}
	case ev.LambdaFunctionFailedEventDetails != nil:
		d := ev.LambdaFunctionFailedEventDetails
		return outcomeFailed, nil, &Error{Name: aws.ToString(d.Error), Cause: aws.ToString(d.Cause)}
	case ev.TaskTimedOutEventDetails != nil:
		d := ev.TaskTimedOutEventDetails
		return outcomeTimedOut, nil, &Error{Name: aws.ToString(d.Error), Cause: aws.ToString(d.Cause)}
	case ev.LambdaFunctionTimedOutEventDetails != nil:
		d := ev.LambdaFunctionTimedOutEventDetails
		return outcomeTimedOut, nil, &Error{Name: aws.ToString(d.Error), Cause: aws.ToString(d.Cause)}
	}
	return outcomeNone, nil, nil
}
