package outbox_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/outbox"
)

func TestListReadsTheMailsOldestFirst(t *testing.T) {
	mails, err := outbox.List("testdata")
	require.NoError(t, err)
	require.Len(t, mails, 2, "the temporary file of a mail being written is not listed")
	assert.Equal(t, "AWS Notification - Subscription Confirmation", mails[0].Subject)
	assert.Equal(t, "Café alerts <no-reply@sns.amazonaws.com>", mails[0].From, "the encoded display name is decoded")
	last := mails[1]
	assert.Equal(t, "Step function failed", last.Subject)
	assert.Equal(t, "ops@example.com", last.To)
	assert.Equal(t, "Topic for Sfn Error Notification <no-reply@sns.amazonaws.com>", last.From)
	assert.Equal(t, "2023-03-10T20:33:15Z", last.Time.UTC().Format("2006-01-02T15:04:05Z"))
	assert.True(t, strings.HasPrefix(last.Body, "Hey, something went wrong with your step function...\n\n--\n"), last.Body)
	assert.NotContains(t, last.Body, "\r")
}

func TestAMissingOutboxIsEmpty(t *testing.T) {
	mails, err := outbox.List(t.TempDir() + "/never-written")
	require.NoError(t, err)
	assert.Empty(t, mails)
	var b bytes.Buffer
	require.NoError(t, outbox.Print(&b, mails, false))
	assert.Equal(t, "The outbox is empty.\n", b.String())
}

func TestPrintShowsATableOrEveryMailInFull(t *testing.T) {
	mails, err := outbox.List("testdata")
	require.NoError(t, err)
	var table bytes.Buffer
	require.NoError(t, outbox.Print(&table, mails, false))
	lines := strings.Split(strings.TrimSpace(table.String()), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^TIME\s+TO\s+SUBJECT$`, lines[0])
	assert.Regexp(t, `ops@example.com\s+AWS Notification - Subscription Confirmation$`, lines[1])
	assert.Regexp(t, `ops@example.com\s+Step function failed$`, lines[2])

	var full bytes.Buffer
	require.NoError(t, outbox.Print(&full, mails, true))
	out := full.String()
	assert.Contains(t, out, "Subject: Step function failed\n")
	assert.Contains(t, out, "From: Café alerts <no-reply@sns.amazonaws.com>\n", "the header decoded")
	assert.Contains(t, out, "\nHey, something went wrong with your step function...\n")
	assert.Less(t, strings.Index(out, "Subscription Confirmation"), strings.Index(out, "Step function failed"), "oldest first")
}
