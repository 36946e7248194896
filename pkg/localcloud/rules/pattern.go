package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// maxPatternLength is the longest event pattern PutRule takes.
const maxPatternLength = 4096

func invalidPattern(format string, args ...any) error {
	return &localcloud.Error{Code: "InvalidEventPatternException", Status: http.StatusBadRequest,
		Message: "Event pattern is not valid. Reason: " + fmt.Sprintf(format, args...)}
}

// ValidatePattern checks an event pattern as EventBridge does: a JSON
// object whose fields are objects (nested fields) or arrays of values to
// match, each value a string, number, boolean, null or one content
// filter (prefix, suffix, anything-but, numeric, exists, cidr,
// equals-ignore-case, wildcard), with $or combining patterns.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
func ValidatePattern(pattern string) error {
	if len(pattern) > maxPatternLength {
		return validation("1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to %d", maxPatternLength)
	}
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return invalidPattern("Filter is not valid JSON: %s", err.Error())
	}
	if dec.More() {
		return invalidPattern("Filter is not valid JSON: text after the pattern")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return invalidPattern("Filter is not an object")
	}
	return checkObject(m)
}

func checkObject(m map[string]any) error {
	for k, v := range m {
		if k == "$or" {
			list, ok := v.([]any)
			if !ok || len(list) < 2 {
				return invalidPattern("Value of $or must be an array of at least two patterns")
			}
			for _, alt := range list {
				o, ok := alt.(map[string]any)
				if !ok {
					return invalidPattern("Value of $or must be an array of objects")
				}
				if err := checkObject(o); err != nil {
					return err
				}
			}
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			if err := checkObject(x); err != nil {
				return err
			}
		case []any:
			if len(x) == 0 {
				return invalidPattern("Empty arrays are not allowed")
			}
			for _, e := range x {
				if err := checkMatch(k, e); err != nil {
					return err
				}
			}
		default:
			return invalidPattern("%q must be an object or an array", k)
		}
	}
	return nil
}

func checkMatch(field string, e any) error {
	switch x := e.(type) {
	case string, json.Number, bool, nil:
		return nil
	case []any:
		return invalidPattern("Match value must be String, number, true, false, or null")
	case map[string]any:
		if len(x) != 1 {
			return invalidPattern("Only one key allowed in match expression")
		}
		for op, arg := range x {
			return checkFilter(op, arg)
		}
	}
	return nil
}

var cidrRE = regexp.MustCompile(`^[0-9a-fA-F.:]+/\d{1,3}$`)

func checkFilter(op string, arg any) error {
	switch op {
	case "prefix", "suffix":
		switch a := arg.(type) {
		case string:
			return nil
		case map[string]any:
			if s, ok := a["equals-ignore-case"].(string); ok && len(a) == 1 && s != "" {
				return nil
			}
		}
		return invalidPattern("%s match pattern must be a string literal.", op)
	case "equals-ignore-case", "wildcard":
		if _, ok := arg.(string); !ok {
			return invalidPattern("%s match pattern must be a string literal.", op)
		}
	case "exists":
		if _, ok := arg.(bool); !ok {
			return invalidPattern("exists match pattern must be either true or false.")
		}
	case "cidr":
		if s, ok := arg.(string); !ok || !cidrRE.MatchString(s) {
			return invalidPattern("Malformed CIDR, one '/' required")
		}
	case "anything-but":
		switch a := arg.(type) {
		case string, json.Number:
			return nil
		case []any:
			if len(a) == 0 {
				return invalidPattern("Empty arrays are not allowed")
			}
			for _, e := range a {
				switch e.(type) {
				case string, json.Number:
				default:
					return invalidPattern("Inside anything but list, start|null|boolean is not supported.")
				}
			}
			return nil
		case map[string]any:
			if len(a) != 1 {
				return invalidPattern("Only one key allowed in match expression")
			}
			for sub, v := range a {
				switch sub {
				case "prefix", "suffix", "equals-ignore-case", "wildcard":
					if _, ok := v.(string); ok {
						return nil
					}
					if l, ok := v.([]any); ok && len(l) > 0 {
						return nil
					}
					return invalidPattern("Value of %s inside anything-but must be a string or an array of strings", sub)
				}
				return invalidPattern("Unsupported anything-but pattern: %s", sub)
			}
		}
		return invalidPattern("Value of anything-but must be an array or single string/number value.")
	case "numeric":
		a, ok := arg.([]any)
		if !ok || len(a) == 0 || len(a)%2 != 0 || len(a) > 4 {
			return invalidPattern("Value of numeric must be an array.")
		}
		for i := 0; i < len(a); i += 2 {
			cmp, _ := a[i].(string)
			switch cmp {
			case "<", "<=", "=", ">", ">=":
			default:
				return invalidPattern("Unrecognized numeric range operator: %v", a[i])
			}
			if _, ok := a[i+1].(json.Number); !ok {
				return invalidPattern("Value of %s must be numeric", cmp)
			}
		}
	default:
		return invalidPattern("Unrecognized match type %s", op)
	}
	return nil
}

// CompactPattern is a pattern as EventBridge keeps it: the JSON text the
// caller gave, unchanged (DescribeRule returns it as it was put).
func CompactPattern(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

var (
	rateRE = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)
	cronRE = regexp.MustCompile(`^cron\((.*)\)$`)
)

func badSchedule() error { return validation("Parameter ScheduleExpression is not valid.") }

// ValidateSchedule checks a rate(...) or cron(...) schedule expression.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
func ValidateSchedule(expr string) error {
	if m := rateRE.FindStringSubmatch(expr); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n <= 0 {
			return badSchedule()
		}
		plural := strings.HasSuffix(m[2], "s")
		if n == 1 && plural || n > 1 && !plural {
			return badSchedule()
		}
		return nil
	}
	m := cronRE.FindStringSubmatch(expr)
	if m == nil {
		return badSchedule()
	}
	f := strings.Fields(m[1])
	if len(f) != 6 {
		return badSchedule()
	}
	months := "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
	days := "SUN|MON|TUE|WED|THU|FRI|SAT"
	checks := []struct {
		lo, hi int
		names  string
		extra  string
	}{
		{0, 59, "", ""},      // minutes
		{0, 23, "", ""},      // hours
		{1, 31, "", "?LW"},   // day of month
		{1, 12, months, ""},  // month
		{1, 7, days, "?L#"},  // day of week
		{1970, 2199, "", ""}, // year
	}
	for i, c := range checks {
		if !cronField(f[i], c.lo, c.hi, c.names, c.extra) {
			return badSchedule()
		}
	}
	// One of day-of-month and day-of-week must be "?", not both.
	if (f[2] == "?") == (f[4] == "?") {
		return badSchedule()
	}
	return nil
}

func cronField(s string, lo, hi int, names, extra string) bool {
	if s == "*" || s == "?" && strings.Contains(extra, "?") {
		return true
	}
	for _, part := range strings.Split(s, ",") {
		if !cronPart(part, lo, hi, names, extra) {
			return false
		}
	}
	return true
}

func cronPart(p string, lo, hi int, names, extra string) bool {
	if p == "" {
		return false
	}
	if base, step, ok := strings.Cut(p, "/"); ok {
		n, err := strconv.Atoi(step)
		if err != nil || n <= 0 {
			return false
		}
		if base == "*" {
			return true
		}
		p = base
	}
	if strings.Contains(extra, "L") && (p == "L" || strings.HasSuffix(p, "L") && cronValue(strings.TrimSuffix(p, "L"), lo, hi, names)) {
		return true
	}
	if strings.Contains(extra, "W") && (p == "LW" || strings.HasSuffix(p, "W") && cronValue(strings.TrimSuffix(p, "W"), lo, hi, names)) {
		return true
	}
	if strings.Contains(extra, "#") {
		if d, n, ok := strings.Cut(p, "#"); ok {
			k, err := strconv.Atoi(n)
			return err == nil && k >= 1 && k <= 5 && cronValue(d, lo, hi, names)
		}
	}
	if a, b, ok := strings.Cut(p, "-"); ok {
		return cronValue(a, lo, hi, names) && cronValue(b, lo, hi, names)
	}
	return cronValue(p, lo, hi, names)
}

func cronValue(s string, lo, hi int, names string) bool {
	if names != "" {
		for _, n := range strings.Split(names, "|") {
			if strings.EqualFold(s, n) {
				return true
			}
		}
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= lo && n <= hi
}
