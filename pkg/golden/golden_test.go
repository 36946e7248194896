package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that records a failure instead of ending the test,
// so the failing paths of Assert can be checked.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) FailNow()              { r.failed = true; panic(r) }
func (r *recorder) Helper()               {}

// run calls check with a recorder and reports whether it failed.
func run(t *testing.T, check func(tb testing.TB)) (failed bool) {
	r := &recorder{TB: t}
	defer func() {
		if v := recover(); v != nil && v != r {
			panic(v)
		}
		failed = r.failed
	}()
	check(r)
	return r.failed
}

// setUpdate sets the -update flag for one test, whatever the command line said.
func setUpdate(t *testing.T, v bool) {
	old := *update
	*update = v
	t.Cleanup(func() { *update = old })
}

func TestAssertComparesWithTheGoldenFile(t *testing.T) {
	setUpdate(t, false)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	tests := []struct {
		name       string
		path       string
		got        string
		json       bool
		wantFailed bool
	}{
		{name: "same text", path: write("text", "hello\n"), got: "hello\n"},
		{name: "a missing newline is a difference", path: write("text-no-nl", "hello\n"), got: "hello", wantFailed: true},
		{name: "an extra blank line is a difference", path: write("text-blank", "hello\n"), got: "hello\n\n", wantFailed: true},
		{name: "different text", path: write("text-other", "hello\n"), got: "bye", wantFailed: true},
		{name: "missing file", path: filepath.Join(dir, "none"), got: "hello", wantFailed: true},
		{name: "JSON is indented", path: write("doc.json", "{\n  \"a\": [\n    1\n  ]\n}\n"), got: `{"a":[1]}`, json: true},
		{name: "JSON keeps a trailing newline of its own", path: write("doc-nl.json", "{\n  \"a\": 1\n}\n\n"), got: "{\"a\":1}\n", json: true},
		{name: "different JSON", path: write("doc-other.json", "{\n  \"a\": 1\n}\n"), got: `{"a":2}`, json: true, wantFailed: true},
		{name: "not JSON", path: write("doc-bad.json", "x\n"), got: `x`, json: true, wantFailed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failed := run(t, func(tb testing.TB) {
				if tt.json {
					AssertJSON(tb, tt.path, []byte(tt.got))
				} else {
					Assert(tb, tt.path, []byte(tt.got))
				}
			})
			assert.Equal(t, tt.wantFailed, failed)
		})
	}
}

func TestUpdateRewritesTheGoldenFile(t *testing.T) {
	setUpdate(t, true)
	path := filepath.Join(t.TempDir(), "golden", "new.json")

	AssertJSON(t, path, []byte(`{"a":1}`))
	Assert(t, path+".txt", []byte("text\n"))

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"a\": 1\n}\n", string(b))
	b, err = os.ReadFile(path + ".txt")
	require.NoError(t, err)
	assert.Equal(t, "text\n", string(b))
}
