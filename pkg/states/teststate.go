package states

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/stepforge/stepforge/pkg/asl"
)

// TestState runs one state of a machine on its own, as the TestState API
// does: with a given input, variables and context object, a mocked task
// outcome or the machine's Tasks, one attempt only, and it reports what the
// state did and would do next.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
// https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html

// TestState statuses.
const (
	TestSucceeded   = "SUCCEEDED"
	TestFailed      = "FAILED"
	TestRetriable   = "RETRIABLE"    // a retrier would run the state again
	TestCaughtError = "CAUGHT_ERROR" // a catcher took the error: NextState is its Next
)

// TestStateInput is what one TestState call runs.
type TestStateInput struct {
	// StateName names the state; for a machine made by SingleState it
	// may be empty.
	StateName string
	// Input is the state's input, {} when empty.
	Input []byte
	// Variables are the workflow variables the state enters with, a JSON
	// object.
	Variables []byte
	// Context replaces the context object ($$, $states.context); the
	// state's own State fields are added when it has none.
	Context []byte
	// Mock, when set, is the Task's outcome: no task runs.
	Mock *TestStateMock
	// RetrierRetryCount is how many times the matching retrier has
	// retried already (stateConfiguration.retrierRetryCount).
	RetrierRetryCount int
}

// TestStateMock is a mocked task outcome: Result, or Error and Cause.
type TestStateMock struct {
	Result       json.RawMessage
	Error, Cause string
}

// TestStateResult is what TestState reports.
type TestStateResult struct {
	Status       string
	Output       json.RawMessage // on SUCCEEDED and CAUGHT_ERROR
	Error, Cause string          // on FAILED, RETRIABLE and CAUGHT_ERROR
	NextState    string          // on SUCCEEDED (empty for an end state) and CAUGHT_ERROR
	// Inspection holds the data after each step, by the names the API's
	// inspectionData uses: input, afterInputPath, afterParameters, result,
	// afterResultSelector, afterResultPath, afterArguments, and variables
	// (those the state assigned, merged over the ones it entered with).
	Inspection map[string]json.RawMessage
}

// testRun is the TestState mode of a run.
type testRun struct {
	mock    *TestStateMock
	retries int
	context map[string]any
	inspect map[string]any
	caught  bool
}

func (t *testRun) mocked() (any, error) {
	if t.mock.Error != "" || t.mock.Result == nil {
		return nil, &Error{Name: t.mock.Error, Cause: t.mock.Cause}
	}
	return decodeJSON(t.mock.Result)
}

func (t *testRun) contextFor(name string, entered time.Time, retries int, item map[string]any) map[string]any {
	out := make(map[string]any, len(t.context)+2)
	for k, v := range t.context {
		out[k] = v
	}
	if _, ok := out["State"]; !ok {
		out["State"] = map[string]any{"Name": name, "EnteredTime": timestamp(entered), "RetryCount": json.Number(strconv.Itoa(retries))}
	}
	if item != nil {
		out["Map"] = map[string]any{"Item": item}
	}
	return out
}

// note records a step's data for TestState's inspection.
func (r *run) note(step string, v any) {
	if r.test != nil {
		r.test.inspect[step] = v
	}
}

func (r *run) caught() {
	if r.test != nil {
		r.test.caught = true
	}
}

// retriable is TestState's verdict that a retrier would run the state again.
type retriable struct{ err *Error }

func (e *retriable) Error() string                     { return e.err.Error() }
func (e *retriable) StatesError() (name, cause string) { return e.err.Name, e.err.Cause }

func isRetriable(err error) bool {
	var r *retriable
	return errors.As(err, &r)
}

// TestState runs the state in.StateName of m once.
func (m *Machine) TestState(ctx context.Context, in TestStateInput) (*TestStateResult, error) {
	name := in.StateName
	if name == "" && m.single != "" {
		name = m.single
	}
	st := m.lookup(name)
	if st == nil {
		return nil, fmt.Errorf("states: TestState: the machine has no state %q", name)
	}
	input := in.Input
	if len(input) == 0 {
		input = []byte("{}")
	}
	doc, err := decodeJSON(input)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	vars := map[string]any{}
	if len(in.Variables) > 0 {
		v, err := decodeJSON(in.Variables)
		o, ok := v.(map[string]any)
		if err != nil || !ok {
			return nil, fmt.Errorf("states: TestState: variables must be a JSON object")
		}
		vars = o
	}
	tr := &testRun{mock: in.Mock, retries: in.RetrierRetryCount, inspect: map[string]any{"input": doc}}
	if len(in.Context) > 0 {
		v, err := decodeJSON(in.Context)
		o, ok := v.(map[string]any)
		if err != nil || !ok {
			return nil, fmt.Errorf("states: TestState: the context must be a JSON object")
		}
		tr.context = o
	}
	arn := m.executionARN(newUUID())
	start := m.cfg.clock.Now()
	r := &run{
		m: m, h: newHistory(m.cfg.clock, 16, 16), test: tr,
		execCtx: map[string]any{"Id": arn, "Input": doc, "Name": "TestState", "RoleArn": m.cfg.roleArn, "StartTime": timestamp(start), "RedriveCount": json.Number("0")},
		smCtx:   m.smCtx,
	}
	th := &thread{h: r.h}
	sc := &scope{vars: vars}
	out, next, err := r.runState(ctx, st, doc, th, sc)
	res := &TestStateResult{Inspection: map[string]json.RawMessage{}}
	for k, v := range tr.inspect {
		res.Inspection[k] = json.RawMessage(mustEncode(v))
	}
	switch {
	case err != nil && terminal(err):
		return nil, err
	case err != nil:
		se := asStatesError(runtimeCause(err, name, th.entered))
		res.Error, res.Cause = se.Name, se.Cause
		res.Status = TestFailed
		if isRetriable(err) {
			res.Status = TestRetriable
		}
		return res, nil
	}
	res.Output = json.RawMessage(mustEncode(out))
	res.NextState = next
	res.Status = TestSucceeded
	if tr.caught {
		res.Status = TestCaughtError
		if o, ok := out.(map[string]any); ok {
			res.Error, _ = o["Error"].(string)
			res.Cause, _ = o["Cause"].(string)
		}
	}
	res.Inspection["variables"] = json.RawMessage(mustEncode(sc.all()))
	return res, nil
}

// lookup finds a state by name anywhere in the machine.
func (m *Machine) lookup(name string) asl.State {
	if st, ok := m.main.states[name]; ok {
		return st
	}
	for _, progs := range m.branches {
		for _, p := range progs {
			if st, ok := p.states[name]; ok {
				return st
			}
		}
	}
	for _, p := range m.maps {
		if st, ok := p.states[name]; ok {
			return st
		}
	}
	return nil
}

// SingleState makes a machine of one state definition, as TestState
// accepts it: its Next targets (and its Choice rules' and catchers') are
// stand-ins, so the state runs alone; TestState then needs no StateName.
func SingleState(state []byte, opts ...Option) (*Machine, error) {
	var raw map[string]any
	if err := json.Unmarshal(state, &raw); err != nil {
		return nil, fmt.Errorf("states: the state definition is not a JSON object: %w", err)
	}
	const name = "TestState"
	sts := map[string]any{name: raw}
	targets := map[string]bool{}
	add := func(v any) {
		if s, ok := v.(string); ok && s != "" && s != name {
			targets[s] = true
		}
	}
	add(raw["Next"])
	add(raw["Default"])
	for _, key := range []string{"Choices", "Catch"} {
		list, _ := raw[key].([]any)
		for _, c := range list {
			if o, ok := c.(map[string]any); ok {
				add(o["Next"])
			}
		}
	}
	keys := make([]string, 0, len(targets))
	for t := range targets {
		keys = append(keys, t)
	}
	sort.Strings(keys)
	for _, t := range keys {
		sts[t] = map[string]any{"Type": "Succeed"}
	}
	doc, _ := json.Marshal(map[string]any{"StartAt": name, "States": sts})
	def, err := asl.Parse(doc)
	if err != nil {
		return nil, fmt.Errorf("states: %w", err)
	}
	m, err := New(def, opts...)
	if err != nil {
		return nil, err
	}
	m.single = name
	return m, nil
}
