package states

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/asl"
)

// Redrive, as RedriveExecution runs it: an execution that did not succeed
// goes on from its unsuccessful states, keeping what succeeded.
// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html

// ErrNotRedrivable is what every NotRedrivableError matches (errors.Is):
// AWS's ExecutionNotRedrivable.
var ErrNotRedrivable = errors.New("states: execution not redrivable")

// NotRedrivableError says why an execution cannot be redriven, in AWS's
// words (DescribeExecution's redriveStatusReason).
type NotRedrivableError struct {
	Reason string
}

func (e *NotRedrivableError) Error() string { return e.Reason }

// Is makes a NotRedrivableError match ErrNotRedrivable.
func (e *NotRedrivableError) Is(target error) bool { return target == ErrNotRedrivable }

// AWS's limits on a redrive.
const (
	redrivablePeriod = 14 * 24 * time.Hour
	maxOpenTime      = 365 * 24 * time.Hour
	// maxRedriveEvents leaves room in AWS's 25,000 events for the
	// ExecutionRedriven event and one more.
	maxRedriveEvents = 24999
)

// Redrivable returns nil when an execution with this history can be
// redriven at now, or a *NotRedrivableError saying why not.
func Redrivable(history []types.HistoryEvent, now time.Time) error {
	no := func(reason string) error { return &NotRedrivableError{Reason: reason} }
	if len(history) == 0 || history[0].Timestamp == nil {
		return no("Execution is RUNNING and cannot be redriven")
	}
	ex := ended(history)
	switch {
	case ex == nil:
		return no("Execution is RUNNING and cannot be redriven")
	case ex.Status == StatusSucceeded:
		return no("Execution is SUCCEEDED and cannot be redriven")
	case len(history) >= maxRedriveEvents:
		return no("Execution history event limit exceeded")
	case now.Sub(*history[0].Timestamp) > maxOpenTime:
		return no("Execution has exceeded the max execution time")
	case now.Sub(ex.StopDate) > redrivablePeriod:
		return no("Execution redrivable period exceeded")
	}
	return nil
}

// Redrive runs a FAILED, TIMED_OUT or ABORTED execution again from its
// full history, as RedriveExecution does: the history gets an
// ExecutionRedriven event, the states that succeeded are not run again,
// and each state that did not (entered, never exited) runs again on its
// input with its retries counted afresh; in a Parallel or an inline Map
// only the branches and iterations that did not succeed run again (a
// distributed Map's Map Run runs again whole; one that succeeded runs its
// child executions again when replayed, as on Resume, but keeps its
// recorded output). $$.Execution.RedriveCount
// counts the redrives, and the machine's TimeoutSeconds runs from the
// redrive. An execution that cannot be redriven is a *NotRedrivableError
// (see Redrivable).
//
// As with Resume, give the execution's name (WithExecutionName) and the
// machine it ran on. A redriven history can be resumed (Resume) and
// redriven again.
func (m *Machine) Redrive(ctx context.Context, history []types.HistoryEvent, opts ...RunOption) (*Execution, error) {
	rc, in, inStr, err := resumable(history, opts)
	if err != nil {
		return nil, err
	}
	if err := Redrivable(history, m.cfg.clock.Now()); err != nil {
		return nil, err
	}
	return m.execute(ctx, rc, in, inStr, *history[0].Timestamp, history, true)
}

// follow has the execution's thread replay recorded, after recording the
// ExecutionRedriven event when redrive is set. It returns when the
// machine's TimeoutSeconds starts to run: at start, or at the last redrive.
func (r *run) follow(main *thread, recorded []types.HistoryEvent, redrive bool, start time.Time) time.Time {
	last := int64(0)
	if redrive {
		last = int64(len(recorded)) + 1 // the event recorded below
	} else if rs := redrives(recorded); len(rs) > 0 {
		last = rs[len(rs)-1].Id
	}
	main.rep = r.h.preload(recorded, r.m.hiddenBefore(recorded, last))
	// the preloaded copies, which the replay hands out
	main.redrives = redrives(r.h.chunks[0])
	if redrive {
		ev := r.h.add(types.HistoryEventTypeExecutionRedriven, int64(len(recorded)), func(ev *types.HistoryEvent) {
			n := int32(len(main.redrives) + 1)
			ev.ExecutionRedrivenEventDetails = &types.ExecutionRedrivenEventDetails{RedriveCount: &n}
		})
		main.redrives = append(main.redrives, ev)
	}
	n := len(main.redrives)
	if n == 0 {
		return start
	}
	r.exec.redrives, r.exec.redriven = n, aws.ToTime(main.redrives[n-1].Timestamp)
	return r.exec.redriven
}

// redriveInfo returns how many times a history was redriven, and when
// last.
func redriveInfo(history []types.HistoryEvent) (count int, last time.Time) {
	for i := range history {
		if history[i].Type == types.HistoryEventTypeExecutionRedriven {
			count++
			last = aws.ToTime(history[i].Timestamp)
		}
	}
	return count, last
}

// redrives returns the ExecutionRedriven events of events, oldest first.
func redrives(events []types.HistoryEvent) []*types.HistoryEvent {
	var out []*types.HistoryEvent
	for i := range events {
		if events[i].Type == types.HistoryEventTypeExecutionRedriven {
			out = append(out, &events[i])
		}
	}
	return out
}

// hiddenBefore marks the events a redriven execution does not replay: of
// every attempt before the ExecutionRedriven event with id last, its end
// (the Execution Failed, TimedOut or Aborted event) and each state it
// entered and never exited, with all that state did. A Parallel or inline
// Map that did not succeed stays, so that its branches and iterations that
// did are replayed and only the others run again. Nil when last is 0.
func (m *Machine) hiddenBefore(events []types.HistoryEvent, last int64) []bool {
	if last == 0 {
		return nil
	}
	exited := make([]bool, len(events))
	for i := range events {
		x := &events[i]
		if x.StateExitedEventDetails == nil {
			continue
		}
		// The state's Entered event is the nearest Entered of the same
		// name among the Exited event's predecessors in its thread:
		// names are unique in a machine, and a thread's events chain.
		name := aws.ToString(x.StateExitedEventDetails.Name)
		for id := x.PreviousEventId; id > 0 && id < x.Id; id = events[id-1].PreviousEventId {
			if ev := &events[id-1]; ev.StateEnteredEventDetails != nil && aws.ToString(ev.StateEnteredEventDetails.Name) == name {
				exited[id-1] = true
				break
			}
		}
	}
	fanOuts := m.fanOutStates()
	hidden := make([]bool, len(events))
	for i := range events {
		ev := &events[i]
		if ev.Id >= last {
			break
		}
		switch {
		case ev.Type == types.HistoryEventTypeExecutionFailed, ev.Type == types.HistoryEventTypeExecutionTimedOut,
			ev.Type == types.HistoryEventTypeExecutionAborted, ev.Type == types.HistoryEventTypeExecutionRedriven:
			hidden[i] = true
		case ev.StateEnteredEventDetails != nil && strings.HasSuffix(string(ev.Type), "StateEntered") && !exited[i]:
			hidden[i] = !fanOuts[aws.ToString(ev.StateEnteredEventDetails.Name)]
		}
	}
	return hidden
}

// fanOutStates names the machine's Parallel and inline Map states, at any
// depth.
func (m *Machine) fanOutStates() map[string]bool {
	out := map[string]bool{}
	var walk func(p *program)
	walk = func(p *program) {
		for name, st := range p.states {
			switch s := st.(type) {
			case *asl.Parallel:
				out[name] = true
				for _, b := range m.branches[s] {
					walk(b)
				}
			case *asl.Map:
				out[name] = !isDistributed(s)
				if p := m.maps[s]; p != nil {
					walk(p)
				}
			}
		}
	}
	walk(m.main)
	return out
}
