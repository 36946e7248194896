package topics_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
	"github.com/stepforge/stepforge/pkg/outbox"
)

// alarm is the seed's story: the processor failed and its message is what
// the alarm email carries.
const alarm = "Hey, something went wrong with your step function... Please check the latest execution! Details: File test.txt was uploaded to bucket cdk-simple-workflow-bucket in region us-east-1 at 2023-03-10T20:33:14Z."

func mails(t *testing.T, dir string) []outbox.Mail {
	t.Helper()
	m, err := outbox.List(dir)
	require.NoError(t, err)
	return m
}

func deliver(t *testing.T, svc *topics.Service) {
	t.Helper()
	_, err := svc.DeliverDue(context.Background())
	require.NoError(t, err)
}

var confirmLinkRE = regexp.MustCompile(`http://\S+/_localcloud/sns/confirm\?\S+`)

func TestEmailSubscriptionIsConfirmedByTheLinkInItsMail(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	svc := topics.New(lctest.Store(t), topics.WithOutbox(dir))
	links := httptest.NewServer(svc.ConfirmationHandler())
	t.Cleanup(links.Close)
	svc.SetEndpoint(links.URL)
	cfg, _, _ := lctest.Start(t, svc)
	c := sns.NewFromConfig(cfg)
	ct, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("CdkFailureTopic"),
		Attributes: map[string]string{"DisplayName": "Topic for Sfn Error Notification"}})
	require.NoError(t, err)
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")})
	require.NoError(t, err)
	assert.Equal(t, "pending confirmation", aws.ToString(sub.SubscriptionArn))

	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String("sent while pending")})
	require.NoError(t, err)
	deliver(t, svc)
	got := mails(t, dir)
	require.Len(t, got, 1, "only the confirmation request")
	assert.Equal(t, "AWS Notification - Subscription Confirmation", got[0].Subject)
	assert.Equal(t, "ops@example.com", got[0].To)
	assert.Equal(t, "Topic for Sfn Error Notification <no-reply@sns.amazonaws.com>", got[0].From)
	assert.Contains(t, got[0].Body, "You have chosen to subscribe to the topic: \n"+aws.ToString(ct.TopicArn))
	link := confirmLinkRE.FindString(got[0].Body)
	require.NotEmpty(t, link, got[0].Body)

	resp, err := http.Get(link)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "Subscription confirmed!")
	list, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: ct.TopicArn})
	require.NoError(t, err)
	require.Len(t, list.Subscriptions, 1)
	attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: list.Subscriptions[0].SubscriptionArn})
	require.NoError(t, err)
	assert.Equal(t, "false", attrs.Attributes["PendingConfirmation"])
	assert.Equal(t, "false", attrs.Attributes["ConfirmationWasAuthenticated"], "confirmed by the link, not an authenticated call")

	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String(alarm), Subject: aws.String("Step function failed")})
	require.NoError(t, err)
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String("no subject")})
	require.NoError(t, err)
	deliver(t, svc)
	got = mails(t, dir)
	require.Len(t, got, 3, "the message sent while pending is never delivered")
	assert.Equal(t, "Step function failed", got[1].Subject)
	assert.True(t, strings.HasPrefix(got[1].Body, alarm+"\n\n--\nIf you wish to stop receiving notifications from this topic"), got[1].Body)
	assert.Contains(t, got[1].Body, links.URL+"/_localcloud/sns/unsubscribe?SubscriptionArn=")
	assert.Equal(t, "text/plain; charset=UTF-8", got[1].Header.Get("Content-Type"))
	assert.NotEmpty(t, got[1].Header.Get("Message-ID"))
	assert.Equal(t, "AWS Notification Message", got[2].Subject)
	for _, m := range got {
		assert.NotContains(t, m.Body, "sent while pending")
	}

	// The link again is harmless; a wrong token is refused.
	resp, err = http.Get(link)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Get(links.URL + "/_localcloud/sns/confirm?TopicArn=" + aws.ToString(ct.TopicArn) + "&Token=nope")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestAutoConfirmedEmailGetsMessagesAtOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	svc := topics.New(lctest.Store(t), topics.WithOutbox(dir), topics.WithAutoConfirm(true))
	svc.Start()
	t.Cleanup(func() { _ = svc.Close() })
	cfg, _, _ := lctest.Start(t, svc)
	c := sns.NewFromConfig(cfg)
	ct, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alarms")})
	require.NoError(t, err)
	for _, p := range []string{"email", "email-json"} {
		sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String(p), Endpoint: aws.String("ops@example.com"), ReturnSubscriptionArn: true})
		require.NoError(t, err)
		assert.NotEqual(t, "pending confirmation", aws.ToString(sub.SubscriptionArn))
	}
	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String(alarm), Subject: aws.String("Failed")})
	require.NoError(t, err)

	got := waitForMails(t, dir, 2)
	var text, doc outbox.Mail
	for _, m := range got {
		if strings.HasPrefix(m.Body, "{") {
			doc = m
		} else {
			text = m
		}
	}
	assert.Contains(t, text.Body, alarm)
	assert.Equal(t, "AWS Notifications <no-reply@sns.amazonaws.com>", text.From, "a topic with no display name")
	var n map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc.Body), &n), doc.Body)
	assert.Equal(t, "Notification", n["Type"])
	assert.Equal(t, aws.ToString(pub.MessageId), n["MessageId"])
	assert.Equal(t, alarm, n["Message"])
	assert.Equal(t, "Failed", n["Subject"])
	assert.Equal(t, "1", n["SignatureVersion"])
	assert.Contains(t, n["UnsubscribeURL"], "/_localcloud/sns/unsubscribe?SubscriptionArn=")
}

func TestTheAWSCLIPublishesAndTheMailAppears(t *testing.T) {
	lctest.RequireAWSCLI(t)
	ctx := context.Background()
	dir := t.TempDir()
	svc := topics.New(lctest.Store(t), topics.WithOutbox(dir), topics.WithAutoConfirm(true))
	_, _, hs := lctest.Start(t, svc)
	arn, err := svc.CreateTopic(ctx, "us-east-1", "cli", nil, nil)
	require.NoError(t, err)
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "email", Endpoint: "dev@example.com"})
	require.NoError(t, err)
	res := lctest.AWSParallel(hs.URL, []string{"sns", "publish", "--topic-arn", arn, "--subject", "From the CLI", "--message", alarm})
	require.NoError(t, res[0].Err, "%s", res[0].Out)
	var out struct{ MessageId string }
	require.NoError(t, json.Unmarshal(res[0].Out, &out), "%s", res[0].Out)
	deliver(t, svc)
	got := mails(t, dir)
	require.Len(t, got, 1)
	assert.Equal(t, "From the CLI", got[0].Subject)
	assert.Contains(t, got[0].Body, alarm)
	assert.Contains(t, got[0].Path, out.MessageId)
}
