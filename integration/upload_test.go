package integration

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/outbox"
)

func TestARejectedUploadEmailsTheProcessorsMessage(t *testing.T) {
	localOnly(t, "the outbox")
	ctx := context.Background()
	bucket := sys.outputs["upload-alarm"]["UploadsBucketName"]
	machine := sys.outputs["upload-alarm"]["UploadAlarmStateMachineArn"]
	require.NotEmpty(t, bucket)
	s3c := s3.NewFromConfig(sys.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	client := sfn.NewFromConfig(sys.cfg)
	before := executions(t, client, machine)

	// A .csv is not the rule's: no execution starts.
	_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("numbers.csv"), Body: strings.NewReader("1,2,3\n")})
	require.NoError(t, err)
	// An empty .txt is rejected by the processor (EmptyUpload).
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("empty.txt"), Body: strings.NewReader("")})
	require.NoError(t, err)

	var mail *outbox.Mail
	for deadline := time.Now().Add(30 * time.Second); mail == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mails, err := outbox.List(filepath.Join(sys.dir, "state", "outbox"))
		require.NoError(t, err)
		for i := range mails {
			if strings.Contains(mails[i].Body, "empty.txt") {
				mail = &mails[i]
			}
		}
	}
	require.NotNil(t, mail, "the alarm email arrived in the outbox")
	assert.Equal(t, "ops@example.com", mail.To)
	assert.Contains(t, mail.Body, "empty", "it carries the processor's message")

	// The email is the Catch's publish; the Fail state follows it.
	var after []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if after = executions(t, client, machine); len(after) > 0 && after[0] != "RUNNING" {
			break
		}
	}
	require.Len(t, after, len(before)+1, "one execution: the .txt, not the .csv")
	assert.Equal(t, "FAILED", after[0])
}

// executions lists a machine's executions' statuses, newest first.
func executions(t testing.TB, client *sfn.Client, machine string) []string {
	t.Helper()
	out, err := client.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	var statuses []string
	for _, e := range out.Executions {
		statuses = append(statuses, string(e.Status))
	}
	return statuses
}
