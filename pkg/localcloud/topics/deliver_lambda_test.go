package topics_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
	"github.com/stepforge/stepforge/pkg/outbox"
)

const fnArn = "arn:aws:lambda:eu-west-1:000000000000:function:on-alarm"

// invocations records what a Lambda was invoked with; fail, when set,
// decides each call's error.
type invocations struct {
	mu    sync.Mutex
	calls []invocation
	fail  func(n int) error
}

type invocation struct {
	region, function string
	event            events.SNSEvent
}

func (r *invocations) InvokeAsync(_ context.Context, region, functionARN string, payload []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ev events.SNSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return err
	}
	n := len(r.calls)
	r.calls = append(r.calls, invocation{region, functionARN, ev})
	if r.fail != nil {
		return r.fail(n)
	}
	return nil
}

func (r *invocations) list() []invocation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]invocation(nil), r.calls...)
}

// waitForMails waits for the worker to write n mails.
func waitForMails(t *testing.T, dir string, n int) []outbox.Mail {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if got := mails(t, dir); len(got) >= n {
			return got
		}
	}
	t.Fatalf("the outbox did not get %d mails", n)
	return nil
}

func TestLambdaSubscriptionIsInvokedWithTheSNSEvent(t *testing.T) {
	ctx := context.Background()
	fn := &invocations{}
	svc := topics.New(lctest.Store(t), topics.WithLambda(fn))
	cfg, _, _ := lctest.Start(t, svc)
	c := sns.NewFromConfig(cfg)
	ct, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alarms")})
	require.NoError(t, err)
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(fnArn)})
	require.NoError(t, err)
	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String(alarm), Subject: aws.String("Failed"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"severity": {DataType: aws.String("String"), StringValue: aws.String("high")},
			"blob":     {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2}},
		}})
	require.NoError(t, err)
	deliver(t, svc)

	calls := fn.list()
	require.Len(t, calls, 1)
	assert.Equal(t, "eu-west-1", calls[0].region)
	assert.Equal(t, fnArn, calls[0].function)
	require.Len(t, calls[0].event.Records, 1)
	rec := calls[0].event.Records[0]
	assert.Equal(t, "aws:sns", rec.EventSource)
	assert.Equal(t, "1.0", rec.EventVersion)
	assert.Equal(t, aws.ToString(sub.SubscriptionArn), rec.EventSubscriptionArn)
	assert.Equal(t, "Notification", rec.SNS.Type)
	assert.Equal(t, aws.ToString(pub.MessageId), rec.SNS.MessageID)
	assert.Equal(t, aws.ToString(ct.TopicArn), rec.SNS.TopicArn)
	assert.Equal(t, "Failed", rec.SNS.Subject)
	assert.Equal(t, alarm, rec.SNS.Message)
	assert.Equal(t, "1", rec.SNS.SignatureVersion)
	assert.NotEmpty(t, rec.SNS.Signature)
	assert.NotEmpty(t, rec.SNS.SigningCertURL)
	assert.Contains(t, rec.SNS.UnsubscribeURL, "SubscriptionArn=")
	assert.WithinDuration(t, time.Now(), rec.SNS.Timestamp, time.Minute)
	assert.Equal(t, map[string]any{"Type": "String", "Value": "high"}, rec.SNS.MessageAttributes["severity"])
	assert.Equal(t, map[string]any{"Type": "Binary", "Value": "AQI="}, rec.SNS.MessageAttributes["blob"])
	pending, err := svc.PendingDeliveries(ctx)
	require.NoError(t, err)
	assert.Empty(t, pending, "a delivery made leaves the store")
}

func TestLambdaDeliveryIsRetriedAsSNSRetries(t *testing.T) {
	ctx := context.Background()
	const failures = 7
	fn := &invocations{fail: func(n int) error {
		if n < failures {
			return errors.New("Rate Exceeded")
		}
		return nil
	}}
	svc := topics.New(lctest.Store(t), topics.WithLambda(fn), topics.WithTimeScale(0.001))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc.SetNow(func() time.Time { return now })
	arn, err := svc.CreateTopic(ctx, "us-east-1", "alarms", nil, nil)
	require.NoError(t, err)
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "lambda", Endpoint: fnArn})
	require.NoError(t, err)
	_, err = svc.Publish(ctx, "us-east-1", topics.PublishInput{TopicArn: arn, Message: alarm})
	require.NoError(t, err)

	// Three immediate retries, two a second apart, then backoff from 1 s:
	// all a thousand times shorter.
	want := []time.Duration{0, 0, 0, time.Millisecond, time.Millisecond, time.Millisecond, 1395 * time.Microsecond}
	var waits []time.Duration
	for range failures + 1 {
		next, err := svc.DeliverDue(ctx)
		require.NoError(t, err)
		if next.IsZero() {
			break
		}
		waits = append(waits, next.Sub(now))
		now = next
	}
	assert.Equal(t, want, waits)
	assert.Len(t, fn.list(), failures+1)
	pending, err := svc.PendingDeliveries(ctx)
	require.NoError(t, err)
	assert.Empty(t, pending)

	// A client error (the function is gone) is not retried.
	gone := &invocations{fail: func(int) error {
		return &localcloud.Error{Code: "ResourceNotFoundException", Status: http.StatusNotFound, Message: "Function not found: " + fnArn}
	}}
	svc2 := topics.New(lctest.Store(t), topics.WithLambda(gone))
	arn, err = svc2.CreateTopic(ctx, "us-east-1", "alarms", nil, nil)
	require.NoError(t, err)
	_, err = svc2.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "lambda", Endpoint: fnArn})
	require.NoError(t, err)
	_, err = svc2.Publish(ctx, "us-east-1", topics.PublishInput{TopicArn: arn, Message: alarm})
	require.NoError(t, err)
	next, err := svc2.DeliverDue(ctx)
	require.NoError(t, err)
	assert.True(t, next.IsZero())
	assert.Len(t, gone.list(), 1)
}

func TestRetryPoliciesAreSNSs(t *testing.T) {
	for _, tc := range []struct {
		protocol string
		retry    int
		want     time.Duration
		ok       bool
	}{
		{"lambda", 1, 0, true},
		{"lambda", 3, 0, true},
		{"lambda", 4, time.Second, true},
		{"lambda", 6, time.Second, true},
		{"lambda", 15, 20 * time.Second, true},
		{"lambda", 16, 20 * time.Second, true},
		{"lambda", 100015, 20 * time.Second, true},
		{"lambda", 100016, 0, false},
		{"email", 1, 10 * time.Second, true},
		{"email", 12, 600 * time.Second, true},
		{"email", 50, 600 * time.Second, true},
		{"email", 51, 0, false},
		{"https", 3, 20 * time.Second, true},
		{"https", 4, 0, false},
	} {
		got, ok := topics.RetryDelay(tc.protocol, tc.retry)
		assert.Equal(t, tc.ok, ok, "%s retry %d", tc.protocol, tc.retry)
		assert.Equal(t, tc.want, got, "%s retry %d", tc.protocol, tc.retry)
	}
}

func TestARestartMidQueueDeliversEachMessageOnce(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/state.db"
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	reached := make(chan struct{})
	var first []string
	var mu sync.Mutex
	blocking := topics.LambdaFunc(func(ctx context.Context, _, _ string, payload []byte) error {
		var ev events.SNSEvent
		require.NoError(t, json.Unmarshal(payload, &ev))
		mu.Lock()
		n := len(first)
		if n < 2 {
			first = append(first, ev.Records[0].SNS.MessageID)
		}
		mu.Unlock()
		if n == 2 {
			close(reached) // the third delivery is cut short by Close
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	})
	svc := topics.New(st, topics.WithLambda(blocking))
	arn, err := svc.CreateTopic(ctx, "us-east-1", "alarms", nil, nil)
	require.NoError(t, err)
	_, err = svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "lambda", Endpoint: fnArn})
	require.NoError(t, err)
	var ids []string
	for range 5 {
		id, err := svc.Publish(ctx, "us-east-1", topics.PublishInput{TopicArn: arn, Message: alarm})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	svc.Start()
	<-reached
	require.NoError(t, svc.Close())
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	fn := &invocations{}
	svc = topics.New(st, topics.WithLambda(fn))
	pending, err := svc.PendingDeliveries(ctx)
	require.NoError(t, err)
	assert.Len(t, pending, 3, "the two deliveries made are gone, the three others kept")
	deliver(t, svc)
	delivered := append([]string(nil), first...)
	for _, c := range fn.list() {
		delivered = append(delivered, c.event.Records[0].SNS.MessageID)
	}
	assert.Equal(t, ids, delivered, "each message once, in order")
}
