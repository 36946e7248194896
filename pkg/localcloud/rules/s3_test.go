package rules_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/objects"
	"github.com/stepforge/stepforge/pkg/localcloud/rules"
)

// TestAnUploadedTextFileStartsTheUploadAlarm wires S3's Object Created
// hook to Emit, as the assembler does, and puts the generated template's
// rule: a .txt upload starts the state machine with S3's event, a .csv
// one matches nothing.
func TestAnUploadedTextFileStartsTheUploadAlarm(t *testing.T) {
	const (
		bucket  = "upload-alarm-uploads"
		machine = "arn:aws:states:us-east-1:123456789012:stateMachine:UploadAlarm"
		role    = "arn:aws:iam::123456789012:role/upload-alarm-NewTextObjectRuleRole"
	)
	ctx := context.Background()
	rec := newRecorder()
	authz := &authorizer{}
	st := lctest.Store(t)
	events := rules.New(st, rules.WithStepFunctions(rec), rules.WithLambda(rec), rules.WithAuthorizer(authz), rules.WithTimeScale(0.001))
	t.Cleanup(func() { _ = events.Close() })
	bucketSvc, err := objects.New(st, objects.WithObjectCreated(func(e objects.ObjectCreated) {
		if err := events.Emit(ctx, localcloud.Region, e.Event(localcloud.Region, localcloud.Account)); err != nil {
			t.Error(err)
		}
	}))
	require.NoError(t, err)
	cfg, srv, _ := lctest.Start(t, events)
	srv.RegisterHandler("s3", bucketSvc.Handler())
	eb := eventbridge.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })

	props := lctest.TemplateProperties(t, "upload-alarm.template.json", "NewTextObjectRule")
	pattern, err := json.Marshal(props["EventPattern"])
	require.NoError(t, err)
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("NewTextObjectRule"),
		EventPattern: aws.String(strings.ReplaceAll(string(pattern), "ref-UploadsBucket", bucket))})
	require.NoError(t, err)
	target := props["Targets"].([]any)[0].(map[string]any)
	require.Equal(t, "ref-UploadAlarmStateMachine", target["Arn"])
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("NewTextObjectRule"), Targets: []types.Target{
		{Id: aws.String(target["Id"].(string)), Arn: aws.String(machine), RoleArn: aws.String(role)}}})
	require.NoError(t, err)
	sentinel(t, eb)

	_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	_, err = s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{EventBridgeConfiguration: &s3types.EventBridgeConfiguration{}}})
	require.NoError(t, err)
	for _, key := range []string{"reports/q1.csv", "notes/hello world.txt"} {
		_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("hello\n")})
		require.NoError(t, err)
	}
	_, err = s3c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copies/q1.txt"),
		CopySource: aws.String(bucket + "/reports/q1.csv")})
	require.NoError(t, err)
	putSentinel(t, eb)

	got := rec.until(t, sentinelFn)
	require.Len(t, got, 2, "the .csv object matches nothing: %+v", got)
	assert.Contains(t, got[1].Input, `"key":"copies/q1.txt"`)
	assert.Contains(t, got[1].Input, `"reason":"CopyObject"`)
	assert.Equal(t, machine, got[0].ARN)
	assert.Equal(t, localcloud.Region, got[0].Region)
	var ev struct {
		Source     string   `json:"source"`
		DetailType string   `json:"detail-type"`
		Resources  []string `json:"resources"`
		Detail     struct {
			Bucket struct{ Name string } `json:"bucket"`
			Object struct {
				Key  string `json:"key"`
				Size int64  `json:"size"`
			} `json:"object"`
			Reason string `json:"reason"`
		} `json:"detail"`
	}
	require.NoError(t, json.Unmarshal([]byte(got[0].Input), &ev), got[0].Input)
	assert.Equal(t, "aws.s3", ev.Source)
	assert.Equal(t, "Object Created", ev.DetailType)
	assert.Equal(t, []string{"arn:aws:s3:::" + bucket}, ev.Resources)
	assert.Equal(t, bucket, ev.Detail.Bucket.Name)
	assert.Equal(t, "notes/hello world.txt", ev.Detail.Object.Key)
	assert.Equal(t, int64(6), ev.Detail.Object.Size)
	assert.Equal(t, "PutObject", ev.Detail.Reason)
	authz.mu.Lock()
	defer authz.mu.Unlock()
	assert.Equal(t, []string{role + " states:StartExecution " + machine, role + " states:StartExecution " + machine}, authz.asked)
}

func TestCLIPutEvents(t *testing.T) {
	lctest.RequireAWSCLI(t)
	rec := newRecorder()
	_, c := startEvents(t, rec)
	cfg := c.Options()
	rule(t, c, "cli", `{"source":["cli.test"],"detail":{"n":[{"numeric":[">=",2]}]}}`, lambdaTarget("cli"))
	entries := `[{"Source":"cli.test","DetailType":"T","Detail":"{\"n\":3}"},{"Source":"cli.test","DetailType":"T"}]`
	res := lctest.AWSParallel(aws.ToString(cfg.BaseEndpoint), []string{"events", "put-events", "--entries", entries})
	require.NoError(t, res[0].Err, string(res[0].Out))
	var out struct {
		FailedEntryCount int
		Entries          []struct{ EventId, ErrorCode, ErrorMessage string }
	}
	require.NoError(t, json.Unmarshal(res[0].Out, &out), string(res[0].Out))
	assert.Equal(t, 1, out.FailedEntryCount)
	require.Len(t, out.Entries, 2)
	assert.NotEmpty(t, out.Entries[0].EventId)
	assert.Equal(t, "InvalidArgument", out.Entries[1].ErrorCode)
	d := rec.next(t)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:cli", d.ARN)
	assert.Contains(t, d.Input, out.Entries[0].EventId)
}
