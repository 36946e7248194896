package states

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// history records an execution's events as GetExecutionHistory returns
// them: ids from 1, each event's PreviousEventId the event it follows in its
// own thread (a Parallel branch or Map iteration has one of its own), the
// time from the execution's clock. Branches append concurrently.
type history struct {
	mu    sync.Mutex
	clock Clock
	// events fill chunks that never move: a HistoryEvent is about 500
	// bytes, and a Map of thousands of items would otherwise spend its time
	// regrowing one slice. done joins them once.
	chunks [][]types.HistoryEvent
	n      int
	// times backs the events' Timestamp pointers, one allocation for many;
	// when append moves it, earlier events keep pointing into the old array.
	times []time.Time
	// strs backs the events' string pointers the same way, in blocks;
	// nstrs counts them.
	strs  []string
	nstrs int
	// sink, when set, gets every new event as it is recorded, in id order.
	sink func(types.HistoryEvent)
	// diverged is set when a resumed history does not fit the definition.
	diverged error
}

// newHistory starts a history with room for events events and strs
// strings (16 each when 0, at most a block's 1024); more grow it as usual.
func newHistory(clock Clock, events, strs int) *history {
	size := func(n int) int {
		if n <= 0 {
			return 16
		}
		return min(n, 1024)
	}
	n := size(events)
	return &history{clock: clock, chunks: [][]types.HistoryEvent{make([]types.HistoryEvent, 0, n)}, times: make([]time.Time, 0, n), strs: make([]string, 0, size(strs))}
}

// add appends an event of type typ after prev, lets fill set its details,
// and returns it. The event is filled in place and never moves.
func (h *history) add(typ types.HistoryEventType, prev int64, fill func(*types.HistoryEvent)) *types.HistoryEvent {
	now := h.clock.Now().UTC()
	h.mu.Lock()
	defer h.mu.Unlock()
	last := &h.chunks[len(h.chunks)-1]
	if len(*last) == cap(*last) {
		h.chunks = append(h.chunks, make([]types.HistoryEvent, 0, min(2*cap(*last), 1024)))
		last = &h.chunks[len(h.chunks)-1]
	}
	h.times = append(h.times, now)
	*last = append(*last, types.HistoryEvent{})
	h.n++
	ev := &(*last)[len(*last)-1]
	ev.Id = int64(h.n)
	ev.PreviousEventId = prev
	ev.Timestamp = &h.times[len(h.times)-1]
	ev.Type = typ
	if fill != nil {
		fill(ev)
	}
	if h.sink != nil {
		h.sink(*ev)
	}
	return ev
}

// str returns a pointer to a copy of s, as aws.String does, from a block
// shared by many events. Call it only from an add's fill, which runs under
// h.mu.
func (h *history) str(s string) *string {
	if len(h.strs) == cap(h.strs) {
		// a new block: the full one stays where its pointers point
		h.strs = make([]string, 0, min(max(2*cap(h.strs), 16), 1024))
	}
	h.strs = append(h.strs, s)
	h.nstrs++
	return &h.strs[len(h.strs)-1]
}

// strings returns how many strings str has handed out.
func (h *history) strings() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.nstrs
}

// done returns the events once nothing appends any more: the execution
// has ended and every branch with it.
func (h *history) done() []types.HistoryEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.chunks) == 1 {
		return h.chunks[0]
	}
	out := make([]types.HistoryEvent, 0, h.n)
	for _, c := range h.chunks {
		out = append(out, c...)
	}
	return out
}

// thread is one line of events: the execution's, or one branch's or
// iteration's. Each new event follows the thread's previous one.
type thread struct {
	h    *history
	prev int64
	// the last value encode encoded, and its JSON
	lastVal any
	lastStr string
	hasLast bool
	// entered is the id of the current state's StateEntered event, which
	// AWS names in the cause of a States.Runtime error.
	entered int64
	// at is the time of the thread's last event.
	at time.Time
	// rep is the recording a resumed thread follows, nil once it records
	// anew; first picks a new branch's or iteration's first event in it.
	rep   *replay
	first func(*types.HistoryEvent) bool
	// pendingFail is the Failed event of a Parallel or Map attempt, held
	// until it is known that no retrier runs the state again.
	pendingFail types.HistoryEventType
	// redrives are the ExecutionRedriven events of a redriven history
	// (the execution's thread only): where the recording of an earlier
	// attempt stops, the thread goes on after the next of them.
	redrives []*types.HistoryEvent
}

// emit appends an event of type typ to the thread. A thread resuming a
// recorded history (rep set) first looks for the event there: when the
// recording has it, the thread moves past it and nothing is appended, and
// replayed is true. From the first event the recording lacks, the thread
// records anew.
func (t *thread) emit(typ types.HistoryEventType, fill func(*types.HistoryEvent)) (ev *types.HistoryEvent, replayed bool) {
	return t.emitNamed(typ, "", fill)
}

// emitNamed is emit for a state's Entered and Exited events, whose
// recorded twin must also carry the state's name.
func (t *thread) emitNamed(typ types.HistoryEventType, name string, fill func(*types.HistoryEvent)) (*types.HistoryEvent, bool) {
	for t.rep != nil {
		if ev := t.rep.find(t.prev, typ, name, t.first); ev != nil {
			t.prev, t.first, t.at = ev.Id, nil, aws.ToTime(ev.Timestamp)
			return ev, true
		}
		if next := t.rep.next(t.prev, t.first); next != nil {
			t.h.diverge(fmt.Errorf("states: the history does not fit the definition: event %d is %s where the definition leads to %s %s", next.Id, next.Type, typ, name))
			break
		}
		if !t.redriven() {
			break
		}
	}
	t.rep = nil
	t.first = nil
	ev := t.h.add(typ, t.prev, fill)
	t.prev, t.at = ev.Id, *ev.Timestamp
	return ev, false
}

// replaying reports whether the recording has more of this thread: what
// would wait (a Wait state, a retry's delay) has already been waited.
func (t *thread) replaying() bool {
	return t.peek() != nil
}

// peek returns the thread's next recorded event, or nil.
func (t *thread) peek() *types.HistoryEvent {
	for t.rep != nil {
		if ev := t.rep.next(t.prev, t.first); ev != nil {
			return ev
		}
		if !t.redriven() {
			break
		}
	}
	return nil
}

// redriven moves a thread whose recording has run out to the next
// ExecutionRedriven event after it, if any: the attempt it was following
// ended there, and the next attempt's events follow that event.
func (t *thread) redriven() bool {
	for len(t.redrives) > 0 {
		ev := t.redrives[0]
		t.redrives = t.redrives[1:]
		if ev.Id > t.prev {
			t.prev, t.first, t.at = ev.Id, nil, aws.ToTime(ev.Timestamp)
			return true
		}
	}
	return false
}

// preload makes the recorded events the history's first ones (copied, in
// a chunk of their own) and returns the replay that follows them, in
// which the events hidden marks (nil: none) are not found.
func (h *history) preload(recorded []types.HistoryEvent, hidden []bool) *replay {
	c := make([]types.HistoryEvent, len(recorded), len(recorded)+16)
	copy(c, recorded)
	h.chunks = [][]types.HistoryEvent{c}
	h.n = len(c)
	return newReplay(c, hidden)
}

func (h *history) divergence() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.diverged
}

func (h *history) diverge(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.diverged == nil {
		h.diverged = err
	}
}

// replay is a recorded history an execution resumes from. Each event's
// previousEventId is the event before it in its own thread (the
// execution's, a Parallel branch's, a Map iteration's), so a thread finds
// its next event among the children of its last one.
type replay struct {
	events   []types.HistoryEvent // by id - 1
	children map[int64][]int64
}

func newReplay(events []types.HistoryEvent, hidden []bool) *replay {
	r := &replay{events: events, children: make(map[int64][]int64, len(events))}
	for i, ev := range events {
		if hidden != nil && hidden[i] {
			continue // and so is every event after it in its thread
		}
		r.children[ev.PreviousEventId] = append(r.children[ev.PreviousEventId], ev.Id)
	}
	return r
}

// branchStart reports whether ev, a child of the event prev, starts a
// Parallel branch or Map iteration of its own rather than continuing
// prev's thread.
func (r *replay) branchStart(prev int64, ev *types.HistoryEvent) bool {
	if prev < 1 || int(prev) > len(r.events) {
		return false
	}
	switch r.events[prev-1].Type {
	case types.HistoryEventTypeParallelStateStarted, types.HistoryEventTypeMapStateStarted:
		return ev.Type == types.HistoryEventTypeMapIterationStarted || strings.HasSuffix(string(ev.Type), "StateEntered")
	}
	return false
}

// next returns the recorded event after prev in the thread (first picks a
// new thread's first event), or nil.
func (r *replay) next(prev int64, first func(*types.HistoryEvent) bool) *types.HistoryEvent {
	for _, id := range r.children[prev] {
		ev := &r.events[id-1]
		if first != nil {
			if first(ev) {
				return ev
			}
			continue
		}
		if !r.branchStart(prev, ev) && !(prev == 0 && ev.Type == types.HistoryEventTypeExecutionStarted) {
			return ev
		}
	}
	return nil
}

// find returns the thread's next recorded event when it has type typ (and,
// for a state's events, the state's name).
func (r *replay) find(prev int64, typ types.HistoryEventType, name string, first func(*types.HistoryEvent) bool) *types.HistoryEvent {
	if typ == types.HistoryEventTypeExecutionStarted {
		if len(r.events) > 0 && r.events[0].Type == typ {
			return &r.events[0]
		}
		return nil
	}
	ev := r.next(prev, first)
	if ev == nil || ev.Type != typ {
		return nil
	}
	if name != "" && stateName(ev) != name {
		return nil
	}
	return ev
}

func stateName(ev *types.HistoryEvent) string {
	switch {
	case ev.StateEnteredEventDetails != nil:
		return aws.ToString(ev.StateEnteredEventDetails.Name)
	case ev.StateExitedEventDetails != nil:
		return aws.ToString(ev.StateExitedEventDetails.Name)
	}
	return ""
}

func dataDetails() *types.HistoryEventExecutionDataDetails {
	return &types.HistoryEventExecutionDataDetails{Truncated: false}
}

// Event types by state type, for the Entered and Exited events.
var (
	enteredTypes = map[string]types.HistoryEventType{
		"Task": types.HistoryEventTypeTaskStateEntered, "Pass": types.HistoryEventTypePassStateEntered,
		"Choice": types.HistoryEventTypeChoiceStateEntered, "Wait": types.HistoryEventTypeWaitStateEntered,
		"Succeed": types.HistoryEventTypeSucceedStateEntered, "Fail": types.HistoryEventTypeFailStateEntered,
		"Parallel": types.HistoryEventTypeParallelStateEntered, "Map": types.HistoryEventTypeMapStateEntered,
	}
	exitedTypes = map[string]types.HistoryEventType{
		"Task": types.HistoryEventTypeTaskStateExited, "Pass": types.HistoryEventTypePassStateExited,
		"Choice": types.HistoryEventTypeChoiceStateExited, "Wait": types.HistoryEventTypeWaitStateExited,
		"Succeed":  types.HistoryEventTypeSucceedStateExited,
		"Parallel": types.HistoryEventTypeParallelStateExited, "Map": types.HistoryEventTypeMapStateExited,
	}
)

func (t *thread) enter(stateType, name, input string) *types.HistoryEvent {
	ev, _ := t.emitNamed(enteredTypes[stateType], name, func(ev *types.HistoryEvent) {
		// One allocation for the details and what they point to.
		a := &struct {
			d           types.StateEnteredEventDetails
			name, input string
			data        types.HistoryEventExecutionDataDetails
		}{name: name, input: input}
		a.d = types.StateEnteredEventDetails{Name: &a.name, Input: &a.input, InputDetails: &a.data}
		ev.StateEnteredEventDetails = &a.d
	})
	t.entered = ev.Id
	return ev
}

// exited records a state's exit with its output and the variables it
// assigned, both as JSON. A replayed exit returns the recorded event, whose
// output and variables are what the state gave when it ran.
func (t *thread) exited(stateType, name, output string, assigned map[string]string) (*types.HistoryEvent, bool) {
	return t.emitNamed(exitedTypes[stateType], name, func(ev *types.HistoryEvent) {
		// One allocation for the details and what they point to.
		a := &struct {
			d            types.StateExitedEventDetails
			name, output string
			data         types.HistoryEventExecutionDataDetails
		}{name: name, output: output}
		a.d = types.StateExitedEventDetails{Name: &a.name, Output: &a.output, OutputDetails: &a.data}
		d := &a.d
		if len(assigned) > 0 {
			d.AssignedVariables = assigned // made for this event by checkVariables
			d.AssignedVariablesDetails = &types.AssignedVariablesDetails{Truncated: false}
		}
		ev.StateExitedEventDetails = d
	})
}

// timestamp formats t as the context object and AWS's JSON write times:
// ISO 8601 in UTC with milliseconds.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// encode is checkSize with a one-value memory: a state's output is the
// next state's input, and the last one the execution's output, so each is
// encoded once. Values are never mutated, so the same map is the same JSON.
func (t *thread) encode(v any, what string) (string, error) {
	if t.hasLast && same(v, t.lastVal) {
		return t.lastStr, nil
	}
	s, err := checkSize(v, what)
	if err == nil {
		t.lastVal, t.lastStr, t.hasLast = v, s, true
	}
	return s, err
}

// same reports whether a and b are the same value: the same map or slice
// (by identity), or equal scalars.
func same(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && x != nil && y != nil && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case nil, string, bool, json.Number:
		switch b.(type) {
		case nil, string, bool, json.Number:
			return a == b
		}
	}
	return false
}
