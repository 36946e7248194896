package asl

import (
	"fmt"
	"strings"
	"time"
)

func (c *checker) choice(path string, s *Choice, lang QueryLanguage) {
	if len(s.Choices) == 0 {
		c.add(path, "a Choice state needs at least one rule in Choices")
	}
	for i := range s.Choices {
		c.rule(fmt.Sprintf("%s.Choices[%d]", path, i), &s.Choices[i], lang, true)
	}
}

// rule checks a choice rule; top says it sits directly in Choices rather
// than inside And, Or or Not.
func (c *checker) rule(path string, r *ChoiceRule, lang QueryLanguage, top bool) {
	c.fields(path, r, lang, "a choice rule")
	if top && r.Next == "" {
		c.add(path, "a rule in Choices needs Next")
	}
	if !top {
		for _, f := range []struct {
			name string
			set  bool
		}{{"Next", r.Next != ""}, {"Assign", r.Assign != nil}, {"Output", r.Output != nil}} {
			if f.set {
				c.add(path, "a rule inside And, Or or Not cannot have %s", f.name)
			}
		}
	}
	if lang == JSONata {
		if r.Condition == "" {
			c.add(path, "a JSONata choice rule needs a Condition")
		}
		return
	}

	var ops []string
	for _, f := range r.operators() {
		if f.set() {
			ops = append(ops, f.key)
		}
	}
	comparisons := len(ops)
	for _, f := range []struct {
		name string
		set  bool
	}{{"And", r.And != nil}, {"Or", r.Or != nil}, {"Not", r.Not != nil}} {
		if f.set {
			ops = append(ops, f.name)
		}
	}
	switch {
	case len(ops) == 0 && r.Condition == "":
		c.add(path, "a choice rule needs one comparison operator (StringEquals, NumericEquals, IsPresent, ...) or one of And, Or and Not")
	case len(ops) > 1:
		c.add(path, "a choice rule takes one operator, this one has %d: %s", len(ops), strings.Join(ops, ", "))
	}
	switch {
	case comparisons > 0 && r.Variable == "":
		c.add(path, "a comparison needs the Variable it compares")
	case comparisons == 0 && len(ops) > 0 && r.Variable != "":
		c.add(path, "Variable only belongs in a comparison, not in %s", ops[0])
	}
	c.operands(path, r)
	if r.And != nil && len(r.And) == 0 {
		c.add(path, "And needs at least one rule")
	}
	if r.Or != nil && len(r.Or) == 0 {
		c.add(path, "Or needs at least one rule")
	}
	for i := range r.And {
		c.rule(fmt.Sprintf("%s.And[%d]", path, i), &r.And[i], lang, false)
	}
	for i := range r.Or {
		c.rule(fmt.Sprintf("%s.Or[%d]", path, i), &r.Or[i], lang, false)
	}
	if r.Not != nil {
		c.rule(path+".Not", r.Not, lang, false)
	}
}

// operands checks literal operands the Go types cannot: timestamps and
// StringMatches patterns.
func (c *checker) operands(path string, r *ChoiceRule) {
	for _, ts := range []struct {
		name  string
		value *string
	}{
		{"TimestampEquals", r.TimestampEquals},
		{"TimestampLessThan", r.TimestampLessThan},
		{"TimestampGreaterThan", r.TimestampGreaterThan},
		{"TimestampLessThanEquals", r.TimestampLessThanEquals},
		{"TimestampGreaterThanEquals", r.TimestampGreaterThanEquals},
	} {
		if ts.value == nil {
			continue
		}
		if _, err := time.Parse(time.RFC3339, *ts.value); err != nil {
			c.add(path, "%s %q is not an RFC 3339 timestamp such as 2026-01-02T15:04:05Z", ts.name, *ts.value)
		}
	}
	if p := r.StringMatches; p != nil {
		for i := 0; i < len(*p); i++ {
			if (*p)[i] != '\\' {
				continue
			}
			if i+1 == len(*p) || ((*p)[i+1] != '*' && (*p)[i+1] != '\\') {
				c.add(path, `StringMatches %q: a backslash escapes only "*" or "\"`, *p)
				break
			}
			i++
		}
	}
}
