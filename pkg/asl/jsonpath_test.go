package asl

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPathSyntaxFollowsItsMode(t *testing.T) {
	tests := []struct {
		path                  string
		any, reference, write bool // accepted as a Path, a Reference Path, a ResultPath
	}{
		{"$", true, true, true},
		{"$.a.b", true, true, true},
		{"$.detail-type", true, true, true},
		{"$['with space'].x", true, true, true},
		{`$["double"]`, true, true, true},
		{"$.items[0].id", true, true, true},
		{"$$", true, true, false},
		{"$$.Execution.Id", true, true, false},
		{"$$.Map.Item.Value", true, true, false},
		{"$attempts", true, true, false},
		{"$order.lines[2]", true, true, false},
		{"$.*", true, false, false},
		{"$.items[*].id", true, false, false},
		{"$..id", true, false, false},
		{"$..[0]", true, false, false},
		{"$.items[-1]", true, false, false},
		{"$.items[0,2]", true, false, false},
		{"$.items[1:3]", true, false, false},
		{"$.items[:2]", true, false, false},
		{"$['a','b']", true, false, false},
		{"$.items[?(@.price > 10)]", true, false, false},
		{"$.items[?(@.name == 'a)b')].id", true, false, false},
		{"", false, false, false},
		{"a.b", false, false, false},
		{"$.", false, false, false},
		{"$..", false, false, false},
		{"$.a..", false, false, false},
		{"$.a b", false, false, false},
		{"$.a[", false, false, false},
		{"$.a[x]", false, false, false},
		{"$.a['']", false, false, false},
		{"$.a['b'", false, false, false},
		{"$.a[?()]", false, false, false},
		{"$.a[?(@.b]", false, false, false},
		{"$.a[?(@.b)", false, false, false},
		{"$.a]", false, false, false},
		{"$ .a", false, false, false},
		{"$.a.length()", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			assert.Equal(t, tt.any, checkPath(tt.path, anyPath) == nil, "as a Path")
			assert.Equal(t, tt.reference, checkPath(tt.path, refPath) == nil, "as a Reference Path")
			assert.Equal(t, tt.write, checkPath(tt.path, resultPath) == nil, "as a ResultPath")
		})
	}
}

func TestIntrinsicCallsParse(t *testing.T) {
	valid := []string{
		"States.UUID()",
		"States.Array()",
		"States.Format('{} and {}', $.a, $.b)",
		"States.Format('no holes')",
		`States.Format('escaped \{\} hole: {}, quote \' and slash \\', $.a)`,
		"States.Array(1, -2.5e3, true, false, null, 'x', $.a, States.UUID())",
		"States.Hash($.data, 'SHA-256')",
		"States.MathRandom(1, 999)",
		"States.MathRandom(1, 999, $.seed)",
		"States.JsonMerge($.a, $.b, false)",
		"States.ArrayGetItem($.a[?(@.x == 'a,b)')], 0)",
		"States.StringToJson($$.Execution.Input)",
		"States.ArrayLength($items)",
		"States.JsonToString(States.ArrayPartition(States.ArrayRange(1, 10, 1), 3))",
		"States.MathAdd( $.a ,  1 )",
	}
	for _, s := range valid {
		assert.NoError(t, checkIntrinsic(s), s)
	}
	invalid := map[string]string{
		"States.UUID":                `States.UUID: expected "(" after the name`,
		"States.UUID(1)":             "States.UUID takes 0 arguments, got 1",
		"States.Foo()":               `unknown intrinsic function "States.Foo"`,
		"States.Array(":              `States.Array: missing ")"`,
		"States.Array(1,)":           `States.Array: unexpected ")": an argument is a 'string', a number, true, false, null, a path or a call`,
		"States.Array(1 2)":          `States.Array: unexpected "2)", expected "," or ")"`,
		"States.Array() x":           `unexpected "x" after the call`,
		"States.Format('{}')":        "States.Format template has 1 {} placeholder but 0 arguments follow it",
		"States.Array(abc)":          `States.Array: unexpected "abc)": an argument is a 'string', a number, true, false, null, a path or a call`,
		"States.Array('open)":        "States.Array: unterminated string 'open)",
		"States.ArrayLength($.a[x])": `States.ArrayLength: argument "$.a[x]": invalid subscript "[x]": expected an index, ['name'], [*] or a filter [?(...)]`,
		"States.MathRandom(1)":       "States.MathRandom takes 2 to 3 arguments, got 1",
		"States.Format()":            "States.Format takes at least 1 argument, got 0",
	}
	for s, want := range invalid {
		err := checkIntrinsic(s)
		if assert.Error(t, err, s) {
			assert.Equal(t, want, err.Error(), s)
		}
	}
}
