package states

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

// choice moves to the Next of the first rule that matches the effective
// input, else to Default, else fails with States.NoChoiceMatched.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
func (r *run) choice(s *asl.Choice, input any, th *thread, sc *scope) (any, string, error) {
	env, _, err := r.enter("Choice", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	eff, err := applyInputPath(s.InputPath, env)
	if err != nil {
		return nil, "", err
	}
	env.Input = eff
	next, assign := "", asl.Object(nil)
	for i := range s.Choices {
		ok, err := evalRule(&s.Choices[i], env)
		if err != nil {
			return nil, "", err
		}
		if ok {
			next, assign = s.Choices[i].Next, s.Choices[i].Assign
			break
		}
	}
	if next == "" {
		if s.Default == "" {
			return nil, "", &Error{Name: errNoChoiceMatched, Cause: "No Matches! for state " + strconv.Quote(s.Name)}
		}
		next, assign = s.Default, s.Assign
	}
	assigned, err := evalAssign(assign, eff, env)
	if err != nil {
		return nil, "", err
	}
	out, err := applyOutputPath(s.OutputPath, eff, env)
	if err != nil {
		return nil, "", err
	}
	out, err = r.leave("Choice", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// evalRule evaluates a rule against env.Input. A Variable selecting nothing
// makes IsPresent false and every other test fail with States.Runtime; a
// value of the wrong type for the operator makes the test false.
func evalRule(rule *asl.ChoiceRule, env jsonpath.Env) (bool, error) {
	switch {
	case rule.And != nil:
		for i := range rule.And {
			ok, err := evalRule(&rule.And[i], env)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case rule.Or != nil:
		for i := range rule.Or {
			ok, err := evalRule(&rule.Or[i], env)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case rule.Not != nil:
		ok, err := evalRule(rule.Not, env)
		return !ok, err
	}
	v, err := env.Resolve(string(rule.Variable))
	present := err == nil
	if rule.IsPresent != nil {
		if err != nil && !missing(err) {
			return false, err
		}
		return present == *rule.IsPresent, nil
	}
	if err != nil {
		return false, err
	}
	return compare(rule, v, env)
}

// missing reports whether err is a path selecting nothing.
func missing(err error) bool {
	var se statesError
	if errors.As(err, &se) {
		n, _ := se.StatesError()
		return n == errRuntime
	}
	return false
}

func is(want *bool, got bool) bool { return got == *want }

// compare applies the rule's one operator to v.
func compare(rule *asl.ChoiceRule, v any, env jsonpath.Env) (bool, error) {
	other := func(p asl.Path) (any, error) { return env.Resolve(string(p)) }
	switch {
	case rule.IsNull != nil:
		return is(rule.IsNull, v == nil), nil
	case rule.IsNumeric != nil:
		_, ok := v.(json.Number)
		return is(rule.IsNumeric, ok), nil
	case rule.IsString != nil:
		_, ok := v.(string)
		return is(rule.IsString, ok), nil
	case rule.IsBoolean != nil:
		_, ok := v.(bool)
		return is(rule.IsBoolean, ok), nil
	case rule.IsTimestamp != nil:
		_, ok := asTime(v)
		return is(rule.IsTimestamp, ok), nil
	case rule.BooleanEquals != nil:
		b, ok := v.(bool)
		return ok && b == *rule.BooleanEquals, nil
	case rule.BooleanEqualsPath != "":
		o, err := other(rule.BooleanEqualsPath)
		if err != nil {
			return false, err
		}
		a, ok1 := v.(bool)
		b, ok2 := o.(bool)
		return ok1 && ok2 && a == b, nil
	case rule.StringMatches != nil:
		s, ok := v.(string)
		return ok && wildcardMatch(*rule.StringMatches, s), nil
	}
	if lit, path, op, ok := stringOp(rule); ok {
		var l any
		if lit != nil {
			l = *lit
		}
		return cmpWith(v, l, path, other, op, func(x any) (string, bool) { s, ok := x.(string); return s, ok }, strings.Compare)
	}
	if lit, path, op, ok := numericOp(rule); ok {
		var l any
		if lit != nil {
			l = json.Number(strconv.FormatFloat(*lit, 'g', -1, 64))
		}
		return cmpWith(v, l, path, other, op, asFloat, func(a, b float64) int {
			switch {
			case a < b:
				return -1
			case a > b:
				return 1
			}
			return 0
		})
	}
	if lit, path, op, ok := timestampOp(rule); ok {
		var l any
		if lit != nil {
			l = *lit
		}
		return cmpWith(v, l, path, other, op, asTime, func(a, b time.Time) int { return a.Compare(b) })
	}
	return false, runtimeErr("choice rule on %s has no operator", rule.Variable)
}

// op says which comparison results match: -1 less, 0 equal, 1 greater.
type op []int

var (
	opEq = op{0}
	opLt = op{-1}
	opGt = op{1}
	opLe = op{-1, 0}
	opGe = op{1, 0}
)

// cmpWith compares v with a literal, or with the value at path when the
// literal is nil; either side of the wrong type makes the test false.
func cmpWith[T any](v, lit any, path asl.Path, other func(asl.Path) (any, error), o op, conv func(any) (T, bool), cmp func(a, b T) int) (bool, error) {
	rhs := lit
	if lit == nil {
		var err error
		if rhs, err = other(path); err != nil {
			return false, err
		}
	}
	a, ok1 := conv(v)
	b, ok2 := conv(rhs)
	if !ok1 || !ok2 {
		return false, nil
	}
	c := cmp(a, b)
	for _, want := range o {
		if c == want {
			return true, nil
		}
	}
	return false, nil
}

func asFloat(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	return f, err == nil
}

func asTime(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func stringOp(r *asl.ChoiceRule) (*string, asl.Path, op, bool) {
	switch {
	case r.StringEquals != nil:
		return r.StringEquals, "", opEq, true
	case r.StringEqualsPath != "":
		return nil, r.StringEqualsPath, opEq, true
	case r.StringLessThan != nil:
		return r.StringLessThan, "", opLt, true
	case r.StringLessThanPath != "":
		return nil, r.StringLessThanPath, opLt, true
	case r.StringGreaterThan != nil:
		return r.StringGreaterThan, "", opGt, true
	case r.StringGreaterThanPath != "":
		return nil, r.StringGreaterThanPath, opGt, true
	case r.StringLessThanEquals != nil:
		return r.StringLessThanEquals, "", opLe, true
	case r.StringLessThanEqualsPath != "":
		return nil, r.StringLessThanEqualsPath, opLe, true
	case r.StringGreaterThanEquals != nil:
		return r.StringGreaterThanEquals, "", opGe, true
	case r.StringGreaterThanEqualsPath != "":
		return nil, r.StringGreaterThanEqualsPath, opGe, true
	}
	return nil, "", nil, false
}

func numericOp(r *asl.ChoiceRule) (*float64, asl.Path, op, bool) {
	switch {
	case r.NumericEquals != nil:
		return r.NumericEquals, "", opEq, true
	case r.NumericEqualsPath != "":
		return nil, r.NumericEqualsPath, opEq, true
	case r.NumericLessThan != nil:
		return r.NumericLessThan, "", opLt, true
	case r.NumericLessThanPath != "":
		return nil, r.NumericLessThanPath, opLt, true
	case r.NumericGreaterThan != nil:
		return r.NumericGreaterThan, "", opGt, true
	case r.NumericGreaterThanPath != "":
		return nil, r.NumericGreaterThanPath, opGt, true
	case r.NumericLessThanEquals != nil:
		return r.NumericLessThanEquals, "", opLe, true
	case r.NumericLessThanEqualsPath != "":
		return nil, r.NumericLessThanEqualsPath, opLe, true
	case r.NumericGreaterThanEquals != nil:
		return r.NumericGreaterThanEquals, "", opGe, true
	case r.NumericGreaterThanEqualsPath != "":
		return nil, r.NumericGreaterThanEqualsPath, opGe, true
	}
	return nil, "", nil, false
}

func timestampOp(r *asl.ChoiceRule) (*string, asl.Path, op, bool) {
	switch {
	case r.TimestampEquals != nil:
		return r.TimestampEquals, "", opEq, true
	case r.TimestampEqualsPath != "":
		return nil, r.TimestampEqualsPath, opEq, true
	case r.TimestampLessThan != nil:
		return r.TimestampLessThan, "", opLt, true
	case r.TimestampLessThanPath != "":
		return nil, r.TimestampLessThanPath, opLt, true
	case r.TimestampGreaterThan != nil:
		return r.TimestampGreaterThan, "", opGt, true
	case r.TimestampGreaterThanPath != "":
		return nil, r.TimestampGreaterThanPath, opGt, true
	case r.TimestampLessThanEquals != nil:
		return r.TimestampLessThanEquals, "", opLe, true
	case r.TimestampLessThanEqualsPath != "":
		return nil, r.TimestampLessThanEqualsPath, opLe, true
	case r.TimestampGreaterThanEquals != nil:
		return r.TimestampGreaterThanEquals, "", opGe, true
	case r.TimestampGreaterThanEqualsPath != "":
		return nil, r.TimestampGreaterThanEqualsPath, opGe, true
	}
	return nil, "", nil, false
}

// wildcardMatch implements StringMatches: "*" matches any run of
// characters, `\*` a literal star and `\\` a backslash.
func wildcardMatch(pattern, s string) bool {
	type tok struct {
		star bool
		lit  string
	}
	var toks []tok
	var lit strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			lit.WriteByte(pattern[i])
		case c == '*':
			toks = append(toks, tok{lit: lit.String()}, tok{star: true})
			lit.Reset()
		default:
			lit.WriteByte(c)
		}
	}
	toks = append(toks, tok{lit: lit.String()})
	// Literal segments between stars, matched greedily left to right.
	var parts []string
	for _, t := range toks {
		if !t.star {
			parts = append(parts, t.lit)
		}
	}
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}
