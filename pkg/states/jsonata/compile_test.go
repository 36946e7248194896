package jsonata

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Definition-time refusals. AWS's wording: floci-io/floci#2745 and #2670
// record "INVALID_JSONATA_EXPRESSION: Unexpected end of expression" and
// "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not
// supported." from real CreateStateMachine calls; the rule is the States
// Language's "a JSONata expression MUST NOT reference "$" or unqualified field
// names at the top level" (https://states-language.net, JSONata section).
func TestCompileRefusesWhatAWSRefusesAtCreateTime(t *testing.T) {
	cases := []struct {
		name, src, code, msg string
	}{
		{"syntax error: unexpected end", "{% 1 + %}", CodeInvalid, "Unexpected end of expression"},
		{"syntax error: unclosed call", "{% $sum( %}", CodeInvalid, ""},
		{"syntax error: unclosed object", `{% {"a": 1 %}`, CodeInvalid, ""},
		{"empty expression", "{%   %}", CodeInvalid, "Empty expression"},
		{"not wholly one block: leading space", " {% 1 %}", CodeInvalid, ""},
		{"not wholly one block: plain string", "$states.input", CodeInvalid, ""},
		{"bare field name at top level", "{% phone %}", CodeUnsupported, "Reference to 'phone' at the top level is not supported."},
		{"bare path at top level", "{% input.x %}", CodeUnsupported, "Reference to 'input' at the top level is not supported."},
		{"bare name in an arithmetic", "{% $states.input.a + b %}", CodeUnsupported, "Reference to 'b' at the top level is not supported."},
		{"bare name as a call argument", "{% $sum(prices) %}", CodeUnsupported, "Reference to 'prices' at the top level is not supported."},
		{"bare name in an array constructor", "{% [1, x] %}", CodeUnsupported, "Reference to 'x' at the top level is not supported."},
		{"bare name in a block", "{% ($v := 1; $v + y) %}", CodeUnsupported, "Reference to 'y' at the top level is not supported."},
		{"bare name as an object value", `{% {"a": y} %}`, CodeUnsupported, "Reference to 'y' at the top level is not supported."},
		{"backquoted name at top level", "{% `my field` %}", CodeUnsupported, "Reference to 'my field' at the top level is not supported."},
		{"context $ at top level", "{% $ %}", CodeUnsupported, "Reference to '$' at the top level is not supported."},
		{"$$ at top level", "{% $$.a %}", CodeUnsupported, "Reference to '$$' at the top level is not supported."},
		{"bare name after a transform", "{% $states.input ~> | a | {'b': 1} | = x %}", CodeUnsupported, "Reference to 'x' at the top level is not supported."},
		{"bare name after a lambda", "{% $map($states.input, function($v)<n:n>{ $v }) & z %}", CodeUnsupported, "Reference to 'z' at the top level is not supported."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.src)
			var de *DefinitionError
			require.True(t, errors.As(err, &de), "want *DefinitionError, got %v", err)
			assert.Equal(t, tc.code, de.Code)
			if tc.msg != "" {
				assert.Equal(t, tc.msg, de.Message)
			}
		})
	}
}

// Names nested inside an expression read the enclosing step's context and
// are allowed ("MAY reference "$" or unqualified field names nested inside an
// expression", States Language); strings, regexes and keywords are no
// references. AWS ran the regex cases (LocalStack
// test_base_evaluate_expressions, BASE and BASE_SINGLE_QUOTE).
func TestCompileAcceptsNestedReferences(t *testing.T) {
	for _, src := range []string{
		"{% $states.input.title %}",
		"{% $customerName %}",
		"{% $states.input.items[price > 5].name %}",
		"{% $states.input.items[0] %}",
		"{% $states.input.(a + b) %}",
		"{% $states.input.items^(price) %}",
		"{% $states.input.items{name: price} %}",
		"{% $states.input.items.{'n': name} %}",
		"{% $map($states.input.a, function($v){ $v.k }) %}",
		"{% $filter($states.input.a, function($v)<n:b>{ $v > 1 }) %}",
		"{% $states.input.a[$ > 1] %}",
		"{% $contains('hello$world', /^hello\\$/) %}",
		`{% $contains("hello$world", /^hello\$/) %}`,
		"{% 'phone' & \"name\" %}",
		"{% $states.input.a and true or null %}",
		"{% $number(\"2\") %}",
		"{% [1..3] %}",
		"{% 10 / 2 / 5 %}",
		"{% /* a comment with words */ $states.input %}",
		"{% $variable := 1 %}",
		"{% $states.input ~> | $ | {'seen': true} | %}",
		"{% $states.input ~> | items | {'n': price * 2}, ['price'] | %}",
		"{% $map($states.input.a, function($v)<a<n>:a>{ $v.x }) %}",
		"{% $states.input.a ? 'x' : 'y' %}",
		"{% $states.input.items#$i[$i > 0].name %}",
		"{% $states.input.items@$it.name %}",
		"{% $states.input.**.name %}",
		"{% $states.input.a in ['x', 'y'] %}",
		"{% ($x := $states.input; $x.a) %}",
		"{% $states.input.date ~> $toMillis() %}",
		"{% $states.input.items.%.name %}",
		"{% $states.input.a / 2 %}",
	} {
		_, err := Compile(src)
		assert.NoError(t, err, src)
	}
}

// A field value is an expression only when it starts with "{%" and ends with
// "%}": LocalStack test_output BASE_LITERALS records AWS keeping
// " {% states.input %} " as a literal string.
func TestIsExpressionOnlyForWholeBlocks(t *testing.T) {
	assert.True(t, IsExpression("{% 1 %}"))
	assert.True(t, IsExpression("{%1%}"))
	assert.False(t, IsExpression(" {% states.input %} "))
	assert.False(t, IsExpression("{% 1 %} "))
	assert.False(t, IsExpression("{%}"))
	assert.False(t, IsExpression("$states.input"))
}

func TestExprKeepsSourceAndBody(t *testing.T) {
	e, err := Compile("{%  $states.input.x  %}")
	require.NoError(t, err)
	assert.Equal(t, "{%  $states.input.x  %}", e.String())
	assert.Equal(t, "$states.input.x", e.Body())
}

// FuzzCompile: no input panics the front end (issue 7: fuzz the JSONata
// front end), whether or not it compiles.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"{% 1 + %}", "{% $states.input.a[b > 1] %}", "{% function($x)<n:n>{$x} %}",
		"{% /re/i %}", "{% 'a\\'b' %}", "{% `x` %}", "{% $$ %}", "{% (((( %}",
		"{% $partition([1,2],1) %}", "{% {\"a\":[1,{\"b\":$}]} %}", "{% a.b.c %}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = Compile(s)
		_, _ = Compile("{%" + s + "%}")
		_, _ = topLevelReference(s)
	})
}
