package jsonata

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shape of $states and of variables, and the contract of values that
// come out. Doc: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
// ("Reserved variable: $states" — input, result, errorOutput, context).
func TestEvalBindsStatesAndVariables(t *testing.T) {
	env := Env{
		States: map[string]any{
			"input":       j(t, `{"title":"Doctor","input_values":[1,2,3],"n":null,"mixed":[1,null,{"k":null}]}`),
			"context":     j(t, `{"Execution":{"Id":"arn:exec","Input":{"a":1}},"State":{"Name":"State0"}}`),
			"result":      j(t, `{"Payload":{"ok":true}}`),
			"errorOutput": j(t, `{"Error":"States.TaskFailed","Cause":"boom"}`),
		},
		Vars: map[string]any{"customerName": "María", "var_constant_1": json.Number("1"), "nothing": nil},
	}
	cases := []struct {
		name, src string
		want      any
	}{
		{"states.input field (transforming-data: title)", "{% $states.input.title %}", "Doctor"},
		{"variable (transforming-data: $customerName)", "{% $customerName %}", "María"},
		{"expression over input and variable (LocalStack test_output BASE_EXPR: ja_expr = 7)", "{% $sum($states.input.input_values) + $var_constant_1 %}", json.Number("7")},
		{"states.context", "{% $states.context.Execution.Id %}", "arn:exec"},
		{"states.context execution input", "{% $states.context.Execution.Input.a %}", json.Number("1")},
		{"states.result", "{% $states.result.Payload.ok %}", true},
		{"states.errorOutput", "{% $states.errorOutput.Cause %}", "boom"},
		{"JSON null in input stays null", "{% $states.input.n %}", nil},
		{"a variable holding null stays null", "{% $nothing %}", nil},
		{"null is not undefined to $exists", "{% $exists($states.input.n) %}", true},
		{"missing field is undefined to $exists", "{% $exists($states.input.missing) %}", false},
		{"nulls inside arrays and objects are kept", "{% $states.input.mixed %}", j(t, `[1,null,{"k":null}]`)},
		{"whole input object", "{% $states.input.input_values %}", j(t, `[1,2,3]`)},
		{"$merge of dynamic args (LocalStack test_merge_with_dynamic_args)", "{% $merge([$states.result.Payload, {'foo': 'bar'}]) %}", j(t, `{"ok":true,"foo":"bar"}`)},
		{"$number in an expression (LocalStack ITEMS)", `{% $number("2") %}`, json.Number("2")},
		{"regex true (LocalStack BASE)", `{% $contains("hello$world", /^hello\$/) %}`, true},
		{"regex false (LocalStack BASE_FALSE)", `{% $contains("hello$world", /^hello\ /) %}`, false},
		{"assignment returns its value (LocalStack JSONATA_NUMBER_EXPRESSION)", "{% $variable := 1 %}", json.Number("1")},
		{"keys in sorted order", "{% $keys($states.context) %}", j(t, `["Execution","State"]`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eval(t, tc.src, env)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// JSONata's undefined is not JSON: Eval returns the Undefined sentinel, never
// nil, so the caller can tell it from null.
func TestEvalReturnsUndefinedForNothing(t *testing.T) {
	env := input(t, `{"a":1}`)
	for _, src := range []string{"{% $states.input.missing %}", "{% $doesNotExist %}", "{% $states.result %}", "{% [] [0] %}"} {
		got, err := eval(t, src, env)
		require.NoError(t, err, src)
		assert.Equal(t, Undefined, got, src)
		assert.Equal(t, "undefined", TypeName(got))
	}
}

// Numbers follow the contract: json.Number in and out, integers without a
// decimal point, other numbers as JSONata (JavaScript) prints them.
func TestEvalNumbersAreJSONNumbers(t *testing.T) {
	env := input(t, `{"x":1.50,"big":12345678901234567890,"i":3}`)
	cases := []struct{ src, want string }{
		{"{% $states.input.i %}", "3"},
		{"{% $states.input.i * 2 %}", "6"},
		{"{% $states.input.x %}", "1.5"},
		{"{% $states.input.x + 1 %}", "2.5"},
		{"{% $states.input.big %}", "12345678901234567890"},
		{"{% 0.1 + 0.2 %}", "0.30000000000000004"},
		{"{% 1e21 %}", "1e+21"},
		{"{% 1e20 %}", "100000000000000000000"},
		{"{% 0.0000001 %}", "0.0000001"},
		{"{% 0.00000001 %}", "1e-8"},
		{"{% -0 %}", "0"},
		{"{% 7 / 2 %}", "3.5"},
	}
	for _, tc := range cases {
		got, err := eval(t, tc.src, env)
		require.NoError(t, err, tc.src)
		assert.Equal(t, json.Number(tc.want), got, tc.src)
	}
}

// Runtime failures are States.QueryEvaluationError with AWS's cause after the
// executor's "An error occurred while executing the state ..." prefix.
func TestEvalFailuresAreQueryEvaluationErrors(t *testing.T) {
	env := input(t, `{"FunctionInput":{"fst":3}}`)
	cases := []struct {
		name, src, location, cause string
	}{
		{
			// AWS, LocalStack test_math_operations_jsonata snapshot (verbatim after the prefix).
			"unknown function", "{% $randomSeeded($states.input.FunctionInput.fst) %}", "Output/FunctionResult",
			"The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function",
		},
		{
			// "$eval is not available—use $parse instead" (transforming-data); AWS fails it with T1006 (floci-io/floci#2737).
			"$eval is not available", `{% $eval("1+1") %}`, "Output",
			`The JSONata expression '$eval("1+1")' specified for the field 'Output' threw an error during evaluation. T1006: Attempted to invoke a non-function`,
		},
		{
			// AWS, LocalStack test_base_map (ITEMS with a function value) snapshot.
			"a function is no JSON value", "{% $fn := function($x){$x} %}", "Items",
			"The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type.",
		},
		{
			// jsonata-js wording: 'The left side of the "+" operator must evaluate to a number'.
			"non-number operand", `{% "a" + 1 %}`, "Output",
			`The JSONata expression '"a" + 1' specified for the field 'Output' threw an error during evaluation. T2001: The left side of the "+" operator must evaluate to a number`,
		},
		{
			"no location", "{% $nope() %}", "",
			"The JSONata expression '$nope()' threw an error during evaluation. T1006: Attempted to invoke a non-function",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Compile(tc.src)
			require.NoError(t, err)
			_, err = e.EvalField(env, tc.location)
			var se interface{ StatesError() (string, string) }
			require.True(t, errors.As(err, &se), "want a StatesError, got %v", err)
			name, cause := se.StatesError()
			assert.Equal(t, QueryEvaluationError, name)
			assert.Equal(t, tc.cause, cause)
		})
	}
}

func TestEvalNonFiniteNumberFails(t *testing.T) {
	_, err := eval(t, "{% 1/0 %}", input(t, `{}`))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, QueryEvaluationError, e.Name)
	assert.Contains(t, e.Cause, "D1001")
}

func TestTypeNameUsesJSONataWords(t *testing.T) {
	assert.Equal(t, "null", TypeName(nil))
	assert.Equal(t, "number", TypeName(json.Number("1")))
	assert.Equal(t, "string", TypeName("s"))
	assert.Equal(t, "boolean", TypeName(true))
	assert.Equal(t, "array", TypeName([]any{}))
	assert.Equal(t, "object", TypeName(map[string]any{}))
}

// Input numbers reach JSONata as JSON.parse leaves them: "1.50" prints as 1.5.
func TestEvalSeesInputNumbersAsJavaScriptDoes(t *testing.T) {
	env := input(t, `{"x":1.50,"a":[1.0,2],"o":{"z":-0}}`)
	got, err := eval(t, "{% $string($states.input) %}", env)
	require.NoError(t, err)
	assert.Equal(t, `{"a":[1,2],"o":{"z":0},"x":1.5}`, got)
	// and the caller's document is left as it was
	assert.Equal(t, j(t, `{"x":1.50,"a":[1.0,2],"o":{"z":-0}}`), env.States["input"])
}

// $eval is not bound at all: as a value it is undefined.
func TestEvalIsUnbound(t *testing.T) {
	got, err := eval(t, "{% $eval %}", Env{})
	require.NoError(t, err)
	assert.Equal(t, Undefined, got)
}
