package rules

import (
	"encoding/json"
	"net/netip"
	"regexp"
	"strings"
)

// The content filters of event patterns: prefix, suffix,
// equals-ignore-case, wildcard, exists, cidr, anything-but and numeric.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html

var cidrRE = regexp.MustCompile(`^[0-9a-fA-F.:]+/\d{1,3}$`)

// affix compiles prefix or suffix matching (optionally ignoring case).
func affix(op, s string, fold bool) func(string) bool {
	if fold {
		s = strings.ToLower(s)
	}
	return func(v string) bool {
		if fold {
			v = strings.ToLower(v)
		}
		if op == "prefix" {
			return strings.HasPrefix(v, s)
		}
		return strings.HasSuffix(v, s)
	}
}

func compileFilter(op string, arg any) (leaf, error) {
	switch op {
	case "prefix", "suffix":
		switch a := arg.(type) {
		case string:
			return leaf{fn: stringFn(affix(op, a, false))}, nil
		case map[string]any:
			if s, ok := a["equals-ignore-case"].(string); ok && len(a) == 1 && s != "" {
				return leaf{fn: stringFn(affix(op, s, true))}, nil
			}
		}
		return leaf{}, invalidPattern("%s match pattern must be a string literal.", op)
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return leaf{}, invalidPattern("%s match pattern must be a string literal.", op)
		}
		return leaf{fn: stringFn(func(v string) bool { return strings.EqualFold(v, s) })}, nil
	case "wildcard":
		s, ok := arg.(string)
		if !ok {
			return leaf{}, invalidPattern("%s match pattern must be a string literal.", op)
		}
		fn, err := compileWildcard(s)
		if err != nil {
			return leaf{}, err
		}
		return leaf{fn: stringFn(fn)}, nil
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return leaf{}, invalidPattern("exists match pattern must be either true or false.")
		}
		return leaf{exists: &b}, nil
	case "cidr":
		s, ok := arg.(string)
		if !ok || !cidrRE.MatchString(s) {
			return leaf{}, invalidPattern("Malformed CIDR, one '/' required")
		}
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return leaf{}, invalidPattern("Nonstandard IP address: %s", s)
		}
		return leaf{fn: stringFn(func(v string) bool {
			ip, err := netip.ParseAddr(v)
			return err == nil && pfx.Contains(ip)
		})}, nil
	case "anything-but":
		return compileAnythingBut(arg)
	case "numeric":
		return compileNumeric(arg)
	}
	return leaf{}, invalidPattern("Unrecognized match type %s", op)
}

func compileAnythingBut(arg any) (leaf, error) {
	not := func(fn func(any) bool) leaf { return leaf{fn: func(v any) bool { return !fn(v) }} }
	switch a := arg.(type) {
	case string, json.Number:
		return not(func(v any) bool { return equal(a, v) }), nil
	case []any:
		if len(a) == 0 {
			return leaf{}, invalidPattern("Empty arrays are not allowed")
		}
		for _, e := range a {
			switch e.(type) {
			case string, json.Number:
			default:
				return leaf{}, invalidPattern("Inside anything but list, start|null|boolean is not supported.")
			}
		}
		return not(func(v any) bool {
			for _, e := range a {
				if equal(e, v) {
					return true
				}
			}
			return false
		}), nil
	case map[string]any:
		if len(a) != 1 {
			return leaf{}, invalidPattern("Only one key allowed in match expression")
		}
		for sub, v := range a {
			var strs []string
			switch x := v.(type) {
			case string:
				strs = []string{x}
			case []any:
				for _, e := range x {
					if s, ok := e.(string); ok {
						strs = append(strs, s)
					}
				}
				if len(strs) == 0 || len(strs) != len(x) {
					strs = nil
				}
			}
			var fns []func(string) bool
			for _, s := range strs {
				switch sub {
				case "prefix", "suffix":
					fns = append(fns, affix(sub, s, false))
				case "equals-ignore-case":
					fns = append(fns, func(v string) bool { return strings.EqualFold(v, s) })
				case "wildcard":
					fn, err := compileWildcard(s)
					if err != nil {
						return leaf{}, err
					}
					fns = append(fns, fn)
				default:
					return leaf{}, invalidPattern("Unsupported anything-but pattern: %s", sub)
				}
			}
			if fns == nil {
				switch sub {
				case "prefix", "suffix", "equals-ignore-case", "wildcard":
					return leaf{}, invalidPattern("Value of %s inside anything-but must be a string or an array of strings", sub)
				}
				return leaf{}, invalidPattern("Unsupported anything-but pattern: %s", sub)
			}
			// Only strings are tested: a number is never "anything but a prefix".
			return leaf{fn: stringFn(func(v string) bool {
				for _, fn := range fns {
					if fn(v) {
						return false
					}
				}
				return true
			})}, nil
		}
	}
	return leaf{}, invalidPattern("Value of anything-but must be an array or single string/number value.")
}

func compileNumeric(arg any) (leaf, error) {
	a, ok := arg.([]any)
	if !ok || len(a) == 0 || len(a)%2 != 0 || len(a) > 4 {
		return leaf{}, invalidPattern("Value of numeric must be an array.")
	}
	type bound struct {
		op string
		n  float64
	}
	var bounds []bound
	for i := 0; i < len(a); i += 2 {
		cmp, _ := a[i].(string)
		switch cmp {
		case "<", "<=", "=", ">", ">=":
		default:
			return leaf{}, invalidPattern("Unrecognized numeric range operator: %v", a[i])
		}
		n, ok := number(a[i+1])
		if !ok {
			return leaf{}, invalidPattern("Value of %s must be numeric", cmp)
		}
		bounds = append(bounds, bound{cmp, n})
	}
	return leaf{fn: func(v any) bool {
		x, ok := number(v)
		if !ok {
			return false
		}
		for _, b := range bounds {
			var in bool
			switch b.op {
			case "<":
				in = x < b.n
			case "<=":
				in = x <= b.n
			case "=":
				in = x == b.n
			case ">":
				in = x > b.n
			case ">=":
				in = x >= b.n
			}
			if !in {
				return false
			}
		}
		return true
	}}, nil
}

// compileWildcard turns a wildcard pattern (* for any run of characters,
// \* a star, \\ a backslash) into a matcher.
func compileWildcard(p string) (func(string) bool, error) {
	var parts []string // literal runs, split at each unescaped *
	var cur strings.Builder
	star := false // the previous character was an unescaped *
	for i := 0; i < len(p); i++ {
		c := p[i]
		wasStar := star
		star = c == '*'
		switch c {
		case '\\':
			if i+1 >= len(p) || p[i+1] != '*' && p[i+1] != '\\' {
				return nil, invalidPattern("Invalid escape character in wildcard pattern: %s", p)
			}
			i++
			cur.WriteByte(p[i])
		case '*':
			if wasStar {
				return nil, invalidPattern("Consecutive wildcard characters at pos %d", i)
			}
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, cur.String())
	return func(s string) bool {
		if len(parts) == 1 {
			return s == parts[0]
		}
		if !strings.HasPrefix(s, parts[0]) {
			return false
		}
		s = s[len(parts[0]):]
		last := parts[len(parts)-1]
		for _, mid := range parts[1 : len(parts)-1] {
			i := strings.Index(s, mid)
			if i < 0 {
				return false
			}
			s = s[i+len(mid):]
		}
		return len(s) >= len(last) && strings.HasSuffix(s, last)
	}, nil
}
