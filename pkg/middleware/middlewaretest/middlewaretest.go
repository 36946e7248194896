// Package middlewaretest runs handler functions through the middleware the
// way the Lambda runtime does, for the tests of the handlers.
package middlewaretest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/middleware"
)

// Invoke runs fn, wrapped in the middleware as the function named name, on
// payload. It returns the response, the error a state machine would see
// (zero when the call succeeded) and everything logged.
func Invoke[In, Out any](t testing.TB, fn func(context.Context, In) (Out, error), name string, payload []byte) ([]byte, messages.InvokeResponse_Error, string) {
	t.Helper()
	return InvokeContext(t, context.Background(), fn, name, payload)
}

// InvokeContext is Invoke with the invocation's context, which carries the
// deadline the Lambda runtime would set from the function's timeout.
func InvokeContext[In, Out any](t testing.TB, ctx context.Context, fn func(context.Context, In) (Out, error), name string, payload []byte) ([]byte, messages.InvokeResponse_Error, string) {
	t.Helper()
	var logs bytes.Buffer
	out, err := middleware.Wrap(fn, middleware.WithOutput(&logs), middleware.WithFunctionName(name)).
		Invoke(ctx, payload)
	var fail messages.InvokeResponse_Error
	if err != nil {
		require.True(t, errors.As(err, &fail), "error %v is not an InvokeResponse_Error", err)
	}
	return out, fail, logs.String()
}

// Response returns what the Runtime API carries back for an invocation: out,
// or, when it failed, the error as {"errorMessage": ..., "errorType": ...}.
func Response(t testing.TB, out []byte, fail messages.InvokeResponse_Error) []byte {
	t.Helper()
	if fail.Type == "" {
		return out
	}
	b, err := json.Marshal(fail)
	require.NoError(t, err)
	return b
}

// Events returns the names of the event fixtures, the files
// testdata/*.json, and fails the test when there are none.
func Events(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no event fixtures in testdata")
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

// Event returns the event fixture testdata/name.
func Event(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}
