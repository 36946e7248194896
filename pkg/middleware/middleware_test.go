package middleware

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type order struct {
	Flavour string `json:"flavour"`
}

type InvalidOrder struct{ Reason string }

func (e *InvalidOrder) Error() string { return e.Reason }

func (o *order) Validate() error {
	switch o.Flavour {
	case "":
		return &InvalidOrder{Reason: "flavour is required"}
	case "plain-error":
		return errors.New("flavour is plain")
	}
	return nil
}

type checked struct {
	Pineapple bool `json:"containsPineapple"`
}

type OutOfDough struct{}

func (*OutOfDough) Error() string { return "out of dough" }

func check(_ context.Context, o order) (checked, error) {
	switch o.Flavour {
	case "panic":
		panic("oven on fire")
	case "dough":
		return checked{}, fmt.Errorf("bake: %w", &OutOfDough{})
	case "stdlib":
		return checked{}, errors.New("plain failure")
	}
	return checked{Pineapple: o.Flavour == "pineapple"}, nil
}

// lines splits output into decoded JSON lines.
func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "every output line is JSON: %s", l)
		out = append(out, m)
	}
	return out
}

func metricLines(all []map[string]any) []map[string]any {
	var out []map[string]any
	for _, m := range all {
		if _, ok := m["_aws"]; ok {
			out = append(out, m)
		}
	}
	return out
}

func logLines(all []map[string]any) []map[string]any {
	var out []map[string]any
	for _, m := range all {
		if _, ok := m["_aws"]; !ok {
			out = append(out, m)
		}
	}
	return out
}

func lambdaCtx(requestID string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: requestID})
}

func TestInvokeReportsErrorsUnderTheirTypeNames(t *testing.T) {
	tests := []struct {
		name     string
		payload  string
		wantOut  string
		wantType string
	}{
		{"success encodes the output", `{"flavour":"pineapple"}`, `{"containsPineapple":true}`, ""},
		{"malformed JSON is MalformedInput", `{"flavour":`, "", "MalformedInput"},
		{"wrong JSON type is MalformedInput", `{"flavour":42}`, "", "MalformedInput"},
		{"validation error keeps its type name", `{}`, "", "InvalidOrder"},
		{"unnamed validation error is InvalidInput", `{"flavour":"plain-error"}`, "", "InvalidInput"},
		{"wrapped error reports the inner type", `{"flavour":"dough"}`, "", "OutOfDough"},
		{"plain stdlib error is Error", `{"flavour":"stdlib"}`, "", "Error"},
		{"panic becomes HandlerPanic", `{"flavour":"panic"}`, "", "HandlerPanic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := Wrap(check, WithOutput(&buf), WithFunctionName("pizza"))
			out, err := h.Invoke(lambdaCtx("r1"), []byte(tt.payload))
			if tt.wantType == "" {
				require.NoError(t, err)
				assert.JSONEq(t, tt.wantOut, string(out))
				return
			}
			require.Error(t, err)
			var ire messages.InvokeResponse_Error
			require.ErrorAs(t, err, &ire)
			assert.Equal(t, tt.wantType, ire.Type)
			assert.NotEmpty(t, ire.Message)
			assert.Nil(t, out)
		})
	}
}

func TestPanicIsLoggedWithItsStack(t *testing.T) {
	var buf bytes.Buffer
	h := Wrap(check, WithOutput(&buf), WithFunctionName("pizza"))
	_, err := h.Invoke(lambdaCtx("r1"), []byte(`{"flavour":"panic"}`))
	require.Error(t, err)
	logs := logLines(lines(t, &buf))
	require.Len(t, logs, 1)
	assert.Equal(t, "ERROR", logs[0]["level"])
	assert.Equal(t, "HandlerPanic", logs[0]["errorType"])
	assert.Contains(t, logs[0]["error"], "oven on fire")
	assert.Contains(t, logs[0]["stack"], "middleware.check")
}

func TestLogsCarryInvocationFields(t *testing.T) {
	var buf bytes.Buffer
	h := Wrap(func(ctx context.Context, o order) (checked, error) {
		Logger(ctx).InfoContext(ctx, "checking", "flavour", o.Flavour)
		return checked{}, nil
	}, WithOutput(&buf), WithFunctionName("pizza"))
	ctx := context.WithValue(lambdaCtx("req-1"), traceHeaderKey, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0")
	_, err := h.Invoke(ctx, []byte(`{"flavour":"ham"}`))
	require.NoError(t, err)
	_, err = h.Invoke(lambdaCtx("req-2"), []byte(`{"flavour":"ham"}`))
	require.NoError(t, err)

	logs := logLines(lines(t, &buf))
	require.Len(t, logs, 2)
	assert.Equal(t, "checking", logs[0]["message"])
	assert.Equal(t, "INFO", logs[0]["level"])
	assert.NotEmpty(t, logs[0]["timestamp"])
	assert.Equal(t, "pizza", logs[0]["function"])
	assert.Equal(t, "req-1", logs[0]["requestId"])
	assert.Equal(t, "1-5759e988-bd862e3fe1be46a994272793", logs[0]["traceId"])
	assert.Equal(t, true, logs[0]["coldStart"])
	assert.Equal(t, "ham", logs[0]["flavour"])

	assert.Equal(t, "req-2", logs[1]["requestId"])
	assert.Equal(t, false, logs[1]["coldStart"])
	assert.NotContains(t, logs[1], "traceId")
}

func TestSecretLookingAttributesAreRedacted(t *testing.T) {
	var buf bytes.Buffer
	h := Wrap(func(ctx context.Context, o order) (checked, error) {
		Logger(ctx).InfoContext(ctx, "calling", "apiKey", "k-123", "Authorization", "Bearer t-456",
			"webhookSecret", "s-789", "signature", "sig", "user", "alice")
		return checked{}, nil
	}, WithOutput(&buf))
	_, err := h.Invoke(context.Background(), []byte(`{"flavour":"ham"}`))
	require.NoError(t, err)
	out := buf.String()
	for _, secret := range []string{"k-123", "t-456", "s-789", `"sig"`} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, `"user":"alice"`)
	assert.Contains(t, out, `"apiKey":"[REDACTED]"`)
}

func TestEveryInvocationWritesOneEMFLine(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	h := Wrap(check, WithOutput(&buf), WithFunctionName("pizza"), WithNamespace("test"), withClock(func() time.Time { return clock }))
	_, _ = h.Invoke(context.Background(), []byte(`{"flavour":"ham"}`))
	_, _ = h.Invoke(context.Background(), []byte(`{"flavour":"dough"}`))

	ms := metricLines(lines(t, &buf))
	require.Len(t, ms, 2)

	ok := ms[0]
	aws := ok["_aws"].(map[string]any)
	assert.Equal(t, float64(clock.UnixMilli()), aws["Timestamp"])
	directives := aws["CloudWatchMetrics"].([]any)
	require.Len(t, directives, 1, "a success has no per-error-type directive")
	d := directives[0].(map[string]any)
	assert.Equal(t, "test", d["Namespace"])
	assert.Equal(t, []any{[]any{"FunctionName"}}, d["Dimensions"])
	var names []string
	for _, m := range d["Metrics"].([]any) {
		names = append(names, m.(map[string]any)["Name"].(string))
		assert.Contains(t, ok, m.(map[string]any)["Name"], "every declared metric has a value")
	}
	assert.Equal(t, []string{"Invocations", "Errors", "ColdStarts", "Duration"}, names)
	assert.Equal(t, "pizza", ok["FunctionName"])
	assert.Equal(t, 1.0, ok["Invocations"])
	assert.Equal(t, 0.0, ok["Errors"])
	assert.Equal(t, 1.0, ok["ColdStarts"])

	failed := ms[1]
	assert.Equal(t, 1.0, failed["Errors"])
	assert.Equal(t, 0.0, failed["ColdStarts"])
	assert.Equal(t, "OutOfDough", failed["ErrorType"])
	directives = failed["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)
	require.Len(t, directives, 2)
	assert.Equal(t, []any{[]any{"FunctionName", "ErrorType"}}, directives[1].(map[string]any)["Dimensions"])
}

func TestAppendJSONStringEscapes(t *testing.T) {
	in := "a\"b\\c\nd\x01é"
	var got string
	require.NoError(t, json.Unmarshal(appendJSONString(nil, in), &got))
	assert.Equal(t, in, got)
}

func TestTracedInvocationSendsAnAnnotatedSubsegment(t *testing.T) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, xray.Configure(xray.Config{DaemonAddr: conn.LocalAddr().String()}))

	var buf bytes.Buffer
	h := Wrap(check, WithOutput(&buf), WithFunctionName("pizza"))
	ctx := context.WithValue(lambdaCtx("r1"), traceHeaderKey, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	_, err = h.Invoke(ctx, []byte(`{"flavour":"dough"}`))
	require.Error(t, err)

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	packet := make([]byte, 64<<10)
	n, err := conn.Read(packet)
	require.NoError(t, err, "a subsegment reaches the daemon address")
	header, body, ok := strings.Cut(string(packet[:n]), "\n")
	require.True(t, ok)
	assert.Contains(t, header, `"format": "json"`)
	var seg struct {
		Name        string         `json:"name"`
		TraceID     string         `json:"trace_id"`
		ParentID    string         `json:"parent_id"`
		Type        string         `json:"type"`
		Fault       bool           `json:"fault"`
		Annotations map[string]any `json:"annotations"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &seg))
	assert.Equal(t, "pizza", seg.Name)
	assert.Equal(t, "1-5759e988-bd862e3fe1be46a994272793", seg.TraceID)
	assert.Equal(t, "53995c3f42cd8ad8", seg.ParentID)
	assert.Equal(t, "subsegment", seg.Type)
	assert.True(t, seg.Fault, "the error is recorded")
	assert.Equal(t, map[string]any{"ColdStart": true, "Outcome": "error", "ErrorType": "OutOfDough"}, seg.Annotations)
}

func TestUntracedInvocationNeedsNoDaemon(t *testing.T) {
	var buf bytes.Buffer
	h := Wrap(check, WithOutput(&buf))
	_, err := h.Invoke(context.Background(), []byte(`{"flavour":"ham"}`))
	require.NoError(t, err)
	assert.Empty(t, logLines(lines(t, &buf)), "no tracing complaint is logged")
}

func TestErrorTypeNames(t *testing.T) {
	assert.Equal(t, "OutOfDough", ErrorType(&OutOfDough{}))
	assert.Equal(t, "OutOfDough", ErrorType(fmt.Errorf("a: %w", fmt.Errorf("b: %w", &OutOfDough{}))))
	assert.Equal(t, "OutOfDough", ErrorType(errors.Join(&OutOfDough{}, errors.New("x"))))
	assert.Equal(t, "Error", ErrorType(errors.New("x")))
	assert.Equal(t, "MalformedInput", ErrorType(&MalformedInput{Err: errors.New("x")}))
	assert.Equal(t, "", ErrorType(nil))
}

func TestTraceRoot(t *testing.T) {
	assert.Equal(t, "1-a-b", traceRoot("Root=1-a-b;Parent=c;Sampled=1"))
	assert.Equal(t, "1-a-b", traceRoot("Parent=c;Root=1-a-b"))
	assert.Equal(t, "", traceRoot("Parent=c"))
	assert.Equal(t, "", traceRoot(""))
}

// passesLambdaFilter is Lambda's application log-level filtering as its docs
// describe it: a JSON line passes when its "level" is at or above the
// configured one, and a line without a valid level counts as INFO.
func passesLambdaFilter(line map[string]any, configured string) bool {
	order := map[string]int{"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "ERROR": 4, "FATAL": 5}
	lv, _ := line["level"].(string)
	n, ok := order[strings.ToUpper(lv)]
	if !ok {
		n = order["INFO"]
	}
	return n >= order[configured]
}

func TestMetricsSurviveARaisedApplicationLogLevel(t *testing.T) {
	for _, level := range []string{"DEBUG", "INFO", "WARN", "ERROR", "FATAL"} {
		t.Run(level, func(t *testing.T) {
			t.Setenv("AWS_LAMBDA_LOG_LEVEL", level)
			var buf bytes.Buffer
			h := Wrap(check, WithOutput(&buf), WithFunctionName("pizza"))
			_, _ = h.Invoke(context.Background(), []byte(`{"flavour":"ham"}`))
			_, _ = h.Invoke(context.Background(), []byte(`{"flavour":"dough"}`))

			ms := metricLines(lines(t, &buf))
			require.Len(t, ms, 2)
			for _, m := range ms {
				assert.True(t, passesLambdaFilter(m, level), "Lambda would drop the EMF line %v at level %s", m["level"], level)
			}
		})
	}
}
