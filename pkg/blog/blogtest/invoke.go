package blogtest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware/middlewaretest"
)

// Invoke runs a publisher's handle function, wrapped in the middleware as the
// function named name, on payload. It returns the result, the error a state
// machine would see (nil on success) and everything logged.
func Invoke(t testing.TB, handle func(context.Context, blog.Post) (blog.Result, error), name string, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	return InvokeContext(t, context.Background(), handle, name, payload)
}

// InvokeContext is Invoke with the invocation's context, such as one with
// the deadline a Lambda timeout sets.
func InvokeContext(t testing.TB, ctx context.Context, handle func(context.Context, blog.Post) (blog.Result, error), name string, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	out, fail, logs := middlewaretest.InvokeContext(t, ctx, handle, name, payload)
	if fail.Type != "" {
		return blog.Result{}, &fail, logs
	}
	var res blog.Result
	require.NoError(t, json.Unmarshal(out, &res))
	return res, nil, logs
}

// AssertFailed checks that an invocation failed with wantType and a message
// containing wantMessage, and that neither the message nor the logs show any
// of secrets.
func AssertFailed(t testing.TB, fail *messages.InvokeResponse_Error, logs, wantType, wantMessage string, secrets ...string) {
	t.Helper()
	require.NotNil(t, fail, "the invocation succeeded")
	assert.Equal(t, wantType, fail.Type, fail.Message)
	assert.Contains(t, fail.Message, wantMessage)
	for _, s := range secrets {
		assert.NotContains(t, logs, s, "a secret was logged")
		assert.NotContains(t, fail.Message, s, "a secret is in the error")
	}
}
