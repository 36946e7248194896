package intrinsic

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzEval holds that no expression panics, and that every failure is an
// *Error or the resolver's own error.
func FuzzEval(f *testing.F) {
	for _, seed := range []string{
		"States.Format('Hello, {}', $.name)",
		`States.Format('\{\} {} \\ \'', $.a)`,
		"States.StringToJson($.s)",
		"States.JsonToString($)",
		"States.Array($.a, 1, -2.5e3, true, false, null, 'x')",
		"States.ArrayPartition($.arr, 2)",
		"States.ArrayContains($.arr, $.obj)",
		"States.ArrayRange(1, 9, 2)",
		"States.ArrayGetItem($.arr, 1)",
		"States.ArrayLength($.arr)",
		"States.ArrayUnique($.arr)",
		"States.Base64Decode(States.Base64Encode($.name))",
		"States.Hash($.name, 'SHA-512')",
		"States.JsonMerge($.obj, $.obj, false)",
		"States.MathRandom(1, 99, 7)",
		"States.MathAdd($.n, -1)",
		"States.StringSplit($.name, ', ')",
		"States.UUID()",
		"States.Array($['a b'], $..x, $.arr[?(@ > 1)], $$.Execution.Id, $v)",
		strings.Repeat("States.Array(", 12),
	} {
		f.Add(seed)
	}
	doc := map[string]any{
		"name": "World", "n": json.Number("41"), "s": `{"a":[1,2]}`,
		"arr": []any{json.Number("1"), "two", nil, true, map[string]any{"k": "v"}},
		"obj": map[string]any{"k": "v"},
	}
	errPath := errors.New("no such path")
	resolve := func(p string) (any, error) {
		switch {
		case p == "$":
			return doc, nil
		case strings.HasPrefix(p, "$.") && doc[p[2:]] != nil:
			return doc[p[2:]], nil
		case strings.Contains(p, "missing"):
			return nil, errPath
		}
		return doc, nil
	}
	f.Fuzz(func(t *testing.T, expr string) {
		v, err := Eval(expr, resolve)
		if err == nil {
			if _, merr := json.Marshal(v); merr != nil {
				t.Fatalf("%q returned %#v, which is not JSON: %v", expr, v, merr)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) && !errors.Is(err, errPath) {
			t.Fatalf("%q failed with %T %v", expr, err, err)
		}
	})
}
