package jsonpath

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// doc decodes JSON as the executor does: numbers stay json.Number.
func doc(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v), "fixture JSON: %s", s)
	return v
}

func fixture(t testing.TB, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return doc(t, string(b))
}

// statesError asserts err is a *Error with the given name and returns it.
func statesError(t testing.TB, err error, name string) *Error {
	t.Helper()
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, name, se.Name, "cause: %s", se.Cause)
	return se
}
