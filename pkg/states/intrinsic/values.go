package intrinsic

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// toFloat reads a JSON number. Values come as json.Number by contract; the
// Go numeric kinds are accepted too so that a resolver built by hand works.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil || isRangeErr(err)
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// toInt reads a JSON number that has an integral value, exactly when it is
// written as an integer.
func toInt(v any) (int64, bool) {
	if n, ok := v.(json.Number); ok {
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
	}
	f, ok := toFloat(v)
	if !ok || f != math.Trunc(f) || math.IsInf(f, 0) || f > math.MaxInt64 || f < math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

// javaRound rounds half up, as Java's Math.round does: Step Functions rounds
// non-integer MathAdd and MathRandom arguments this way (1.5 to 2, -1.5 to -1,
// as LocalStack's AWS-recorded test_math_add snapshot shows).
func javaRound(f float64) float64 { return math.Floor(f + 0.5) }

// roundedInt reads a number and rounds it to an integer as AWS does.
func roundedInt(v any) (int64, bool) {
	if i, ok := toInt(v); ok {
		return i, true
	}
	f, ok := toFloat(v)
	if !ok {
		return 0, false
	}
	r := javaRound(f)
	if math.IsInf(r, 0) || math.IsNaN(r) || r > math.MaxInt64 || r < math.MinInt64 {
		return 0, false
	}
	return int64(r), true
}

func intNumber(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }

// kind names a value's JSON type for error messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	if _, ok := toFloat(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// canonical writes v so that two JSON values are equal exactly when their
// canonical forms are: object keys sorted, numbers by value (1 equals 1.0).
func canonical(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		b.WriteString(strconv.Quote(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			canonical(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			canonical(b, x[k])
		}
		b.WriteByte('}')
	default:
		if i, ok := toInt(v); ok {
			b.WriteString(strconv.FormatInt(i, 10))
		} else if f, ok := toFloat(v); ok {
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		} else {
			fmt.Fprintf(b, "%#v", v)
		}
	}
}

func canonicalString(v any) string {
	var b strings.Builder
	canonical(&b, v)
	return b.String()
}

// render writes v as States.Format shows a non-string argument: strings bare,
// numbers as written, null as "null", and objects and arrays in Java's
// collection style ({Arg1=1, Arg2=[]}), which is what AWS prints (LocalStack
// test_format_2 snapshot). Object keys are sorted: Go maps keep no order.
func render(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case json.Number:
		b.WriteString(string(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			render(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			render(b, x[k])
		}
		b.WriteByte('}')
	default:
		if f, ok := toFloat(v); ok {
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		} else {
			fmt.Fprint(b, v)
		}
	}
}
