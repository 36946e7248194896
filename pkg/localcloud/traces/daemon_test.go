package traces_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/aws/aws-xray-sdk-go/v2/strategy/sampling"
	xraysdk "github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
)

// startDaemon serves the API and the daemon listener of one service.
func startDaemon(t *testing.T, logs *bytes.Buffer) (*xray.Client, *traces.Service, *net.UDPAddr) {
	t.Helper()
	svc := traces.New(lctest.Store(t), traces.WithLogger(log.New(logs, "", 0)))
	cfg, _, _ := lctest.Start(t, svc)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	addr, err := svc.ListenUDP(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	return xray.NewFromConfig(cfg), svc, addr.(*net.UDPAddr)
}

// waitReceived waits until the listener has handled n datagrams: UDP
// gives the sender no answer to wait on.
func waitReceived(t *testing.T, svc *traces.Service, n int64) {
	t.Helper()
	if !assert.Eventually(t, func() bool { return svc.Received() >= n }, 10*time.Second, time.Millisecond) {
		t.Fatalf("the listener handled %d of %d datagrams", svc.Received(), n)
	}
}

// TestTheXRaySDKReachesTheDaemon sends a segment and two subsegments
// from aws-xray-sdk-go to the listener, the first subsegment streamed on
// its own before its parent closes (a streaming threshold of one), as the
// SDK does for segments with many subsegments.
func TestTheXRaySDKReachesTheDaemon(t *testing.T) {
	var logs bytes.Buffer
	client, svc, addr := startDaemon(t, &logs)
	emitter, err := xraysdk.NewDefaultEmitter(addr)
	require.NoError(t, err)
	everything, err := sampling.NewLocalizedStrategyFromJSONBytes([]byte(`{"version": 2, "default": {"fixed_target": 1, "rate": 1.0}}`))
	require.NoError(t, err)
	streaming, err := xraysdk.NewDefaultStreamingStrategyWithMaxSubsegmentCount(1)
	require.NoError(t, err)
	ctx, err := xraysdk.ContextWithConfig(context.Background(), xraysdk.Config{DaemonAddr: addr.String(), Emitter: emitter, SamplingStrategy: everything, StreamingStrategy: streaming})
	require.NoError(t, err)

	ctx, seg := xraysdk.BeginSegment(ctx, "pizza")
	_, sub := xraysdk.BeginSubsegment(ctx, "CheckPizza")
	require.NoError(t, sub.AddAnnotation("Outcome", "success"))
	sub.Close(nil)
	_, sub2 := xraysdk.BeginSubsegment(ctx, "RefuseOrder")
	sub2.Close(nil)
	seg.Close(nil)
	traceID := seg.TraceID

	// CheckPizza streamed on its own, then the segment holding RefuseOrder
	// (which aws-xray-sdk-go v2.0.3 sometimes sends twice: the copy replaces
	// the first by its id).
	waitReceived(t, svc, 2)
	assert.Zero(t, svc.Malformed(), logs.String())
	out, err := client.BatchGetTraces(context.Background(), &xray.BatchGetTracesInput{TraceIds: []string{traceID}})
	require.NoError(t, err)
	require.Len(t, out.Traces, 1)
	require.Len(t, out.Traces[0].Segments, 1)
	var doc traces.Segment
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(out.Traces[0].Segments[0].Document)), &doc))
	assert.Equal(t, "pizza", doc.Name)
	var names []string
	for _, s := range doc.Subsegments {
		names = append(names, s.Name)
	}
	assert.ElementsMatch(t, []string{"CheckPizza", "RefuseOrder"}, names, "the streamed subsegment joined its parent")

	sums, err := client.GetTraceSummaries(context.Background(), &xray.GetTraceSummariesInput{StartTime: aws.Time(time.Now().Add(-time.Minute)), EndTime: aws.Time(time.Now().Add(time.Minute)),
		FilterExpression: aws.String(`annotation.Outcome = "success"`)})
	require.NoError(t, err)
	require.Len(t, sums.TraceSummaries, 1)
	assert.Equal(t, traceID, aws.ToString(sums.TraceSummaries[0].Id))
}

func TestMalformedDatagramsAreCountedAndDropped(t *testing.T) {
	var logs bytes.Buffer
	client, svc, addr := startDaemon(t, &logs)
	conn, err := net.DialUDP("udp", nil, addr)
	require.NoError(t, err)
	defer conn.Close()
	good, err := json.Marshal(traces.Segment{Name: "pizza", ID: segID(1), TraceID: traceID(1), StartTime: at(0), EndTime: at(1)})
	require.NoError(t, err)
	for _, d := range [][]byte{
		[]byte("not a datagram"),
		[]byte(`{"format": "xml", "version": 1}` + "\n" + string(good)),
		[]byte(`{"format": "json", "version": 1}` + "\n{"),
		[]byte(`{"format": "json", "version": 1}` + "\n" + `{"name": "pizza"}`),
		// The header without spaces is the same header.
		[]byte(`{"format":"json","version":1}` + "\n" + string(good)),
	} {
		_, err := conn.Write(d)
		require.NoError(t, err)
	}
	waitReceived(t, svc, 5)
	assert.Equal(t, int64(4), svc.Malformed())
	assert.Contains(t, logs.String(), "MissingId")
	out, err := client.BatchGetTraces(context.Background(), &xray.BatchGetTracesInput{TraceIds: []string{traceID(1)}})
	require.NoError(t, err)
	assert.Len(t, out.Traces, 1)
}

func TestABusyDaemonPortIsAClearError(t *testing.T) {
	var logs bytes.Buffer
	_, _, addr := startDaemon(t, &logs)
	_, err := traces.New(lctest.Store(t)).ListenUDP(context.Background(), addr.String())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is in use")
	assert.Contains(t, err.Error(), addr.String())
}

// TestTheSDKsSamplingPollsReachTheProxy sends the requests the SDK's
// centralized sampling sends to the daemon's TCP address, and reads the
// answers into the SDK's own types.
func TestTheSDKsSamplingPollsReachTheProxy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	addr, err := traces.New(lctest.Store(t)).ListenTCP(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + addr.String()

	res, err := http.Post(base+"/GetSamplingRules", "application/json", strings.NewReader(`{"NextToken": null}`))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var rules sampling.GetSamplingRulesOutput
	require.NoError(t, json.NewDecoder(res.Body).Decode(&rules))
	require.Len(t, rules.SamplingRuleRecords, 1)
	assert.Equal(t, 1.0, *rules.SamplingRuleRecords[0].SamplingRule.FixedRate)
	assert.Equal(t, "Default", *rules.SamplingRuleRecords[0].SamplingRule.RuleName)

	stats, err := json.Marshal(sampling.GetSamplingTargetsInput{SamplingStatisticsDocuments: []*sampling.SamplingStatisticsDocument{{
		RuleName: aws.String("Default"), ClientID: aws.String("0123456789abcdef01234567"), Timestamp: aws.Int64(time.Now().Unix()), RequestCount: aws.Int64(2), SampledCount: aws.Int64(2)}}})
	require.NoError(t, err)
	res, err = http.Post(base+"/SamplingTargets", "application/json", bytes.NewReader(stats))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var targets sampling.GetSamplingTargetsOutput
	require.NoError(t, json.NewDecoder(res.Body).Decode(&targets))
	require.Len(t, targets.SamplingTargetDocuments, 1)
	assert.Equal(t, 1.0, *targets.SamplingTargetDocuments[0].FixedRate)
}
