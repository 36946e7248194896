package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
	"github.com/stepforge/stepforge/pkg/logview"
	"github.com/stepforge/stepforge/pkg/traceview"
)

// These drive the compute services through the AWS APIs, as the AWS CLI
// and SDK call them: functions invoked directly, machines started,
// roles edited, logs and traces read.

func TestThePizzaMachineRunsSynchronouslyBothWays(t *testing.T) {
	cfg, wf := sys.cfg, sys.outputs
	client := lctest.StepFunctions(cfg)
	ctx := context.Background()
	machine := wf["pizza"]["PizzaStateMachineArn"]
	port := (*cfg.BaseEndpoint)[strings.LastIndex(*cfg.BaseEndpoint, ":")+1:]
	assert.Regexp(t, `^http://[a-z0-9]{10}\.execute-api\.localhost:`+port+`/pizza$`, wf["pizza"]["PizzaHttpApiPostPizzaUrl"],
		"the stack's output is the URL the local cloud serves the API at")

	ok, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(machine), Input: aws.String(`{"flavour":"pepperoni"}`)})
	require.NoError(t, err)
	require.Equal(t, sfntypes.SyncExecutionStatusSucceeded, ok.Status, "%s: %s", aws.ToString(ok.Error), aws.ToString(ok.Cause))
	assert.JSONEq(t, `{"containsPineapple":false}`, aws.ToString(ok.Output))
	assert.Equal(t, `{"flavour":"pepperoni"}`, aws.ToString(ok.Input))
	assert.True(t, ok.InputDetails.Included)
	assert.True(t, ok.OutputDetails.Included)
	require.NotNil(t, ok.BillingDetails)
	assert.Equal(t, int64(64), ok.BillingDetails.BilledMemoryUsedInMB)
	assert.GreaterOrEqual(t, ok.BillingDetails.BilledDurationInMilliseconds, int64(100))
	assert.Equal(t, machine, aws.ToString(ok.StateMachineArn))
	assert.True(t, strings.HasPrefix(aws.ToString(ok.ExecutionArn), strings.Replace(machine, ":stateMachine:", ":express:", 1)+":"+aws.ToString(ok.Name)), aws.ToString(ok.ExecutionArn))
	assert.Len(t, aws.ToString(ok.Name), 36, "a generated name is a UUID")
	assert.Contains(t, aws.ToString(ok.TraceHeader), "Root=1-")
	assert.False(t, ok.StopDate.Before(*ok.StartDate))

	for _, flavour := range []string{"pineapple", "hawaiian"} {
		refused, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(machine), Input: aws.String(`{"flavour":"` + flavour + `"}`)})
		require.NoError(t, err)
		assert.Equal(t, sfntypes.SyncExecutionStatusFailed, refused.Status, flavour)
		assert.Equal(t, "Failed To Make Pizza", aws.ToString(refused.Error), flavour)
		assert.Equal(t, "They asked for Pineapple", aws.ToString(refused.Cause), flavour)
		assert.Nil(t, refused.Output, flavour)
	}
}

func TestRetryOn500WaitsAndAsksAgainUntilTheStatusIsNot500(t *testing.T) {
	localOnly(t, "the status stand-in")
	cfg, wf, status := sys.cfg, sys.outputs, sys.standins.Status
	status.Fail(2)
	before := len(status.Requests())
	client := lctest.StepFunctions(cfg)
	ctx := context.Background()
	start, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(wf["retry-on-500"]["RetryOn500StateMachineArn"]),
		Input: aws.String(`{"orderId":"A-1001"}`)})
	require.NoError(t, err)
	done := lctest.WaitForExecution(t, client, aws.ToString(start.ExecutionArn), time.Minute)
	require.Equal(t, sfntypes.ExecutionStatusSucceeded, done.Status, "%s: %s", aws.ToString(done.Error), aws.ToString(done.Cause))
	assert.Equal(t, 3, len(status.Requests())-before, "500, 500, then 200")

	// The history, page by page and newest first, holds the two waits.
	var events []sfntypes.HistoryEvent
	p := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, MaxResults: 5, ReverseOrder: true})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Events), 5)
		events = append(events, page.Events...)
	}
	require.NotEmpty(t, events)
	assert.Equal(t, sfntypes.HistoryEventTypeExecutionSucceeded, events[0].Type, "newest first")
	assert.Equal(t, sfntypes.HistoryEventTypeExecutionStarted, events[len(events)-1].Type)
	waits := 0
	for i, e := range events {
		if i > 0 {
			assert.Less(t, e.Id, events[i-1].Id)
		}
		if e.Type == sfntypes.HistoryEventTypeWaitStateEntered {
			waits++
		}
	}
	assert.Equal(t, 2, waits)
}

func TestATrimmedRoleFailsTheWorkflowWhereAWSWould(t *testing.T) {
	localOnly(t, "editing a role")
	cfg, wf := sys.cfg, sys.outputs
	ctx := context.Background()
	role := lctest.PhysicalIDs(t, cfg, "pizza")["PizzaStateMachineRole"]
	iamc := iam.NewFromConfig(cfg)
	policies, err := iamc.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	require.NoError(t, err)
	require.Len(t, policies.PolicyNames, 1)
	doc, err := iamc.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policies.PolicyNames[0])})
	require.NoError(t, err)
	var policy struct {
		Version   string
		Statement []map[string]any
	}
	// IAM answers policy documents URL-encoded (RFC 3986).
	raw, err := url.QueryUnescape(aws.ToString(doc.PolicyDocument))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(raw), &policy))
	kept := policy.Statement[:0]
	for _, st := range policy.Statement {
		if st["Sid"] != "InvokeFunctions" {
			kept = append(kept, st)
		}
	}
	require.Len(t, kept, len(policy.Statement)-1, "the role had the statement")
	t.Cleanup(func() {
		_, err := iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policies.PolicyNames[0]), PolicyDocument: aws.String(raw)})
		require.NoError(t, err, "the role is put back for the tests that follow")
	})
	policy.Statement = kept
	trimmed, err := json.Marshal(policy)
	require.NoError(t, err)
	_, err = iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policies.PolicyNames[0]), PolicyDocument: aws.String(string(trimmed))})
	require.NoError(t, err)

	out, err := lctest.StepFunctions(cfg).StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(wf["pizza"]["PizzaStateMachineArn"]), Input: aws.String(`{"flavour":"pepperoni"}`)})
	require.NoError(t, err)
	assert.Equal(t, sfntypes.SyncExecutionStatusFailed, out.Status)
	assert.Equal(t, "Lambda.AWSLambdaException", aws.ToString(out.Error))
	assert.Contains(t, aws.ToString(out.Cause), "is not authorized to perform: lambda:InvokeFunction on resource: "+physicalIDArn(t, cfg, "pizza", "CheckPizzaFunction"))
}

// physicalIDArn is a function's ARN.
func physicalIDArn(t testing.TB, cfg aws.Config, stack, logical string) string {
	out, err := lambda.NewFromConfig(cfg).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(lctest.PhysicalIDs(t, cfg, stack)[logical])})
	require.NoError(t, err)
	return aws.ToString(out.Configuration.FunctionArn)
}

// invocation is one call of a function and what must come back.
type invocation struct {
	logical, payload string
	// errorType is the function error expected; "" expects success, and
	// then output (when set) is a substring of the response.
	errorType, output string
}

func TestEveryFunctionRunsThroughTheLambdaAPI(t *testing.T) {
	localOnly(t, "the status stand-in")
	cfg, wf := sys.cfg, sys.outputs
	sys.standins.Status.Fail(-1) // always 200
	defer sys.standins.Status.Fail(2)
	ctx := context.Background()
	uploads := wf["upload-alarm"]["UploadsBucketName"]
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(uploads), Key: aws.String("hello.txt"), Body: strings.NewReader("hello world\nsecond line\n")})
	require.NoError(t, err)
	created := func(key string) string {
		return `{"version":"0","id":"1","detail-type":"Object Created","source":"aws.s3","account":"123456789012","time":"2026-12-02T10:00:00Z",` +
			`"region":"us-east-1","resources":["arn:aws:s3:::` + uploads + `"],"detail":{"version":"0","bucket":{"name":"` + uploads + `"},` +
			`"object":{"key":"` + key + `","size":24},"reason":"PutObject"}}`
	}
	post := `{"id":"c41d9b20-0a7e-4f51-8d3b-6e2f90a1b7c4","title":"Notes on Step Functions retries","body":"# Notes\n\nRetry what is transient.\n",` +
		`"categories":[],"createdAt":"2023-07-01T10:00:00Z","updatedAt":"2023-07-01T10:00:00Z"}`
	cases := map[string][]invocation{
		"pizza": {
			{logical: "CheckPizzaFunction", payload: `{"flavour":"pepperoni"}`, output: `"containsPineapple":false`},
			{logical: "CheckPizzaFunction", payload: `{}`, errorType: "InvalidOrder"},
		},
		"retry-on-500": {
			{logical: "CheckStatusFunction", payload: `{"orderId":"A-1"}`, output: `"statusCode":200`},
			{logical: "CheckStatusFunction", payload: `"not an object"`, output: `"statusCode":200`},
		},
		"upload-alarm": {
			{logical: "ProcessUploadFunction", payload: created("hello.txt"), output: "hello.txt"},
			{logical: "ProcessUploadFunction", payload: created("gone.txt"), errorType: "UploadNotFound"},
			{logical: "ProcessUploadFunction", payload: `{"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{}}}`, errorType: "InvalidEvent"},
		},
		"express-webhook": {
			{logical: "PrintPayloadFunction", payload: `{"event":"order.created","id":"evt_1"}`, output: "order.created"},
		},
		// The publishers read their secret from Secrets Manager with their
		// role (allowed on <name>-??????) and publish to the stand-ins.
		"blog-publishing": {
			{logical: "WebhookInitiatorFunction", payload: `{"httpMethod":"POST","headers":{},"body":"{}"}`, output: `"statusCode":401`},
			{logical: "PublishMediumFunction", payload: post, output: `"platform":"medium","id":`},
			{logical: "PublishMediumFunction", payload: `{}`, errorType: "InvalidPost"},
			{logical: "PublishDevtoFunction", payload: post, output: `"action":"created"`},
			{logical: "PublishDevtoFunction", payload: `{}`, errorType: "InvalidPost"},
			{logical: "PublishHashnodeFunction", payload: post, output: `"action":"created"`},
			{logical: "PublishHashnodeFunction", payload: `{}`, errorType: "InvalidPost"},
			{logical: "IndexOpenSearchFunction", payload: post, output: `"platform":"opensearch","id":"c41d9b20-0a7e-4f51-8d3b-6e2f90a1b7c4","action":"created"`},
			{logical: "IndexOpenSearchFunction", payload: `{}`, errorType: "InvalidPost"},
		},
	}
	lam := lambda.NewFromConfig(cfg)
	for stack, invs := range cases {
		ids := lctest.PhysicalIDs(t, cfg, stack)
		for _, inv := range invs {
			out, err := lam.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(ids[inv.logical]), Payload: []byte(inv.payload), LogType: lambdatypes.LogTypeTail})
			require.NoError(t, err, "%s %s", inv.logical, inv.payload)
			assert.Equal(t, int32(200), out.StatusCode)
			if inv.errorType != "" {
				assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError), "%s %s: %s", inv.logical, inv.payload, out.Payload)
				var fe struct{ ErrorType string }
				require.NoError(t, json.Unmarshal(out.Payload, &fe), "%s", out.Payload)
				assert.Equal(t, inv.errorType, fe.ErrorType, "%s %s: %s", inv.logical, inv.payload, out.Payload)
				continue
			}
			assert.Empty(t, aws.ToString(out.FunctionError), "%s %s: %s", inv.logical, inv.payload, out.Payload)
			assert.Contains(t, string(out.Payload), inv.output, "%s %s", inv.logical, inv.payload)
			assert.NotEmpty(t, aws.ToString(out.LogResult), "LogType Tail returns the log's tail")
		}
	}
}

func TestOnePizzaMakesOneTraceFromTheExecutionToTheFunction(t *testing.T) {
	cfg, wf := sys.cfg, sys.outputs
	ctx := context.Background()
	out, err := lctest.StepFunctions(cfg).StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(wf["pizza"]["PizzaStateMachineArn"]),
		Input: aws.String(`{"flavour":"pineapple"}`)})
	require.NoError(t, err)
	root := traces.ParseHeader(aws.ToString(out.TraceHeader)).Root
	require.NotEmpty(t, root)
	fn := lctest.PhysicalIDs(t, cfg, "pizza")["CheckPizzaFunction"]
	// Segments arrive asynchronously, as in AWS (the function's own over
	// UDP from its process): wait until the whole tree has.
	var tree bytes.Buffer
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		tree.Reset()
		err := traceview.Print(ctx, xray.NewFromConfig(cfg), traceview.Options{TraceID: root, Out: &tree})
		complete := err == nil && strings.Contains(tree.String(), "AWS::StepFunctions::StateMachine") && strings.Contains(tree.String(), "Invocation")
		if complete || time.Now().After(deadline) {
			require.NoError(t, err)
			break
		}
	}
	text := tree.String()
	t.Log("\n" + text)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	require.GreaterOrEqual(t, len(lines), 5, text)
	assert.True(t, strings.HasPrefix(lines[0], root), "one trace: %s", text)
	order := []string{"AWS::StepFunctions::StateMachine", "CheckPizza", fn + "  AWS::Lambda ", fn + "  AWS::Lambda::Function", "Invocation", "RefuseOrder"}
	at := 0
	for _, want := range order {
		i := strings.Index(text[at:], want)
		require.GreaterOrEqual(t, i, 0, "%q after %q in\n%s", want, text[:at], text)
		at += i
	}
	assert.Contains(t, text, "error: They asked for Pineapple", "the failed execution carries its cause")
}

func TestTheAWSCLIInvokesEveryFunctionAndRunsTheMachines(t *testing.T) {
	localOnly(t, "the local endpoint")
	lctest.RequireAWSCLI(t)
	cfg, wf, status := sys.cfg, sys.outputs, sys.standins.Status
	endpoint := aws.ToString(cfg.BaseEndpoint)
	// The CLI, like the SDK, puts StartSyncExecution on a "sync-" host
	// prefix; botocore's switch for it is this variable (or
	// disable_host_prefix_injection in the config file).
	t.Setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
	out := t.TempDir()
	var cmds [][]string
	var names []string
	for stack := range sys.outputs {
		ids := lctest.PhysicalIDs(t, cfg, stack)
		for logical, id := range ids {
			if strings.HasSuffix(logical, "Function") {
				names = append(names, id)
				cmds = append(cmds, []string{"lambda", "invoke", "--function-name", id, "--payload", `{}`, out + "/" + id + ".json"})
			}
		}
	}
	require.Len(t, names, 9)
	status.Fail(1)
	cmds = append(cmds,
		[]string{"stepfunctions", "start-sync-execution", "--state-machine-arn", wf["pizza"]["PizzaStateMachineArn"], "--input", `{"flavour":"hawaiian"}`},
		[]string{"stepfunctions", "start-execution", "--state-machine-arn", wf["retry-on-500"]["RetryOn500StateMachineArn"], "--input", `{"orderId":"cli"}`})
	results := lctest.AWSParallel(endpoint, cmds...)
	for i, name := range names {
		require.NoError(t, results[i].Err, "%s: %s", name, results[i].Out)
		var inv struct{ StatusCode int }
		require.NoError(t, json.Unmarshal(results[i].Out, &inv), "%s", results[i].Out)
		assert.Equal(t, 200, inv.StatusCode, "%s: %s", name, results[i].Out)
		reply, err := os.ReadFile(out + "/" + name + ".json")
		require.NoError(t, err)
		assert.NotEmpty(t, reply, name)
	}
	pizza := results[len(names)]
	require.NoError(t, pizza.Err, "%s", pizza.Out)
	var sync map[string]any
	require.NoError(t, json.Unmarshal(pizza.Out, &sync), "%s", pizza.Out)
	assert.Equal(t, "FAILED", sync["status"])
	assert.Equal(t, "Failed To Make Pizza", sync["error"])
	assert.Equal(t, "They asked for Pineapple", sync["cause"])
	assert.Contains(t, sync, "billingDetails")

	started := results[len(names)+1]
	require.NoError(t, started.Err, "%s", started.Out)
	var exec struct{ ExecutionArn string }
	require.NoError(t, json.Unmarshal(started.Out, &exec))
	done := lctest.WaitForExecution(t, lctest.StepFunctions(cfg), exec.ExecutionArn, time.Minute)
	require.Equal(t, sfntypes.ExecutionStatusSucceeded, done.Status)
	history := lctest.AWSParallel(endpoint, []string{"stepfunctions", "get-execution-history", "--execution-arn", exec.ExecutionArn, "--reverse-order"})[0]
	require.NoError(t, history.Err, "%s", history.Out)
	var h struct{ Events []struct{ Type string } }
	require.NoError(t, json.Unmarshal(history.Out, &h))
	require.NotEmpty(t, h.Events)
	assert.Equal(t, "ExecutionSucceeded", h.Events[0].Type)
	assert.Equal(t, "ExecutionStarted", h.Events[len(h.Events)-1].Type)
}

func TestAFunctionsAndAMachinesLogsReachCloudWatchLogs(t *testing.T) {
	cfg, wf := sys.cfg, sys.outputs
	ctx := context.Background()
	out, err := lctest.StepFunctions(cfg).StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(wf["pizza"]["PizzaStateMachineArn"]),
		Input: aws.String(`{"flavour":"margherita"}`)})
	require.NoError(t, err)
	require.Equal(t, sfntypes.SyncExecutionStatusSucceeded, out.Status)
	ids := lctest.PhysicalIDs(t, cfg, "pizza")
	fnGroup, err := logview.ResolveGroup(ctx, lambda.NewFromConfig(cfg), nil, ids["CheckPizzaFunction"])
	require.NoError(t, err)
	machineGroup, err := logview.ResolveGroup(ctx, nil, lctest.StepFunctions(cfg), ids["PizzaStateMachine"][strings.LastIndex(ids["PizzaStateMachine"], ":")+1:])
	require.NoError(t, err)
	// Delivery is asynchronous, as in AWS: poll until it has happened.
	read := func(group, pattern string) string {
		var buf bytes.Buffer
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			buf.Reset()
			require.NoError(t, logview.Tail(ctx, cloudwatchlogs.NewFromConfig(cfg), logview.Options{Group: group, Filter: pattern, Out: &buf, Location: time.UTC}))
			if buf.Len() > 0 {
				break
			}
		}
		return buf.String()
	}
	fnLogs := read(fnGroup, `margherita`)
	assert.Contains(t, fnLogs, "margherita", "the handler's own slog line")
	report := read(fnGroup, `{ $.type = "platform.report" }`)
	assert.Contains(t, report, "platform.report", "Lambda's JSON report record")
	machineLogs := read(machineGroup, `{ $.execution_arn = "`+aws.ToString(out.ExecutionArn)+`" }`)
	assert.Contains(t, machineLogs, "ExecutionSucceeded", "the machine logs at level ALL")
}
