package jsonpath

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const variablesPage = "https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html"

// TestTemplateEvaluatesDollarKeys pins "Manipulate parameters in Step
// Functions workflows" (paramsPage): keys ending in ".$" select with a path
// from the input or the context object, the suffix is dropped, static
// values pass through, nested objects are templates too.
func TestTemplateEvaluatesDollarKeys(t *testing.T) {
	product := `{"comment": "Example for Parameters.", "product": {"details": {"color": "blue", "size": "small", "material": "cotton"}, "availability": "in stock", "sku": "2317", "cost": "$23"}}`
	emr := `{"resourceType": "elasticmapreduce", "resource": "createCluster.sync", "output": {"SdkHttpMetadata": {"HttpStatusCode": 200}, "SdkResponseMetadata": {"RequestId": "1234-5678-9012"}, "ClusterId": "AKIAIOSFODNN7EXAMPLE"}}`
	ctx := `{"Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:m:e", "Input": {"x": 1}}, "State": {"Name": "Pick", "EnteredTime": "2019-03-26T20:14:13.192Z"}}`
	cases := []struct {
		name, tmpl, input, want string
		vars                    map[string]any
	}{
		{"Parameters: key-value pairs selected from the input (" + paramsPage + ")", `{"comment": "Selecting what I care about.", "MyDetails": {"size.$": "$.product.details.size", "exists.$": "$.product.availability", "StaticValue": "foo"}}`, product,
			`{"comment": "Selecting what I care about.", "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}}`, nil},
		{"Parameters: values from the context object with $$", `{"execution.$": "$$.Execution.Id", "state.$": "$$.State.Name", "input.$": "$$.Execution.Input"}`, `{}`,
			`{"execution": "arn:aws:states:us-east-1:123456789012:execution:m:e", "state": "Pick", "input": {"x": 1}}`, nil},
		{"ResultSelector: build the effective result from the raw result", `{"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"}`, emr,
			`{"ClusterId": "AKIAIOSFODNN7EXAMPLE", "ResourceType": "elasticmapreduce"}`, nil},
		{"ResultSelector: flatten an array of arrays with $[*][*] (paths page)", `{"flattenArray.$": "$[*][*]"}`, `[[1, 2, 3], [4, 5, 6]]`,
			`{"flattenArray": [1, 2, 3, 4, 5, 6]}`, nil},
		{"an indefinite path yields a list, empty when nothing matches", `{"all.$": "$.items[*].id", "none.$": "$.items[?(@.id > 9)]"}`, `{"items": [{"id": 1}, {"id": 2}]}`,
			`{"all": [1, 2], "none": []}`, nil},
		{"the whole input with $", `{"everything.$": "$"}`, `{"a": 1}`, `{"everything": {"a": 1}}`, nil},
		{"variables with $name (" + variablesPage + ")", `{"total.$": "$total", "first.$": "$order.items[0]"}`, `{}`,
			`{"total": 42, "first": "pizza"}`, map[string]any{"total": doc(t, `42`), "order": doc(t, `{"items": ["pizza"]}`)}},
		{"arrays are recursed into; plain strings in them stay literal", `{"list": ["$.a", {"b.$": "$.a"}, [{"c.$": "$.a"}], 3, null, true]}`, `{"a": 1}`,
			`{"list": ["$.a", {"b": 1}, [{"c": 1}], 3, null, true]}`, nil},
		{"a static value that looks like a path is not evaluated", `{"path": "$.a"}`, `{"a": 1}`, `{"path": "$.a"}`, nil},
		{"falsy selections are kept", `{"f.$": "$.f", "z.$": "$.z", "n.$": "$.n", "e.$": "$.e"}`, `{"f": false, "z": 0, "n": null, "e": ""}`,
			`{"f": false, "z": 0, "n": null, "e": ""}`, nil},
		{"a scalar template is copied", `"static"`, `{}`, `"static"`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl := doc(t, c.tmpl)
			env := Env{Input: doc(t, c.input), Context: doc(t, ctx), Vars: c.vars}
			got, err := Template(tmpl, env, nil)
			require.NoError(t, err)
			assert.Equal(t, doc(t, c.want), got)
			assert.Equal(t, doc(t, c.tmpl), tmpl, "Template never changes the template")
		})
	}
}

// TestTemplateDelegatesIntrinsicCalls pins "Intrinsic functions" in
// payload templates (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html):
// a ".$" value starting "States." is a call, evaluated with the state's
// environment.
func TestTemplateDelegatesIntrinsicCalls(t *testing.T) {
	env := Env{Input: doc(t, `{"name": "World"}`)}
	var calls []string
	call := func(expr string, e Env) (any, error) {
		calls = append(calls, expr)
		name, err := e.Resolve("$.name")
		if err != nil {
			return nil, err
		}
		return "Hello, " + name.(string), nil
	}
	got, err := Template(doc(t, `{"greeting.$": "States.Format('Hello, {}', $.name)", "nested": {"again.$": "States.Format('{}', $.name)"}}`), env, call)
	require.NoError(t, err)
	assert.Equal(t, doc(t, `{"greeting": "Hello, World", "nested": {"again": "Hello, World"}}`), got)
	assert.ElementsMatch(t, []string{"States.Format('Hello, {}', $.name)", "States.Format('{}', $.name)"}, calls)

	t.Run("an intrinsic failure keeps its States error name", func(t *testing.T) {
		failure := &Error{Name: "States.IntrinsicFailure", Cause: "Invalid arguments in States.ArrayGetItem"}
		_, err := Template(doc(t, `{"x.$": "States.ArrayGetItem($.a, 9)"}`), env, func(string, Env) (any, error) { return nil, failure })
		assert.Same(t, failure, err)
	})
	t.Run("any other failure names the field", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := Template(doc(t, `{"x.$": "States.UUID()"}`), env, func(string, Env) (any, error) { return nil, boom })
		require.ErrorIs(t, err, boom)
		assert.Contains(t, err.Error(), "x.$")
	})
	t.Run("without an evaluator a call is States.Runtime naming the field", func(t *testing.T) {
		_, err := Template(doc(t, `{"x.$": "States.UUID()"}`), env, nil)
		se := statesError(t, err, "States.Runtime")
		assert.Contains(t, se.Cause, "'x.$'")
	})
}

// TestTemplatePathToNothingIsStatesRuntime pins the cause AWS reports for a
// ".$" path that selects nothing, as Step Functions Local 2.0.0 reproduces it
// (floci-io/floci#2521): "The JSONPath '$.nope.deep' specified for the field
// 'missing.$' could not be found in the input '{"other":1}'".
func TestTemplatePathToNothingIsStatesRuntime(t *testing.T) {
	cases := []struct {
		name, tmpl, input, cause string
		vars                     map[string]any
	}{
		{"missing member", `{"missing.$": "$.nope.deep"}`, `{"other":1}`,
			`The JSONPath '$.nope.deep' specified for the field 'missing.$' could not be found in the input '{"other":1}'`, nil},
		{"missing member in a nested template", `{"outer": {"inner.$": "$.a[3]"}}`, `{"a":[1]}`,
			`The JSONPath '$.a[3]' specified for the field 'inner.$' could not be found in the input '{"a":[1]}'`, nil},
		{"missing member in an array's template", `[{"x.$": "$.b"}]`, `{}`,
			`The JSONPath '$.b' specified for the field 'x.$' could not be found in the input '{}'`, nil},
		{"missing member of the context object", `{"x.$": "$$.Map.Item.Value"}`, `{}`,
			`The JSONPath '$$.Map.Item.Value' specified for the field 'x.$' could not be found in the input '{"Execution":{"Id":"e"}}'`, nil},
		{"missing member of a variable", `{"x.$": "$v.nope"}`, `{}`,
			`The JSONPath '$v.nope' specified for the field 'x.$' could not be found in the input '{"a":1}'`, map[string]any{"v": doc(t, `{"a":1}`)}},
		{"undefined variable", `{"x.$": "$undefined"}`, `{}`,
			`Invalid path '$undefined': the variable 'undefined' is not defined`, nil},
		{"a value that is neither a path nor an intrinsic call", `{"param1.$": "missing"}`, `{}`,
			`The value for the field 'param1.$' must be a valid JSONPath or a valid intrinsic function call`, nil},
		{"a value that is not a string", `{"n.$": 5}`, `{}`,
			`The value for the field 'n.$' must be a valid JSONPath or a valid intrinsic function call`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := Env{Input: doc(t, c.input), Context: doc(t, `{"Execution":{"Id":"e"}}`), Vars: c.vars}
			_, err := Template(doc(t, c.tmpl), env, nil)
			se := statesError(t, err, "States.Runtime")
			assert.Equal(t, c.cause, se.Cause)
		})
	}
}

func TestEnvResolveReadsTheDocumentItsRootNames(t *testing.T) {
	env := Env{
		Input:   doc(t, `{"who": "input"}`),
		Context: doc(t, `{"who": "context"}`),
		Vars:    map[string]any{"who": "variable", "obj": doc(t, `{"list": [1, 2, 3]}`)},
	}
	cases := []struct {
		path string
		want any
	}{
		{"$.who", "input"},
		{"$$.who", "context"},
		{"$who", "variable"},
		{"$obj.list[-1]", doc(t, `3`)},
		{"$obj.list[1:]", doc(t, `[2, 3]`)},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			got, err := env.Resolve(c.path)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
	t.Run("a definite path to nothing is States.Runtime", func(t *testing.T) {
		_, err := env.Resolve("$.nobody")
		statesError(t, err, "States.Runtime")
	})
	t.Run("a malformed path is States.Runtime", func(t *testing.T) {
		_, err := env.Resolve("$.[")
		statesError(t, err, "States.Runtime")
	})
}
