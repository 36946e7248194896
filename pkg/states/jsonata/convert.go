package jsonata

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/recolabs/gnata"
)

var errUnsupportedType = errors.New("unsupported result type")

// gnataNull is gnata's JSON null sentinel (a Go nil reads as undefined).
var gnataNull, _ = gnata.DecodeJSON([]byte("null"))

// toGnata converts a contract value to what gnata evaluates: JSON null as
// gnata's null sentinel, numbers as JSON.parse would leave them ("1.50" is
// 1.5, "-0" is 0, so $string prints what AWS prints), objects as
// map[string]any (gnata reads their keys in sorted order, so $keys and
// $string are deterministic). The caller's value is never modified.
func toGnata(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return gnataNull, nil
	case json.Number:
		return normalizeNumber(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := toGnata(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := toGnata(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case string, bool, float64:
		return x, nil
	default:
		return nil, fmt.Errorf("value of type %T is not JSON", v)
	}
}

// bindings builds the one evaluation environment: $states, every variable
// as $name, then Step Functions' functions (which win over a variable of the
// same name, as they are part of the language in a JSONata state).
func bindings(env Env) (map[string]any, error) {
	vars := make(map[string]any, len(env.Vars)+len(sfnFuncs)+1)
	for name, v := range env.Vars {
		g, err := toGnata(v)
		if err != nil {
			return nil, fmt.Errorf("variable $%s: %w", name, err)
		}
		vars[name] = g
	}
	states := env.States
	if states == nil {
		states = map[string]any{}
	}
	g, err := toGnata(states)
	if err != nil {
		return nil, fmt.Errorf("$states: %w", err)
	}
	vars["states"] = g
	for name, fn := range sfnFuncs {
		vars[name] = fn
	}
	return vars, nil
}

// fromGnata converts an evaluation result back to the contract.
func fromGnata(v any) (any, error) {
	if gnata.IsNull(v) {
		return nil, nil
	}
	v = gnata.NormalizeValue(v)
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case json.Number:
		return normalizeNumber(x)
	case float64:
		return formatFloat(x)
	case int:
		return json.Number(strconv.Itoa(x)), nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			c, err := fromGnata(e)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := fromGnata(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	default:
		// A function (lambda or builtin) or anything else JSON cannot carry:
		// AWS: "returned an unsupported result type." (LocalStack
		// test_base_evaluate_expressions, Items '$fn := function($x){$x}').
		return nil, errUnsupportedType
	}
}

// normalizeNumber keeps integers verbatim (no precision lost beyond 2^53)
// and writes every other number as JSONata (JavaScript) prints it: "1.50"
// becomes 1.5 and "-0" becomes 0 (AWS: $parse("-0") outputs 0, LocalStack
// test_json_manipulation_jsonata snapshot).
func normalizeNumber(n json.Number) (any, error) {
	s := string(n)
	if s != "-0" && !strings.ContainsAny(s, ".eE") {
		return n, nil
	}
	f, err := n.Float64()
	if err != nil {
		return nil, fmt.Errorf("D1001: Number out of range: %s", s)
	}
	return formatFloat(f)
}

// formatFloat writes f as JavaScript's Number.prototype.toString does (the
// form JSONata produces): integers without a decimal point, plain notation
// for 1e-7 <= |f| < 1e21, exponent notation ("1e+21", "1e-7") outside it.
func formatFloat(f float64) (any, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errors.New("D1001: Number out of range")
	}
	if f == 0 {
		return json.Number("0"), nil
	}
	abs := math.Abs(f)
	if abs >= 1e-7 && abs < 1e21 {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), nil
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. 1e+21, 1e-07
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	if exp == "" {
		exp = "0"
	}
	return json.Number(mant + "e" + string(sign) + exp), nil
}

// jsMessages are jsonata-js's texts for the codes whose gnata wording
// differs; AWS's causes carry jsonata-js's ("T1006: Attempted to invoke a
// non-function", LocalStack test_math_operations_jsonata snapshot).
var jsMessages = map[string]string{
	"T1006": "Attempted to invoke a non-function",
	"T2001": "The left side of the {{token}} operator must evaluate to a number",
	"T2002": "The right side of the {{token}} operator must evaluate to a number",
	"D1001": "Number out of range: {{value}}",
}

// runtimeMessage renders a gnata evaluation error as "CODE: Message".
func runtimeMessage(err error) string {
	code, token, value, msg := errorFields(err)
	if code == "" {
		return capitalize(err.Error())
	}
	if js, ok := jsMessages[code]; ok {
		if token == "" {
			token = quoted(msg) // gnata puts the operator in its message, not in Token
		}
		msg = strings.ReplaceAll(js, "{{token}}", strconv.Quote(token))
		msg = strings.ReplaceAll(msg, "{{value}}", fmt.Sprint(value))
	}
	return code + ": " + capitalize(msg)
}

// errorFields reads gnata's error (an unexported-package struct with Code,
// Token, Value and Message fields) by reflection, the only way from outside.
func errorFields(err error) (code, token string, value any, msg string) {
	rv := reflect.ValueOf(err)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return "", "", nil, ""
	}
	str := func(name string) string {
		f := rv.FieldByName(name)
		if f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
		return ""
	}
	code, token, msg = str("Code"), str("Token"), str("Message")
	if f := rv.FieldByName("Value"); f.IsValid() && f.CanInterface() {
		value = f.Interface()
	}
	return code, token, value, msg
}

// parseMessage turns gnata's compile error ("JSONata error S0201 at token
// \"EOF\": unexpected end of expression") into the parser message AWS shows
// after INVALID_JSONATA_EXPRESSION ("Unexpected end of expression").
func parseMessage(err error) string {
	s := err.Error()
	if _, after, ok := strings.Cut(s, ": "); ok && strings.HasPrefix(s, "JSONata error ") {
		s = after
	}
	return capitalize(s)
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// quoted returns the first double-quoted substring of s, unquoted.
func quoted(s string) string {
	i := strings.IndexByte(s, '"')
	if i < 0 {
		return ""
	}
	q, err := strconv.QuotedPrefix(s[i:])
	if err != nil {
		return ""
	}
	u, _ := strconv.Unquote(q)
	return u
}
