package functions_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/functions"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
)

// sink keeps the log events it is given, by group and stream.
type sink struct {
	mu     sync.Mutex
	events map[string][]string // "group stream" -> messages
}

func (s *sink) Append(_ context.Context, group, stream string, lines []functions.LogLine) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.events == nil {
		s.events = map[string][]string{}
	}
	for _, l := range lines {
		s.events[group+" "+stream] = append(s.events[group+" "+stream], l.Message)
	}
	return nil
}

func (s *sink) streams() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for k, v := range s.events {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// allow is an Authorizer from a func.
type allow func(role, action, resource string) bool

func (a allow) Allowed(_ context.Context, role, action, resource string) bool {
	return a(role, action, resource)
}

func TestLogsLandInTheFunctionsStreamWithLambdasPlatformLines(t *testing.T) {
	logs := &sink{}
	var asked []string
	var mu sync.Mutex
	c := startCloud(t, "", functions.WithLogs(logs), functions.WithAuthorizer(allow(func(role, action, resource string) bool {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, role+" "+action+" "+resource)
		return !strings.Contains(role, "nologs")
	})))
	c.create(t, "fn", zipOf(t, fnBinary, nil))
	out, err := c.invoke(t, "fn", `{"print":"hello from the function"}`)
	require.NoError(t, err)
	id := decode[fnReply](t, out.Payload).RequestID
	_, err = c.invoke(t, "fn", `{}`)
	require.NoError(t, err)

	streams := logs.streams()
	require.Len(t, streams, 1, "one process, one stream")
	for key, msgs := range streams {
		assert.Regexp(t, `^/aws/lambda/fn \d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`, key)
		require.GreaterOrEqual(t, len(msgs), 7)
		assert.Equal(t, "START RequestId: "+id+" Version: $LATEST\n", msgs[0])
		assert.Equal(t, "hello from the function\n", msgs[1], "the function's output, in order")
		assert.Equal(t, "END RequestId: "+id+"\n", msgs[2])
		assert.Regexp(t, `^REPORT RequestId: `+id+`\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d{2} ms\t\n$`, msgs[3])
		assert.NotContains(t, msgs[len(msgs)-1], "Init Duration", "a warm invocation has none")
	}
	assert.Contains(t, asked, role+" logs:PutLogEvents arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*")

	c.create(t, "quiet", zipOf(t, fnBinary, nil), func(in *functions.CreateFunctionInput) {
		in.Role = "arn:aws:iam::123456789012:role/nologs"
	})
	_, err = c.invoke(t, "quiet", `{"print":"dropped"}`)
	require.NoError(t, err)
	for key := range logs.streams() {
		assert.NotContains(t, key, "quiet", "Lambda drops the logs of a role that may not write them")
	}
}

func TestJSONLogFormatWritesPlatformRecords(t *testing.T) {
	logs := &sink{}
	c := startCloud(t, "", functions.WithLogs(logs))
	c.create(t, "fn", zipOf(t, fnBinary, nil), func(in *functions.CreateFunctionInput) {
		in.LoggingConfig = &functions.LoggingConfig{LogFormat: "JSON", LogGroup: "/custom/group"}
	})
	out, err := c.invoke(t, "fn", `{"env":["AWS_LAMBDA_LOG_FORMAT","AWS_LAMBDA_LOG_LEVEL"]}`)
	require.NoError(t, err)
	r := decode[fnReply](t, out.Payload)
	assert.Equal(t, map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "INFO"}, r.Env)
	var types []string
	for key, msgs := range logs.streams() {
		assert.True(t, strings.HasPrefix(key, "/custom/group "), key)
		for _, m := range msgs {
			var rec struct {
				Type   string         `json:"type"`
				Time   string         `json:"time"`
				Record map[string]any `json:"record"`
			}
			require.NoError(t, json.Unmarshal([]byte(m), &rec), m)
			assert.Equal(t, r.RequestID, rec.Record["requestId"])
			types = append(types, rec.Type)
			if rec.Type == "platform.report" {
				metrics := rec.Record["metrics"].(map[string]any)
				assert.Contains(t, metrics, "durationMs")
				assert.Contains(t, metrics, "initDurationMs")
				assert.Equal(t, "success", rec.Record["status"])
			}
		}
	}
	assert.Equal(t, []string{"platform.start", "platform.report"}, types)
}

// tracer keeps the segments it is given.
type tracer struct {
	mu   sync.Mutex
	segs []traces.Segment
}

func (tr *tracer) PutSegment(_ context.Context, s traces.Segment) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.segs = append(tr.segs, s)
	return nil
}

func TestTracedInvocationWritesLambdasSegments(t *testing.T) {
	tr := &tracer{}
	c := startCloud(t, "", functions.WithTracer(tr))
	c.create(t, "active", zipOf(t, fnBinary, nil), func(in *functions.CreateFunctionInput) {
		in.TracingConfig = &functions.TracingConfig{Mode: "Active"}
	})
	c.create(t, "passthrough", zipOf(t, fnBinary, nil))

	out, err := c.invoke(t, "active", `{}`)
	require.NoError(t, err)
	h := traces.ParseHeader(decode[fnReply](t, out.Payload).Trace)
	require.Len(t, tr.segs, 2)
	svc, fn := tr.segs[0], tr.segs[1]
	assert.Equal(t, "AWS::Lambda", svc.Origin)
	assert.Equal(t, "active", svc.Name)
	assert.Empty(t, svc.ParentID, "a new trace")
	assert.Equal(t, "AWS::Lambda::Function", fn.Origin)
	assert.Equal(t, svc.ID, fn.ParentID)
	assert.Equal(t, svc.TraceID, fn.TraceID)
	var subs []string
	for _, s := range fn.Subsegments {
		subs = append(subs, s.Name)
	}
	assert.Equal(t, []string{"Initialization", "Invocation", "Overhead"}, subs)
	assert.Equal(t, traces.Header{Root: svc.TraceID, Parent: fn.ID, Sampled: "1"}, h, "the function's own segments go under the function segment")

	_, err = c.invoke(t, "passthrough", `{}`)
	require.NoError(t, err)
	require.Len(t, tr.segs, 2, "PassThrough without a sampled caller writes nothing")

	// A sampled caller (a state machine's task) traces a PassThrough
	// function too, in the caller's trace.
	caller := traces.Header{Root: traces.NewTraceID(time.Now()), Parent: traces.NewSegmentID(), Sampled: "1"}
	res, err := c.svc.Invoke(context.Background(), "", functions.InvokeInput{FunctionName: "passthrough", Payload: []byte(`{}`), TraceHeader: caller.String()})
	require.NoError(t, err)
	require.Len(t, tr.segs, 4)
	assert.Equal(t, caller.Root, tr.segs[2].TraceID)
	assert.Equal(t, caller.Parent, tr.segs[2].ParentID)
	got := traces.ParseHeader(decode[fnReply](t, res.Payload).Trace)
	assert.Equal(t, tr.segs[3].ID, got.Parent)
}
