package diagram

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/stepforge/stepforge/pkg/asl"
)

// condition writes a choice rule as a short expression, such as
// `$.statusCode == 500 and $.attempts < 3`; a JSONata Condition is shown
// without its "{% %}".
func condition(r asl.ChoiceRule) string {
	switch {
	case r.Condition != "":
		return expression(r.Condition)
	case len(r.And) > 0:
		return combine(r.And, " and ")
	case len(r.Or) > 0:
		return combine(r.Or, " or ")
	case r.Not != nil:
		return "not (" + condition(*r.Not) + ")"
	}
	return comparison(r)
}

func combine(rules []asl.ChoiceRule, sep string) string {
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = condition(r)
		if len(r.And) > 0 || len(r.Or) > 0 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, sep)
}

// symbols are the comparisons an operator's name ends in, once its type
// (String, Numeric, Boolean, Timestamp) and any Path suffix are taken off.
var symbols = map[string]string{
	"Equals":            "==",
	"LessThan":          "<",
	"GreaterThan":       ">",
	"LessThanEquals":    "<=",
	"GreaterThanEquals": ">=",
}

var operandTypes = []string{"String", "Numeric", "Boolean", "Timestamp"}

// comparison writes a rule with Variable and one operator. The rule's JSON
// names its operator, which spares a case for each of the operator fields.
func comparison(r asl.ChoiceRule) string {
	v := string(r.Variable)
	r.Next, r.Assign, r.Output = "", nil, nil
	doc, err := json.Marshal(r)
	var fields map[string]json.RawMessage
	if err != nil || json.Unmarshal(doc, &fields) != nil {
		return v
	}
	var ops []string
	for name := range fields {
		if isOperator(name) {
			ops = append(ops, name)
		}
	}
	if len(ops) == 0 {
		return v
	}
	slices.Sort(ops) // a valid rule has one; an invalid one is drawn the same way every time
	return operation(v, ops[0], fields[ops[0]])
}

func isOperator(name string) bool {
	if strings.HasPrefix(name, "Is") {
		return true
	}
	for _, t := range operandTypes {
		if strings.HasPrefix(name, t) {
			return true
		}
	}
	return false
}

func operation(v, op string, raw json.RawMessage) string {
	if kind, ok := strings.CutPrefix(op, "Is"); ok {
		var want bool
		_ = json.Unmarshal(raw, &want)
		if want {
			return v + " is " + strings.ToLower(kind)
		}
		return v + " is not " + strings.ToLower(kind)
	}
	if op == "StringMatches" {
		return v + " matches " + operand(raw, false)
	}
	rest := op
	for _, t := range operandTypes {
		if r, ok := strings.CutPrefix(rest, t); ok {
			rest = r
			break
		}
	}
	rest, isPath := strings.CutSuffix(rest, "Path")
	sym, ok := symbols[rest]
	if !ok {
		sym = op
	}
	return v + " " + sym + " " + operand(raw, isPath)
}

// operand writes a literal as JSON would, with strings in double quotes,
// and a path bare.
func operand(raw json.RawMessage, isPath bool) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return string(raw)
	}
	if isPath {
		return s
	}
	return `"` + s + `"`
}
