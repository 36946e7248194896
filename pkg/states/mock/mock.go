// Package mock reads AWS Step Functions Local's mock configuration file
// (MockConfigFile.json) and answers a mocked Task's invocations from it, so
// that mock files written for Step Functions Local work here unchanged.
//
// A file names state machines, each with test cases mapping state names to
// mocked responses; a mocked response maps zero-based invocation numbers
// ("0", or a range "1-2") to a Return value or a Throw error. A retried task
// is invoked again, so its retries consume the following numbers.
package mock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Config is a parsed mock configuration file.
type Config struct {
	machines  map[string]map[string]map[string]string // machine -> test case -> state -> response name
	responses map[string][]entry
}

// Response is what one invocation of a mocked state gets: the service's
// result (Return), or an error (Throw).
type Response struct {
	Return json.RawMessage
	Throw  *Throw
}

// Throw is a mocked failure, matched by Retry and Catch on Error.
type Throw struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// entry answers the invocations from..to (inclusive).
type entry struct {
	from, to int
	resp     Response
}

// file is the JSON shape of MockConfigFile.json.
type file struct {
	StateMachines map[string]struct {
		TestCases map[string]map[string]string `json:"TestCases"`
	} `json:"StateMachines"`
	MockedResponses map[string]map[string]json.RawMessage `json:"MockedResponses"`
}

// Load reads and parses the mock configuration file at path.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mock config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("mock config %s: %w", path, err)
	}
	return c, nil
}

// Parse reads a mock configuration. It refuses what Step Functions Local
// would not run: a test case naming a response that is not defined, an
// invocation key that is not a number or a range, overlapping keys, and a
// response with both or neither of Return and Throw.
func Parse(data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a mock configuration: %w", err)
	}
	c := &Config{machines: map[string]map[string]map[string]string{}, responses: map[string][]entry{}}
	for name, byKey := range f.MockedResponses {
		entries, err := parseResponses(byKey)
		if err != nil {
			return nil, fmt.Errorf("MockedResponses.%s: %w", name, err)
		}
		c.responses[name] = entries
	}
	for machine, m := range f.StateMachines {
		c.machines[machine] = m.TestCases
		for tc, states := range m.TestCases {
			for state, resp := range states {
				if _, ok := c.responses[resp]; !ok {
					return nil, fmt.Errorf("StateMachines.%s.TestCases.%s.%s names the mocked response %q, which MockedResponses does not define", machine, tc, state, resp)
				}
			}
		}
	}
	return c, nil
}

func parseResponses(byKey map[string]json.RawMessage) ([]entry, error) {
	if len(byKey) == 0 {
		return nil, fmt.Errorf("no invocations are defined")
	}
	var entries []entry
	for key, raw := range byKey {
		from, to, err := parseKey(key)
		if err != nil {
			return nil, err
		}
		var r struct {
			Return json.RawMessage `json:"Return"`
			Throw  *Throw          `json:"Throw"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("%q: %w", key, err)
		}
		switch {
		case r.Return != nil && r.Throw != nil:
			return nil, fmt.Errorf("%q has both Return and Throw", key)
		case r.Return == nil && r.Throw == nil:
			return nil, fmt.Errorf("%q has neither Return nor Throw", key)
		case r.Throw != nil && r.Throw.Error == "":
			return nil, fmt.Errorf("%q: Throw has no Error", key)
		}
		entries = append(entries, entry{from: from, to: to, resp: Response{Return: r.Return, Throw: r.Throw}})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].from < entries[j].from })
	for i := 1; i < len(entries); i++ {
		if entries[i].from <= entries[i-1].to {
			return nil, fmt.Errorf("invocations %d-%d and %d-%d overlap", entries[i-1].from, entries[i-1].to, entries[i].from, entries[i].to)
		}
	}
	return entries, nil
}

// parseKey reads "3" or "1-2".
func parseKey(key string) (from, to int, err error) {
	a, b, isRange := strings.Cut(key, "-")
	from, err = strconv.Atoi(a)
	if err != nil || from < 0 {
		return 0, 0, fmt.Errorf("invocation key %q is neither a number nor a range like \"1-2\"", key)
	}
	if !isRange {
		return from, from, nil
	}
	to, err = strconv.Atoi(b)
	if err != nil || to < from {
		return 0, 0, fmt.Errorf("invocation key %q is neither a number nor a range like \"1-2\"", key)
	}
	return from, to, nil
}

// TestCase returns the test case name of machine, ready for one execution:
// each call starts its invocation counts at zero.
func (c *Config) TestCase(machine, name string) (*Case, error) {
	m, ok := c.machines[machine]
	if !ok {
		return nil, fmt.Errorf("mock config has no state machine %q (it has %s)", machine, names(c.machines))
	}
	states, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("mock config has no test case %q for state machine %q (it has %s)", name, machine, names(m))
	}
	return &Case{machine: machine, name: name, states: states, responses: c.responses, calls: map[string]int{}}, nil
}

// Case is one test case during one execution.
type Case struct {
	machine, name string
	states        map[string]string
	responses     map[string][]entry

	mu    sync.Mutex
	calls map[string]int
}

// Mocked reports whether the test case mocks state.
func (tc *Case) Mocked(state string) bool {
	_, ok := tc.states[state]
	return ok
}

// Next answers the next invocation of state: the response defined for its
// number. An invocation past the last number defined is an error naming the
// state and the number, never a guess.
func (tc *Case) Next(state string) (Response, error) {
	name, ok := tc.states[state]
	if !ok {
		return Response{}, fmt.Errorf("test case %q of %q does not mock state %q", tc.name, tc.machine, state)
	}
	tc.mu.Lock()
	n := tc.calls[state]
	tc.calls[state] = n + 1
	tc.mu.Unlock()
	for _, e := range tc.responses[name] {
		if n >= e.from && n <= e.to {
			return e.resp, nil
		}
	}
	return Response{}, fmt.Errorf("mocked response %q defines no answer for invocation %d of state %q (test case %q of %q)", name, n, state, tc.name, tc.machine)
}

func names[V any](m map[string]V) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, strconv.Quote(k))
	}
	sort.Strings(ks)
	if len(ks) == 0 {
		return "none"
	}
	return strings.Join(ks, ", ")
}
