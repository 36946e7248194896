package jsonpath

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Filters compare as Jayway does: numbers by value, strings by content,
// values of different types never equal and never ordered.

// numberPrec is wide enough that any decimal a JSON document plausibly
// holds compares exactly (1, 1.0 and 1e0 are equal), while a huge exponent
// cannot make a comparison expensive as an exact rational would.
const numberPrec = 512

// number converts a JSON number for comparison.
func number(v any) (*big.Float, bool) {
	f := new(big.Float).SetPrec(numberPrec)
	switch n := v.(type) {
	case json.Number:
		if _, ok := f.SetString(string(n)); !ok {
			return nil, false
		}
		return f, true
	case float64:
		if n != n {
			return nil, false
		}
		return f.SetFloat64(n), true
	case int:
		return f.SetInt64(int64(n)), true
	case int64:
		return f.SetInt64(n), true
	}
	return nil, false
}

// quickNumber converts the numbers float64 holds exactly enough: a decimal
// of at most 15 significant digits in the normal range maps to a distinct
// float64 and rounding keeps its order, so comparing the floats is exact.
func quickNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		s := string(n)
		if len(s) > 15 {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false
		}
		if f == 0 {
			// "1e-400" underflows to 0; only a written zero is zero.
			mantissa, _, _ := strings.Cut(strings.ToLower(s), "e")
			return 0, strings.Trim(mantissa, "-+0.") == ""
		}
		return f, math.Abs(f) >= 0x1p-1022
	case float64:
		return n, n == n
	case int:
		return float64(n), n < 1<<53 && n > -(1<<53)
	}
	return 0, false
}

// compareNumbers orders two JSON numbers; ok is false unless both are.
func compareNumbers(a, b any) (cmp int, ok bool) {
	if x, ok := quickNumber(a); ok {
		if y, ok := quickNumber(b); ok {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
	}
	x, ok := number(a)
	if !ok {
		return 0, false
	}
	y, ok := number(b)
	if !ok {
		return 0, false
	}
	return x.Cmp(y), true
}

func isNumber(v any) bool {
	switch v.(type) {
	case json.Number, float64, int, int64:
		return true
	}
	return false
}

// order compares two numbers or two strings; other pairs do not compare.
func order(a, b any) (int, bool) {
	if isNumber(a) {
		return compareNumbers(a, b)
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	}
	return 0, false
}

// equal is JSON equality: same type, numbers by value, objects and arrays
// member by member.
func equal(a, b any) bool {
	if isNumber(a) {
		c, ok := compareNumbers(a, b)
		return ok && c == 0
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}
