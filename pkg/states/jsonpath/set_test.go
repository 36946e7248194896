package jsonpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const resultPathPage = "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html"

// TestSetPlacesTheResult pins the examples of "Specifying state output
// using ResultPath" (resultPathPage).
func TestSetPlacesTheResult(t *testing.T) {
	input := `{"comment": "This is a test", "details": "Default example", "who": "Step Functions"}`
	cases := []struct {
		name, in, path, result, want string
	}{
		{"ResultPath $ replaces the input with the result (" + resultPathPage + ")", input, "$", `"Hello, Step Functions!"`,
			`"Hello, Step Functions!"`},
		{"ResultPath $.taskresult includes the result with the input", input, "$.taskresult", `"Hello, Step Functions!"`,
			`{"comment": "This is a test", "details": "Default example", "who": "Step Functions", "taskresult": "Hello, Step Functions!"}`},
		{"ResultPath updates a node in the input with the result",
			`{"comment": "An input comment.", "data": {"val1": 23, "val2": 17}, "extra": "foo", "lambda": {"who": "AWS Step Functions"}}`,
			"$.data.lambdaresult", `"Hello, AWS Step Functions!"`,
			`{"comment": "An input comment.", "data": {"val1": 23, "val2": 17, "lambdaresult": "Hello, AWS Step Functions!"}, "extra": "foo", "lambda": {"who": "AWS Step Functions"}}`},
		{"ResultPath overwrites an existing member", `{"a": 1, "b": 2}`, "$.a", `{"x": true}`, `{"a": {"x": true}, "b": 2}`},
		{"ResultPath creates the objects on the way", `{"keep": 1}`, "$.a.b.c", `[1, 2]`, `{"keep": 1, "a": {"b": {"c": [1, 2]}}}`},
		{"ResultPath with bracket notation", `{}`, "$['a b'].c", `null`, `{"a b": {"c": null}}`},
		{"ResultPath $ with a falsy result", `{"a": 1}`, "$", `false`, `false`},
		{"ResultPath $ on a non-object input", `[1, 2]`, "$", `{}`, `{}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := doc(t, c.in)
			got, err := Set(in, c.path, doc(t, c.result))
			require.NoError(t, err)
			assert.Equal(t, doc(t, c.want), got)
			assert.Equal(t, doc(t, c.in), in, "Set never mutates its input")
		})
	}
}

func TestSetCopiesOnlyWhatItTouches(t *testing.T) {
	in := doc(t, `{"a": {"b": {"c": 1}}, "other": {"x": 1}}`).(map[string]any)
	got, err := Set(in, "$.a.b.d", "new")
	require.NoError(t, err)
	out := got.(map[string]any)
	out["other"].(map[string]any)["probe"] = true
	assert.Equal(t, true, in["other"].(map[string]any)["probe"], "untouched members are shared")
	assert.NotContains(t, in["a"].(map[string]any)["b"], "d", "touched objects are copies")
}

// TestSetIntoANonObjectIsResultPathMatchFailure pins States.ResultPathMatchFailure:
// "A state's ResultPath field cannot be applied to the input the state
// received" (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html),
// with the cause real executions report, e.g.
// `Unable to apply ReferencePath $.partitioned to input "{\"min_size\":10000}"`
// when the input was a JSON string (aws/aws-cdk#29473).
func TestSetIntoANonObjectIsResultPathMatchFailure(t *testing.T) {
	cases := []struct {
		name, in, path, cause string
	}{
		{"into a string input", `"{\"min_size\":10000}"`, "$.partitioned",
			`Unable to apply ReferencePath $.partitioned to input "{\"min_size\":10000}"`},
		{"into an array input", `[1, 2]`, "$.a", `Unable to apply ReferencePath $.a to input [1,2]`},
		{"into a null input", `null`, "$.a", `Unable to apply ReferencePath $.a to input null`},
		{"through a member that is a number", `{"a": 1}`, "$.a.b", `Unable to apply ReferencePath $.a.b to input {"a":1}`},
		{"through a member that is null", `{"a": null}`, "$.a.b", `Unable to apply ReferencePath $.a.b to input {"a":null}`},
		{"through a member that is an array", `{"a": [1]}`, "$.a.b", `Unable to apply ReferencePath $.a.b to input {"a":[1]}`},
		{"into an array index", `{"a": [1, 2]}`, "$.a[0]", `Unable to apply ReferencePath $.a[0] to input {"a":[1,2]}`},
		{"input quoted without HTML escaping", `"<&>"`, "$.x", `Unable to apply ReferencePath $.x to input "<&>"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := doc(t, c.in)
			_, err := Set(in, c.path, "r")
			se := statesError(t, err, "States.ResultPathMatchFailure")
			assert.Equal(t, c.cause, se.Cause)
			assert.Equal(t, doc(t, c.in), in)
		})
	}
}

// A ResultPath is a Reference Path into the state input (resultPathPage:
// "ResultPath is limited to using reference paths").
func TestSetRejectsPathsThatAreNotReferencePaths(t *testing.T) {
	for _, path := range []string{"$.a[*]", "$..a", "$.a[1:]", "$.a[?(@.x)]", "$['a','b']", "$$.Execution", "$var.a", "$.a["} {
		t.Run(path, func(t *testing.T) {
			_, err := Set(doc(t, `{"a": {}}`), path, 1)
			statesError(t, err, "States.Runtime")
		})
	}
}
