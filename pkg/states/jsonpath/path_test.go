package jsonpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Paths: https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
// ("Paths follow JsonPath syntax"; a Reference Path identifies a single node).
func TestCompileClassifiesRootAndDefiniteness(t *testing.T) {
	cases := []struct {
		path      string
		root      Root
		variable  string
		definite  bool
		canonical string
	}{
		{"$", RootInput, "", true, "$"},
		{"$.a.b", RootInput, "", true, "$['a']['b']"},
		{"$['a b']", RootInput, "", true, "$['a b']"},
		{`$["it's"]`, RootInput, "", true, `$['it\'s']`},
		{"$.abc.['def ghi']", RootInput, "", true, "$['abc']['def ghi']"}, // the paths page's own bracket example
		{"$.a[0]", RootInput, "", true, "$['a'][0]"},
		{"$.a[-1]", RootInput, "", true, "$['a'][-1]"},
		{"$.a[-1:]", RootInput, "", false, "$['a'][-1:]"},
		{"$.a[1:3]", RootInput, "", false, "$['a'][1:3]"},
		{"$.a[::2]", RootInput, "", false, "$['a'][::2]"},
		{"$.a[0,2]", RootInput, "", false, "$['a'][0,2]"},
		{"$.a[*].b", RootInput, "", false, "$['a'][*]['b']"},
		{"$.*", RootInput, "", false, "$[*]"},
		{"$..b", RootInput, "", false, "$..['b']"},
		{"$[*][*]", RootInput, "", false, "$[*][*]"}, // "flattenArray.$" on the paths page
		{"$['a','b']", RootInput, "", true, "$['a','b']"},
		{"$['a','b'].c", RootInput, "", false, "$['a','b']['c']"},
		{"$.a[?(@.x == 1)]", RootInput, "", false, "$['a'][?(@['x'] == 1)]"},
		{"$.a[?(@.x >= 1.5 && !(@.y) || @.z != 'q')]", RootInput, "", false, "$['a'][?(((@['x'] >= 1.5 && !(@['y'])) || @['z'] != 'q'))]"},
		{"$$.Execution.Id", RootContext, "", true, "$$['Execution']['Id']"},
		{"$$", RootContext, "", true, "$$"},
		{"$name.field", RootVariable, "name", true, "$name['field']"},
		{"$x", RootVariable, "x", true, "$x"},
		{"$_v2[0]", RootVariable, "_v2", true, "$_v2[0]"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			p, err := Compile(c.path)
			require.NoError(t, err)
			assert.Equal(t, c.path, p.String(), "String is the path as written, as AWS quotes it")
			assert.Equal(t, c.root, p.Root())
			assert.Equal(t, c.variable, p.Variable())
			assert.Equal(t, c.definite, p.Definite())
			assert.Equal(t, c.canonical, p.canonical())
		})
	}
}

func TestCompileRejectsMalformedPathsAsStatesRuntime(t *testing.T) {
	for _, path := range []string{
		"", "a", ".a", "$.", "$..", "$.a.", "$[", "$[]", "$['a'", "$['a]", "$[a]",
		"$[1:2:0]", "$[?(@.a == )]", "$[?(@.a ==", "$[?(1)]", "$[?('x')]", "$.a b",
		"$$x", "$[-]", "$[99999999999]", "$['\\q']", " $", "$ ", "$[?(@.a =! 1)]",
	} {
		t.Run(path, func(t *testing.T) {
			_, err := Compile(path)
			se := statesError(t, err, "States.Runtime")
			assert.Contains(t, se.Cause, "Invalid path '"+path+"'")
		})
	}
}
