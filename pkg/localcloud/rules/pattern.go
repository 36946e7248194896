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
