package traces_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/aws/aws-sdk-go-v2/service/xray/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
)

// t0 is the tests' trace time: a fixed second, so trace ids and times
// are known.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func traceID(n int) string { return fmt.Sprintf("1-%08x-%024x", t0.Unix(), n) }

func segID(n int) string { return fmt.Sprintf("%016x", n) }

func at(ms float64) float64 { return traces.Seconds(t0) + ms/1000 }

func doc(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func startXRay(t *testing.T) (*xray.Client, *traces.Service) {
	t.Helper()
	svc := traces.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	return xray.NewFromConfig(cfg), svc
}

func window() (*time.Time, *time.Time) {
	return aws.Time(t0.Add(-time.Minute)), aws.Time(t0.Add(time.Hour))
}

func TestPutTraceSegmentsKeepsGoodDocumentsAndAnswersBadOnes(t *testing.T) {
	ctx := context.Background()
	client, _ := startXRay(t)
	tid := traceID(1)
	root := map[string]any{"name": "pizza", "id": segID(1), "trace_id": tid, "start_time": at(0), "in_progress": true, "origin": "AWS::ApiGateway::Stage"}
	out, err := client.PutTraceSegments(ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: []string{
		doc(t, root),
		`{"name": "x", "trace_id": "` + tid + `", "start_time": 1, "end_time": 2}`,
		doc(t, map[string]any{"name": "x", "id": segID(9), "trace_id": "1-nope", "start_time": at(0), "end_time": at(1)}),
		doc(t, map[string]any{"name": "x", "id": segID(8), "trace_id": tid, "start_time": at(0)}),
		doc(t, map[string]any{"name": "bad{name}", "id": segID(7), "trace_id": tid, "start_time": at(0), "end_time": at(1)}),
		`{"name": `,
		doc(t, map[string]any{"name": "x", "id": segID(6), "trace_id": tid, "start_time": at(0), "end_time": at(1),
			"subsegments": []any{map[string]any{"name": "no end", "id": segID(5), "start_time": at(0)}}}),
	}})
	require.NoError(t, err)
	var got []string
	for _, u := range out.UnprocessedTraceSegments {
		got = append(got, aws.ToString(u.Id)+" "+aws.ToString(u.ErrorCode)+": "+aws.ToString(u.Message))
	}
	assert.Equal(t, []string{
		" MissingId: Invalid segment. ErrorCode: MissingId",
		segID(9) + " InvalidTraceId: Invalid segment. ErrorCode: InvalidTraceId",
		segID(8) + " MissingEndTime: Invalid segment. ErrorCode: MissingEndTime",
		segID(7) + " InvalidName: Invalid segment. ErrorCode: InvalidName",
		" InvalidJson: Invalid segment. ErrorCode: InvalidJson, Cause: unexpected end of JSON input",
		segID(6) + " MissingEndTime: Invalid subsegment. ErrorCode: MissingEndTime",
	}, got)

	// The completed segment replaces the in-progress one; an independent
	// subsegment joins its parent when the trace is read.
	root["in_progress"], root["end_time"] = false, at(412)
	root["http"] = map[string]any{"request": map[string]any{"method": "POST", "url": "https://api/orders"}, "response": map[string]any{"status": 200}}
	root["subsegments"] = []any{map[string]any{"name": "Lambda", "id": segID(2), "start_time": at(1), "end_time": at(300), "namespace": "aws"}}
	_, err = client.PutTraceSegments(ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: []string{
		doc(t, root),
		doc(t, map[string]any{"type": "subsegment", "name": "Invocation", "id": segID(3), "trace_id": tid, "parent_id": segID(2), "start_time": at(5), "end_time": at(290), "sql": map[string]any{"url": "kept"}}),
	}})
	require.NoError(t, err)

	traces, err := client.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{tid, traceID(404)}})
	require.NoError(t, err)
	assert.Equal(t, []string{traceID(404)}, traces.UnprocessedTraceIds)
	require.Len(t, traces.Traces, 1)
	tr := traces.Traces[0]
	assert.Equal(t, tid, aws.ToString(tr.Id))
	assert.InDelta(t, 0.412, aws.ToFloat64(tr.Duration), 1e-9)
	require.Len(t, tr.Segments, 1)
	var seg map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(tr.Segments[0].Document)), &seg))
	assert.NotEqual(t, true, seg["in_progress"], "the completed version replaced the in-progress one")
	lambda := seg["subsegments"].([]any)[0].(map[string]any)
	invocation := lambda["subsegments"].([]any)[0].(map[string]any)
	assert.Equal(t, "Invocation", invocation["name"])
	assert.Equal(t, map[string]any{"url": "kept"}, invocation["sql"], "fields the package does not model reach the reader")

	from, to := window()
	sums, err := client.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: from, EndTime: to})
	require.NoError(t, err)
	require.Len(t, sums.TraceSummaries, 1)
	s := sums.TraceSummaries[0]
	assert.Equal(t, tid, aws.ToString(s.Id))
	assert.InDelta(t, 0.412, aws.ToFloat64(s.ResponseTime), 1e-9)
	assert.False(t, aws.ToBool(s.IsPartial))
	assert.Equal(t, int32(200), aws.ToInt32(s.Http.HttpStatus))
	assert.Equal(t, "POST", aws.ToString(s.Http.HttpMethod))
	assert.Equal(t, "pizza", aws.ToString(s.EntryPoint.Name))
	assert.Equal(t, "AWS::ApiGateway::Stage", aws.ToString(s.EntryPoint.Type))
	assert.Equal(t, t0, aws.ToTime(s.StartTime).UTC())
	var names []string
	for _, id := range s.ServiceIds {
		names = append(names, aws.ToString(id.Name)+" "+aws.ToString(id.Type))
	}
	assert.Equal(t, []string{"pizza AWS::ApiGateway::Stage", "Lambda AWS::Lambda"}, names)
}

// putFilterTraces stores four traces for the filter tests.
func putFilterTraces(t *testing.T, svc *traces.Service) {
	t.Helper()
	ctx := context.Background()
	segs := []traces.Segment{
		{Name: "pizza", ID: segID(1), TraceID: traceID(1), StartTime: at(0), EndTime: at(100), Origin: "AWS::StepFunctions::StateMachine",
			Annotations: map[string]any{"order": "42", "size": 3.0}},
		{Name: "pizza", ID: segID(2), TraceID: traceID(2), StartTime: at(10), EndTime: at(2010), Error: true,
			Cause: &traces.Cause{Exceptions: []traces.Exception{{Message: "Failed To Make Pizza"}}}, Annotations: map[string]any{"order": "43"}},
		{Name: "webhook", ID: segID(3), TraceID: traceID(3), StartTime: at(20), EndTime: at(520), Fault: true,
			HTTP: &traces.HTTP{Response: &traces.HTTPResponse{Status: 500}}},
		{Name: "webhook", ID: segID(4), TraceID: traceID(4), StartTime: at(30), EndTime: at(40), Throttle: true, Error: true,
			HTTP: &traces.HTTP{Response: &traces.HTTPResponse{Status: 429}}},
	}
	for _, s := range segs {
		require.NoError(t, svc.PutSegment(ctx, s))
	}
}

func TestFilterExpressionsSelectTraces(t *testing.T) {
	client, svc := startXRay(t)
	putFilterTraces(t, svc)
	from, to := window()
	for _, tc := range []struct {
		expr string
		want []int
	}{
		{``, []int{4, 3, 2, 1}},
		{`service("pizza")`, []int{2, 1}},
		{`error`, []int{4, 2}},
		{`fault`, []int{3}},
		{`throttle`, []int{4}},
		{`ok`, []int{1}},
		{`responsetime > 1`, []int{2}},
		{`duration <= 0.1`, []int{4, 1}},
		{`http.status = 500`, []int{3}},
		{`annotation.order = "42"`, []int{1}},
		{`annotation.size >= 3`, []int{1}},
		{`service("webhook") AND http.status != 500`, []int{4}},
		{`fault OR annotation.order = "43"`, []int{3, 2}},
		{`(fault || error) && service("pizza")`, []int{2}},
		{`error = false`, []int{3, 1}},
		{`!error AND !(fault)`, []int{1}},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			out, err := client.GetTraceSummaries(context.Background(), &xray.GetTraceSummariesInput{StartTime: from, EndTime: to, FilterExpression: aws.String(tc.expr)})
			require.NoError(t, err)
			var got []int
			for _, s := range out.TraceSummaries {
				var n int
				_, err := fmt.Sscanf(aws.ToString(s.Id)[11:], "%x", &n)
				require.NoError(t, err)
				got = append(got, n)
			}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, int64(4), aws.ToInt64(out.TracesProcessedCount))
		})
	}
}

func TestUnsupportedFilterIsRefusedByName(t *testing.T) {
	client, _ := startXRay(t)
	from, to := window()
	for expr, named := range map[string]string{
		`edge("a", "b")`:      `"edge"`,
		`user = "alice"`:      `"user"`,
		`error AND ! < 3`:     `"<"`,
		`http.url CONTAINS x`: `CONTAINS`,
	} {
		_, err := client.GetTraceSummaries(context.Background(), &xray.GetTraceSummariesInput{StartTime: from, EndTime: to, FilterExpression: aws.String(expr)})
		var invalid *types.InvalidRequestException
		require.True(t, errors.As(err, &invalid), "%s: got %v", expr, err)
		assert.Contains(t, invalid.ErrorMessage(), named, expr)
	}
}

func TestTimeRangesAndPaging(t *testing.T) {
	ctx := context.Background()
	client, svc := startXRay(t)
	for i := 1; i <= 130; i++ {
		require.NoError(t, svc.PutSegment(ctx, traces.Segment{Name: "pizza", ID: segID(i), TraceID: traceID(i), StartTime: at(float64(i)), EndTime: at(float64(i) + 1)}))
	}
	from, to := window()
	pager := xray.NewGetTraceSummariesPaginator(client, &xray.GetTraceSummariesInput{StartTime: from, EndTime: to, TimeRangeType: types.TimeRangeTypeTraceId})
	var pages, total int
	for pager.HasMorePages() {
		out, err := pager.NextPage(ctx)
		require.NoError(t, err)
		pages++
		total += len(out.TraceSummaries)
	}
	assert.Equal(t, 2, pages)
	assert.Equal(t, 130, total)

	// Event time: only traces whose last event is in the range.
	out, err := client.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(5500 * time.Millisecond / 1000))})
	require.NoError(t, err)
	assert.Len(t, out.TraceSummaries, 4, "traces 1 to 4 end by 5.5 ms")

	_, err = client.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: to, EndTime: from})
	var invalid *types.InvalidRequestException
	require.True(t, errors.As(err, &invalid), "got %v", err)
}

func TestBatchGetTracesTakesFiveIDs(t *testing.T) {
	client, _ := startXRay(t)
	ids := []string{traceID(1), traceID(2), traceID(3), traceID(4), traceID(5), traceID(6)}
	_, err := client.BatchGetTraces(context.Background(), &xray.BatchGetTracesInput{TraceIds: ids})
	var invalid *types.InvalidRequestException
	require.True(t, errors.As(err, &invalid), "got %v", err)
	out, err := client.BatchGetTraces(context.Background(), &xray.BatchGetTracesInput{TraceIds: ids[:5]})
	require.NoError(t, err)
	assert.Empty(t, out.Traces)
	assert.Equal(t, ids[:5], out.UnprocessedTraceIds)
}

func TestTracesSurviveARestart(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/state.db"
	store, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	require.NoError(t, traces.New(store).PutSegment(ctx, traces.Segment{Name: "pizza", ID: segID(1), TraceID: traceID(1), StartTime: at(0), EndTime: at(5)}))
	require.NoError(t, store.Close())

	store, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	cfg, _, _ := lctest.Start(t, traces.New(store))
	out, err := xray.NewFromConfig(cfg).BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{traceID(1)}})
	require.NoError(t, err)
	require.Len(t, out.Traces, 1)
	assert.Equal(t, segID(1), aws.ToString(out.Traces[0].Segments[0].Id))
}

func TestSamplingSamplesEveryRequest(t *testing.T) {
	ctx := context.Background()
	client, _ := startXRay(t)
	rules, err := client.GetSamplingRules(ctx, &xray.GetSamplingRulesInput{})
	require.NoError(t, err)
	require.Len(t, rules.SamplingRuleRecords, 1)
	r := rules.SamplingRuleRecords[0].SamplingRule
	assert.Equal(t, "Default", aws.ToString(r.RuleName))
	assert.Equal(t, 1.0, r.FixedRate)
	assert.Equal(t, int32(1), r.ReservoirSize)
	assert.Equal(t, "arn:aws:xray:us-east-1:123456789012:sampling-rule/Default", aws.ToString(r.RuleARN))

	targets, err := client.GetSamplingTargets(ctx, &xray.GetSamplingTargetsInput{SamplingStatisticsDocuments: []types.SamplingStatisticsDocument{
		{RuleName: aws.String("Default"), ClientID: aws.String("0123456789abcdef01234567"), Timestamp: aws.Time(t0), RequestCount: 3, SampledCount: 3},
		{RuleName: aws.String("Other"), ClientID: aws.String("0123456789abcdef01234567"), Timestamp: aws.Time(t0), RequestCount: 1, SampledCount: 0},
	}})
	require.NoError(t, err)
	require.Len(t, targets.SamplingTargetDocuments, 1)
	assert.Equal(t, 1.0, targets.SamplingTargetDocuments[0].FixedRate)
	assert.Equal(t, int32(10), aws.ToInt32(targets.SamplingTargetDocuments[0].Interval))
	require.Len(t, targets.UnprocessedStatistics, 1)
	assert.Equal(t, "Other", aws.ToString(targets.UnprocessedStatistics[0].RuleName))
}

func TestTraceGraphJoinsServices(t *testing.T) {
	ctx := context.Background()
	client, svc := startXRay(t)
	tid := traceID(1)
	require.NoError(t, svc.PutSegment(ctx, traces.Segment{Name: "PizzaStateMachine", ID: segID(1), TraceID: tid, StartTime: at(0), EndTime: at(100), Origin: "AWS::StepFunctions::StateMachine",
		Subsegments: []traces.Segment{{Name: "CheckPizza", ID: segID(2), StartTime: at(1), EndTime: at(20)}}}))
	require.NoError(t, svc.PutSegment(ctx, traces.Segment{Name: "pizza-CheckPizza", ID: segID(3), TraceID: tid, ParentID: segID(2), StartTime: at(2), EndTime: at(19), Origin: "AWS::Lambda",
		Subsegments: []traces.Segment{{Name: "SNS", ID: segID(4), StartTime: at(3), EndTime: at(4), Namespace: "aws", Error: true}}}))
	out, err := client.GetTraceGraph(ctx, &xray.GetTraceGraphInput{TraceIds: []string{tid}})
	require.NoError(t, err)
	edges := map[string][]string{}
	byRef := map[int32]string{}
	for _, s := range out.Services {
		byRef[aws.ToInt32(s.ReferenceId)] = aws.ToString(s.Name)
	}
	for _, s := range out.Services {
		for _, e := range s.Edges {
			edges[aws.ToString(s.Name)] = append(edges[aws.ToString(s.Name)], byRef[aws.ToInt32(e.ReferenceId)])
		}
	}
	assert.Equal(t, map[string][]string{"PizzaStateMachine": {"pizza-CheckPizza"}, "pizza-CheckPizza": {"SNS"}}, edges)
	require.Len(t, out.Services, 3)
	assert.True(t, aws.ToBool(out.Services[0].Root))
	assert.False(t, aws.ToBool(out.Services[1].Root))
	assert.Equal(t, "AWS::SNS", aws.ToString(out.Services[2].Type))
	assert.Equal(t, int64(1), aws.ToInt64(out.Services[2].SummaryStatistics.ErrorStatistics.OtherCount))
}

func TestOperationsNotImplementedFailByName(t *testing.T) {
	client, _ := startXRay(t)
	_, err := client.GetGroups(context.Background(), &xray.GetGroupsInput{})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "got %v", err)
	assert.Equal(t, "UnknownOperationException", api.ErrorCode())
	assert.Contains(t, api.ErrorMessage(), "GetGroups")
}

func TestTheCLIPutsAndReadsSegments(t *testing.T) {
	lctest.RequireAWSCLI(t)
	svc := traces.New(lctest.Store(t))
	_, _, hs := lctest.Start(t, svc)
	require.NoError(t, svc.PutSegment(context.Background(), traces.Segment{Name: "pizza", ID: segID(1), TraceID: traceID(1), StartTime: at(0), EndTime: at(12), Error: true}))
	from, to := fmt.Sprint(t0.Add(-time.Minute).Unix()), fmt.Sprint(t0.Add(time.Minute).Unix())
	seg := doc(t, map[string]any{"name": "pizza", "id": segID(2), "trace_id": traceID(2), "start_time": at(0), "end_time": at(12)})
	res := lctest.AWSParallel(hs.URL,
		[]string{"xray", "put-trace-segments", "--trace-segment-documents", seg, `{"name": "x"}`},
		[]string{"xray", "get-trace-summaries", "--start-time", from, "--end-time", to, "--filter-expression", "error"},
		[]string{"xray", "get-trace-summaries", "--start-time", from, "--end-time", to, "--filter-expression", `edge("a", "b")`},
	)
	require.NoError(t, res[0].Err, "%s", res[0].Out)
	var put struct{ UnprocessedTraceSegments []struct{ ErrorCode string } }
	require.NoError(t, json.Unmarshal(res[0].Out, &put), "%s", res[0].Out)
	require.Len(t, put.UnprocessedTraceSegments, 1)
	assert.Equal(t, "MissingId", put.UnprocessedTraceSegments[0].ErrorCode)

	require.NoError(t, res[1].Err, "%s", res[1].Out)
	var sums struct{ TraceSummaries []struct{ Id string } }
	require.NoError(t, json.Unmarshal(res[1].Out, &sums), "%s", res[1].Out)
	require.Len(t, sums.TraceSummaries, 1)
	assert.Equal(t, traceID(1), sums.TraceSummaries[0].Id)

	require.Error(t, res[2].Err)
	assert.Contains(t, string(res[2].Out), "(InvalidRequestException)")
}

// TestPutSegmentMendsNamesItsCallersChose: a state may be named with any
// character; the services' own segments must not be lost for it.
func TestPutSegmentMendsNamesItsCallersChose(t *testing.T) {
	ctx := context.Background()
	client, svc := startXRay(t)
	require.NoError(t, svc.PutSegment(ctx, traces.Segment{Name: "Pizza?", ID: segID(1), TraceID: traceID(1), StartTime: at(0), EndTime: at(1),
		Subsegments: []traces.Segment{{Name: "Is it (pineapple)?", ID: segID(2), StartTime: at(0), EndTime: at(1)}}}))
	out, err := client.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{traceID(1)}})
	require.NoError(t, err)
	require.Len(t, out.Traces, 1)
	var seg traces.Segment
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(out.Traces[0].Segments[0].Document)), &seg))
	assert.Equal(t, "Pizza_", seg.Name)
	assert.Equal(t, "Is it _pineapple__", seg.Subsegments[0].Name)

	err = svc.PutSegment(ctx, traces.Segment{Name: "pizza", ID: "short", TraceID: traceID(1), StartTime: at(0), EndTime: at(1)})
	var lcErr *localcloud.Error
	require.True(t, errors.As(err, &lcErr), "got %v", err)
	assert.Equal(t, "InvalidRequestException", lcErr.Code)
	assert.Equal(t, "Invalid segment. ErrorCode: InvalidId", lcErr.Message)
}

func TestPutSegmentsKeepsTheGoodOnesInOneCommit(t *testing.T) {
	ctx := context.Background()
	svc := traces.New(lctest.Store(t))
	err := svc.PutSegments(ctx, []traces.Segment{
		{Name: "pizza", ID: segID(1), TraceID: traceID(1), StartTime: at(0), EndTime: at(1)},
		{Name: "pizza", ID: "", TraceID: traceID(2), StartTime: at(0), EndTime: at(1)},
		{Name: "pizza", ID: segID(3), TraceID: traceID(3), StartTime: at(0), EndTime: at(1)},
	})
	require.Error(t, err, "the segment without an id is refused")
	cfg, _, _ := lctest.Start(t, svc)
	out, err := xray.NewFromConfig(cfg).BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{traceID(1), traceID(2), traceID(3)}})
	require.NoError(t, err)
	var got []string
	for _, tr := range out.Traces {
		got = append(got, aws.ToString(tr.Id))
	}
	assert.ElementsMatch(t, []string{traceID(1), traceID(3)}, got)
}

func TestASubsegmentListedTwiceIsShownOnce(t *testing.T) {
	ctx := context.Background()
	svc := traces.New(lctest.Store(t))
	sub := traces.Segment{Name: "RefuseOrder", ID: segID(2), StartTime: at(0), EndTime: at(1)}
	require.NoError(t, svc.PutSegment(ctx, traces.Segment{Name: "pizza", ID: segID(1), TraceID: traceID(1), StartTime: at(0), EndTime: at(1),
		Subsegments: []traces.Segment{sub, sub}}))
	cfg, _, _ := lctest.Start(t, svc)
	out, err := xray.NewFromConfig(cfg).BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{traceID(1)}})
	require.NoError(t, err)
	require.Len(t, out.Traces, 1)
	var doc traces.Segment
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(out.Traces[0].Segments[0].Document)), &doc))
	require.Len(t, doc.Subsegments, 1)
	assert.Equal(t, segID(2), doc.Subsegments[0].ID)
}
