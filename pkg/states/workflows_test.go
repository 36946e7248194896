package states_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/gen"
	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
	"github.com/stepforge/stepforge/pkg/workflow"
	"github.com/stepforge/stepforge/workflows/blogpublishing"
	"github.com/stepforge/stepforge/workflows/expresswebhook"
	"github.com/stepforge/stepforge/workflows/pizza"
	"github.com/stepforge/stepforge/workflows/retryon500"
	"github.com/stepforge/stepforge/workflows/uploadalarm"
)

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`)

// generated returns the machine's ASL as gen writes it, each ${Name}
// placeholder replaced by a fake ARN named for it: a Lambda function ARN,
// or an SNS topic ARN for names ending in TopicArn.
func generated(t testing.TB, w *workflow.Workflow, machine string) *asl.StateMachine {
	t.Helper()
	st, err := gen.Generate(w)
	require.NoError(t, err)
	raw, ok := st.ASL[machine]
	require.True(t, ok, "no machine %q in %v", machine, st.ASL)
	raw = placeholder.ReplaceAllFunc(raw, func(m []byte) []byte {
		name := string(placeholder.FindSubmatch(m)[1])
		if strings.HasSuffix(name, "TopicArn") {
			return []byte("arn:aws:sns:us-east-1:123456789012:" + strings.TrimSuffix(name, "Arn"))
		}
		return []byte("arn:aws:lambda:us-east-1:123456789012:function:" + strings.TrimSuffix(name, "FunctionArn"))
	})
	def, err := asl.Parse(raw)
	require.NoError(t, err)
	return def
}

func fn(name string) string { return "arn:aws:lambda:us-east-1:123456789012:function:" + name }

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func run(t testing.TB, def *asl.StateMachine, tasks states.Tasks, input string, opts ...states.Option) (*states.Execution, *states.VirtualClock) {
	t.Helper()
	clock := states.NewVirtualClock(epoch)
	opts = append([]states.Option{states.WithTasks(tasks), states.WithClock(clock), states.WithRandom(func() float64 { return 0.5 })}, opts...)
	m, err := states.New(def, opts...)
	require.NoError(t, err)
	ex, err := m.Run(context.Background(), []byte(input))
	require.NoError(t, err)
	return ex, clock
}

func eventTypes(ex *states.Execution) []types.HistoryEventType {
	var out []types.HistoryEventType
	for _, ev := range ex.History {
		out = append(out, ev.Type)
	}
	return out
}

// checkPizza is the pizza checker's logic: pineapple in the flavour.
func checkPizza(_ context.Context, payload any) (any, error) {
	p, _ := payload.(map[string]any)
	flavour, _ := p["flavour"].(string)
	return map[string]any{"containsPineapple": strings.Contains(strings.ToLower(flavour), "pineapple")}, nil
}

// Seed 001: pineapple fails with the Fail state's Error and Cause; anything
// else succeeds. https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
func TestPizzaWorkflow(t *testing.T) {
	def := generated(t, pizza.Workflow(), "Pizza")
	tasks := states.Router{asl.LambdaInvoke: states.LambdaFunc(checkPizza)}
	t.Run("pineapple fails the order", func(t *testing.T) {
		ex, _ := run(t, def, tasks, `{"flavour":"pineapple"}`)
		assert.Equal(t, states.StatusFailed, ex.Status)
		assert.Equal(t, "Failed To Make Pizza", ex.Error)
		assert.Equal(t, "They asked for Pineapple", ex.Cause)
		assert.Equal(t, []types.HistoryEventType{
			"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
			"ChoiceStateEntered", "ChoiceStateExited", "FailStateEntered", "ExecutionFailed",
		}, eventTypes(ex))
	})
	t.Run("margherita succeeds", func(t *testing.T) {
		ex, _ := run(t, def, tasks, `{"flavour":"margherita"}`)
		assert.Equal(t, states.StatusSucceeded, ex.Status)
		assert.JSONEq(t, `{"containsPineapple":false}`, string(ex.Output))
	})
}

// Seed retry-on-500: two 500s then a 200 succeed after two 10 s Waits,
// which take 20 s of virtual time and no real time.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
func TestRetryOn500Workflow(t *testing.T) {
	def := generated(t, retryon500.Workflow(), "RetryOn500")
	codes := []int{500, 500, 200}
	var calls int
	tasks := states.Router{asl.LambdaInvoke: states.LambdaFunc(func(_ context.Context, payload any) (any, error) {
		code := codes[min(calls, len(codes)-1)]
		calls++
		return map[string]any{"statusCode": code, "event": payload}, nil
	})}
	started := time.Now()
	ex, clock := run(t, def, tasks, `{"url":"https://example.com/status"}`)
	require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
	assert.Equal(t, 3, calls)
	assert.Equal(t, 20*time.Second, clock.Now().Sub(epoch), "two Waits of 10 s in virtual time")
	assert.Less(t, time.Since(started), 5*time.Second, "virtual waits cost no real time")
	var waits int
	for _, ev := range ex.History {
		if ev.Type == types.HistoryEventTypeWaitStateExited {
			waits++
		}
	}
	assert.Equal(t, 2, waits)
	assert.JSONEq(t, `{"statusCode":200,"event":{"attempt":3,"input":{"url":"https://example.com/status"}}}`, string(ex.Output))
}

type processingFailed struct{ msg string }

func (e *processingFailed) Error() string { return e.msg }

// Seed upload alarm: the processor's error is caught, its errorMessage
// published to the alarm topic, and the execution fails.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
func TestUploadAlarmWorkflow(t *testing.T) {
	def := generated(t, uploadalarm.Workflow(), "UploadAlarm")
	var mu sync.Mutex
	var published []map[string]any
	tasks := states.Router{
		asl.LambdaInvoke: states.LambdaFunc(func(context.Context, any) (any, error) {
			return nil, &processingFailed{msg: "notes.txt is not UTF-8 text"}
		}),
		asl.SNSPublish: states.TaskFunc(func(_ context.Context, req states.TaskRequest) (any, error) {
			mu.Lock()
			defer mu.Unlock()
			published = append(published, req.Parameters.(map[string]any))
			return map[string]any{"MessageId": "m-1"}, nil
		}),
	}
	ex, _ := run(t, def, tasks, `{"detail":{"bucket":{"name":"uploads"},"object":{"key":"notes.txt"}}}`)
	assert.Equal(t, states.StatusFailed, ex.Status)
	assert.Equal(t, "UploadProcessingFailed", ex.Error)
	assert.Equal(t, "notes.txt is not UTF-8 text", ex.Cause)
	require.Len(t, published, 1)
	assert.Equal(t, "notes.txt is not UTF-8 text", published[0]["Message"])
	assert.Equal(t, "Upload failed: notes.txt", published[0]["Subject"])
	assert.Equal(t, "processingFailed", published[0]["MessageAttributes"].(map[string]any)["errorType"].(map[string]any)["StringValue"])
}

// Seed blog publishing: a platform whose function fails is caught in its
// branch; the machine then fails with PublishFailed naming it.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
func TestBlogPublishingWorkflow(t *testing.T) {
	def := generated(t, blogpublishing.Workflow(), "BlogPublishing")
	publisher := func(platform string, fail bool) states.Tasks {
		return states.LambdaFunc(func(context.Context, any) (any, error) {
			if fail {
				return nil, errors.New(platform + " rejected the post")
			}
			return map[string]any{"platform": platform, "url": "https://" + strings.ToLower(platform) + ".example/post"}, nil
		})
	}
	router := func(failing string) states.Router {
		r := states.Router{}
		for _, p := range []string{"PublishMedium", "PublishDevto", "PublishHashnode"} {
			r[fn(p)] = publisher(strings.TrimPrefix(p, "Publish"), p == failing)
		}
		r[fn("IndexOpenSearch")] = states.LambdaFunc(func(context.Context, any) (any, error) {
			return map[string]any{"platform": "OpenSearch", "skipped": true}, nil
		})
		return r
	}
	t.Run("one platform failing fails the machine naming it", func(t *testing.T) {
		ex, _ := run(t, def, router("PublishDevto"), `{"post":{"id":"p1"}}`)
		assert.Equal(t, states.StatusFailed, ex.Status)
		assert.Equal(t, "PublishFailed", ex.Error)
		assert.Contains(t, ex.Cause, `Publishing failed for good on ["Devto"]`)
	})
	t.Run("all succeeding or skipped succeeds", func(t *testing.T) {
		ex, _ := run(t, def, router(""), `{"post":{"id":"p1"}}`)
		require.Equal(t, states.StatusSucceeded, ex.Status, "%s: %s", ex.Error, ex.Cause)
		var out map[string]any
		require.NoError(t, json.Unmarshal(ex.Output, &out))
		assert.Empty(t, out["failed"])
		assert.Len(t, out["results"], 4)
	})
}

// Seed express webhook: the payload printer hands its input back, which
// becomes the machine's output through OutputPath $.Payload.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
func TestExpressWebhookWorkflow(t *testing.T) {
	def := generated(t, expresswebhook.Workflow(), "Webhook")
	echo := states.Router{asl.LambdaInvoke: states.LambdaFunc(func(_ context.Context, p any) (any, error) { return p, nil })}
	ex, _ := run(t, def, echo, `{"hello":"world","n":1.50}`)
	require.Equal(t, states.StatusSucceeded, ex.Status)
	assert.Equal(t, `{"hello":"world","n":1.50}`, string(ex.Output), "numbers keep their text")
}

func BenchmarkPizza(b *testing.B) {
	def := generated(b, pizza.Workflow(), "Pizza")
	m, err := states.New(def,
		states.WithTasks(states.Router{asl.LambdaInvoke: states.LambdaFunc(checkPizza)}),
		states.WithClock(states.NewVirtualClock(epoch)),
	)
	require.NoError(b, err)
	input := []byte(`{"flavour":"margherita"}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ex, err := m.Run(ctx, input, states.WithExecutionName("bench"))
		if err != nil || ex.Status != states.StatusSucceeded {
			b.Fatal(err, ex.Status)
		}
	}
}

// BenchmarkMap1000 runs an inline Map of 1,000 items, 10 at a time, each
// iteration one in-memory task.
func BenchmarkMap1000(b *testing.B) {
	def, err := asl.Parse([]byte(`{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":10,
		"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"OutputPath":"$.Payload","End":true}}},"End":true}}}`))
	require.NoError(b, err)
	m, err := states.New(def,
		states.WithTasks(states.Router{asl.LambdaInvoke: states.LambdaFunc(func(_ context.Context, p any) (any, error) { return p, nil })}),
		states.WithClock(states.NewVirtualClock(epoch)),
	)
	require.NoError(b, err)
	items := make([]string, 1000)
	for i := range items {
		items[i] = `{"n":` + strconv.Itoa(i) + `}`
	}
	input := []byte("[" + strings.Join(items, ",") + "]")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ex, err := m.Run(ctx, input, states.WithExecutionName("bench"))
		if err != nil || ex.Status != states.StatusSucceeded {
			b.Fatal(err, ex.Status)
		}
	}
}
