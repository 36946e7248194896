package states

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

// parallel runs every branch on the effective input at once; its result is
// the array of the branches' outputs in branch order. A failing branch
// stops the others and fails the state with the branch's own error.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
func (r *run) parallel(ctx context.Context, s *asl.Parallel, input any, th *thread, sc *scope) (any, string, error) {
	env, entered, err := r.enter("Parallel", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	result, err := r.withRetry(ctx, th, s.Name, entered, s.Retry, env, func(env jsonpath.Env, _ int) (any, error) {
		eff, err := applyInputPath(s.InputPath, env)
		if err != nil {
			return nil, err
		}
		if eff, err = applyTemplate(s.Parameters, eff, env); err != nil {
			return nil, err
		}
		outs, err := r.branches(ctx, s, eff, th, sc)
		if err != nil {
			return nil, err
		}
		return applyTemplate(s.ResultSelector, outs, env)
	})
	if err != nil {
		return r.catch("Parallel", s.Name, s.Catch, err, input, env, th, sc)
	}
	out, assigned, err := r.finish(s.Assign, s.ResultPath, s.OutputPath, input, result, env)
	if err != nil {
		return r.catch("Parallel", s.Name, s.Catch, err, input, env, th, sc)
	}
	out, err = r.leave("Parallel", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}

// branches runs a Parallel state's branches on input, between its
// ParallelStateStarted and ParallelStateSucceeded (or Failed, Aborted)
// events.
func (r *run) branches(ctx context.Context, s *asl.Parallel, input any, th *thread, sc *scope) ([]any, error) {
	progs := r.m.branches[s]
	th.emit(types.HistoryEventTypeParallelStateStarted, nil)
	outs, err := r.fanOut(ctx, len(progs), 0, th, func(ctx context.Context, i int, bt *thread) (any, error) {
		return r.runProgram(ctx, progs[i], input, bt, &scope{parent: sc})
	}, nil, r.m.starts[s])
	if err != nil {
		th.failedFanOut(err, types.HistoryEventTypeParallelStateFailed, types.HistoryEventTypeParallelStateAborted)
		return nil, err
	}
	th.emit(types.HistoryEventTypeParallelStateSucceeded, nil)
	return outs, nil
}

// iterationEvents are the events that frame each job of fanOut (a Map's
// iterations); nil for Parallel branches, which have none.
type iterationEvents struct {
	name                               string
	started, succeeded, failed, abortd types.HistoryEventType
}

// fanOut runs n jobs, at most limit at once (0: all), each on a thread of
// its own starting after th's last event. The first failure cancels the
// rest and is returned; outputs come back in job order.
//
// The event after them follows the last event of the job that ended last,
// so that a resumed execution finds each thread's events again: each job's
// thread starts at th's last event, a Map iteration with its
// MapIterationStarted (by index), a Parallel branch with its first state
// (starts[i]; names are unique in a machine).
func (r *run) fanOut(ctx context.Context, n, limit int, th *thread, job func(ctx context.Context, i int, t *thread) (any, error), frame *iterationEvents, starts []string) ([]any, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	outs := make([]any, n)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	if limit <= 0 || limit > n {
		limit = n
	}
	sem := make(chan struct{}, max(limit, 1))
	parent := th.prev
	lastIDs := make([]int64, n)
	lastAts := make([]time.Time, n)
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			t := &thread{h: r.h, prev: parent, rep: th.rep}
			defer func() { lastIDs[i], lastAts[i] = t.prev, t.at }()
			if t.rep != nil {
				if frame != nil {
					t.first = func(ev *types.HistoryEvent) bool {
						return ev.Type == frame.started && ev.MapIterationStartedEventDetails != nil && ev.MapIterationStartedEventDetails.Index == int32(i)
					}
				} else {
					t.first = func(ev *types.HistoryEvent) bool { return stateName(ev) == starts[i] }
				}
			}
			details := func(ev *types.HistoryEvent) {
				d := &types.MapIterationEventDetails{Index: int32(i), Name: aws.String(frame.name)}
				switch ev.Type {
				case frame.started:
					ev.MapIterationStartedEventDetails = d
				case frame.succeeded:
					ev.MapIterationSucceededEventDetails = d
				case frame.failed:
					ev.MapIterationFailedEventDetails = d
				case frame.abortd:
					ev.MapIterationAbortedEventDetails = d
				}
			}
			if frame != nil {
				t.emit(frame.started, details)
			}
			out, err := job(ctx, i, t)
			if err != nil {
				mu.Lock()
				aborted := firstErr != nil
				if !aborted {
					firstErr = err
				}
				mu.Unlock()
				if frame != nil {
					if aborted {
						t.emit(frame.abortd, details)
					} else {
						t.emit(frame.failed, details)
					}
				}
				cancel()
				return
			}
			if frame != nil {
				t.emit(frame.succeeded, details)
			}
			outs[i] = out
		}(i)
	}
	wg.Wait()
	for i, id := range lastIDs {
		if id > th.prev {
			th.prev = id
		}
		if lastAts[i].After(th.at) {
			th.at = lastAts[i]
		}
	}
	if firstErr == nil {
		// No job failed, but the execution's own context may have ended
		// before every job started.
		firstErr = ctx.Err()
	}
	return outs, firstErr
}

// mapState runs the item processor once per item of ItemsPath (an inline
// Map); its result is the array of the iterations' outputs in item order.
// Each iteration's input is ItemSelector evaluated with $$.Map.Item.Index
// and $$.Map.Item.Value, or the item itself.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
func (r *run) mapState(ctx context.Context, s *asl.Map, input any, th *thread, sc *scope) (any, string, error) {
	env, entered, err := r.enter("Map", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	result, err := r.withRetry(ctx, th, s.Name, entered, s.Retry, env, func(env jsonpath.Env, retries int) (any, error) {
		eff, err := applyInputPath(s.InputPath, env)
		if err != nil {
			return nil, err
		}
		if isDistributed(s) {
			var items []any
			if s.ItemReader == nil {
				if items, err = mapItems(s, eff, env); err != nil {
					return nil, err
				}
			}
			ev := env
			ev.Input = eff
			out, err := r.distributedRun(ctx, s, th, mapEval{env: ev}, items, entered, retries)
			if err != nil {
				return nil, err
			}
			return applyTemplate(s.ResultSelector, out, env)
		}
		items, err := mapItems(s, eff, env)
		if err != nil {
			return nil, err
		}
		limit, err := maxConcurrency(s, eff, env)
		if err != nil {
			return nil, err
		}
		ev := env
		ev.Input = eff
		outs, err := r.inline(ctx, s, items, limit, th, sc, mapEval{env: ev}, entered, retries)
		if err != nil {
			return nil, err
		}
		return applyTemplate(s.ResultSelector, outs, env)
	})
	if err != nil {
		return r.catch("Map", s.Name, s.Catch, err, input, env, th, sc)
	}
	out, assigned, err := r.finish(s.Assign, s.ResultPath, s.OutputPath, input, result, env)
	if err != nil {
		return r.catch("Map", s.Name, s.Catch, err, input, env, th, sc)
	}
	out, err = r.leave("Map", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}

// inline runs an inline Map's iterations over items, at most limit at
// once, each on ItemSelector's value for it, between the MapStateStarted
// and MapStateSucceeded (or Failed, Aborted) events.
func (r *run) inline(ctx context.Context, s *asl.Map, items []any, limit int, th *thread, sc *scope, e mapEval, entered time.Time, retries int) ([]any, error) {
	frame := &iterationEvents{
		name:    s.Name,
		started: types.HistoryEventTypeMapIterationStarted, succeeded: types.HistoryEventTypeMapIterationSucceeded,
		failed: types.HistoryEventTypeMapIterationFailed, abortd: types.HistoryEventTypeMapIterationAborted,
	}
	prog := r.m.maps[s]
	th.emit(types.HistoryEventTypeMapStateStarted, func(ev *types.HistoryEvent) {
		ev.MapStateStartedEventDetails = &types.MapStateStartedEventDetails{Length: int32(len(items))}
	})
	outs, err := r.fanOut(ctx, len(items), limit, th, func(ctx context.Context, i int, t *thread) (any, error) {
		item, err := e.selectItem(r, s, entered, retries, i, items[i])
		if err != nil {
			return nil, err
		}
		return r.runProgram(ctx, prog, item, t, &scope{parent: sc})
	}, frame, nil)
	if err != nil {
		th.failedFanOut(err, types.HistoryEventTypeMapStateFailed, types.HistoryEventTypeMapStateAborted)
		return nil, err
	}
	th.emit(types.HistoryEventTypeMapStateSucceeded, nil)
	return outs, nil
}

// mapItems selects the array a Map iterates: ItemsPath, "$" by default.
func mapItems(s *asl.Map, eff any, env jsonpath.Env) ([]any, error) {
	v := eff
	if s.ItemsPath != "" && s.ItemsPath != "$" {
		env.Input = eff
		var err error
		if v, err = env.Resolve(string(s.ItemsPath)); err != nil {
			return nil, err
		}
	}
	items, ok := v.([]any)
	if !ok {
		return nil, runtimeErr("the ItemsPath of Map state %q must select an array, not %s", s.Name, mustEncode(v))
	}
	return items, nil
}

// maxConcurrency reads MaxConcurrency or MaxConcurrencyPath; 0 is no limit.
func maxConcurrency(s *asl.Map, eff any, env jsonpath.Env) (int, error) {
	switch {
	case s.MaxConcurrency != nil:
		return *s.MaxConcurrency, nil
	case s.MaxConcurrencyPath != "":
		env.Input = eff
		v, err := env.Resolve(string(s.MaxConcurrencyPath))
		if err != nil {
			return 0, err
		}
		num, ok := v.(json.Number)
		n, perr := strconv.Atoi(num.String())
		if !ok || perr != nil || n < 0 {
			return 0, runtimeErr("the MaxConcurrencyPath of Map state %q must select a non-negative integer, not %s", s.Name, mustEncode(v))
		}
		return n, nil
	}
	return 0, nil
}

// failedFanOut closes a Parallel or Map attempt that did not succeed: an
// abort at once, a failure only once no retrier runs the state again (AWS
// records one Failed event however many attempts there were).
func (t *thread) failedFanOut(err error, failed, aborted types.HistoryEventType) {
	if terminal(err) {
		t.emit(aborted, nil)
		return
	}
	t.pendingFail = failed
}

// endEvent picks the event that closes a Parallel or Map state that did
// not succeed: Failed for an error, Aborted when the execution itself was
// stopped or timed out.
func endEvent(err error, failed, aborted types.HistoryEventType) types.HistoryEventType {
	if terminal(err) {
		return aborted
	}
	return failed
}

func isDistributed(s *asl.Map) bool {
	return s.ItemProcessor != nil && s.ItemProcessor.ProcessorConfig.Mode == asl.Distributed
}
