package logs_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
)

// fillPizzaGroup writes two streams whose events alternate in time.
func fillPizzaGroup(t *testing.T, svc *logs.Service, now int64) {
	t.Helper()
	ctx := context.Background()
	_, err := svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "/aws/lambda/pizza"})
	require.NoError(t, err)
	require.NoError(t, svc.Append(ctx, "/aws/lambda/pizza", "2026/12/02/[$LATEST]aaa", []logs.Event{
		{Timestamp: now, Message: `{"level":"INFO","msg":"order received","order":"o-1"}`},
		{Timestamp: now + 20, Message: `{"level":"ERROR","msg":"oven on fire","order":"o-1"}`},
		{Timestamp: now + 40, Message: "REPORT RequestId: 1 Duration: 2.00 ms"},
	}))
	require.NoError(t, svc.Append(ctx, "/aws/lambda/pizza", "2026/12/02/[$LATEST]bbb", []logs.Event{
		{Timestamp: now + 10, Message: `{"level":"INFO","msg":"order received","order":"o-2"}`},
		{Timestamp: now + 30, Message: `{"level":"ERROR","msg":"no pineapple","order":"o-2"}`},
	}))
}

func TestTheSDKFiltersEventsAcrossStreamsInTimeOrder(t *testing.T) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	client := cloudwatchlogs.NewFromConfig(cfg)
	now := time.Now().Add(-time.Minute).UnixMilli()
	fillPizzaGroup(t, svc, now)

	all, err := client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/pizza")})
	require.NoError(t, err)
	require.Len(t, all.Events, 5)
	for i, e := range all.Events {
		assert.Equal(t, now+int64(i)*10, aws.ToInt64(e.Timestamp), "interleaved by time")
		assert.NotZero(t, aws.ToInt64(e.IngestionTime))
		assert.Len(t, aws.ToString(e.EventId), 56)
	}
	assert.Equal(t, "2026/12/02/[$LATEST]bbb", aws.ToString(all.Events[1].LogStreamName))
	assert.Nil(t, all.NextToken)
	assert.Empty(t, all.SearchedLogStreams)

	errs, err := client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupIdentifier: aws.String(logs.GroupARN(localcloud.Region, "/aws/lambda/pizza") + ":*"),
		FilterPattern:      aws.String(`{ $.level = "ERROR" }`)})
	require.NoError(t, err)
	require.Len(t, errs.Events, 2)
	assert.Contains(t, aws.ToString(errs.Events[0].Message), "oven on fire")
	assert.Contains(t, aws.ToString(errs.Events[1].Message), "no pineapple")

	window, err := client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/pizza"),
		StartTime: aws.Int64(now + 10), EndTime: aws.Int64(now + 30), LogStreamNamePrefix: aws.String("2026/12/02/[$LATEST]b")})
	require.NoError(t, err)
	require.Len(t, window.Events, 2, "startTime and endTime are both inclusive")

	named, err := client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/pizza"),
		LogStreamNames: []string{"2026/12/02/[$LATEST]aaa"}, FilterPattern: aws.String("REPORT")})
	require.NoError(t, err)
	require.Len(t, named.Events, 1)

	var ids []string
	pages := cloudwatchlogs.NewFilterLogEventsPaginator(client, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/pizza"), Limit: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page.Events), 2)
		for _, e := range page.Events {
			ids = append(ids, aws.ToString(e.EventId))
		}
	}
	want := make([]string, 0, 5)
	for _, e := range all.Events {
		want = append(want, aws.ToString(e.EventId))
	}
	assert.Equal(t, want, ids, "pages continue where the last ended; ids are stable")

	for _, in := range []*cloudwatchlogs.FilterLogEventsInput{
		{LogGroupName: aws.String("/aws/lambda/pizza"), FilterPattern: aws.String(`{ $.level = `)},
		{LogGroupName: aws.String("/aws/lambda/pizza"), LogStreamNames: []string{"a"}, LogStreamNamePrefix: aws.String("a")},
		{LogGroupName: aws.String("/aws/lambda/pizza"), LogGroupIdentifier: aws.String("/aws/lambda/pizza")},
		{LogGroupName: aws.String("/aws/lambda/pizza"), NextToken: aws.String("bogus!")},
	} {
		_, err := client.FilterLogEvents(ctx, in)
		var invalid *types.InvalidParameterException
		require.True(t, errors.As(err, &invalid), "got %v", err)
	}
	_, err = client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/pizza"), FilterPattern: aws.String(`{ $.level = `)})
	var invalid *types.InvalidParameterException
	require.True(t, errors.As(err, &invalid))
	assert.Equal(t, "Invalid filter pattern", invalid.ErrorMessage())
	_, err = client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/none")})
	var notFound *types.ResourceNotFoundException
	require.True(t, errors.As(err, &notFound), "got %v", err)
}

func TestTheLatestStreamComesFirstByLastEventTimeDescending(t *testing.T) {
	ctx := context.Background()
	st := lctest.Store(t)
	svc := logs.New(st)
	cfg, _, _ := lctest.Start(t, svc)
	client := cloudwatchlogs.NewFromConfig(cfg)
	now := time.Now().Add(-time.Minute).UnixMilli()
	fillPizzaGroup(t, svc, now)
	// zzz sorts last by name but holds the oldest event.
	require.NoError(t, svc.Append(ctx, "/aws/lambda/pizza", "zzz", []logs.Event{{Timestamp: now - 1000, Message: "old"}}))

	out, err := client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/pizza"),
		OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, out.LogStreams, 1)
	assert.Equal(t, "2026/12/02/[$LATEST]aaa", aws.ToString(out.LogStreams[0].LogStreamName))
	assert.Equal(t, now+40, aws.ToInt64(out.LogStreams[0].LastEventTimestamp))

	asc, err := client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/pizza"), OrderBy: types.OrderByLastEventTime})
	require.NoError(t, err)
	require.Len(t, asc.LogStreams, 3)
	assert.Equal(t, "zzz", aws.ToString(asc.LogStreams[0].LogStreamName))
}

func TestFilteredEventsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/state.db"
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	now := time.Now().Add(-time.Minute).UnixMilli()
	fillPizzaGroup(t, logs.New(st), now)
	before, err := logs.New(st).FilterEvents(ctx, "", logs.FilterInput{LogGroupName: "/aws/lambda/pizza", FilterPattern: "?fire ?pineapple"})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	after, err := logs.New(st).FilterEvents(ctx, "", logs.FilterInput{LogGroupName: "/aws/lambda/pizza", FilterPattern: "?fire ?pineapple"})
	require.NoError(t, err)
	require.Len(t, after.Events, 2)
	assert.Equal(t, before, after)
}

func TestTheCLIFiltersEvents(t *testing.T) {
	lctest.RequireAWSCLI(t)
	svc := logs.New(lctest.Store(t))
	_, _, hs := lctest.Start(t, svc)
	fillPizzaGroup(t, svc, time.Now().Add(-time.Minute).UnixMilli())
	cmd := lctest.AWSCommand("--endpoint-url", hs.URL, "--output", "json", "logs", "filter-log-events",
		"--log-group-name", "/aws/lambda/pizza", "--filter-pattern", `{ $.order = "o-2" }`)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var got struct {
		Events []struct {
			LogStreamName, Message, EventId string
			Timestamp, IngestionTime        int64
		}
		SearchedLogStreams []any
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	require.Len(t, got.Events, 2)
	assert.Equal(t, "2026/12/02/[$LATEST]bbb", got.Events[0].LogStreamName)
	assert.Contains(t, got.Events[1].Message, "no pineapple")
}

// BenchmarkFilterEvents searches a group of ten streams of 1,000 slog
// lines each: for the errors in it, and for the newest events only.
func BenchmarkFilterEvents(b *testing.B) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(b))
	_, err := svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "/aws/lambda/pizza"})
	require.NoError(b, err)
	now := time.Now().Add(-time.Hour).UnixMilli()
	for s := range 10 {
		events := make([]logs.Event, 1000)
		for i := range events {
			level := "INFO"
			if i%100 == 0 {
				level = "ERROR"
			}
			events[i] = logs.Event{Timestamp: now + int64(i), Message: `{"level":"` + level + `","msg":"order","n":` + strconv.Itoa(i) + `}`}
		}
		require.NoError(b, svc.Append(ctx, "/aws/lambda/pizza", "stream-"+strconv.Itoa(s), events))
	}
	b.Run("every error", func(b *testing.B) {
		for b.Loop() {
			page, err := svc.FilterEvents(ctx, "", logs.FilterInput{LogGroupName: "/aws/lambda/pizza", FilterPattern: `{ $.level = "ERROR" }`})
			if err != nil || len(page.Events) != 100 {
				b.Fatal(err, len(page.Events))
			}
		}
	})
	// What a follow poll asks: the last few events.
	b.Run("since the newest", func(b *testing.B) {
		start := now + 990
		for b.Loop() {
			page, err := svc.FilterEvents(ctx, "", logs.FilterInput{LogGroupName: "/aws/lambda/pizza", StartTime: &start})
			if err != nil || len(page.Events) != 100 {
				b.Fatal(err, len(page.Events))
			}
		}
	})
}
