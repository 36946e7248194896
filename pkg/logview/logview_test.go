package logview_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/golden"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
	"github.com/stepforge/stepforge/pkg/logview"
)

// pizzaLogs starts a local CloudWatch Logs holding what two invocations of
// a Lambda function wrote, in two streams, a minute ago.
func pizzaLogs(t *testing.T) (*cloudwatchlogs.Client, *logs.Service, time.Time) {
	t.Helper()
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	_, err := svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "/aws/lambda/check-pizza"})
	require.NoError(t, err)
	// A whole second, so the times shown are the same on every run.
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	ms := func(d time.Duration) int64 { return at.Add(d).UnixMilli() }
	require.NoError(t, svc.Append(ctx, "/aws/lambda/check-pizza", "2026/12/02/[$LATEST]3f2a9c0d11e5", []logs.Event{
		{Timestamp: ms(0), Message: "START RequestId: 8f0c Version: $LATEST\n"},
		{Timestamp: ms(2 * time.Millisecond), Message: `{"time":"2026-12-02T03:00:00.002Z","level":"INFO","msg":"order received","requestId":"8f0c","coldStart":true,"order":{"id":"o-17","items":["pineapple","ham"]}}` + "\n"},
		{Timestamp: ms(40 * time.Millisecond), Message: `{"time":"2026-12-02T03:00:00.040Z","level":"ERROR","msg":"pineapple refused","requestId":"8f0c","reason":"not on a pizza","error":{"type":"PineappleError"}}` + "\n"},
		{Timestamp: ms(41 * time.Millisecond), Message: "END RequestId: 8f0c\n"},
		{Timestamp: ms(42 * time.Millisecond), Message: "REPORT RequestId: 8f0c\tDuration: 40.12 ms\tBilled Duration: 41 ms\n"},
	}))
	require.NoError(t, svc.Append(ctx, "/aws/lambda/check-pizza", "2026/12/02/[$LATEST]77b0e2", []logs.Event{
		{Timestamp: ms(20 * time.Millisecond), Message: "plain text from fmt.Println\n"},
		{Timestamp: ms(30 * time.Millisecond), Message: `{"level":"WARN","msg":"oven slow","celsius":180}`},
		{Timestamp: ms(43 * time.Millisecond), Message: `{"id":"10","type":"ExecutionFailed","details":{"cause":"They asked for Pineapple","error":"Failed To Make Pizza"},"previous_event_id":"9"}`},
	}))
	return cloudwatchlogs.NewFromConfig(cfg), svc, at
}

func TestTailShowsSlogLinesReadably(t *testing.T) {
	client, _, at := pizzaLogs(t)
	var out bytes.Buffer
	err := logview.Tail(context.Background(), client, logview.Options{Group: "/aws/lambda/check-pizza", Since: at, Out: &out,
		Location: time.FixedZone("", 0)})
	require.NoError(t, err)
	// The golden file has the times of a run at 03:00:00 UTC; this run's
	// second is put in its place.
	got := bytes.ReplaceAll(out.Bytes(), []byte(at.UTC().Format("15:04:05")), []byte("03:00:00"))
	golden.Assert(t, "testdata/readable.golden", got)
}

func TestTailPrintsJSONIndentedAndFilters(t *testing.T) {
	client, _, at := pizzaLogs(t)
	var out bytes.Buffer
	err := logview.Tail(context.Background(), client, logview.Options{Group: "/aws/lambda/check-pizza", Since: at, Out: &out,
		JSON: true, Filter: `{ $.level = "ERROR" || $.level = "WARN" }`})
	require.NoError(t, err)
	golden.Assert(t, "testdata/errors.json.golden", out.Bytes())
}

func TestTailColoursWhenAsked(t *testing.T) {
	client, _, at := pizzaLogs(t)
	var out bytes.Buffer
	err := logview.Tail(context.Background(), client, logview.Options{Group: "/aws/lambda/check-pizza", Since: at, Out: &out, Color: true,
		Filter: "?REPORT ?refused"})
	require.NoError(t, err)
	assert.Contains(t, out.String(), "\x1b[31mERROR\x1b[0m pineapple refused")
	assert.Contains(t, out.String(), "\x1b[2mREPORT RequestId: 8f0c")
	assert.NotContains(t, out.String(), "order received")
}

func TestTailRefusesWhatTheServiceRefuses(t *testing.T) {
	client, _, at := pizzaLogs(t)
	err := logview.Tail(context.Background(), client, logview.Options{Group: "/aws/lambda/none", Since: at, Out: &bytes.Buffer{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/aws/lambda/none")
	assert.Contains(t, err.Error(), "ResourceNotFoundException")
	err = logview.Tail(context.Background(), client, logview.Options{Group: "/aws/lambda/check-pizza", Filter: "{ $.level = ", Out: &bytes.Buffer{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Invalid filter pattern")
	assert.Error(t, logview.Tail(context.Background(), client, logview.Options{}))
}
