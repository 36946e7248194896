package functions_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/functions"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

type fnReply struct {
	RequestID string            `json:"requestId"`
	Trace     string            `json:"trace"`
	Version   string            `json:"version"`
	Env       map[string]string `json:"env"`
	Client    string            `json:"client"`
}

type fnError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(b, &v), string(b))
	return v
}

func TestPizzaCheckerRunsAsLambdaRunsIt(t *testing.T) {
	c := startCloud(t, "")
	c.create(t, "check-pizza", zipOf(t, pizzaBinary, nil))

	out, err := c.invoke(t, "check-pizza", `{"flavour":"pepperoni"}`)
	require.NoError(t, err)
	assert.Equal(t, int32(200), out.StatusCode)
	assert.Nil(t, out.FunctionError)
	assert.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
	assert.JSONEq(t, `{"containsPineapple":false}`, string(out.Payload))

	out, err = c.invoke(t, "arn:aws:lambda:us-east-1:123456789012:function:check-pizza:$LATEST", `{"flavour":"  "}`)
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	e := decode[fnError](t, out.Payload)
	assert.Equal(t, "InvalidOrder", e.Type, "the handler's error type is what a Catch matches")
	assert.Contains(t, e.Message, "flavour is missing or blank")
}

func TestRefusalsUseLambdasErrors(t *testing.T) {
	c := startCloud(t, "")
	c.create(t, "fn", zipOf(t, fnBinary, nil))

	_, err := c.invoke(t, "missing", `{}`)
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing", nf.ErrorMessage())

	_, err = c.invoke(t, "fn", `{}`, func(in *lambda.InvokeInput) { in.Qualifier = aws.String("7") })
	require.ErrorAs(t, err, &nf)

	_, err = c.invoke(t, "fn", `{not json`)
	var bad *types.InvalidRequestContentException
	require.ErrorAs(t, err, &bad)
	assert.Contains(t, bad.ErrorMessage(), "Could not parse request body into json")

	out, err := c.invoke(t, "fn", `{}`, func(in *lambda.InvokeInput) { in.InvocationType = types.InvocationTypeDryRun })
	require.NoError(t, err)
	assert.Equal(t, int32(204), out.StatusCode)
	assert.Zero(t, c.svc.Warm("fn"), "a dry run starts no process")

	big := `{"x":"` + strings.Repeat("a", 6*1024*1024) + `"}`
	_, err = c.invoke(t, "fn", big)
	var tooLarge smithy.APIError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, "RequestEntityTooLargeException", tooLarge.ErrorCode(), "Lambda's code on the wire")
	assert.Equal(t, "Request must be smaller than 6291456 bytes for the InvokeFunction operation", tooLarge.ErrorMessage())
	event := big[:1024*1024] + `"}`
	_, err = c.invoke(t, "fn", event, func(in *lambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, fmt.Sprintf("%d byte payload is too large for the Event invocation type (limit 1048576 bytes)", len(event)), tooLarge.ErrorMessage())

	out, err = c.invoke(t, "fn", `{"big":6291456}`)
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	assert.Equal(t, "Function.ResponseSizeTooLarge", decode[fnError](t, out.Payload).Type)
}

// creds issues a fixed set of credentials and records the sessions.
type creds struct {
	mu       sync.Mutex
	sessions []string
}

func (c *creds) IssueCredentials(_ context.Context, roleARN, session string) (string, string, string, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions = append(c.sessions, roleARN+" "+session)
	return "ASIAFUNCTION", "secret", "token", time.Now().Add(time.Hour), nil
}

func TestWarmProcessIsReusedAndSeesLambdasEnvironment(t *testing.T) {
	cr := &creds{}
	c := startCloud(t, "", functions.WithCredentials(cr))
	c.create(t, "fn", zipOf(t, fnBinary, map[string]string{"version.txt": "v1"}), func(in *functions.CreateFunctionInput) {
		in.Environment = &functions.Environment{Variables: map[string]string{"TABLE": "orders"}}
		in.MemorySize = aws.Int(256)
	})
	names := `{"env":["AWS_LAMBDA_FUNCTION_NAME","AWS_LAMBDA_FUNCTION_MEMORY_SIZE","AWS_LAMBDA_LOG_GROUP_NAME","AWS_LAMBDA_LOG_STREAM_NAME","AWS_REGION","AWS_ENDPOINT_URL","AWS_ACCESS_KEY_ID","AWS_SESSION_TOKEN","TABLE","AWS_XRAY_DAEMON_ADDRESS","AWS_EXECUTION_ENV"]}`
	tail := func(in *lambda.InvokeInput) { in.LogType = types.LogTypeTail }
	first, err := c.invoke(t, "fn", names, tail, func(in *lambda.InvokeInput) {
		in.ClientContext = aws.String(base64.StdEncoding.EncodeToString([]byte(`{"custom":{"who":"the test"}}`)))
	})
	require.NoError(t, err)
	r := decode[fnReply](t, first.Payload)
	assert.Equal(t, "fn", r.Env["AWS_LAMBDA_FUNCTION_NAME"])
	assert.Equal(t, "256", r.Env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
	assert.Equal(t, "/aws/lambda/fn", r.Env["AWS_LAMBDA_LOG_GROUP_NAME"])
	assert.Regexp(t, `^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`, r.Env["AWS_LAMBDA_LOG_STREAM_NAME"])
	assert.Equal(t, "us-east-1", r.Env["AWS_REGION"])
	assert.Equal(t, c.endpoint, r.Env["AWS_ENDPOINT_URL"], "the function's SDK talks to the local cloud")
	assert.Equal(t, "ASIAFUNCTION", r.Env["AWS_ACCESS_KEY_ID"])
	assert.Equal(t, "token", r.Env["AWS_SESSION_TOKEN"])
	assert.Equal(t, "orders", r.Env["TABLE"])
	assert.Equal(t, "127.0.0.1:2000", r.Env["AWS_XRAY_DAEMON_ADDRESS"])
	assert.Empty(t, r.Env["AWS_EXECUTION_ENV"], "provided runtimes have none")
	assert.Equal(t, "v1", r.Version)
	assert.Equal(t, "the test", r.Client, "the client context reaches the function")
	assert.Equal(t, []string{role + " fn"}, cr.sessions, "the session is named for the function")
	log1, _ := base64.StdEncoding.DecodeString(aws.ToString(first.LogResult))
	assert.Contains(t, string(log1), "Init Duration:", "the first invocation is a cold start")

	second, err := c.invoke(t, "fn", names, tail)
	require.NoError(t, err)
	r2 := decode[fnReply](t, second.Payload)
	assert.Equal(t, r.Env["AWS_LAMBDA_LOG_STREAM_NAME"], r2.Env["AWS_LAMBDA_LOG_STREAM_NAME"], "same process, same stream")
	assert.NotEqual(t, r.RequestID, r2.RequestID)
	log2, _ := base64.StdEncoding.DecodeString(aws.ToString(second.LogResult))
	assert.NotContains(t, string(log2), "Init Duration:", "the second invocation is warm")
	assert.Contains(t, string(log2), "START RequestId: "+r2.RequestID+" Version: $LATEST")
	assert.Equal(t, 1, c.svc.Warm("fn"))
	assert.Len(t, cr.sessions, 1)

	_, err = c.svc.UpdateFunctionCode(context.Background(), &functions.UpdateFunctionCodeInput{FunctionName: "fn",
		FunctionCode: functions.FunctionCode{ZipFile: zipOf(t, fnBinary, map[string]string{"version.txt": "v2"})}})
	require.NoError(t, err)
	assert.Zero(t, c.svc.Warm("fn"), "the old code's processes are retired")
	third, err := c.invoke(t, "fn", `{}`)
	require.NoError(t, err)
	assert.Equal(t, "v2", decode[fnReply](t, third.Payload).Version, "the new code runs")
}

func TestReservedConcurrencyThrottlesAndTheProcessCapQueues(t *testing.T) {
	c := startCloud(t, "", functions.WithMaxProcesses(1))
	c.create(t, "slow", zipOf(t, fnBinary, nil))
	ctx := context.Background()
	_, err := c.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(2)})
	require.NoError(t, err)
	got, err := c.client.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("slow")})
	require.NoError(t, err)
	assert.Equal(t, int32(2), aws.ToInt32(got.ReservedConcurrentExecutions))

	dir := t.TempDir()
	started, release := filepath.Join(dir, "started"), filepath.Join(dir, "release")
	slow, _ := json.Marshal(map[string]any{"count": started, "failUntil": -1, "waitFile": release})
	results := make(chan error, 2)
	for range 2 {
		go func() {
			out, err := c.invoke(t, "slow", string(slow))
			if err == nil && out.FunctionError != nil {
				err = errors.New(string(out.Payload))
			}
			results <- err
		}()
	}
	// One runs; the other is admitted (reserved 2) but waits for the one
	// process the cap allows; a third is over the reservation.
	require.Eventually(t, func() bool { _, err := os.Stat(started); return err == nil }, 10*time.Second, 2*time.Millisecond)
	require.Eventually(t, func() bool { return c.svc.Concurrent("slow") == 2 }, 10*time.Second, 2*time.Millisecond)
	_, err = c.invoke(t, "slow", `{}`)
	var tm *types.TooManyRequestsException
	require.ErrorAs(t, err, &tm)
	assert.Equal(t, types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded, tm.Reason)
	assert.Equal(t, "Rate Exceeded.", tm.ErrorMessage())
	require.NoError(t, os.WriteFile(release, nil, 0o644))
	require.NoError(t, <-results)
	require.NoError(t, <-results)
	b, _ := os.ReadFile(started)
	assert.Equal(t, 2, strings.Count(string(b), "\n"), "both ran, one after the other")
	assert.Equal(t, 1, c.svc.Warm("slow"))

	_, err = c.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(0)})
	require.NoError(t, err)
	_, err = c.invoke(t, "slow", `{}`)
	require.ErrorAs(t, err, &tm, "reserved concurrency 0 stops the function")
}

func TestAccountConcurrencyThrottles(t *testing.T) {
	c := startCloud(t, "", functions.WithAccountConcurrency(1))
	c.create(t, "a", zipOf(t, fnBinary, nil))
	c.create(t, "b", zipOf(t, fnBinary, nil))
	release := filepath.Join(t.TempDir(), "release")
	slow, _ := json.Marshal(map[string]any{"waitFile": release})
	done := make(chan error, 1)
	go func() {
		_, err := c.invoke(t, "a", string(slow))
		done <- err
	}()
	require.Eventually(t, func() bool { return c.svc.Concurrent("a") == 1 }, 10*time.Second, 2*time.Millisecond)
	_, err := c.invoke(t, "b", `{}`)
	var tm *types.TooManyRequestsException
	require.ErrorAs(t, err, &tm)
	assert.Equal(t, types.ThrottleReasonConcurrentInvocationLimitExceeded, tm.Reason)
	require.NoError(t, os.WriteFile(release, nil, 0o644))
	require.NoError(t, <-done)
	_, err = c.invoke(t, "b", `{}`)
	require.NoError(t, err, "free again")
}

func TestAuthorizationNamesTheFunction(t *testing.T) {
	svc, _ := newService(t, nil)
	action, res := svc.Authorization("Invoke", &localcloud.Request{Labels: map[string]string{"FunctionName": "check-pizza"}, Query: url.Values{}})
	assert.Equal(t, "lambda:InvokeFunction", action)
	assert.Equal(t, []string{"arn:aws:lambda:us-east-1:123456789012:function:check-pizza"}, res)
	action, res = svc.Authorization("GetFunction", &localcloud.Request{Labels: map[string]string{"FunctionName": "check-pizza"}, Query: url.Values{"Qualifier": {"$LATEST"}}})
	assert.Equal(t, "lambda:GetFunction", action)
	assert.Equal(t, []string{"arn:aws:lambda:us-east-1:123456789012:function:check-pizza:$LATEST"}, res)
	action, res = svc.Authorization("ListFunctions", &localcloud.Request{Query: url.Values{}})
	assert.Equal(t, "lambda:ListFunctions", action)
	assert.Equal(t, []string{"*"}, res)
}

func TestTimeoutAndCrashAreReportedAndTheNextInvokeStartsFresh(t *testing.T) {
	c := startCloud(t, "")
	c.create(t, "fn", zipOf(t, fnBinary, nil), func(in *functions.CreateFunctionInput) { in.Timeout = aws.Int(1) })

	out, err := c.invoke(t, "fn", `{"sleepMs":30000}`, func(in *lambda.InvokeInput) { in.LogType = types.LogTypeTail })
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	assert.Equal(t, fnError{Type: "Sandbox.Timedout", Message: "Task timed out after 1.00 seconds"}, decode[fnError](t, out.Payload))
	log, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	assert.Contains(t, string(log), "Task timed out after 1.00 seconds")
	assert.Contains(t, string(log), "Status: timeout")
	assert.Zero(t, c.svc.Warm("fn"))

	out, err = c.invoke(t, "fn", `{"exit":2}`)
	require.NoError(t, err)
	e := decode[fnError](t, out.Payload)
	assert.Equal(t, "Runtime.ExitError", e.Type)
	assert.Regexp(t, `^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 2$`, e.Message)

	out, err = c.invoke(t, "fn", `{"fail":"typed"}`)
	require.NoError(t, err)
	assert.Equal(t, fnError{Type: "Boom", Message: "typed"}, decode[fnError](t, out.Payload))
	out, err = c.invoke(t, "fn", `{}`)
	require.NoError(t, err)
	assert.Nil(t, out.FunctionError, "a function error keeps the process; a crash does not stop the next")
}

func TestInitFailureIsReportedAsLambdaReportsIt(t *testing.T) {
	c := startCloud(t, "")
	c.create(t, "fn", zipOf(t, fnBinary, nil), func(in *functions.CreateFunctionInput) {
		in.Environment = &functions.Environment{Variables: map[string]string{"FAIL_INIT": "1"}}
	})
	out, err := c.invoke(t, "fn", `{}`, func(in *lambda.InvokeInput) { in.LogType = types.LogTypeTail })
	require.NoError(t, err)
	e := decode[fnError](t, out.Payload)
	assert.Equal(t, "Runtime.ExitError", e.Type)
	assert.Regexp(t, `^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$`, e.Message)
	log, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	assert.Contains(t, string(log), "init fails\n", "the init's output is in the log")
}

func TestIdleProcessesAreReaped(t *testing.T) {
	c := startCloud(t, "", functions.WithIdleTimeout(20*time.Millisecond))
	c.create(t, "fn", zipOf(t, fnBinary, nil))
	_, err := c.invoke(t, "fn", `{}`)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return c.svc.Warm("fn") == 0 }, 10*time.Second, 5*time.Millisecond)
	out, err := c.invoke(t, "fn", `{}`)
	require.NoError(t, err)
	assert.Nil(t, out.FunctionError)
}

func TestBootstrapForAnotherMachineSaysHowToFixIt(t *testing.T) {
	c := startCloud(t, "")
	c.create(t, "foreign", zipOf(t, foreignBinary, nil))
	for range 2 {
		out, err := c.invoke(t, "foreign", `{}`)
		require.NoError(t, err)
		assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
		e := decode[fnError](t, out.Payload)
		assert.Equal(t, "Runtime.InvalidEntrypoint", e.Type)
		assert.Regexp(t, `^the function's bootstrap is a linux/\w+ executable and this machine runs \w+/\w+: build it for this machine \(go run mage.go build builds host binaries for the local cloud\)$`, e.Message)
	}
}

func TestAWSCLIInvokesAFunction(t *testing.T) {
	lctest.RequireAWSCLI(t)
	c := startCloud(t, "")
	c.create(t, "check-pizza", zipOf(t, pizzaBinary, nil))
	outFile := filepath.Join(t.TempDir(), "out.json")
	cmd := lctest.AWSCommand("--endpoint-url", c.endpoint, "--output", "json", "lambda", "invoke", "--function-name", "check-pizza",
		"--payload", `{"flavour":"Hawaiian"}`, outFile)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, string(b))
	assert.JSONEq(t, `{"StatusCode":200,"ExecutedVersion":"$LATEST"}`, string(b))
	payload, err := os.ReadFile(outFile)
	require.NoError(t, err)
	assert.JSONEq(t, `{"containsPineapple":true}`, string(payload))
}
