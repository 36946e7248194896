package identity

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// evalContext is a request's context keys: the caller's, and the global
// keys the evaluator knows of the principal and the time, worked out only
// when a policy asks (most ask for none). Key names are case-insensitive.
type evalContext struct {
	caller  map[string][]string
	role    *roleView // nil outside a role's own request (a trust policy)
	session string
	now     func() time.Time
}

func (c *evalContext) get(name string) ([]string, bool) {
	if v := c.role; v != nil {
		switch {
		case strings.EqualFold(name, "aws:PrincipalArn"):
			return []string{v.arn}, true
		case strings.EqualFold(name, "aws:PrincipalAccount"):
			return []string{localcloud.Account}, true
		case strings.EqualFold(name, "aws:PrincipalType"):
			return []string{"AssumedRole"}, true
		case strings.EqualFold(name, "aws:userid") && c.session != "":
			return []string{v.id + ":" + c.session}, true
		case len(name) > len("aws:PrincipalTag/") && strings.EqualFold(name[:len("aws:PrincipalTag/")], "aws:PrincipalTag/"):
			for _, t := range v.tags {
				if strings.EqualFold(t.Key, name[len("aws:PrincipalTag/"):]) {
					return []string{t.Value}, true
				}
			}
		}
	}
	for k, vals := range c.caller {
		if strings.EqualFold(k, name) {
			return vals, true
		}
	}
	switch {
	case c.now == nil:
	case strings.EqualFold(name, "aws:CurrentTime"):
		return []string{c.now().UTC().Format(time.RFC3339)}, true
	case strings.EqualFold(name, "aws:EpochTime"):
		return []string{strconv.FormatInt(c.now().Unix(), 10)}, true
	}
	return nil, false
}

const (
	single = iota
	forAnyValue
	forAllValues
)

// condition is one operator applied to one key with its values.
type condition struct {
	op       string // the positive base operator, lower-cased: "stringequals", "arnlike", "null"
	negated  bool   // StringNotEquals and the other Not operators
	ifExists bool
	set      int
	key      string
	values   []string
	known    bool // false for an operator the evaluator does not know
}

// negatedOps maps each Not operator to the operator it negates.
var negatedOps = map[string]string{
	"stringnotequals":           "stringequals",
	"stringnotequalsignorecase": "stringequalsignorecase",
	"stringnotlike":             "stringlike",
	"arnnotequals":              "arnequals",
	"arnnotlike":                "arnlike",
	"numericnotequals":          "numericequals",
	"datenotequals":             "dateequals",
	"notipaddress":              "ipaddress",
}

var positiveOps = map[string]bool{
	"stringequals": true, "stringequalsignorecase": true, "stringlike": true,
	"arnequals": true, "arnlike": true,
	"numericequals": true, "numericlessthan": true, "numericlessthanequals": true,
	"numericgreaterthan": true, "numericgreaterthanequals": true,
	"dateequals": true, "datelessthan": true, "datelessthanequals": true,
	"dategreaterthan": true, "dategreaterthanequals": true,
	"bool": true, "binaryequals": true, "ipaddress": true, "null": true,
}

func compileConditions(block map[string]any) ([]condition, error) {
	var out []condition
	for opName, keys := range block {
		kv, ok := keys.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("condition %s is not an object of keys", opName)
		}
		base := strings.ToLower(opName)
		c := condition{}
		if q, rest, ok := strings.Cut(base, ":"); ok {
			switch q {
			case "foranyvalue":
				c.set = forAnyValue
			case "forallvalues":
				c.set = forAllValues
			}
			base = rest
		}
		if b, ok := strings.CutSuffix(base, "ifexists"); ok {
			base, c.ifExists = b, true
		}
		if pos, ok := negatedOps[base]; ok {
			base, c.negated = pos, true
		}
		c.op, c.known = base, positiveOps[base]
		for key, v := range kv {
			vals, err := values(v)
			if err != nil {
				return nil, fmt.Errorf("condition %s %s: %w", opName, key, err)
			}
			k := c
			k.key, k.values = strings.ToLower(key), vals
			out = append(out, k)
		}
	}
	return out, nil
}

// holds evaluates the condition in ctx. An operator the evaluator does
// not know gives the answer that refuses: an Allow does not apply, a Deny
// does.
func (c *condition) holds(ctx *evalContext, variables, deny bool) bool {
	if !c.known {
		return deny
	}
	vals, present := ctx.get(c.key)
	absent := !present || len(vals) == 0
	if c.op == "null" {
		for _, p := range c.values {
			if strings.EqualFold(p, "true") == absent {
				return true
			}
		}
		return false
	}
	if absent {
		switch {
		case c.ifExists, c.set == forAllValues:
			return true
		case c.set == forAnyValue:
			return false
		}
		return c.negated
	}
	// One context value satisfies the operator when it matches some
	// policy value (multiple values OR), or for a Not operator none.
	ok := func(v string) bool { return c.matchesAny(ctx, v, variables) != c.negated }
	switch c.set {
	case forAnyValue:
		for _, v := range vals {
			if ok(v) {
				return true
			}
		}
		return false
	case forAllValues:
		for _, v := range vals {
			if !ok(v) {
				return false
			}
		}
		return true
	}
	found := false
	for _, v := range vals {
		if c.matchesAny(ctx, v, variables) {
			found = true
			break
		}
	}
	return found != c.negated
}

func (c *condition) matchesAny(ctx *evalContext, v string, variables bool) bool {
	for _, p := range c.values {
		if variables && strings.Contains(p, "${") && (strings.HasPrefix(c.op, "string") || strings.HasPrefix(c.op, "arn")) {
			var ok bool
			if p, ok = ctx.substitute(p); !ok {
				continue
			}
		}
		if compare(c.op, v, p) {
			return true
		}
	}
	return false
}

// compare applies a positive operator to a context value v and a policy
// value p; values that do not parse for the operator do not match.
func compare(op, v, p string) bool {
	switch op {
	case "stringequals", "binaryequals":
		return v == p
	case "stringequalsignorecase":
		return strings.EqualFold(v, p)
	case "stringlike":
		return glob(p, v)
	case "arnequals", "arnlike":
		return arnLike(p, v)
	case "bool":
		return strings.EqualFold(v, p)
	case "ipaddress":
		ip, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		if pfx, err := netip.ParsePrefix(p); err == nil {
			return pfx.Contains(ip)
		}
		a, err := netip.ParseAddr(p)
		return err == nil && a == ip
	}
	if n, ok := strings.CutPrefix(op, "numeric"); ok {
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(p, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return order(n, cmp(a, b))
	}
	if n, ok := strings.CutPrefix(op, "date"); ok {
		a, ok1 := parseDate(v)
		b, ok2 := parseDate(p)
		if !ok1 || !ok2 {
			return false
		}
		return order(n, a.Compare(b))
	}
	return false
}

func cmp(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func order(rel string, c int) bool {
	switch rel {
	case "equals":
		return c == 0
	case "lessthan":
		return c < 0
	case "lessthanequals":
		return c <= 0
	case "greaterthan":
		return c > 0
	case "greaterthanequals":
		return c >= 0
	}
	return false
}

// parseDate reads the date forms IAM takes: ISO 8601 (with or without
// seconds or time) or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	for _, f := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(f, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Unix(int64(n), 0), true
	}
	return time.Time{}, false
}

// arnLike matches an ARN against an ARN pattern component by component
// (the six colon-separated parts, the last keeping any further colons),
// each with * and ?, as ArnLike and ArnEquals do.
func arnLike(pattern, arn string) bool {
	pp := strings.SplitN(pattern, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return false
	}
	for i := range pp {
		if !glob(pp[i], ap[i]) {
			return false
		}
	}
	return true
}
