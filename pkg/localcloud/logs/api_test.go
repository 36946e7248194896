package logs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
)

func TestTheSDKDrivesLogGroupsAndEvents(t *testing.T) {
	ctx := context.Background()
	cfg, _, _ := lctest.Start(t, logs.New(lctest.Store(t)))
	client := cloudwatchlogs.NewFromConfig(cfg)
	name := "/aws/vendedlogs/states/pizza-Pizza"

	before := time.Now().Add(-time.Second).UnixMilli()
	_, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: map[string]string{"team": "pizza"}})
	require.NoError(t, err)
	_, err = client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
	var exists *types.ResourceAlreadyExistsException
	require.True(t, errors.As(err, &exists), "got %v", err)
	assert.Equal(t, "The specified log group already exists", exists.ErrorMessage())

	_, err = client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(14)})
	require.NoError(t, err)
	_, err = client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(15)})
	var invalid *types.InvalidParameterException
	require.True(t, errors.As(err, &invalid), "got %v", err)

	out, err := client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/vendedlogs/")})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 1)
	g := out.LogGroups[0]
	assert.Equal(t, name, aws.ToString(g.LogGroupName))
	assert.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:"+name+":*", aws.ToString(g.Arn))
	assert.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:"+name, aws.ToString(g.LogGroupArn))
	assert.Equal(t, int32(14), aws.ToInt32(g.RetentionInDays))
	assert.Equal(t, types.LogGroupClassStandard, g.LogGroupClass)
	assert.GreaterOrEqual(t, aws.ToInt64(g.CreationTime), before, "creationTime is epoch milliseconds")
	assert.Equal(t, int64(0), aws.ToInt64(g.StoredBytes))

	tags, err := client.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: g.LogGroupArn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "pizza"}, tags.Tags)
	_, err = client.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: g.LogGroupArn, Tags: map[string]string{"stage": "dev"}})
	require.NoError(t, err)
	_, err = client.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: g.LogGroupArn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	legacy, err := client.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"stage": "dev"}, legacy.Tags)

	_, err = client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(name), LogStreamName: aws.String("exec-1")})
	require.NoError(t, err)
	now := time.Now().UnixMilli()
	put, err := client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(name), LogStreamName: aws.String("exec-1"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String("hello")}, {Timestamp: aws.Int64(now + 1), Message: aws.String("world")}}})
	require.NoError(t, err)
	assert.Nil(t, put.RejectedLogEventsInfo)

	streams, err := client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, streams.LogStreams, 1)
	st := streams.LogStreams[0]
	assert.Equal(t, "exec-1", aws.ToString(st.LogStreamName))
	assert.Equal(t, now, aws.ToInt64(st.FirstEventTimestamp))
	assert.Equal(t, now+1, aws.ToInt64(st.LastEventTimestamp))
	assert.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:"+name+":log-stream:exec-1", aws.ToString(st.Arn))

	events, err := client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(name), LogStreamName: aws.String("exec-1"), StartFromHead: aws.Bool(true)})
	require.NoError(t, err)
	require.Len(t, events.Events, 2)
	assert.Equal(t, "hello", aws.ToString(events.Events[0].Message))
	assert.Equal(t, now, aws.ToInt64(events.Events[0].Timestamp))
	assert.NotZero(t, aws.ToInt64(events.Events[0].IngestionTime))
	assert.NotEmpty(t, aws.ToString(events.NextForwardToken))
	again, err := client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(name), LogStreamName: aws.String("exec-1"), NextToken: events.NextForwardToken})
	require.NoError(t, err)
	assert.Empty(t, again.Events)
	assert.Equal(t, aws.ToString(events.NextForwardToken), aws.ToString(again.NextForwardToken), "at the end the forward token comes back")

	_, err = client.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(name)})
	require.NoError(t, err)
	_, err = client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
	require.NoError(t, err)
	_, err = client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	require.True(t, errors.As(err, &notFound), "got %v", err)
	assert.Equal(t, "The specified log group does not exist.", notFound.ErrorMessage())

	_, err = client.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String(name), QueryString: aws.String("fields @message"),
		StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	require.Error(t, err, "an operation not here is refused by name")
	assert.Contains(t, err.Error(), "StartQuery")
}

func TestTheSDKPagesLogGroups(t *testing.T) {
	ctx := context.Background()
	cfg, _, _ := lctest.Start(t, logs.New(lctest.Store(t)))
	client := cloudwatchlogs.NewFromConfig(cfg)
	for _, n := range []string{"c", "a", "b"} {
		_, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(n)})
		require.NoError(t, err)
	}
	var names []string
	pages := cloudwatchlogs.NewDescribeLogGroupsPaginator(client, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page.LogGroups), 2)
		for _, g := range page.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
	}
	assert.Equal(t, []string{"a", "b", "c"}, names)
}

func TestTheCLIDescribesLogGroups(t *testing.T) {
	lctest.RequireAWSCLI(t)
	svc := logs.New(lctest.Store(t))
	_, _, hs := lctest.Start(t, svc)
	ctx := context.Background()
	_, err := svc.CreateGroup(ctx, "us-east-1", logs.CreateGroupInput{LogGroupName: "/aws/lambda/pizza"})
	require.NoError(t, err)
	require.NoError(t, svc.PutRetention(ctx, "us-east-1", "/aws/lambda/pizza", 30))

	cmd := lctest.AWSCommand("--endpoint-url", hs.URL, "--output", "json", "logs", "describe-log-groups", "--log-group-name-prefix", "/aws/lambda")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var got struct {
		LogGroups []struct {
			LogGroupName    string
			Arn             string
			LogGroupArn     string
			RetentionInDays int
			CreationTime    int64
			StoredBytes     int64
			LogGroupClass   string
		}
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	require.Len(t, got.LogGroups, 1)
	g := got.LogGroups[0]
	assert.Equal(t, "/aws/lambda/pizza", g.LogGroupName)
	assert.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pizza:*", g.Arn)
	assert.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pizza", g.LogGroupArn)
	assert.Equal(t, 30, g.RetentionInDays)
	assert.NotZero(t, g.CreationTime)
	assert.Equal(t, "STANDARD", g.LogGroupClass)

	cmd = lctest.AWSCommand("--endpoint-url", hs.URL, "logs", "put-retention-policy", "--log-group-name", "/aws/lambda/pizza", "--retention-in-days", "2")
	out, err = cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "(InvalidParameterException)")
}
