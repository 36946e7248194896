package rules

import (
	"encoding/json"
	"strconv"
	"strings"
)

// ValidatePattern checks an event pattern as EventBridge does: a JSON
// object whose fields are objects (nested fields) or arrays of values to
// match, each value a string, number, boolean, null or one content
// filter (prefix, suffix, anything-but, numeric, exists, cidr,
// equals-ignore-case, wildcard), with $or combining patterns.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
func ValidatePattern(pattern string) error {
	_, err := compilePattern(pattern)
	return err
}

// Match reports whether event (a JSON object) matches pattern, with
// EventBridge's event-pattern language; an invalid pattern is an
// InvalidEventPatternException, an event that is not a JSON object a
// ValidationException.
func Match(pattern string, event []byte) (bool, error) {
	p, err := compilePattern(pattern)
	if err != nil {
		return false, err
	}
	ev, err := decodeEvent(event)
	if err != nil {
		return false, err
	}
	return p.match([]any{ev}), nil
}

func decodeEvent(event []byte) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(string(event)))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil || ev == nil || dec.More() {
		return nil, validation("Parameter Event is not valid.")
	}
	return ev, nil
}

// compiled is a parsed pattern: every field must match, and one
// alternative of each $or.
type compiled struct {
	fields []fieldMatch
	ors    [][]*compiled
}

type fieldMatch struct {
	name   string
	sub    *compiled // a nested object, or
	leaves []leaf    // values, any of which may match
}

// leaf is one value of a pattern's array: exists tests the presence of
// the field, else fn tests one of the event's values for it.
type leaf struct {
	exists *bool
	fn     func(v any) bool
}

func compilePattern(pattern string) (*compiled, error) {
	if len(pattern) > maxPatternLength {
		return nil, validation("1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to %d", maxPatternLength)
	}
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalidPattern("Filter is not valid JSON: %s", err.Error())
	}
	if dec.More() {
		return nil, invalidPattern("Filter is not valid JSON: text after the pattern")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalidPattern("Filter is not an object")
	}
	return compileObject(m)
}

func compileObject(m map[string]any) (*compiled, error) {
	c := &compiled{}
	for k, v := range m {
		if k == "$or" {
			list, ok := v.([]any)
			if !ok || len(list) < 2 {
				return nil, invalidPattern("Value of $or must be an array of at least two patterns")
			}
			var alts []*compiled
			for _, alt := range list {
				o, ok := alt.(map[string]any)
				if !ok {
					return nil, invalidPattern("Value of $or must be an array of objects")
				}
				a, err := compileObject(o)
				if err != nil {
					return nil, err
				}
				alts = append(alts, a)
			}
			c.ors = append(c.ors, alts)
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			sub, err := compileObject(x)
			if err != nil {
				return nil, err
			}
			c.fields = append(c.fields, fieldMatch{name: k, sub: sub})
		case []any:
			if len(x) == 0 {
				return nil, invalidPattern("Empty arrays are not allowed")
			}
			f := fieldMatch{name: k}
			for _, e := range x {
				l, err := compileLeaf(e)
				if err != nil {
					return nil, err
				}
				f.leaves = append(f.leaves, l)
			}
			c.fields = append(c.fields, f)
		default:
			return nil, invalidPattern("%q must be an object or an array", k)
		}
	}
	return c, nil
}

// match reports whether the event objects at this level (several when
// the event has an array of objects here) satisfy the pattern. Arrays
// are flattened as EventBridge does: a field matches when any of its
// values does.
func (c *compiled) match(nodes []any) bool {
	for _, f := range c.fields {
		vals := children(nodes, f.name)
		if f.sub != nil {
			if !f.sub.match(vals) {
				return false
			}
			continue
		}
		if !f.matchLeaves(vals) {
			return false
		}
	}
	for _, alts := range c.ors {
		ok := false
		for _, a := range alts {
			if a.match(nodes) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (f *fieldMatch) matchLeaves(vals []any) bool {
	var scalars []any
	for _, v := range vals {
		if _, isObj := v.(map[string]any); !isObj {
			scalars = append(scalars, v)
		}
	}
	for _, l := range f.leaves {
		if l.exists != nil {
			if (len(scalars) > 0) == *l.exists {
				return true
			}
			continue
		}
		for _, v := range scalars {
			if l.fn(v) {
				return true
			}
		}
	}
	return false
}

// children collects the values of field name in the objects among nodes,
// with arrays flattened into their elements.
func children(nodes []any, name string) []any {
	var out []any
	for _, n := range nodes {
		m, ok := n.(map[string]any)
		if !ok {
			continue
		}
		if v, ok := m[name]; ok {
			out = flatten(out, v)
		}
	}
	return out
}

func flatten(out []any, v any) []any {
	if a, ok := v.([]any); ok {
		for _, e := range a {
			out = flatten(out, e)
		}
		return out
	}
	return append(out, v)
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return f, err == nil
}

// equal compares an event value with a pattern value: strings exactly,
// numbers as numbers, booleans and null by identity.
func equal(pat, v any) bool {
	switch p := pat.(type) {
	case string:
		s, ok := v.(string)
		return ok && s == p
	case json.Number:
		a, ok1 := number(p)
		b, ok2 := number(v)
		return ok1 && ok2 && a == b
	case bool:
		b, ok := v.(bool)
		return ok && b == p
	case nil:
		return v == nil
	}
	return false
}

func stringFn(fn func(string) bool) func(any) bool {
	return func(v any) bool {
		s, ok := v.(string)
		return ok && fn(s)
	}
}

func compileLeaf(e any) (leaf, error) {
	switch x := e.(type) {
	case string, json.Number, bool, nil:
		return leaf{fn: func(v any) bool { return equal(x, v) }}, nil
	case map[string]any:
		if len(x) != 1 {
			return leaf{}, invalidPattern("Only one key allowed in match expression")
		}
		for op, arg := range x {
			return compileFilter(op, arg)
		}
	}
	return leaf{}, invalidPattern("Match value must be String, number, true, false, or null")
}
