package intrinsic

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNestedCallsEvaluateInsideOut(t *testing.T) {
	arn := map[string]string{"$.ImageRecipe.Arn": `"arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe.v1/1.0.0"`}
	name := map[string]string{"$$.StateMachine.Name": `"first-second-third"`}
	runCases(t, []evalCase{
		// docPage shows this field with '{}.{}.{}' and two arguments; AWS
		// requires as many arguments as placeholders, so it runs with two here
		// and the page's own form fails below.
		{name: "doc: nine nested intrinsics in one field (" + docPage + ")",
			expr:  "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))",
			paths: arn, want: `"1.0"`},
		{name: "doc: the page's three placeholders for two arguments fail",
			expr:  "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))",
			paths: arn, fails: "3 {} placeholders but 2 arguments"},
		{name: "localstack test_nested_calls_1: the first part of the name",
			expr:  "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
			paths: name, want: `"first"`},
		{name: "localstack test_nested_calls_2: the last part of the name",
			expr:  "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
			paths: name, want: `"third"`},
		{name: "localstack test_context_json_path: context and objects in Format",
			expr:  "States.Format('Formatting arguments fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)",
			paths: map[string]string{"$$.Execution.Name": `"exec"`, "$$.StateMachine": `{"Id": "arn:sm", "Name": "sm"}`},
			want:  `"Formatting arguments fst=exec and snd={Id=arn:sm, Name=sm}."`},
		{name: "a failing inner call fails the whole expression", expr: "States.ArrayLength(States.ArrayGetItem(States.Array(), 0))",
			fails: "States.ArrayGetItem: index 0 is out of bounds"},
	})
}

func TestPathArgumentsReachTheResolverAsWritten(t *testing.T) {
	runCases(t, []evalCase{
		{name: "the whole input", expr: "States.JsonToString($)", paths: map[string]string{"$": `{"a":1}`}, want: `"{\"a\":1}"`},
		{name: "a variable", expr: "States.Array($myVar, $my_var.field)",
			paths: map[string]string{"$myVar": `1`, "$my_var.field": `2`}, want: `[1,2]`},
		{name: "brackets with spaces, commas and parentheses", expr: "States.Array($['a b, c)'], $.x[0])",
			paths: map[string]string{"$['a b, c)']": `1`, "$.x[0]": `2`}, want: `[1,2]`},
		{name: "a filter with spaces", expr: "States.ArrayLength($.items[?(@.n == 'x, y')])",
			paths: map[string]string{"$.items[?(@.n == 'x, y')]": `[1,2,3]`}, want: `3`},
		{name: "blanks around arguments", expr: "  States.Array( $.a ,\t'b' , 1 )  ",
			paths: map[string]string{"$.a": `"a"`}, want: `["a","b",1]`},
	})
}

func TestResolveErrorsPropagateUnchanged(t *testing.T) {
	// The jsonpath package names a missing path States.Runtime; this package
	// must not rename or wrap it.
	want := &errNoPath{"$.missing"}
	_, err := Eval("States.Format('{}', States.Array($.missing))", func(string) (any, error) { return nil, want })
	assert.Same(t, want, err)
}

func TestSyntaxErrorsAreIntrinsicFailures(t *testing.T) {
	for _, tc := range []struct{ expr, cause string }{
		{"", "expected an intrinsic function"},
		{"$.a", "expected an intrinsic function"},
		{"States.Nope(1)", `unknown intrinsic function "States.Nope"`},
		{"States.format('x')", `unknown intrinsic function "States.format"`},
		{"States.Array", `expected "(" after the function name`},
		{"States.Array (1)", `expected "(" after the function name`},
		{"States.Array(1", `missing ")"`},
		{"States.Array(1,", `missing ")"`},
		{"States.Array(1 2)", `unexpected "2)", expected "," or ")"`},
		{"States.Array(1) x", `unexpected "x" after the call`},
		{"States.Array('abc)", "unterminated string"},
		{`States.Array('a\nb')`, `unsupported escape`},
		{"States.Array(truth)", "unexpected \"truth)\""},
		{"States.Array(1.)", "malformed number"},
		{"States.Array(01x)", "malformed number"},
		{"States.Array(00000)", "malformed number"},
		{"States.Array(-007)", "malformed number"},
		{"States.Array(-)", "malformed number"},
		{"States.Array(1e)", "malformed number"},
		{"States.Array(foo)", "an argument is a 'string', a number"},
		{"States.ArrayLength()", "States.ArrayLength: takes 1 argument, got 0"},
		{"States.JsonMerge($.a, $.b)", "States.JsonMerge: takes 3 arguments, got 2"},
		{"States.Format()", "States.Format: takes at least 1 argument, got 0"},
		{strings.Repeat("States.Array(", 11) + strings.Repeat(")", 11), "nest more than 10 deep"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			calls := 0
			_, err := Eval(tc.expr, func(string) (any, error) { calls++; return nil, nil })
			var e *Error
			require.True(t, errors.As(err, &e), "got %v", err)
			assert.Equal(t, ErrIntrinsicFailure, e.Name)
			assert.Contains(t, e.Cause, tc.cause)
			assert.Zero(t, calls, "a malformed expression resolves nothing")
			name, cause := e.StatesError()
			assert.Equal(t, e.Error(), name+": "+cause)
		})
	}
}

func TestTenNestedCallsAreAllowed(t *testing.T) {
	// docPage: up to 10 intrinsic functions may nest in one field.
	expr := strings.Repeat("States.Array(", 10) + strings.Repeat(")", 10)
	got, err := Eval(expr, nil)
	require.NoError(t, err)
	assert.NotNil(t, got)
}

func TestAPathWithoutAResolverFails(t *testing.T) {
	_, err := Eval("States.Array($.a)", nil)
	assert.ErrorContains(t, err, "no resolver for the path $.a")
}

func TestCompiledExpressionsEvaluateRepeatedly(t *testing.T) {
	e, err := Compile("States.MathAdd($.n, 1)")
	require.NoError(t, err)
	assert.Equal(t, "States.MathAdd($.n, 1)", e.String())
	for n, want := range map[string]string{"1": "2", "41": "42"} {
		got, err := e.Eval(resolverOf(t, map[string]string{"$.n": n}))
		require.NoError(t, err)
		assert.Equal(t, decode(t, want), got)
	}
}

func TestArrayResultsDoNotAliasResolvedValues(t *testing.T) {
	// A later state mutating a result must not change the input it came from.
	in := []any{"a", "b", "c"}
	resolve := func(string) (any, error) { return in, nil }
	got, err := Eval("States.ArrayPartition($.a, 2)", resolve)
	require.NoError(t, err)
	got.([]any)[0].([]any)[0] = "changed"
	assert.Equal(t, "a", in[0])
}
