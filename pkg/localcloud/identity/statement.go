package identity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// compiled is a policy document parsed once for evaluation: actions
// lower-cased (IAM matches them case-insensitively), resources kept as
// written (matched case-sensitively), conditions split into operators.
type compiled struct {
	name      string // the inline policy's name or the managed policy's ARN
	variables bool   // Version 2012-10-17: ${...} in resources and conditions are policy variables
	stmts     []statement
}

type statement struct {
	id          string // Sid, or "#<index>" when the statement has none
	deny        bool
	actions     []string
	notAction   bool
	resources   []string
	notResource bool
	principals  map[string][]string // trust policies: Principal or NotPrincipal, by type ("*" for "*")
	notPrinc    bool
	conds       []condition
}

// strings1 reads an element that IAM allows as a string or a list of
// strings.
func strings1(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%v is not a string", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%v is neither a string nor a list of strings", v)
}

// values reads condition values: strings, numbers and booleans, alone or
// in a list, all compared as their JSON text.
func values(v any) ([]string, error) {
	one := func(e any) (string, error) {
		switch x := e.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
		return "", fmt.Errorf("condition value %v is not a string, number or boolean", e)
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, err := one(e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// compile parses a policy document (an identity policy, a permissions
// boundary or a trust policy).
func compile(name, document string) (*compiled, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(document)))
	dec.UseNumber()
	var doc struct {
		Version   string
		Statement any
	}
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	var raw []any
	switch st := doc.Statement.(type) {
	case map[string]any:
		raw = []any{st}
	case []any:
		raw = st
	default:
		return nil, fmt.Errorf("policy %s: no statements", name)
	}
	c := &compiled{name: name, variables: doc.Version == "2012-10-17"}
	for i, x := range raw {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("policy %s: statement %d is not an object", name, i)
		}
		st, err := compileStatement(m, i)
		if err != nil {
			return nil, fmt.Errorf("policy %s statement %s: %w", name, st.id, err)
		}
		c.stmts = append(c.stmts, st)
	}
	return c, nil
}

func compileStatement(m map[string]any, i int) (statement, error) {
	st := statement{id: fmt.Sprintf("#%d", i)}
	if sid, _ := m["Sid"].(string); sid != "" {
		st.id = sid
	}
	st.deny = m["Effect"] == "Deny"
	var err error
	actions, ok := m["Action"]
	if !ok {
		actions, st.notAction = m["NotAction"], true
	}
	if st.actions, err = strings1(actions); err != nil {
		return st, err
	}
	for j := range st.actions {
		st.actions[j] = strings.ToLower(st.actions[j])
	}
	resources, ok := m["Resource"]
	if !ok {
		resources, st.notResource = m["NotResource"], m["NotResource"] != nil
	}
	if st.resources, err = strings1(resources); err != nil {
		return st, err
	}
	principal, ok := m["Principal"]
	if !ok {
		principal, st.notPrinc = m["NotPrincipal"], m["NotPrincipal"] != nil
	}
	if principal != nil {
		st.principals = map[string][]string{}
		switch p := principal.(type) {
		case string:
			st.principals["*"] = []string{p}
		case map[string]any:
			for typ, v := range p {
				if st.principals[typ], err = strings1(v); err != nil {
					return st, err
				}
			}
		default:
			return st, fmt.Errorf("principal %v is not understood", principal)
		}
	}
	if cond, ok := m["Condition"].(map[string]any); ok {
		if st.conds, err = compileConditions(cond); err != nil {
			return st, err
		}
	}
	return st, nil
}

// glob matches s against a pattern with IAM's wildcards: * any run of
// characters, ? any one character.
func glob(pattern, s string) bool { return match(pattern, s, false) }

// match is glob, or with fold the same on ASCII case-folded s (pattern
// lower-cased already), which is how actions match without a copy of
// each action lower-cased per request.
func match(pattern, s string, fold bool) bool {
	// The iterative star-backtracking match: linear for the patterns
	// IAM documents hold, no allocation.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		c := s[i]
		if fold && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == c):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// actionMatches reports whether a statement's Action (or NotAction)
// covers action, in any case.
func (st *statement) actionMatches(action string) bool {
	in := false
	for _, a := range st.actions {
		if match(a, action, true) {
			in = true
			break
		}
	}
	return in != st.notAction
}

// resourceMatches reports whether a statement's Resource (or NotResource)
// covers resource. A request on "*" (an action with no resource of its
// own) is covered only by a Resource of "*", as IAM covers it; policy
// variables in the patterns take their values from ctx, and a pattern
// whose variable has no value matches nothing.
func (st *statement) resourceMatches(resource string, variables bool, ctx *evalContext) bool {
	in := false
	for _, r := range st.resources {
		if variables && strings.Contains(r, "${") {
			var ok bool
			if r, ok = ctx.substitute(r); !ok {
				continue
			}
		}
		if resource == "*" {
			if r == "*" {
				in = true
				break
			}
			continue
		}
		if glob(r, resource) {
			in = true
			break
		}
	}
	return in != st.notResource
}

// substitute replaces the policy variables of s (${aws:username},
// ${s3:prefix}, ${key, 'default'}, and the literal ${*} ${?} ${$}) with
// their values; ok is false when a variable has no value and no default,
// so that an element naming an unknown value matches nothing (fail safe).
func (c *evalContext) substitute(s string) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		switch name {
		case "*", "?", "$":
			b.WriteString(name)
			continue
		}
		def, hasDef := "", false
		if k, d, ok := strings.Cut(name, ","); ok {
			name = strings.TrimSpace(k)
			d = strings.TrimSpace(d)
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				def, hasDef = d[1:len(d)-1], true
			}
		}
		vs, present := c.get(name)
		switch {
		case present && len(vs) > 0:
			b.WriteString(vs[0])
		case hasDef:
			b.WriteString(def)
		default:
			return "", false
		}
	}
}
