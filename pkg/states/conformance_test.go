package states_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/mock"
	"github.com/stepforge/stepforge/pkg/states/runner"
)

// conformanceCase is one file of testdata/conformance: a definition run on
// an input, and the outcome the AWS documentation page doc states, in its
// own words (quote). Tasks are answered by mocks in Step Functions Local's
// MockedResponses format, keyed by state name; a Task without a mock stops
// the case.
type conformanceCase struct {
	Doc        string                     `json:"doc"`
	Quote      string                     `json:"quote"`
	Definition json.RawMessage            `json:"definition"`
	Input      json.RawMessage            `json:"input"`
	Mocks      map[string]json.RawMessage `json:"mocks"`
	Expect     struct {
		// Status is the execution's status, SUCCEEDED when empty.
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
		Error  string          `json:"error"`
		// Cause is compared whole; CauseContains is a part of it.
		Cause         *string `json:"cause"`
		CauseContains string  `json:"causeContains"`
		// Events lists the history's event types in order, when given.
		Events []string `json:"events"`
		// DefinitionError: the definition is refused before any
		// execution, with a message containing this text.
		DefinitionError string `json:"definitionError"`
	} `json:"expect"`
}

// TestConformance runs every case of testdata/conformance.
func TestConformance(t *testing.T) {
	root := filepath.Join("testdata", "conformance")
	var files []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	}))
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(f), filepath.ToSlash(root)+"/"), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runConformance(t, f)
		})
	}
}

func runConformance(t *testing.T, file string) {
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var c conformanceCase
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&c), "case file")
	require.True(t, strings.HasPrefix(c.Doc, "https://docs.aws.amazon.com/"), "doc must name the AWS documentation page")
	require.NotEmpty(t, c.Quote, "quote the documentation")

	sm, err := asl.Parse(c.Definition)
	if err != nil && c.Expect.DefinitionError != "" {
		assert.Contains(t, err.Error(), c.Expect.DefinitionError)
		return
	}
	require.NoError(t, err)
	var tc *mock.Case
	if len(c.Mocks) > 0 {
		tc = mockCase(t, c.Mocks)
	}
	input := []byte(c.Input)
	if len(input) == 0 {
		input = []byte("{}")
	}
	res, err := runner.Exec(context.Background(), sm, input, "Conformance", tc, len(c.Expect.Events) > 0)
	if c.Expect.DefinitionError != "" {
		require.Error(t, err, "the definition must be refused")
		assert.Contains(t, err.Error(), c.Expect.DefinitionError)
		return
	}
	require.NoError(t, err)
	want := c.Expect.Status
	if want == "" {
		want = "SUCCEEDED"
	}
	require.Equal(t, want, res.Status, "error %s: %s", res.Error, res.Cause)
	if len(c.Expect.Output) > 0 {
		assert.JSONEq(t, string(c.Expect.Output), string(res.Output))
	}
	assert.Equal(t, c.Expect.Error, res.Error)
	if c.Expect.Cause != nil {
		assert.Equal(t, *c.Expect.Cause, res.Cause)
	}
	if c.Expect.CauseContains != "" {
		assert.Contains(t, res.Cause, c.Expect.CauseContains)
	}
	if len(c.Expect.Events) > 0 {
		got := make([]string, len(res.History))
		for i, ev := range res.History {
			got[i] = string(ev.Type)
		}
		assert.Equal(t, c.Expect.Events, got)
	}
}

// mockCase builds a mock configuration with one test case whose states
// answer with the responses given.
func mockCase(t *testing.T, mocks map[string]json.RawMessage) *mock.Case {
	t.Helper()
	states := map[string]string{}
	responses := map[string]json.RawMessage{}
	for state, r := range mocks {
		states[state] = "r:" + state
		responses["r:"+state] = r
	}
	doc, err := json.Marshal(map[string]any{
		"StateMachines":   map[string]any{"Conformance": map[string]any{"TestCases": map[string]any{"Case": states}}},
		"MockedResponses": responses,
	})
	require.NoError(t, err)
	cfg, err := mock.Parse(doc)
	require.NoError(t, err)
	tc, err := cfg.TestCase("Conformance", "Case")
	require.NoError(t, err)
	return tc
}
