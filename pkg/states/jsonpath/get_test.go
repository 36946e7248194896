package jsonpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pathsPage  = "https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html"
	paramsPage = "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html"
)

// TestGetDefinitePathYieldsTheNode pins the Reference Path examples of the
// paths page: {"foo": 123, "bar": ["a","b","c"], "car": {"cdr": true}}.
func TestGetDefinitePathYieldsTheNode(t *testing.T) {
	in := doc(t, `{"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": true}, "n": null, "a b": 1, "a": {"b": {"c": "deep"}}}`)
	cases := []struct {
		name, path, want string
	}{
		{"paths page: $.foo => 123 (" + pathsPage + ")", "$.foo", `123`},
		{"paths page: $.bar => [a,b,c]", "$.bar", `["a", "b", "c"]`},
		{"paths page: $.car.cdr => true", "$.car.cdr", `true`},
		{"$ is the whole input", "$", `{"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": true}, "n": null, "a b": 1, "a": {"b": {"c": "deep"}}}`},
		{"a present null is a value, not a miss", "$.n", `null`},
		{"bracket notation for names with spaces (paths page)", "$['a b']", `1`},
		{"index", "$.bar[1]", `"b"`},
		{"negative index counts from the end (JsonPath syntax)", "$.bar[-1]", `"c"`},
		{"nested names", "$.a.b.c", `"deep"`},
		{"mixed notations", `$["a"]['b'].c`, `"deep"`},
		{"a union of names at the end builds one object (Jayway)", "$['foo','car','missing']", `{"foo": 123, "car": {"cdr": true}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile(c.path)
			require.NoError(t, err)
			got, err := p.Get(in)
			require.NoError(t, err)
			assert.Equal(t, doc(t, c.want), got)
		})
	}
}

// TestGetDefinitePathToNothingIsStatesRuntime pins AWS's cause for an
// InputPath or OutputPath that selects nothing, as real executions report
// it: "Invalid path '$.Payload' : No results for path: $['Payload']"
// (LocalStack's InputPath, validated against AWS, words it the same way):
// the message of Jayway's PathNotFoundException.
func TestGetDefinitePathToNothingIsStatesRuntime(t *testing.T) {
	in := doc(t, `{"Payload": false, "list": [1, 2], "s": "text", "o": {}}`)
	cases := []struct{ path, cause string }{
		{"$.missing", "Invalid path '$.missing' : No results for path: $['missing']"},
		{"$.o.x", "Invalid path '$.o.x' : No results for path: $['o']['x']"},
		{"$.list[2]", "Invalid path '$.list[2]' : No results for path: $['list'][2]"},
		{"$.list[-3]", "Invalid path '$.list[-3]' : No results for path: $['list'][-3]"},
		{"$.s.x", "Invalid path '$.s.x' : No results for path: $['s']['x']"},
		{"$.s[0]", "Invalid path '$.s[0]' : No results for path: $['s'][0]"},
		{"$.o[0]", "Invalid path '$.o[0]' : No results for path: $['o'][0]"},
		{"$.list.x", "Invalid path '$.list.x' : No results for path: $['list']['x']"},
		// Jayway reports a member missing before the last step as a
		// missing property, naming the path up to it.
		{"$.nope.deep", "Invalid path '$.nope.deep' : Missing property in path $['nope']"},
		{"$.o.x.y", "Invalid path '$.o.x.y' : Missing property in path $['o']['x']"},
		{"$.list[5].x", "Invalid path '$.list[5].x' : No results for path: $['list'][5]['x']"},
		{"$.s['a','b']", "Invalid path '$.s['a','b']' : No results for path: $['s']['a','b']"},
		{"$.nope['a','b']", "Invalid path '$.nope['a','b']' : Missing property in path $['nope']"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			p, err := Compile(c.path)
			require.NoError(t, err)
			_, err = p.Get(in)
			se := statesError(t, err, "States.Runtime")
			assert.Equal(t, c.cause, se.Cause)
		})
	}
	t.Run("a falsy value is found, not missing", func(t *testing.T) {
		p, err := Compile("$.Payload")
		require.NoError(t, err)
		got, err := p.Get(in)
		require.NoError(t, err)
		assert.Equal(t, false, got)
	})
}

// TestGetIndefinitePathYieldsAList pins "A path can yield a selection of
// values" from the parameters page ($.a[0:2] on {"a":[1,2,3,4]} is [1,2])
// and the JsonPath operators Step Functions' paths follow, on Goessner's
// store document.
func TestGetIndefinitePathYieldsAList(t *testing.T) {
	store := fixture(t, "store.json")
	small := doc(t, `{"a": [1, 2, 3, 4]}`)
	cases := []struct {
		name string
		in   any
		path string
		want string
	}{
		{"parameters page: $.a[0:2] => [1,2] (" + paramsPage + ")", small, "$.a[0:2]", `[1, 2]`},
		{"slice from a negative start", small, "$.a[-1:]", `[4]`},
		{"slice with both bounds", small, "$.a[1:3]", `[2, 3]`},
		{"slice open start", small, "$.a[:2]", `[1, 2]`},
		{"slice whole", small, "$.a[:]", `[1, 2, 3, 4]`},
		{"slice with a step", small, "$.a[::2]", `[1, 3]`},
		{"slice with a step and start", small, "$.a[1::2]", `[2, 4]`},
		{"slice with a negative step walks backwards", small, "$.a[::-1]", `[4, 3, 2, 1]`},
		{"slice with a negative step and bounds", small, "$.a[2:0:-1]", `[3, 2]`},
		{"slice bounds are clamped", small, "$.a[-10:10]", `[1, 2, 3, 4]`},
		{"slice past the end is empty", small, "$.a[7:]", `[]`},
		{"union of indexes", small, "$.a[0,2,-1]", `[1, 3, 4]`},
		{"union skips indexes out of range", small, "$.a[0,9]", `[1]`},
		{"wildcard over an array", small, "$.a[*]", `[1, 2, 3, 4]`},
		{"all authors: $.store.book[*].author", store, "$.store.book[*].author", `["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]`},
		{"all authors: $..author", store, "$..author", `["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]`},
		{"members missing under a wildcard are skipped", store, "$.store.book[*].isbn", `["0-553-21311-3", "0-395-19395-8"]`},
		{"the price of everything in the store: parents first, members by sorted key (Go maps keep no order)", store, "$.store..price", `[19.95, 8.95, 12.99, 8.99, 22.99]`},
		{"the third book: $..book[2]", store, "$..book[2].title", `["Moby Dick"]`},
		{"the last book: $..book[-1:]", store, "$..book[-1:].title", `["The Lord of the Rings"]`},
		{"the first two books: $..book[0,1]", store, "$..book[0,1].title", `["Sayings of the Century", "Sword of Honour"]`},
		{"the first two books: $..book[:2]", store, "$..book[:2].title", `["Sayings of the Century", "Sword of Honour"]`},
		{"wildcard over an object", store, "$.store.bicycle.*", `["red", 19.95]`},
		{"flatten an array of arrays with $[*][*] (paths page)", doc(t, `[[1, 2], [3], []]`), "$[*][*]", `[1, 2, 3]`},
		{"deep scan with nothing to find is empty", store, "$..nothing", `[]`},
		{"wildcard on a scalar is empty", small, "$.a[0][*]", `[]`},
		{"union of names inside a path", doc(t, `{"x": {"v": 1}, "y": {"v": 2}}`), "$['x','y'].v", `[1, 2]`},
		{"an indefinite path from a missing member is empty, not an error", small, "$.missing[*]", `[]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile(c.path)
			require.NoError(t, err)
			require.False(t, p.Definite())
			got, err := p.Get(c.in)
			require.NoError(t, err)
			assert.Equal(t, doc(t, c.want), got)
		})
	}
}

func TestGetSharesButNeverChangesTheDocument(t *testing.T) {
	in := doc(t, `{"a": [{"b": 1}, {"b": 2}]}`)
	before := doc(t, `{"a": [{"b": 1}, {"b": 2}]}`)
	for _, path := range []string{"$.a[*].b", "$..b", "$.a[?(@.b > 1)]", "$.a[0]", "$['a','c']"} {
		p, err := Compile(path)
		require.NoError(t, err)
		_, err = p.Get(in)
		require.NoError(t, err)
	}
	assert.Equal(t, before, in)
}
