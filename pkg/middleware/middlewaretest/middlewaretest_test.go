package middlewaretest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type order struct {
	Flavour string `json:"flavour"`
}

type OutOfDough struct{}

func (*OutOfDough) Error() string { return "out of dough" }

func bake(_ context.Context, o order) (string, error) {
	if o.Flavour == "" {
		return "", &OutOfDough{}
	}
	if o.Flavour == "plain" {
		return "", errors.New("plain failure")
	}
	return o.Flavour, nil
}

func TestInvokeReturnsWhatTheRuntimeWouldCarry(t *testing.T) {
	tests := []struct {
		name, payload, wantOut, wantType string
	}{
		{"success", `{"flavour":"margherita"}`, `"margherita"`, ""},
		{"named error", `{}`, "", "OutOfDough"},
		{"malformed payload", `{`, "", "MalformedInput"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, fail, logs := Invoke(t, bake, "pizza", []byte(tt.payload))
			assert.Equal(t, tt.wantOut, string(out))
			if tt.wantType == "" {
				assert.Equal(t, tt.wantOut, string(Response(t, out, fail)))
			} else {
				assert.JSONEq(t, `{"errorType":"`+tt.wantType+`","errorMessage":"`+fail.Message+`"}`, string(Response(t, out, fail)))
			}
			assert.Equal(t, tt.wantType, fail.Type)
			if tt.wantType != "" {
				assert.Contains(t, logs, `"function":"pizza"`)
				assert.Contains(t, logs, tt.wantType)
			}
		})
	}
}

func TestEventsAreTheFixtureFiles(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.Mkdir("testdata", 0o755))
	for _, name := range []string{"b.json", "a.json", "notes.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join("testdata", name), []byte(`{}`), 0o644))
	}
	assert.Equal(t, []string{"a.json", "b.json"}, Events(t))
	assert.Equal(t, []byte(`{}`), Event(t, "a.json"))
}
