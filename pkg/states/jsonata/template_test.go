package jsonata

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The doc's conversion example: given input {"title": "Doctor"} and variable
// customerName "María", Arguments gives {"static": "Hello", "title": "Doctor",
// "name": "María", "not-evaluated": "$customerName"}.
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
func TestTemplateEvaluatesTheDocExample(t *testing.T) {
	env := input(t, `{"title":"Doctor"}`)
	env.Vars = map[string]any{"customerName": "María"}
	got, err := TemplateField(j(t, `{
		"static": "Hello",
		"title": "{% $states.input.title %}",
		"name": "{% $customerName %}",
		"not-evaluated": "$customerName"
	}`), env, "Arguments")
	require.NoError(t, err)
	assert.Equal(t, j(t, `{"static":"Hello","title":"Doctor","name":"María","not-evaluated":"$customerName"}`), got)
}

// Literals are copied as they are, at any depth; expressions nested in
// arrays and objects are evaluated (AWS, LocalStack test_output BASE_LITERALS,
// LIST_RICH and test_base_map ITEMS snapshots).
func TestTemplateCopiesLiteralsAndEvaluatesNestedExpressions(t *testing.T) {
	env := input(t, `{"input_value":"stringliteral"}`)
	cases := []struct{ name, tmpl, want string }{
		{"literals and look-alikes are kept",
			`{"constant_null":null,"constant_int":0,"constant_float":0.1,"constant_bool":true,
			  "constant_not_jsonata":" {% states.input %} ","constant_varpath_states":"$states.input",
			  "constant_jp_input.$":"$","constant_if":"States.Format('Format:{}', 101)","constant_lst_empty":[],"constant_obj_empty":{}}`,
			`{"constant_null":null,"constant_int":0,"constant_float":0.1,"constant_bool":true,
			  "constant_not_jsonata":" {% states.input %} ","constant_varpath_states":"$states.input",
			  "constant_jp_input.$":"$","constant_if":"States.Format('Format:{}', 101)","constant_lst_empty":[],"constant_obj_empty":{}}`},
		{"LIST_RICH",
			`[null,0,0.1,true,"string",[],"$nosuchvar","$.no.such.path","{% $states.input %}",{"key":true}]`,
			`[null,0,0.1,true,"string",[],"$nosuchvar","$.no.such.path",{"input_value":"stringliteral"},{"key":true}]`},
		{"ITEMS array element", `[1, "{% $number('2') %}", 3]`, `[1,2,3]`},
		{"whole value is one expression", `"{% $states.input %}"`, `{"input_value":"stringliteral"}`},
		{"expression deep in objects and arrays", `{"a":{"b":[{"c":"{% $states.input.input_value %}"}]}}`, `{"a":{"b":[{"c":"stringliteral"}]}}`},
		{"expression yielding null", `{"n":"{% null %}"}`, `{"n":null}`},
		{"non-object output (LocalStack test_base_output_any_non_dict INT)", `0`, `0`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := TemplateField(j(t, tc.tmpl), env, "Output")
			require.NoError(t, err)
			assert.Equal(t, j(t, tc.want), got)
		})
	}
}

// An expression that yields nothing fails the state (AWS, LocalStack
// test_assign_reference_variables test_undefined_reference snapshots,
// causes quoted after the executor's prefix).
func TestTemplateFailsOnUndefined(t *testing.T) {
	cases := []struct{ name, field, tmpl, cause string }{
		{"BASE_UNDEFINED_OUTPUT", "Output", `"{% $doesNotExist %}"`,
			"The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."},
		{"BASE_UNDEFINED_OUTPUT_FIELD", "Output", `{"result":"{% $doesNotExist %}"}`,
			"The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined)."},
		{"BASE_UNDEFINED_ASSIGN", "Assign", `{"result":"{% $doesNotExist %}"}`,
			"The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined)."},
		{"BASE_UNDEFINED_ARGUMENTS", "Arguments", `"{% $doesNotExist %}"`,
			"The JSONata expression '$doesNotExist' specified for the field 'Arguments' returned nothing (undefined)."},
		{"BASE_UNDEFINED_ARGUMENTS_FIELD", "Arguments", `{"FunctionName":"{% $doesNotExist %}"}`,
			"The JSONata expression '$doesNotExist' specified for the field 'Arguments/FunctionName' returned nothing (undefined)."},
		{"missing input field in an array", "Output", `{"list":[1,"{% $states.input.nope %}"]}`,
			"The JSONata expression '$states.input.nope' specified for the field 'Output/list/1' returned nothing (undefined)."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TemplateField(j(t, tc.tmpl), input(t, `{}`), tc.field)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, QueryEvaluationError, e.Name)
			assert.Equal(t, tc.cause, e.Cause)
		})
	}
}

func TestTemplateWithoutFieldNamesTheKeysOnly(t *testing.T) {
	_, err := Template(j(t, `{"result":"{% $doesNotExist %}"}`), Env{})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "The JSONata expression '$doesNotExist' specified for the field 'result' returned nothing (undefined).", e.Cause)
}

func TestTemplateDoesNotMutateItsInput(t *testing.T) {
	tmpl := j(t, `{"a":["{% 1 %}"]}`)
	_, err := Template(tmpl, Env{})
	require.NoError(t, err)
	assert.Equal(t, j(t, `{"a":["{% 1 %}"]}`), tmpl)
}

// ValidateTemplate reports the first refusal with its location, as AWS does:
// "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is
// not supported. at /States/E/Output/v" (floci-io/floci#2670).
func TestValidateTemplateLocatesRefusals(t *testing.T) {
	err := ValidateTemplate(j(t, `{"ok":"{% $states.input %}","v":"{% phone %}"}`), "Output")
	var le *LocatedError
	require.True(t, errors.As(err, &le), "got %v", err)
	assert.Equal(t, "Output/v", le.Location)
	assert.Equal(t, "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at Output/v", le.Error())
	var de *DefinitionError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, CodeUnsupported, de.Code)

	err = ValidateTemplate(j(t, `["x", {"y": "{% 1 + %}"}]`), "Arguments")
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "Arguments/1/y", le.Location)
	assert.Equal(t, CodeInvalid, le.Err.Code)

	assert.NoError(t, ValidateTemplate(j(t, `{"a":" {% phone %} ","b":[1,"{% $x %}"]}`), "Output"))
}
