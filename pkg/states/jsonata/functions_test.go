package jsonata

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Step Functions' own functions: "JSONata functions provided by Step
// Functions", https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html.
// Expected values are AWS's recorded outputs where the case names a source.
func TestStepFunctionsFunctions(t *testing.T) {
	env := Env{States: map[string]any{"input": j(t, `{"content":"abc","seed":42}`)}}
	cases := []struct {
		name, src, want string
	}{
		{"$partition doc example", "{% $partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3) %}", `[[1,2,3],[4,5,6],[7,8,9]]`},
		{"$partition AWS [1,2,3,4] by 2 (floci#2662)", "{% $partition([1,2,3,4], 2) %}", `[[1,2],[3,4]]`},
		{"$partition shorter last chunk (LocalStack test_array_partition)", "{% $partition([0,1,2,3], 3) %}", `[[0,1,2],[3]]`},
		{"$partition chunk larger than array (LocalStack)", "{% $partition([0], 5) %}", `[[0]]`},
		{"$partition chunk of 1 (LocalStack)", "{% $partition([0,1], 1) %}", `[[0],[1]]`},
		{"$partition keeps null and objects", `{% $partition([null, {"a": 1}], 1) %}`, `[[null],[{"a":1}]]`},
		{"$range doc example, end included", "{% $range(0, 10, 2) %}", `[0,2,4,6,8,10]`},
		{"$range end not on a step (LocalStack test_array_range)", "{% $range(0, 10, 3) %}", `[0,3,6,9]`},
		{"$range end on a step (LocalStack)", "{% $range(0, 9, 3) %}", `[0,3,6,9]`},
		{"$range odd steps (LocalStack)", "{% $range(1, 9, 2) %}", `[1,3,5,7,9]`},
		{"$range of one value is that value (LocalStack)", "{% $range(1, 9, 9) %}", `1`},
		{"$range negative step counts down", "{% $range(3, 1, -1) %}", `[3,2,1]`},
		{"$hash SHA-1 of input (floci#2662, AWS)", `{% $hash("input", "SHA-1") %}`, `"140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"`},
		{"$hash MD5 (RFC 1321 test vector)", "{% $hash($states.input.content, 'MD5') %}", `"900150983cd24fb0d6963f7d28e17f72"`},
		{"$hash SHA-256 (FIPS 180 test vector)", "{% $hash($states.input.content, 'SHA-256') %}", `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{"$hash SHA-384 (FIPS 180 test vector)", "{% $hash('abc', 'SHA-384') %}", `"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"`},
		{"$hash SHA-512 (FIPS 180 test vector)", "{% $hash('abc', 'SHA-512') %}", `"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"`},
		{"$random with seed is java.util.Random (floci#2662, AWS)", "{% $random($states.input.seed) %}", `0.7275636800328681`},
		{"$parse object field (floci#2662, AWS)", `{% $parse("{\"a\":1}").a %}`, `1`},
		{"$parse -0 (LocalStack test_parse)", `{% $parse("-0") %}`, `0`},
		{"$parse 1.1 (LocalStack)", `{% $parse("1.1") %}`, `1.1`},
		{"$parse true (LocalStack)", `{% $parse("true") %}`, `true`},
		{"$parse string (LocalStack)", `{% $parse("\"HelloWorld\"") %}`, `"HelloWorld"`},
		{"$parse array (LocalStack)", `{% $parse("[1, 2, \"HelloWorld\"]") %}`, `[1,2,"HelloWorld"]`},
		{"$parse object (LocalStack)", `{% $parse("{\"Arg1\": 1, \"Arg2\": []}") %}`, `{"Arg1":1,"Arg2":[]}`},
		{"$parse null keeps null", `{% $parse("null") %}`, `null`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eval(t, tc.src, env)
			require.NoError(t, err)
			assert.Equal(t, j(t, tc.want), got)
		})
	}
}

func TestRandomWithoutSeedIsInUnitInterval(t *testing.T) {
	for range 20 {
		got, err := eval(t, "{% $random() %}", Env{})
		require.NoError(t, err)
		f, err := got.(json.Number).Float64()
		require.NoError(t, err)
		assert.GreaterOrEqual(t, f, 0.0)
		assert.Less(t, f, 1.0)
	}
}

// $uuid(): a version 4 UUID, as States.UUID.
func TestUUIDIsVersion4(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, err := eval(t, "{% $uuid() %}", Env{})
	require.NoError(t, err)
	b, err := eval(t, "{% $uuid() %}", Env{})
	require.NoError(t, err)
	assert.Regexp(t, v4, a)
	assert.NotEqual(t, a, b)
}

func TestStepFunctionsFunctionsRejectBadArguments(t *testing.T) {
	for _, src := range []string{
		"{% $partition([1,2], 0) %}",
		"{% $partition([1,2], 1.5) %}",
		"{% $partition([1,2]) %}",
		"{% $range(0, 10, 0) %}",
		"{% $range(0, 'a', 1) %}",
		"{% $hash('abc', 'SHA-3') %}",
		"{% $hash(1, 'MD5') %}",
		"{% $random('x') %}",
		"{% $uuid(1) %}",
		"{% $parse('{nope') %}",
		"{% $parse(1) %}",
	} {
		_, err := eval(t, src, Env{})
		var e *Error
		require.ErrorAs(t, err, &e, src)
		assert.Equal(t, QueryEvaluationError, e.Name, src)
		assert.Contains(t, e.Cause, "threw an error during evaluation", src)
	}
}

func TestJavaRandomMatchesJDK(t *testing.T) {
	// new java.util.Random(0).nextDouble() and Random(42) as the JDK gives them.
	assert.Equal(t, "0.730967787376657", fmt.Sprint(javaNextDouble(0)))
	assert.Equal(t, "0.7275636800328681", fmt.Sprint(javaNextDouble(42)))
}
