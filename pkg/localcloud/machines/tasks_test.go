package machines_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
	"github.com/stepforge/stepforge/pkg/states"
)

func TestUploadAlarmPublishesTheCause(t *testing.T) {
	ctx := context.Background()
	failing := invoker(func(context.Context, string, string, []byte, string) ([]byte, *machines.FunctionError, error) {
		return nil, &machines.FunctionError{Type: "EmptyFile", Message: "notes.txt is empty"}, nil
	})
	pub := &published{}
	svc := newService(t, lctest.Store(t), machines.WithLambda(failing), machines.WithPublisher(pub))
	client := serve(t, svc)
	topic := "arn:aws:sns:us-east-1:123456789012:alarms"
	arn := create(t, client, "UploadAlarm", definition(t, "uploadalarm.asl.json", map[string]string{
		"ProcessUploadFunctionArn": "ProcessUpload", "AlarmTopicArn": topic}), types.StateMachineTypeStandard)
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn,
		Input: aws.String(`{"detail":{"object":{"key":"notes.txt"}}}`)})
	require.NoError(t, err)
	d := wait(t, client, aws.ToString(started.ExecutionArn))
	assert.Equal(t, types.ExecutionStatusFailed, d.Status)
	assert.Equal(t, "UploadProcessingFailed", aws.ToString(d.Error))
	assert.Equal(t, "notes.txt is empty", aws.ToString(d.Cause))

	require.Len(t, pub.msgs, 1)
	m := pub.msgs[0]
	assert.Equal(t, topic, m.Topic)
	assert.Equal(t, "us-east-1", m.Region)
	assert.Equal(t, "notes.txt is empty", m.Message)
	assert.Equal(t, "Upload failed: notes.txt", m.Subject)
	assert.Equal(t, machines.MessageAttribute{DataType: "String", StringValue: "EmptyFile"}, m.Attributes["errorType"])

	// The task's result is what AWS's optimised SNS integration returns.
	page, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
	require.NoError(t, err)
	var result map[string]any
	for _, ev := range page.Events {
		if ev.TaskSucceededEventDetails != nil && aws.ToString(ev.TaskSucceededEventDetails.ResourceType) == "sns" {
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(ev.TaskSucceededEventDetails.Output)), &result))
		}
	}
	assert.NotEmpty(t, result["MessageId"])
	assert.Contains(t, result, "SdkHttpMetadata")
	assert.Contains(t, result, "SdkResponseMetadata")
}

func TestADeniedInvokeFailsTheTaskAsAWSDoes(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var asked []string
	deny := authorizer(func(_ context.Context, role, action, resource string) error {
		mu.Lock()
		asked = append(asked, role+" "+action+" "+resource)
		mu.Unlock()
		return errors.New("")
	})
	svc := newService(t, lctest.Store(t), machines.WithLambda(invoker(checkPizza)), machines.WithAuthorizer(deny), machines.WithClock(states.NewVirtualClock(time.Now())))
	client := serve(t, svc)
	arn := create(t, client, "Pizza", definition(t, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": "CheckPizza"}), types.StateMachineTypeExpress)
	out, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"flavour":"ham"}`)})
	require.NoError(t, err)
	assert.Equal(t, types.SyncExecutionStatusFailed, out.Status)
	assert.Equal(t, "Lambda.AWSLambdaException", aws.ToString(out.Error))
	assert.Regexp(t, `^User: arn:aws:sts::123456789012:assumed-role/pizza-role/[0-9a-f]{32} is not authorized to perform: lambda:InvokeFunction on resource: `+
		pizzaFn+` because no identity-based policy allows the lambda:InvokeFunction action \(Service: Lambda, Status Code: 403, Request ID: [0-9a-f-]{36}\)$`, aws.ToString(out.Cause))
	assert.Len(t, asked, 4, "the task and its three retries each asked")
	assert.Equal(t, role+" lambda:InvokeFunction "+pizzaFn, asked[0])
}

func TestLambdaAPIErrorsAreNamedAsTheIntegrationNamesThem(t *testing.T) {
	ctx := context.Background()
	throttled := invoker(func(context.Context, string, string, []byte, string) ([]byte, *machines.FunctionError, error) {
		return nil, nil, &localcloud.Error{Code: "ResourceNotFoundException", Message: "Function not found: " + pizzaFn, Status: 404}
	})
	svc := newService(t, lctest.Store(t), machines.WithLambda(throttled))
	client := serve(t, svc)
	arn := create(t, client, "Pizza", definition(t, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn}), types.StateMachineTypeExpress)
	out, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, "Lambda.ResourceNotFoundException", aws.ToString(out.Error))
	assert.True(t, strings.HasPrefix(aws.ToString(out.Cause), "Function not found: "+pizzaFn+" (Service: Lambda, Status Code: 404, Request ID: "), aws.ToString(out.Cause))
}

func TestAnIntegrationTheLocalCloudLacksFailsByName(t *testing.T) {
	svc := newService(t, lctest.Store(t))
	client := serve(t, svc)
	arn := create(t, client, "Put", `{"StartAt":"Put","States":{"Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
		"Parameters":{"TableName":"t","Item":{}},"End":true}}}`, types.StateMachineTypeExpress)
	out, err := client.StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, "States.TaskFailed", aws.ToString(out.Error))
	assert.Equal(t, "the local cloud does not run the integration arn:aws:states:::dynamodb:putItem", aws.ToString(out.Cause))
}

func TestMockConfigTestCasesAnswerTheTasks(t *testing.T) {
	ctx := context.Background()
	called := false
	never := invoker(func(context.Context, string, string, []byte, string) ([]byte, *machines.FunctionError, error) {
		called = true
		return []byte(`{}`), nil, nil
	})
	path, err := filepath.Abs("testdata/mocks.json")
	require.NoError(t, err)
	svc := newService(t, lctest.Store(t), machines.WithLambda(never), machines.WithMockConfig(path), machines.WithClock(states.NewVirtualClock(time.Now())))
	client := serve(t, svc)
	arn := create(t, client, "Pizza", definition(t, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn}), types.StateMachineTypeExpress)

	out, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn + "#Pineapple"), Input: aws.String(`{"flavour":"ham"}`)})
	require.NoError(t, err)
	assert.Equal(t, types.SyncExecutionStatusFailed, out.Status, "the mock says pineapple")
	assert.Equal(t, "Failed To Make Pizza", aws.ToString(out.Error))

	out, err = client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn + "#Flaky")})
	require.NoError(t, err)
	assert.Equal(t, types.SyncExecutionStatusSucceeded, out.Status, "two throttles retried, then the mocked answer")
	assert.False(t, called, "a mocked task never reaches Lambda")

	_, err = client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn + "#NoSuchCase")})
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, "ValidationException", apiErr.ErrorCode())
	assert.Contains(t, err.Error(), "NoSuchCase")
}

func TestTestStateRunsOneState(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, lctest.Store(t))
	client := serve(t, svc)
	out, err := client.TestState(ctx, &sfn.TestStateInput{
		Definition:      aws.String(`{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.name)"},"ResultPath":"$.out","Next":"Done"}`),
		RoleArn:         aws.String(role),
		Input:           aws.String(`{"name":"Ada"}`),
		InspectionLevel: types.InspectionLevelDebug,
	})
	require.NoError(t, err)
	assert.Equal(t, types.TestExecutionStatusSucceeded, out.Status)
	assert.Equal(t, "Done", aws.ToString(out.NextState))
	assert.JSONEq(t, `{"name":"Ada","out":{"greeting":"hello Ada"}}`, aws.ToString(out.Output))
	require.NotNil(t, out.InspectionData)
	assert.JSONEq(t, `{"greeting":"hello Ada"}`, aws.ToString(out.InspectionData.AfterParameters))

	caught, err := client.TestState(ctx, &sfn.TestStateInput{
		Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true,
			"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handle"}]}`),
		Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Oops"), Cause: aws.String("mocked")}},
	})
	require.NoError(t, err)
	assert.Equal(t, types.TestExecutionStatusCaughtError, caught.Status)
	assert.Equal(t, "Handle", aws.ToString(caught.NextState))
	assert.Equal(t, "Oops", aws.ToString(caught.Error))
}

func TestAChildExecutionRunsAndIsWaitedFor(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, lctest.Store(t))
	client := serve(t, svc)
	child := create(t, client, "Child", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"baked":true},"End":true}}}`, types.StateMachineTypeStandard)
	parent := create(t, client, "Parent", `{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
		"Parameters":{"StateMachineArn":"`+child+`","Input":{"order":1}},"OutputPath":"$.Output","End":true}}}`, types.StateMachineTypeStandard)
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &parent})
	require.NoError(t, err)
	d := wait(t, client, aws.ToString(started.ExecutionArn))
	assert.Equal(t, types.ExecutionStatusSucceeded, d.Status, "%s %s", aws.ToString(d.Error), aws.ToString(d.Cause))
	assert.JSONEq(t, `{"baked":true}`, aws.ToString(d.Output))
	assert.Contains(t, eventTypes(t, client, aws.ToString(started.ExecutionArn)), types.HistoryEventTypeTaskSubmitted)

	list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &child})
	require.NoError(t, err)
	require.Len(t, list.Executions, 1)
	assert.Equal(t, types.ExecutionStatusSucceeded, list.Executions[0].Status)
}

// logLines is a LogSink that records.
type logLines struct {
	mu      sync.Mutex
	streams map[string][]machines.LogLine
}

func (l *logLines) Append(_ context.Context, group, stream string, lines []machines.LogLine) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.streams[group+" "+stream] = append(l.streams[group+" "+stream], lines...)
	return nil
}

// segments is a Tracer that records.
type segments struct {
	mu   sync.Mutex
	segs []traces.Segment
}

func (s *segments) PutSegment(_ context.Context, seg traces.Segment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.segs = append(s.segs, seg)
	return nil
}

func TestLoggingAndTracingFollowTheMachinesConfiguration(t *testing.T) {
	ctx := context.Background()
	var traceSeen string
	fn := invoker(func(ctx context.Context, region, name string, payload []byte, trace string) ([]byte, *machines.FunctionError, error) {
		traceSeen = trace
		return checkPizza(ctx, region, name, payload, trace)
	})
	logs, tracer := &logLines{streams: map[string][]machines.LogLine{}}, &segments{}
	svc := newService(t, lctest.Store(t), machines.WithLambda(fn), machines.WithLogSink(logs), machines.WithTracer(tracer))
	client := serve(t, svc)
	out, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("Pizza"), RoleArn: aws.String(role), Type: types.StateMachineTypeExpress,
		Definition: aws.String(definition(t, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn})),
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll, IncludeExecutionData: false,
			Destinations: []types.LogDestination{{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(group)}}}},
		TracingConfiguration: &types.TracingConfiguration{Enabled: true},
	})
	require.NoError(t, err)
	res, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: out.StateMachineArn, Input: aws.String(`{"flavour":"ham"}`)})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusSucceeded, res.Status)
	h := traces.ParseHeader(aws.ToString(res.TraceHeader))
	assert.Equal(t, "1", h.Sampled)

	require.Len(t, logs.streams, 1)
	for key, lines := range logs.streams {
		assert.True(t, strings.HasPrefix(key, "/aws/vendedlogs/states/pizza states/Pizza/"), key)
		require.Len(t, lines, 11)
		var first map[string]any
		require.NoError(t, json.Unmarshal([]byte(lines[0].Message), &first))
		assert.Equal(t, "ExecutionStarted", first["type"])
		assert.Equal(t, "1", first["id"])
		assert.Equal(t, "0", first["previous_event_id"])
		assert.Equal(t, aws.ToString(res.ExecutionArn), first["execution_arn"])
		assert.NotContains(t, first["details"], "input", "includeExecutionData false")
	}

	require.Len(t, tracer.segs, 1)
	seg := tracer.segs[0]
	assert.Equal(t, "Pizza", seg.Name)
	assert.Equal(t, "AWS::StepFunctions::StateMachine", seg.Origin)
	assert.Equal(t, h.Root, seg.TraceID)
	var task *traces.Segment
	for i := range seg.Subsegments {
		if seg.Subsegments[i].Name == "CheckPizza" && len(seg.Subsegments[i].Subsegments) == 1 {
			task = &seg.Subsegments[i].Subsegments[0]
		}
	}
	require.NotNil(t, task, "the task state's subsegment holds the invoke's")
	assert.Equal(t, "Root="+h.Root+";Parent="+task.ID+";Sampled=1", traceSeen, "the function joins the trace under the task's subsegment")
}

func TestAuthorizationNamesTheActionAndResource(t *testing.T) {
	svc := newService(t, lctest.Store(t))
	exec := "arn:aws:states:us-east-1:123456789012:execution:Pizza:order-1"
	cases := []struct {
		op, body, resource string
	}{
		{"StartExecution", `{"stateMachineArn":"` + machines.ARN("", "Pizza") + `#HappyPath"}`, machines.ARN("", "Pizza")},
		{"StartSyncExecution", `{"stateMachineArn":"` + machines.ARN("", "Pizza") + `"}`, machines.ARN("", "Pizza")},
		{"DescribeExecution", `{"executionArn":"` + exec + `"}`, exec},
		{"StopExecution", `{"executionArn":"` + exec + `"}`, exec},
		{"GetExecutionHistory", `{"executionArn":"` + exec + `"}`, exec},
		{"SendTaskSuccess", `{"taskToken":"t","output":"{}"}`, "*"},
		{"CreateStateMachine", `{"name":"Pizza"}`, machines.ARN("", "Pizza")},
	}
	for _, c := range cases {
		action, res := svc.Authorization(c.op, &localcloud.Request{Body: []byte(c.body), Region: "us-east-1"})
		assert.Equal(t, "states:"+c.op, action)
		assert.Equal(t, []string{c.resource}, res, c.op)
	}
}

func TestExpressStartExecutionRunsAndLogsErrorsOnly(t *testing.T) {
	ctx := context.Background()
	logs := &logLines{streams: map[string][]machines.LogLine{}}
	svc := newService(t, lctest.Store(t), machines.WithLambda(invoker(checkPizza)), machines.WithLogSink(logs))
	client := serve(t, svc)
	out, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("Pizza"), RoleArn: aws.String(role), Type: types.StateMachineTypeExpress,
		Definition: aws.String(definition(t, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn})),
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelError, IncludeExecutionData: true,
			Destinations: []types.LogDestination{{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(group)}}}},
	})
	require.NoError(t, err)
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: out.StateMachineArn, Input: aws.String(`{"flavour":"pineapple"}`)})
	require.NoError(t, err)
	var lines []machines.LogLine
	for len(lines) == 0 {
		logs.mu.Lock()
		for _, l := range logs.streams {
			lines = l
		}
		logs.mu.Unlock()
		waitABit()
	}
	var got []string
	for _, l := range lines {
		var rec struct{ Type string }
		require.NoError(t, json.Unmarshal([]byte(l.Message), &rec))
		got = append(got, rec.Type)
	}
	assert.Equal(t, []string{"FailStateEntered", "ExecutionFailed"}, got)
}

func TestADeniedPublishFailsWithSNSsError(t *testing.T) {
	deny := authorizer(func(_ context.Context, _, action, resource string) error {
		return &localcloud.Error{Code: "AccessDenied", Message: "no " + action + " on " + resource}
	})
	svc := newService(t, lctest.Store(t), machines.WithPublisher(&published{}), machines.WithAuthorizer(deny))
	client := serve(t, svc)
	topic := "arn:aws:sns:us-east-1:123456789012:alarms"
	arn := create(t, client, "Tell", `{"StartAt":"Tell","States":{"Tell":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
		"Parameters":{"TopicArn":"`+topic+`","Message":{"hello":"world"}},"End":true}}}`, types.StateMachineTypeExpress)
	out, err := client.StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, "SNS.AuthorizationErrorException", aws.ToString(out.Error))
	assert.True(t, strings.HasPrefix(aws.ToString(out.Cause), "no sns:Publish on "+topic+" (Service: Sns, Status Code: 403, Request ID: "), aws.ToString(out.Cause))
}
