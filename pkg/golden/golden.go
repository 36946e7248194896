// Package golden compares test output with golden files and owns the
// -update flag that rewrites them. Every test package with golden files
// imports it, so `go test <packages> -update` works in each of them.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// update is registered here once: a package that defined its own would clash
// with this one, and one that defined none would reject -update.
var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Assert compares got with the golden file at path byte for byte, failing
// the test with a diff when they differ; with -update it rewrites the file
// instead.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	compare(t, path, got)
}

// AssertJSON is Assert for a JSON document: got is indented with two spaces
// by json.Indent and followed by a newline, so a change reads well in a diff.
func AssertJSON(t testing.TB, path string, got []byte) {
	t.Helper()
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, got, "", "  "), "not JSON: %s", got)
	indented.WriteByte('\n')
	compare(t, path, indented.Bytes())
}

func compare(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file %s is missing: go test -update creates it", path)
	require.Equal(t, string(want), string(got), "output differs from %s (go test -update rewrites it)", path)
}
