package topics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/keys"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
)

// Keys is what *keys.Service provides.
var _ topics.Keys = (*keys.Service)(nil)

func TestAnEncryptedTopicKeepsNoPlaintextAtRest(t *testing.T) {
	ctx := context.Background()
	const secret = "the pineapple recipe is 42 grams of sugar"
	path := t.TempDir() + "/state.db"
	dir := t.TempDir()
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	kms := keys.New(st)
	key, err := kms.CreateKey(ctx, keys.CreateKeyInput{Description: "sns"})
	require.NoError(t, err)
	fn := &invocations{}
	svc := topics.New(st, topics.WithKeys(kms), topics.WithOutbox(dir), topics.WithAutoConfirm(true), topics.WithLambda(fn))
	cfg, _, _ := lctest.Start(t, svc)
	c := sns.NewFromConfig(cfg)
	ct, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("secrets"), Attributes: map[string]string{"KmsMasterKeyId": key.Arn}})
	require.NoError(t, err)
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(fnArn)})
	require.NoError(t, err)
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String(secret), Subject: aws.String("Sugar"),
		MessageAttributes: map[string]types.MessageAttributeValue{"grams": {DataType: aws.String("String"), StringValue: aws.String("forty-two grams")}}})
	require.NoError(t, err)

	msgs, err := svc.Messages(ctx, aws.ToString(ct.TopicArn))
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, secret, msgs[0].Message, "Messages decrypts")
	assert.Equal(t, "Sugar", msgs[0].Subject)
	assert.Equal(t, "forty-two grams", msgs[0].MessageAttributes["grams"].StringValue)
	require.NoError(t, st.Close())
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, s := range []string{secret, "Sugar", "forty-two grams"} {
		assert.False(t, bytes.Contains(raw, []byte(s)), "%q is in the store file", s)
	}

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	svc = topics.New(st, topics.WithKeys(keys.New(st)), topics.WithLambda(fn))
	deliver(t, svc)
	calls := fn.list()
	require.Len(t, calls, 1)
	assert.Equal(t, secret, calls[0].event.Records[0].SNS.Message, "delivered decrypted after a restart")
}

func TestFilterPoliciesChooseTheSubscriptions(t *testing.T) {
	ctx := context.Background()
	fn := &invocations{}
	svc := topics.New(lctest.Store(t), topics.WithLambda(fn))
	cfg, _, _ := lctest.Start(t, svc)
	c := sns.NewFromConfig(cfg)
	ct, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders")})
	require.NoError(t, err)
	subscribe := func(name string, attrs map[string]string) {
		_, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: ct.TopicArn, Protocol: aws.String("lambda"),
			Endpoint: aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + name), Attributes: attrs})
		require.NoError(t, err)
	}
	subscribe("all", nil)
	subscribe("pizza", map[string]string{"FilterPolicy": `{"kind":["pizza"],"price":[{"numeric":[">",10]}]}`})
	subscribe("big-body", map[string]string{"FilterPolicy": `{"order":{"size":[{"prefix":"XL"}]}}`, "FilterPolicyScope": "MessageBody"})
	publish := func(body string, attrs map[string]types.MessageAttributeValue) {
		_, err := c.Publish(ctx, &sns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String(body), MessageAttributes: attrs})
		require.NoError(t, err)
	}
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	num := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(v)}
	}
	publish(`{"order":{"size":"XL-family"}}`, map[string]types.MessageAttributeValue{"kind": str("pizza"), "price": num("12.5")})
	publish(`{"order":{"size":"S"}}`, map[string]types.MessageAttributeValue{"kind": str("pizza"), "price": num("8")})
	publish(`not json`, map[string]types.MessageAttributeValue{"kind": str("pasta"), "price": num("20")})
	deliver(t, svc)
	got := map[string]int{}
	for _, call := range fn.list() {
		got[call.function[len("arn:aws:lambda:us-east-1:000000000000:function:"):]]++
	}
	assert.Equal(t, map[string]int{"all": 3, "pizza": 1, "big-body": 1}, got)
}

func TestHTTPSubscriptionConfirmsThroughItsSubscribeURL(t *testing.T) {
	ctx := context.Background()
	svc := topics.New(lctest.Store(t))
	links := httptest.NewServer(svc.ConfirmationHandler())
	t.Cleanup(links.Close)
	svc.SetEndpoint(links.URL)
	var mu sync.Mutex
	var posts []map[string]any
	var headers []http.Header
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var doc map[string]any
		_ = json.Unmarshal(b, &doc)
		mu.Lock()
		posts, headers = append(posts, doc), append(headers, r.Header.Clone())
		mu.Unlock()
		if doc["Type"] == "SubscriptionConfirmation" {
			resp, err := http.Get(doc["SubscribeURL"].(string))
			if err == nil {
				resp.Body.Close()
			}
		}
	}))
	t.Cleanup(endpoint.Close)
	arn, err := svc.CreateTopic(ctx, "us-east-1", "hooks", nil, nil)
	require.NoError(t, err)
	sub, err := svc.Subscribe(ctx, topics.SubscribeInput{TopicArn: arn, Protocol: "http", Endpoint: endpoint.URL + "/sns"})
	require.NoError(t, err)
	require.True(t, sub.PendingConfirmation)
	deliver(t, svc)
	id, err := svc.Publish(ctx, "us-east-1", topics.PublishInput{TopicArn: arn, Message: alarm})
	require.NoError(t, err)
	deliver(t, svc)

	require.Len(t, posts, 2)
	assert.Equal(t, "SubscriptionConfirmation", headers[0].Get("x-amz-sns-message-type"))
	assert.NotEmpty(t, posts[0]["Token"])
	assert.Equal(t, "Notification", headers[1].Get("x-amz-sns-message-type"))
	assert.Equal(t, id, headers[1].Get("x-amz-sns-message-id"))
	assert.Equal(t, arn, headers[1].Get("x-amz-sns-topic-arn"))
	assert.Equal(t, sub.Arn, headers[1].Get("x-amz-sns-subscription-arn"))
	assert.Equal(t, alarm, posts[1]["Message"])
	assert.Equal(t, id, posts[1]["MessageId"])
}
