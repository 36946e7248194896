package states

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

// Retry and Catch.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html

// Retrier defaults AWS applies when a field is not set.
const (
	defaultInterval    = 1
	defaultMaxAttempts = 3
	defaultBackoff     = 2.0
)

// matches reports whether an ErrorEquals list covers the error name.
// States.ALL matches every error but the terminal States.Runtime and
// States.DataLimitExceeded; States.TaskFailed matches every error but
// States.Timeout (and those two). A name matches itself, but for
// States.Runtime, which nothing matches (recorded on AWS: a Catch naming
// it does not take it).
func matches(errorEquals []string, name string) bool {
	if name == errRuntime {
		// Not even a retrier or catcher naming it takes a States.Runtime
		// error: it always fails the execution.
		return false
	}
	terminalName := name == errDataLimitExceeded
	for _, e := range errorEquals {
		switch {
		case e == name:
			return true
		case e == errAll && !terminalName:
			return true
		case e == errTaskFailed && !terminalName && name != errTimeout:
			return true
		}
	}
	return false
}

// retryDelay is the wait before retry number n+1 (n retries done so far) of
// rt: IntervalSeconds × BackoffRate^n, at most MaxDelaySeconds, and with
// JitterStrategy FULL a uniform fraction of that.
func retryDelay(rt asl.Retrier, n int, random func() float64) time.Duration {
	interval := float64(defaultInterval)
	if rt.IntervalSeconds != nil {
		interval = float64(*rt.IntervalSeconds)
	}
	backoff := defaultBackoff
	if rt.BackoffRate != nil {
		backoff = *rt.BackoffRate
	}
	secs := interval * math.Pow(backoff, float64(n))
	if rt.MaxDelaySeconds != nil && secs > float64(*rt.MaxDelaySeconds) {
		secs = float64(*rt.MaxDelaySeconds)
	}
	if rt.JitterStrategy == asl.JitterFull {
		secs *= random()
	}
	return time.Duration(secs * float64(time.Second))
}

// attempt is one try of a state's work; retries is $$.State.RetryCount.
type attempt func(env jsonpath.Env, retries int) (any, error)

// withRetry runs try until it succeeds, fails with an error no retrier
// takes, or the first retrier that matches has no attempts left (retriers
// after it are not consulted).
func (r *run) withRetry(ctx context.Context, th *thread, name string, entered time.Time, retriers []asl.Retrier, env jsonpath.Env, try attempt) (any, error) {
	used := make([]int, len(retriers))
	retries := 0
	for {
		res, err := try(env, retries)
		if err == nil || terminal(err) {
			return res, err
		}
		// A failed Parallel or Map attempt records its Failed event only
		// when the state fails for good.
		failed := th.pendingFail
		th.pendingFail = ""
		giveUp := func(err error) (any, error) {
			if failed != "" {
				th.emit(failed, nil)
			}
			return nil, err
		}
		se := asStatesError(err)
		i := slices.IndexFunc(retriers, func(rt asl.Retrier) bool { return matches(rt.ErrorEquals, se.Name) })
		if i < 0 {
			return giveUp(se)
		}
		max := defaultMaxAttempts
		if retriers[i].MaxAttempts != nil {
			max = *retriers[i].MaxAttempts
		}
		if r.test != nil {
			// TestState runs one attempt: the retrier decides whether the
			// state would be retried after its given number of retries.
			if r.test.retries < max {
				return giveUp(&retriable{se})
			}
			return giveUp(se)
		}
		if used[i] >= max {
			return giveUp(se)
		}
		delay := retryDelay(retriers[i], used[i], r.m.cfg.random)
		used[i]++
		retries++
		// The delay runs from the failure's event: on a resumed execution,
		// from when the attempt first failed.
		if err := r.sleepOn(ctx, th, th.at.Add(delay)); err != nil {
			return nil, err
		}
		env.Context = r.lazyContext(name, entered, retries)
	}
}

// catch moves a failed state to the Next of its first catcher matching the
// error, with the error output {"Error","Cause"} placed by the catcher's
// ResultPath into the state's raw input. With no catcher matching, the
// error goes on up.
func (r *run) catch(typ, name string, catchers []asl.Catcher, err error, input any, env jsonpath.Env, th *thread, sc *scope) (any, string, error) {
	if terminal(err) || isRetriable(err) {
		return nil, "", err
	}
	se := asStatesError(err)
	for _, c := range catchers {
		if !matches(c.ErrorEquals, se.Name) {
			continue
		}
		errOut := map[string]any{"Error": se.Name, "Cause": se.Cause}
		r.caught()
		assigned, aerr := evalAssign(c.Assign, errOut, env)
		if aerr != nil {
			return nil, "", aerr
		}
		out, perr := applyResultPath(c.ResultPath, input, errOut)
		if perr != nil {
			return nil, "", perr
		}
		out, lerr := r.leave(typ, name, out, assigned, th, sc)
		if lerr != nil {
			return nil, "", lerr
		}
		return out, c.Next, nil
	}
	return nil, "", se
}
