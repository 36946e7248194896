package jsonata

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// j decodes a JSON literal as the contract does (UseNumber).
func j(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v), s)
	return v
}

// input is an Env whose $states.input is the JSON document s.
func input(t testing.TB, s string) Env {
	t.Helper()
	return Env{States: map[string]any{"input": j(t, s), "context": map[string]any{}}}
}

// eval compiles and evaluates src, failing the test on a compile error.
func eval(t testing.TB, src string, env Env) (any, error) {
	t.Helper()
	e, err := Compile(src)
	require.NoError(t, err, src)
	return e.Eval(env)
}
