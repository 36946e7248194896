package topics

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
)

// filterAccepts says whether a subscription's FilterPolicy (if any)
// accepts m, in its FilterPolicyScope: the message's attributes (the
// default) or its JSON body. This is SNS's policy language: exact
// strings and numbers, prefix, suffix, equals-ignore-case, anything-but,
// numeric ranges, exists, cidr, and $or; every key must match, any one
// of a key's conditions will do.
//
// https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
func filterAccepts(subAttrs map[string]string, m *Message) bool {
	raw := subAttrs["FilterPolicy"]
	if raw == "" {
		return true
	}
	var policy map[string]any
	if err := json.Unmarshal([]byte(raw), &policy); err != nil {
		return false
	}
	if subAttrs["FilterPolicyScope"] == "MessageBody" {
		var body any
		if err := json.Unmarshal([]byte(m.Message), &body); err != nil {
			return false
		}
		obj, ok := body.(map[string]any)
		return ok && matchBody(policy, obj)
	}
	return matchAttributes(policy, attributeValues(m.MessageAttributes))
}

// attributeValues are the values a policy sees for each attribute:
// strings, numbers, or an array's elements; binary attributes are not
// matched by SNS.
func attributeValues(attrs map[string]MessageAttribute) map[string][]any {
	out := map[string][]any{}
	for name, a := range attrs {
		switch {
		case strings.HasPrefix(a.DataType, "Number"):
			if f, err := strconv.ParseFloat(a.StringValue, 64); err == nil {
				out[name] = []any{f}
			}
		case a.DataType == "String.Array":
			var arr []any
			if json.Unmarshal([]byte(a.StringValue), &arr) == nil {
				out[name] = arr
			}
		case strings.HasPrefix(a.DataType, "String"):
			out[name] = []any{a.StringValue}
		}
	}
	return out
}

func matchAttributes(policy map[string]any, vals map[string][]any) bool {
	for key, cond := range policy {
		if key == "$or" {
			if !anyPolicy(cond, func(p map[string]any) bool { return matchAttributes(p, vals) }) {
				return false
			}
			continue
		}
		v, present := vals[key]
		if !matchConditions(cond, v, present) {
			return false
		}
	}
	return true
}

func matchBody(policy map[string]any, body map[string]any) bool {
	for key, cond := range policy {
		if key == "$or" {
			if !anyPolicy(cond, func(p map[string]any) bool { return matchBody(p, body) }) {
				return false
			}
			continue
		}
		v, present := body[key]
		if nested, ok := cond.(map[string]any); ok {
			obj, _ := v.(map[string]any)
			if !matchBody(nested, obj) {
				return false
			}
			continue
		}
		vals := []any{v}
		if arr, ok := v.([]any); ok {
			vals = arr
		}
		if !matchConditions(cond, vals, present) {
			return false
		}
	}
	return true
}

func anyPolicy(cond any, match func(map[string]any) bool) bool {
	alts, _ := cond.([]any)
	for _, a := range alts {
		if p, ok := a.(map[string]any); ok && match(p) {
			return true
		}
	}
	return false
}

// matchConditions: any condition of the list matching any value.
func matchConditions(cond any, vals []any, present bool) bool {
	conds, ok := cond.([]any)
	if !ok {
		conds = []any{cond}
	}
	for _, c := range conds {
		if op, ok := c.(map[string]any); ok {
			if matchOperator(op, vals, present) {
				return true
			}
			continue
		}
		if present && containsValue(vals, c) {
			return true
		}
	}
	return false
}

func containsValue(vals []any, want any) bool {
	for _, v := range vals {
		if v == want {
			return true
		}
	}
	return false
}

func matchOperator(op map[string]any, vals []any, present bool) bool {
	for name, arg := range op {
		switch name {
		case "exists":
			b, _ := arg.(bool)
			return present == b
		case "prefix", "suffix", "equals-ignore-case":
			return present && anyString(vals, func(s string) bool { return stringOp(name, arg, s) })
		case "anything-but":
			return present && anythingBut(arg, vals)
		case "numeric":
			return present && anyNumber(vals, func(f float64) bool { return numeric(arg, f) })
		case "cidr":
			p, err := netip.ParsePrefix(toString(arg))
			return err == nil && present && anyString(vals, func(s string) bool {
				a, err := netip.ParseAddr(s)
				return err == nil && p.Contains(a)
			})
		}
	}
	return false
}

func toString(v any) string { s, _ := v.(string); return s }

func stringOp(name string, arg any, s string) bool {
	// {"prefix": {"equals-ignore-case": "x"}} matches case-insensitively.
	want, fold := toString(arg), false
	if m, ok := arg.(map[string]any); ok {
		want, fold = toString(m["equals-ignore-case"]), true
	}
	if fold || name == "equals-ignore-case" {
		want, s = strings.ToLower(want), strings.ToLower(s)
	}
	switch name {
	case "prefix":
		return strings.HasPrefix(s, want)
	case "suffix":
		return strings.HasSuffix(s, want)
	}
	return s == want
}

func anyString(vals []any, ok func(string) bool) bool {
	for _, v := range vals {
		if s, is := v.(string); is && ok(s) {
			return true
		}
	}
	return false
}

func anyNumber(vals []any, ok func(float64) bool) bool {
	for _, v := range vals {
		if f, is := v.(float64); is && ok(f) {
			return true
		}
	}
	return false
}

func anythingBut(arg any, vals []any) bool {
	if m, ok := arg.(map[string]any); ok {
		for name, a := range m {
			return anyString(vals, func(s string) bool { return !stringOp(name, a, s) })
		}
		return false
	}
	excluded, ok := arg.([]any)
	if !ok {
		excluded = []any{arg}
	}
	for _, v := range vals {
		if !containsValue(excluded, v) {
			return true
		}
	}
	return false
}

// numeric reads ["<", 10] or [">=", 0, "<", 100].
func numeric(arg any, f float64) bool {
	terms, _ := arg.([]any)
	if len(terms) == 0 || len(terms)%2 != 0 {
		return false
	}
	for i := 0; i < len(terms); i += 2 {
		op, _ := terms[i].(string)
		n, ok := terms[i+1].(float64)
		if !ok {
			return false
		}
		var pass bool
		switch op {
		case "=":
			pass = f == n
		case "<":
			pass = f < n
		case "<=":
			pass = f <= n
		case ">":
			pass = f > n
		case ">=":
			pass = f >= n
		}
		if !pass {
			return false
		}
	}
	return true
}
