package traceview_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/golden"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
	"github.com/stepforge/stepforge/pkg/traceview"
)

const (
	pizzaTrace   = "1-5f000000-0000000000000000000000a1"
	webhookTrace = "1-5f000000-0000000000000000000000b2"
	oldTrace     = "1-5f000000-0000000000000000000000c3"
)

// put stores segs, their times in milliseconds after base.
func put(t *testing.T, svc *traces.Service, base time.Time, segs ...traces.Segment) {
	t.Helper()
	var shift func(s *traces.Segment)
	shift = func(s *traces.Segment) {
		s.StartTime = traces.Seconds(base.Add(time.Duration(s.StartTime * float64(time.Millisecond))))
		if s.EndTime != 0 {
			s.EndTime = traces.Seconds(base.Add(time.Duration(s.EndTime * float64(time.Millisecond))))
		}
		for i := range s.Subsegments {
			shift(&s.Subsegments[i])
		}
	}
	for _, s := range segs {
		shift(&s)
		require.NoError(t, svc.PutSegment(context.Background(), s))
	}
}

// pizzaSegments is one order through API Gateway, the state machine, a
// Lambda function and its SDK call, each service's segment joined to the
// subsegment that called it; the function's Invocation arrives on its
// own, as an independent subsegment.
func pizzaSegments() []traces.Segment {
	return []traces.Segment{
		{Name: "pizza", ID: "a000000000000001", TraceID: pizzaTrace, StartTime: 0, EndTime: 412, Origin: "AWS::ApiGateway::Stage",
			HTTP:        &traces.HTTP{Request: &traces.HTTPRequest{Method: "POST"}, Response: &traces.HTTPResponse{Status: 200}},
			Subsegments: []traces.Segment{{Name: "StepFunctions", ID: "a000000000000002", StartTime: 1, EndTime: 411, Namespace: "aws"}}},
		{Name: "PizzaStateMachine", ID: "b000000000000001", TraceID: pizzaTrace, ParentID: "a000000000000002", StartTime: 1, EndTime: 411, Origin: "AWS::StepFunctions::StateMachine",
			Subsegments: []traces.Segment{
				{Name: "RefuseOrder", ID: "b000000000000003", StartTime: 400, EndTime: 400.2, Error: true,
					Cause: &traces.Cause{Exceptions: []traces.Exception{{ID: "e000000000000001", Message: "Failed To Make Pizza", Type: "PineappleError"}}}},
				{Name: "CheckPizza", ID: "b000000000000002", StartTime: 2, EndTime: 14},
			}},
		{Name: "pizza-CheckPizza", ID: "c000000000000001", TraceID: pizzaTrace, ParentID: "b000000000000002", StartTime: 2.5, EndTime: 13.5, Origin: "AWS::Lambda"},
		{Name: "pizza-CheckPizza", ID: "d000000000000001", TraceID: pizzaTrace, ParentID: "c000000000000001", StartTime: 3, EndTime: 12, Origin: "AWS::Lambda::Function"},
		{Type: "subsegment", Name: "Invocation", ID: "d000000000000002", TraceID: pizzaTrace, ParentID: "d000000000000001", StartTime: 3.5, EndTime: 11.5,
			Subsegments: []traces.Segment{{Name: "SNS", ID: "d000000000000003", StartTime: 5, EndTime: 9, Namespace: "aws", Throttle: true, Error: true,
				HTTP: &traces.HTTP{Response: &traces.HTTPResponse{Status: 429}}}}},
	}
}

func startWithTraces(t *testing.T) *xray.Client {
	t.Helper()
	svc := traces.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	now := time.Now()
	put(t, svc, now.Add(-2*time.Minute), pizzaSegments()...)
	put(t, svc, now.Add(-3*time.Minute), traces.Segment{Name: "webhook", ID: "f000000000000001", TraceID: webhookTrace, StartTime: 0, InProgress: true, Origin: "AWS::ApiGateway::Stage",
		Fault: true, Cause: &traces.Cause{ExceptionID: "e000000000000009"}, Subsegments: []traces.Segment{{Name: "Verify", ID: "f000000000000002", StartTime: 1, EndTime: 2, Fault: true,
			Cause: &traces.Cause{Exceptions: []traces.Exception{{ID: "e000000000000009", Message: "signature mismatch"}}}}}})
	put(t, svc, now.Add(-time.Hour), traces.Segment{Name: "old", ID: "0000000000000001", TraceID: oldTrace, StartTime: 0, EndTime: 1})
	return xray.NewFromConfig(cfg)
}

func TestPrintShowsTheLatestTracesAsTrees(t *testing.T) {
	client := startWithTraces(t)
	var out bytes.Buffer
	require.NoError(t, traceview.Print(context.Background(), client, traceview.Options{Out: &out}))
	golden.Assert(t, "testdata/latest.txt", out.Bytes())
	assert.NotContains(t, out.String(), oldTrace, "older than ten minutes")
}

func TestPrintLimitKeepsTheNewest(t *testing.T) {
	client := startWithTraces(t)
	var out bytes.Buffer
	require.NoError(t, traceview.Print(context.Background(), client, traceview.Options{Out: &out, Limit: 1, Since: 2 * time.Hour}))
	assert.Contains(t, out.String(), pizzaTrace)
	assert.NotContains(t, out.String(), webhookTrace)

	out.Reset()
	require.NoError(t, traceview.Print(context.Background(), client, traceview.Options{Out: &out, Limit: 10, Since: 2 * time.Hour}))
	assert.Contains(t, out.String(), oldTrace)
}

func TestPrintOneTraceByID(t *testing.T) {
	client := startWithTraces(t)
	var out bytes.Buffer
	require.NoError(t, traceview.Print(context.Background(), client, traceview.Options{Out: &out, TraceID: oldTrace}))
	assert.Equal(t, oldTrace+"  old  1 ms\n└─ old  1 ms\n", out.String())

	err := traceview.Print(context.Background(), client, traceview.Options{Out: &out, TraceID: "1-5f000000-0000000000000000000000d4"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no trace 1-5f000000-0000000000000000000000d4")
}

func TestPrintSaysWhenThereAreNoTraces(t *testing.T) {
	cfg, _, _ := lctest.Start(t, traces.New(lctest.Store(t)))
	var out bytes.Buffer
	require.NoError(t, traceview.Print(context.Background(), xray.NewFromConfig(cfg), traceview.Options{Out: &out, Since: time.Minute}))
	assert.Equal(t, "no traces in the last 1m0s\n", out.String())
}
