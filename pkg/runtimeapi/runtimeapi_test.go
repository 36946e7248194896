package runtimeapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/runtimeapi"
)

var fnPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runtimeapi")
	if err != nil {
		panic(err)
	}
	fnPath = filepath.Join(dir, "fn", "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", fnPath, "./testdata/fn")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build test function: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func start(t *testing.T, fn runtimeapi.Function) *runtimeapi.Instance {
	t.Helper()
	if fn.Path == "" {
		fn.Path = fnPath
	}
	in, err := runtimeapi.Start(fn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = in.Close() })
	return in
}

type reply struct {
	Function  string `json:"function"`
	RequestID string `json:"requestId"`
	Trace     string `json:"trace"`
	Deadline  bool   `json:"deadline"`
}

func TestSuccessReplyCarriesTheInvocationContext(t *testing.T) {
	in := start(t, runtimeapi.Function{Name: "echo"})
	ctx := context.Background()
	init, err := in.Ready(ctx)
	require.NoError(t, err)
	assert.Positive(t, init)

	res, err := in.Invoke(ctx, []byte(`{}`), runtimeapi.WithRequestID("req-1"), runtimeapi.WithTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"))
	require.NoError(t, err)
	require.Nil(t, res.Error)
	var r reply
	require.NoError(t, json.Unmarshal(res.Payload, &r))
	assert.Equal(t, reply{Function: "echo", RequestID: "req-1", Trace: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", Deadline: true}, r)
	assert.True(t, res.Cold, "the first invocation of an instance is cold")

	res, err = in.Invoke(ctx, []byte(`{}`))
	require.NoError(t, err)
	assert.False(t, res.Cold, "the second invocation reuses the process")
	assert.NotEqual(t, "req-1", res.RequestID)
}

func TestTypedErrorReplyKeepsTheTypeName(t *testing.T) {
	in := start(t, runtimeapi.Function{})
	res, err := in.Invoke(context.Background(), []byte(`{"fail":"it broke"}`))
	require.NoError(t, err)
	require.NotNil(t, res.Error)
	assert.Equal(t, "Boom", res.Error.Type)
	assert.Equal(t, "it broke", res.Error.Message)
	assert.Nil(t, res.Payload)
}

func TestTimeoutKillsTheProcessAndTheNextInvocationIsCold(t *testing.T) {
	in := start(t, runtimeapi.Function{Timeout: 200 * time.Millisecond})
	ctx := context.Background()
	_, err := in.Ready(ctx)
	require.NoError(t, err)
	res, err := in.Invoke(ctx, []byte(`{"sleepMs":2000}`))
	require.NoError(t, err)
	require.NotNil(t, res.Error)
	assert.Equal(t, "Sandbox.Timedout", res.Error.Type)
	assert.Equal(t, "Task timed out after 0.20 seconds", res.Error.Message)

	res, err = in.Invoke(ctx, []byte(`{}`))
	require.NoError(t, err)
	require.Nil(t, res.Error)
	assert.True(t, res.Cold)
}

func TestCrashIsReportedAndTheProcessRestarts(t *testing.T) {
	in := start(t, runtimeapi.Function{})
	ctx := context.Background()
	res, err := in.Invoke(ctx, []byte(`{"exit":true}`))
	require.NoError(t, err)
	require.NotNil(t, res.Error)
	assert.Equal(t, "Runtime.ExitError", res.Error.Type)
	assert.Contains(t, res.Error.Message, "exit status 2")

	res, err = in.Invoke(ctx, []byte(`{}`))
	require.NoError(t, err)
	assert.Nil(t, res.Error)
}

func TestProcessThatDiesDuringInitIsReported(t *testing.T) {
	in := start(t, runtimeapi.Function{Env: []string{"FAIL_INIT=1"}})
	_, err := in.Ready(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exited during init")
}

func TestOversizedResponseIsRefused(t *testing.T) {
	in := start(t, runtimeapi.Function{})
	res, err := in.Invoke(context.Background(), []byte(fmt.Sprintf(`{"big":%d}`, runtimeapi.MaxResponseBytes)))
	require.NoError(t, err)
	require.NotNil(t, res.Error)
	assert.Equal(t, "Function.ResponseSizeTooLarge", res.Error.Type)
}

func TestFunctionSeesLambdaEnvironment(t *testing.T) {
	fn := runtimeapi.Function{Name: "named", Path: fnPath, Region: "eu-west-1", Account: "123456789012"}
	assert.Equal(t, "arn:aws:lambda:eu-west-1:123456789012:function:named", fn.ARN())
	in := start(t, fn)
	assert.True(t, strings.HasPrefix(in.Address(), "127.0.0.1:"))
	res, err := in.Invoke(context.Background(), []byte(`{}`))
	require.NoError(t, err)
	assert.Contains(t, string(res.Payload), `"function":"named"`)
}

func TestInvokeAfterCloseFails(t *testing.T) {
	in, err := runtimeapi.Start(runtimeapi.Function{Path: fnPath})
	require.NoError(t, err)
	require.NoError(t, in.Close())
	_, err = in.Invoke(context.Background(), []byte(`{}`))
	assert.Error(t, err)
}
