package logs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
)

func awsErr(t *testing.T, err error) *localcloud.Error {
	t.Helper()
	var e *localcloud.Error
	require.True(t, errors.As(err, &e), "want a *localcloud.Error, got %v", err)
	return e
}

func TestGroupsAreCreatedDescribedAndDeleted(t *testing.T) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	g, err := svc.CreateGroup(ctx, "us-east-1", logs.CreateGroupInput{LogGroupName: "/aws/lambda/pizza", Tags: map[string]string{"team": "pizza"}})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pizza:*", g.ARN())
	assert.Equal(t, "STANDARD", g.LogGroupClass)

	_, err = svc.CreateGroup(ctx, "us-east-1", logs.CreateGroupInput{LogGroupName: "/aws/lambda/pizza"})
	e := awsErr(t, err)
	assert.Equal(t, "ResourceAlreadyExistsException", e.Code)
	assert.Equal(t, "The specified log group already exists", e.Message)

	for _, bad := range []string{"", "has space", "a:b", strings.Repeat("a", 513)} {
		_, err = svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: bad})
		assert.Equal(t, "InvalidParameterException", awsErr(t, err).Code, "name %q", bad)
	}
	_, err = svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "x", KmsKeyID: "alias/mine"})
	assert.Equal(t, "InvalidParameterException", awsErr(t, err).Code)
	_, err = svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "x", LogGroupClass: "CHEAP"})
	assert.Equal(t, "InvalidParameterException", awsErr(t, err).Code)

	_, err = svc.CreateGroup(ctx, "us-east-1", logs.CreateGroupInput{LogGroupName: "/aws/lambda/other", LogGroupClass: "INFREQUENT_ACCESS",
		KmsKeyID: "arn:aws:kms:us-east-1:123456789012:key/1234"})
	require.NoError(t, err)
	_, err = svc.CreateGroup(ctx, "us-east-1", logs.CreateGroupInput{LogGroupName: "/custom"})
	require.NoError(t, err)
	_, err = svc.CreateGroup(ctx, "eu-west-1", logs.CreateGroupInput{LogGroupName: "/aws/lambda/elsewhere"})
	require.NoError(t, err)

	groups, next, err := svc.DescribeGroups(ctx, "us-east-1", logs.DescribeGroupsInput{LogGroupNamePrefix: "/aws/lambda/"})
	require.NoError(t, err)
	assert.Empty(t, next)
	require.Len(t, groups, 2)
	assert.Equal(t, "/aws/lambda/other", groups[0].Name)
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/1234", groups[0].KmsKeyID)
	assert.Equal(t, "/aws/lambda/pizza", groups[1].Name)

	groups, _, err = svc.DescribeGroups(ctx, "us-east-1", logs.DescribeGroupsInput{LogGroupNamePattern: "PIZ"})
	require.NoError(t, err)
	require.Len(t, groups, 1)
	groups, _, err = svc.DescribeGroups(ctx, "us-east-1", logs.DescribeGroupsInput{LogGroupClass: "INFREQUENT_ACCESS"})
	require.NoError(t, err)
	require.Len(t, groups, 1)
	_, _, err = svc.DescribeGroups(ctx, "us-east-1", logs.DescribeGroupsInput{LogGroupNamePrefix: "/a", LogGroupNamePattern: "b"})
	assert.Equal(t, "InvalidParameterException", awsErr(t, err).Code)

	var names []string
	token := ""
	for {
		page, next, err := svc.DescribeGroups(ctx, "us-east-1", logs.DescribeGroupsInput{Limit: 2, NextToken: token})
		require.NoError(t, err)
		for _, g := range page {
			names = append(names, g.Name)
		}
		if token = next; token == "" {
			break
		}
	}
	assert.Equal(t, []string{"/aws/lambda/other", "/aws/lambda/pizza", "/custom"}, names)

	require.NoError(t, svc.DeleteGroup(ctx, "us-east-1", "/aws/lambda/pizza"))
	e = awsErr(t, svc.DeleteGroup(ctx, "us-east-1", "/aws/lambda/pizza"))
	assert.Equal(t, "ResourceNotFoundException", e.Code)
	assert.Equal(t, "The specified log group does not exist.", e.Message)
}

func TestRetentionTakesOnlyAWSValues(t *testing.T) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	_, err := svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "g"})
	require.NoError(t, err)
	require.NoError(t, svc.PutRetention(ctx, "", "g", 14))
	g, err := svc.Group(ctx, "", "g")
	require.NoError(t, err)
	require.NotNil(t, g.RetentionInDays)
	assert.Equal(t, 14, *g.RetentionInDays)

	e := awsErr(t, svc.PutRetention(ctx, "", "g", 2))
	assert.Equal(t, "InvalidParameterException", e.Code)
	assert.Contains(t, e.Message, "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30,")
	assert.Equal(t, "ResourceNotFoundException", awsErr(t, svc.PutRetention(ctx, "", "nope", 30)).Code)

	require.NoError(t, svc.DeleteRetention(ctx, "", "g"))
	g, err = svc.Group(ctx, "", "g")
	require.NoError(t, err)
	assert.Nil(t, g.RetentionInDays)
}

func TestTagsByArnAndByName(t *testing.T) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	g, err := svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "g", Tags: map[string]string{"a": "1"}})
	require.NoError(t, err)
	arn := logs.GroupARN("", "g")
	require.NoError(t, svc.Tag(ctx, arn, map[string]string{"b": "2"}))
	require.NoError(t, svc.Untag(ctx, g.ARN(), []string{"a"}))
	tags, err := svc.Tags(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"b": "2"}, tags)
	_, err = svc.Tags(ctx, logs.GroupARN("", "nope"))
	assert.Equal(t, "ResourceNotFoundException", awsErr(t, err).Code)
	_, err = svc.Tags(ctx, "g")
	assert.Equal(t, "InvalidParameterException", awsErr(t, err).Code)
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprint("k", i)] = "v"
	}
	assert.Equal(t, "TooManyTagsException", awsErr(t, svc.Tag(ctx, arn, many)).Code)
}

func TestStreamsAndEvents(t *testing.T) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	_, err := svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "g"})
	require.NoError(t, err)
	assert.Equal(t, "ResourceNotFoundException", awsErr(t, svc.CreateStream(ctx, "", "nope", "s")).Code)
	require.NoError(t, svc.CreateStream(ctx, "", "g", "s"))
	e := awsErr(t, svc.CreateStream(ctx, "", "g", "s"))
	assert.Equal(t, "ResourceAlreadyExistsException", e.Code)
	assert.Equal(t, "The specified log stream already exists", e.Message)
	assert.Equal(t, "InvalidParameterException", awsErr(t, svc.CreateStream(ctx, "", "g", "a:b")).Code)

	now := time.Now().UnixMilli()
	_, err = svc.PutEvents(ctx, "", "g", "nope", []logs.Event{{Timestamp: now, Message: "x"}})
	e = awsErr(t, err)
	assert.Equal(t, "ResourceNotFoundException", e.Code)
	assert.Equal(t, "The specified log stream does not exist.", e.Message)
	_, err = svc.PutEvents(ctx, "", "g", "s", []logs.Event{{Timestamp: now, Message: "b"}, {Timestamp: now - 1, Message: "a"}})
	assert.Contains(t, awsErr(t, err).Message, "chronological order")

	var batch []logs.Event
	for i := range 5 {
		batch = append(batch, logs.Event{Timestamp: now + int64(i), Message: fmt.Sprint("event ", i)})
	}
	res, err := svc.PutEvents(ctx, "", "g", "s", batch)
	require.NoError(t, err)
	assert.Nil(t, res.TooNewLogEventStartIndex)
	assert.NotEmpty(t, res.NextSequenceToken)

	// Too old and too new events are not kept, and the result says which.
	old := now - (15 * 24 * time.Hour).Milliseconds()
	res, err = svc.PutEvents(ctx, "", "g", "s", []logs.Event{{Timestamp: old, Message: "old"}})
	require.NoError(t, err)
	require.NotNil(t, res.TooOldLogEventEndIndex)
	assert.Equal(t, 0, *res.TooOldLogEventEndIndex)
	future := now + (3 * time.Hour).Milliseconds()
	res, err = svc.PutEvents(ctx, "", "g", "s", []logs.Event{{Timestamp: future, Message: "future"}})
	require.NoError(t, err)
	require.NotNil(t, res.TooNewLogEventStartIndex)

	// Forward from the head, two at a time, until the token comes back unchanged.
	var got []string
	in := logs.GetEventsInput{LogGroupName: "g", LogStreamName: "s", Limit: 2, StartFromHead: true}
	for range 10 {
		page, err := svc.GetEvents(ctx, "", in)
		require.NoError(t, err)
		for _, e := range page.Events {
			got = append(got, e.Message)
			assert.NotZero(t, e.IngestionTime)
		}
		if page.NextForwardToken == in.NextToken {
			break
		}
		in.NextToken = page.NextForwardToken
	}
	assert.Equal(t, []string{"event 0", "event 1", "event 2", "event 3", "event 4"}, got)

	// The newest by default, then backwards.
	page, err := svc.GetEvents(ctx, "", logs.GetEventsInput{LogGroupName: "g", LogStreamName: "s", Limit: 2})
	require.NoError(t, err)
	require.Len(t, page.Events, 2)
	assert.Equal(t, "event 3", page.Events[0].Message)
	assert.Equal(t, "event 4", page.Events[1].Message)
	back, err := svc.GetEvents(ctx, "", logs.GetEventsInput{LogGroupName: "g", LogStreamName: "s", Limit: 2, NextToken: page.NextBackwardToken})
	require.NoError(t, err)
	require.Len(t, back.Events, 2)
	assert.Equal(t, "event 1", back.Events[0].Message)

	// A time window.
	start, end := now+1, now+3
	win, err := svc.GetEvents(ctx, "", logs.GetEventsInput{LogGroupIdentifier: logs.GroupARN("", "g"), LogStreamName: "s", StartTime: &start, EndTime: &end, StartFromHead: true})
	require.NoError(t, err)
	require.Len(t, win.Events, 2)
	assert.Equal(t, "event 1", win.Events[0].Message)

	streams, _, err := svc.DescribeStreams(ctx, "", logs.DescribeStreamsInput{LogGroupName: "g"})
	require.NoError(t, err)
	require.Len(t, streams, 1)
	assert.Equal(t, now, streams[0].FirstEventTimestamp)
	assert.Equal(t, now+4, streams[0].LastEventTimestamp)
	g, err := svc.Group(ctx, "", "g")
	require.NoError(t, err)
	assert.Equal(t, int64(5*len("event 0")), g.StoredBytes)

	_, _, err = svc.DescribeStreams(ctx, "", logs.DescribeStreamsInput{LogGroupName: "g", OrderBy: "LastEventTime", LogStreamNamePrefix: "s"})
	assert.Equal(t, "InvalidParameterException", awsErr(t, err).Code)
}

func TestAppendCreatesTheStream(t *testing.T) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	now := time.Now().UnixMilli()
	err := svc.Append(ctx, "missing", "s", []logs.Event{{Timestamp: now, Message: "x"}})
	assert.Equal(t, "ResourceNotFoundException", awsErr(t, err).Code)

	_, err = svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "/aws/lambda/f"})
	require.NoError(t, err)
	require.NoError(t, svc.Append(ctx, "/aws/lambda/f", "2026/01/01/[$LATEST]abc", []logs.Event{{Timestamp: now + 1, Message: "second"}, {Timestamp: now, Message: "first"}}))
	require.NoError(t, svc.Append(ctx, "/aws/lambda/f", "2026/01/01/[$LATEST]abc", []logs.Event{{Timestamp: now + 2, Message: "third"}}))
	page, err := svc.GetEvents(ctx, "", logs.GetEventsInput{LogGroupName: "/aws/lambda/f", LogStreamName: "2026/01/01/[$LATEST]abc", StartFromHead: true})
	require.NoError(t, err)
	var got []string
	for _, e := range page.Events {
		got = append(got, e.Message)
	}
	assert.Equal(t, []string{"first", "second", "third"}, got)
}

func TestDeleteGroupDeletesItsStreamsAndEvents(t *testing.T) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	_, err := svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "g"})
	require.NoError(t, err)
	require.NoError(t, svc.Append(ctx, "g", "s", []logs.Event{{Timestamp: time.Now().UnixMilli(), Message: "x"}}))
	require.NoError(t, svc.DeleteGroup(ctx, "", "g"))
	_, err = svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "g"})
	require.NoError(t, err)
	streams, _, err := svc.DescribeStreams(ctx, "", logs.DescribeStreamsInput{LogGroupName: "g"})
	require.NoError(t, err)
	assert.Empty(t, streams, "a group made again under the name starts empty")
}

func TestRestartKeepsGroupsStreamsAndEvents(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/state.db"
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	svc := logs.New(st)
	_, err = svc.CreateGroup(ctx, "", logs.CreateGroupInput{LogGroupName: "g", Tags: map[string]string{"a": "1"}})
	require.NoError(t, err)
	require.NoError(t, svc.PutRetention(ctx, "", "g", 30))
	now := time.Now().UnixMilli()
	require.NoError(t, svc.Append(ctx, "g", "s", []logs.Event{{Timestamp: now, Message: "kept"}}))
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer st.Close()
	svc = logs.New(st)
	g, err := svc.Group(ctx, "", "g")
	require.NoError(t, err)
	assert.Equal(t, 30, *g.RetentionInDays)
	assert.Equal(t, map[string]string{"a": "1"}, g.Tags)
	page, err := svc.GetEvents(ctx, "", logs.GetEventsInput{LogGroupName: "g", LogStreamName: "s"})
	require.NoError(t, err)
	require.Len(t, page.Events, 1)
	assert.Equal(t, "kept", page.Events[0].Message)
	assert.Equal(t, now, page.Events[0].Timestamp)
}
