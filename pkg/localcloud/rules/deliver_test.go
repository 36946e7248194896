package rules_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/rules"
)

// syncBuffer is a log destination the worker and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startEvents(t *testing.T, rec *recorder, opts ...rules.Option) (*rules.Service, *eventbridge.Client) {
	t.Helper()
	opts = append([]rules.Option{rules.WithLambda(rec), rules.WithStepFunctions(rec), rules.WithSNS(rec), rules.WithTimeScale(0.001)}, opts...)
	svc := rules.New(lctest.Store(t), opts...)
	t.Cleanup(func() { _ = svc.Close() })
	cfg, _, _ := lctest.Start(t, svc)
	return svc, eventbridge.NewFromConfig(cfg)
}

func TestPutEventsDeliversToTheRulesEachPatternFamilyMatches(t *testing.T) {
	rec := newRecorder()
	_, c := startEvents(t, rec)
	patterns := map[string]string{
		"exact":         `{"source":["shop.orders"],"detail-type":["OrderPlaced"]}`,
		"prefix":        `{"detail":{"sku":[{"prefix":"PIZ-"}]}}`,
		"prefix-nocase": `{"detail":{"sku":[{"prefix":{"equals-ignore-case":"piz-"}}]}}`,
		"suffix":        `{"detail":{"file":[{"suffix":".txt"}]}}`,
		"anything-but":  `{"detail":{"state":[{"anything-but":["cancelled","refunded"]}]}}`,
		"numeric":       `{"detail":{"total":[{"numeric":[">",10,"<=",100]}]}}`,
		"exists":        `{"source":["shop.orders"],"detail":{"coupon":[{"exists":false}]}}`,
		"ignore-case":   `{"detail":{"state":[{"equals-ignore-case":"PLACED"}]}}`,
		"wildcard":      `{"detail":{"file":[{"wildcard":"orders/*/receipt.txt"}]}}`,
		"cidr":          `{"detail":{"ip":[{"cidr":"10.0.0.0/8"}]}}`,
		"or":            `{"$or":[{"detail":{"total":[{"numeric":[">",1000]}]}},{"detail":{"tags":["vip"]}}]}`,
		"boolean":       `{"detail":{"paid":[true]}}`,
		"no-numeric":    `{"detail":{"total":[{"numeric":["<",10]}]}}`,
		"no-prefix":     `{"detail":{"sku":[{"prefix":"BURGER-"}]}}`,
		"no-exists":     `{"source":["shop.orders"],"detail":{"state":[{"exists":false}]}}`,
		"no-source":     `{"source":["shop.payments"]}`,
		"no-number-str": `{"detail":{"total":["42"]}}`,
	}
	for name, p := range patterns {
		rule(t, c, name, p, lambdaTarget(name))
	}
	rule(t, c, "disabled", `{"source":["shop.orders"]}`, lambdaTarget("disabled"))
	_, err := c.DisableRule(context.Background(), &eventbridge.DisableRuleInput{Name: aws.String("disabled")})
	require.NoError(t, err)
	sentinel(t, c)

	out := put(t, c, types.PutEventsRequestEntry{Source: aws.String("shop.orders"), DetailType: aws.String("OrderPlaced"),
		Detail:    aws.String(`{"sku":"PIZ-42","file":"orders/42/receipt.txt","state":"placed","total":42,"ip":"10.1.2.3","tags":["new","vip"],"paid":true}`),
		Resources: []string{"arn:aws:states:us-east-1:123456789012:stateMachine:Pizza"}})
	require.Len(t, out.Entries, 1)
	id := aws.ToString(out.Entries[0].EventId)
	require.NotEmpty(t, id)
	putSentinel(t, c)

	var got []string
	for _, d := range rec.until(t, sentinelFn) {
		got = append(got, strings.TrimPrefix(d.ARN, "arn:aws:lambda:us-east-1:123456789012:function:"))
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(d.Input), &ev))
		assert.Equal(t, id, ev["id"])
		assert.Equal(t, "0", ev["version"])
		assert.Equal(t, "OrderPlaced", ev["detail-type"])
		assert.Equal(t, "123456789012", ev["account"])
		assert.Equal(t, "us-east-1", ev["region"])
		assert.Equal(t, []any{"arn:aws:states:us-east-1:123456789012:stateMachine:Pizza"}, ev["resources"])
		assert.Equal(t, "PIZ-42", ev["detail"].(map[string]any)["sku"])
		assert.Equal(t, "us-east-1", d.Region)
	}
	sort.Strings(got)
	assert.Equal(t, []string{"anything-but", "boolean", "cidr", "exact", "exists", "ignore-case", "numeric", "or",
		"prefix", "prefix-nocase", "suffix", "wildcard"}, got)
}

func TestTargetsGetInputInputPathOrTheTransformedEvent(t *testing.T) {
	rec := newRecorder()
	_, c := startEvents(t, rec)
	ctx := context.Background()
	pattern := `{"source":["shop.orders"]}`
	_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orders"), EventPattern: aws.String(pattern)})
	require.NoError(t, err)
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orders"), Targets: []types.Target{
		{Id: aws.String("const"), Arn: aws.String("arn:aws:sns:us-east-1:123456789012:const"), Input: aws.String(`{"fixed":true}`)},
		{Id: aws.String("path"), Arn: aws.String("arn:aws:sns:us-east-1:123456789012:path"), InputPath: aws.String("$.detail.order")},
		{Id: aws.String("json"), Arn: aws.String("arn:aws:states:eu-west-1:123456789012:stateMachine:M"), RoleArn: aws.String(roleARN),
			InputTransformer: &types.InputTransformer{
				InputPathsMap: map[string]string{"id": "$.detail.order.id", "total": "$.detail.order.total", "order": "$.detail.order",
					"first": "$.detail.items[0]", "type": "$.detail-type", "missing": "$.detail.nope"},
				InputTemplate: aws.String(`{"id": <id>, "quoted": "<id>", "total": <total>, "order": <order>, "text": "order <id> of <total> & <order>", "first": "<first>", "type": "<type>", "missing": <missing>, "rule": <aws.events.rule-name>, "unknown": "<nope>"}`)}},
		{Id: aws.String("string"), Arn: aws.String("arn:aws:sns:us-east-1:123456789012:string"),
			InputTransformer: &types.InputTransformer{InputPathsMap: map[string]string{"id": "$.detail.order.id"},
				InputTemplate: aws.String(`"Order <id> is \"placed\" in <aws.events.rule-arn>"`)}},
	}})
	require.NoError(t, err)
	put(t, c, types.PutEventsRequestEntry{Source: aws.String("shop.orders"), DetailType: aws.String("OrderPlaced"),
		Detail: aws.String(`{"order":{"id":"o-1","total":42.5},"items":["pizza <large>","cola"]}`)})

	got := map[string]call{}
	for range 4 {
		d := rec.next(t)
		got[d.ARN] = d
	}
	assert.Equal(t, `{"fixed":true}`, got["arn:aws:sns:us-east-1:123456789012:const"].Input)
	assert.JSONEq(t, `{"id":"o-1","total":42.5}`, got["arn:aws:sns:us-east-1:123456789012:path"].Input)
	sfn := got["arn:aws:states:eu-west-1:123456789012:stateMachine:M"]
	assert.Equal(t, "eu-west-1", sfn.Region, "the target's region")
	assert.Equal(t, `{"id": "o-1", "quoted": "o-1", "total": 42.5, "order": {"id":"o-1","total":42.5}, `+
		`"text": "order o-1 of 42.5 & {\"id\":\"o-1\",\"total\":42.5}", "first": "pizza <large>", "type": "OrderPlaced", `+
		`"missing": null, "rule": "orders", "unknown": "<nope>"}`, sfn.Input)
	assert.True(t, json.Valid([]byte(sfn.Input)))
	assert.Equal(t, `"Order o-1 is \"placed\" in arn:aws:events:us-east-1:123456789012:rule/orders"`,
		got["arn:aws:sns:us-east-1:123456789012:string"].Input)
}

func TestPutEventsAnswersEachEntryAsEventBridgeDoes(t *testing.T) {
	_, c := startEvents(t, newRecorder())
	ctx := context.Background()
	e := func(source, detailType, detail string) types.PutEventsRequestEntry {
		return types.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(detail)}
	}
	entries := []types.PutEventsRequestEntry{
		e("shop", "A", `{"ok":1}`),
		e("", "A", `{}`),
		e("shop", "", `{}`),
		{Source: aws.String("shop"), DetailType: aws.String("A")},
		e("shop", "A", `[1]`),
		e("shop", "A", `{"no"`),
		e("aws.s3", "Object Created", `{}`),
		{Source: aws.String("shop"), DetailType: aws.String("A"), Detail: aws.String(`{}`), EventBusName: aws.String("missing")},
	}
	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	require.NoError(t, err)
	assert.Equal(t, int32(7), out.FailedEntryCount)
	require.Len(t, out.Entries, len(entries))
	assert.NotEmpty(t, aws.ToString(out.Entries[0].EventId))
	type res struct{ Code, Message string }
	var got []res
	for _, r := range out.Entries[1:] {
		assert.Nil(t, r.EventId)
		got = append(got, res{aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage)})
	}
	assert.Equal(t, []res{
		{"InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."},
		{"InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."},
		{"InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."},
		{"MalformedDetail", "Detail is malformed."},
		{"MalformedDetail", "Detail is malformed."},
		{"NotAuthorizedForSourceException", "Not authorized for the source."},
		{"ResourceNotFoundException", "Event bus missing does not exist."},
	}, got)

	var eleven []types.PutEventsRequestEntry
	for range 11 {
		eleven = append(eleven, e("shop", "A", `{}`))
	}
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: eleven})
	assert.Equal(t, "ValidationException", apiCode(err), "%v", err)

	big := e("shop", "A", `{"x":"`+strings.Repeat("a", 300*1024)+`"}`)
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{big}})
	assert.Equal(t, "ValidationException", apiCode(err), "%v", err)

	tp, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"detail":{"n":[{"numeric":[">",1]}]}}`),
		Event: aws.String(`{"id":"1","account":"1","source":"s","time":"2024-01-01T00:00:00Z","region":"us-east-1","detail-type":"d","resources":[],"detail":{"n":2}}`)})
	require.NoError(t, err)
	assert.True(t, tp.Result)
}

func TestFailedDeliveriesAreRetriedThenDropped(t *testing.T) {
	rec := newRecorder()
	rec.fail = 2
	logs := &syncBuffer{}
	authz := &authorizer{denied: "arn:aws:iam::123456789012:role/denied"}
	_, c := startEvents(t, rec, rules.WithAuthorizer(authz), rules.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	ctx := context.Background()
	_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["shop"]}`)})
	require.NoError(t, err)
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{
		{Id: aws.String("flaky"), Arn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:Flaky"), RoleArn: aws.String(roleARN)},
		{Id: aws.String("denied"), Arn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:Denied"),
			RoleArn: aws.String("arn:aws:iam::123456789012:role/denied")},
		{Id: aws.String("queue"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:q")},
	}})
	require.NoError(t, err)
	sentinel(t, c)
	put(t, c, types.PutEventsRequestEntry{Source: aws.String("shop"), DetailType: aws.String("A"), Detail: aws.String(`{}`)})

	// Two failures, then the third attempt (after 1 s and 2 s of scaled backoff) succeeds.
	for range 3 {
		d := rec.next(t)
		assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:Flaky", d.ARN)
	}
	putSentinel(t, c)
	assert.Empty(t, rec.until(t, sentinelFn), "nothing else is delivered")
	assert.Len(t, rec.all(), 4)
	assert.Contains(t, authz.asked, roleARN+" states:StartExecution arn:aws:states:us-east-1:123456789012:stateMachine:Flaky")
	assert.Contains(t, authz.asked, "arn:aws:iam::123456789012:role/denied states:StartExecution arn:aws:states:us-east-1:123456789012:stateMachine:Denied")
	out := logs.String()
	assert.Contains(t, out, "delivery failed, retrying")
	assert.Contains(t, out, "AccessDeniedException")
	assert.Contains(t, out, "the local cloud does not deliver to sqs targets (arn:aws:sqs:us-east-1:123456789012:q)")
}

func TestRetriesStopAtTheRetryPolicy(t *testing.T) {
	rec := newRecorder()
	rec.fail = 1000
	logs := &syncBuffer{}
	_, c := startEvents(t, rec, rules.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	rule(t, c, "r", `{"source":["shop"]}`, types.Target{Arn: aws.String("arn:aws:sns:us-east-1:123456789012:t"),
		RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(2)},
		DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:dlq")}})
	sentinel(t, c)
	put(t, c, types.PutEventsRequestEntry{Source: aws.String("shop"), DetailType: aws.String("A"), Detail: aws.String(`{}`)})
	for range 3 {
		rec.next(t)
	}
	rec.mu.Lock()
	rec.fail = 0
	rec.mu.Unlock()
	putSentinel(t, c)
	assert.Empty(t, rec.until(t, sentinelFn), "no fourth attempt")
	assert.Contains(t, logs.String(), "dead-letter queue is not emulated")
	assert.Contains(t, logs.String(), "arn:aws:sqs:us-east-1:123456789012:dlq")
}

func TestQueuedEventsSurviveARestartAndAreDeliveredOnce(t *testing.T) {
	path := t.TempDir() + "/state.db"
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	first := newRecorder()
	first.fail = 1
	svc := rules.New(st, rules.WithSNS(first), rules.WithTimeScale(1)) // the retry waits a real second: it never comes
	ctx := context.Background()
	_, err = svc.PutRule(ctx, "", rules.PutRuleInput{Name: "r", EventPattern: `{"source":["shop"]}`})
	require.NoError(t, err)
	_, err = svc.PutTargets(ctx, "", "r", "", []rules.Target{{Id: "t", Arn: "arn:aws:sns:us-east-1:123456789012:t"}})
	require.NoError(t, err)
	res, err := svc.PutEvents(ctx, "", []rules.EventEntry{{Source: "shop", DetailType: "A", Detail: `{"n":1}`}})
	require.NoError(t, err)
	require.NotEmpty(t, res[0].EventId)
	first.next(t) // failed: a retry is queued
	require.NoError(t, svc.Close())
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer st.Close()
	second := newRecorder()
	svc = rules.New(st, rules.WithSNS(second), rules.WithLambda(second), rules.WithTimeScale(0.001))
	defer svc.Close()
	_, err = svc.PutRule(ctx, "", rules.PutRuleInput{Name: "sentinel", EventPattern: `{"source":["sentinel"]}`})
	require.NoError(t, err)
	_, err = svc.PutTargets(ctx, "", "sentinel", "", []rules.Target{{Id: "t", Arn: sentinelFn}})
	require.NoError(t, err)

	d := second.next(t)
	assert.Equal(t, "arn:aws:sns:us-east-1:123456789012:t", d.ARN)
	assert.Contains(t, d.Input, res[0].EventId)
	_, err = svc.PutEvents(ctx, "", []rules.EventEntry{{Source: "sentinel", DetailType: "end", Detail: `{}`}})
	require.NoError(t, err)
	assert.Empty(t, second.until(t, sentinelFn), "delivered exactly once")
	assert.Len(t, first.all(), 1)
}

// permissioned is a Lambda whose functions' resource policies allow
// EventBridge only for the functions it names.
type permissioned struct {
	*recorder
	allowed map[string]bool
}

func (p permissioned) AllowsInvoke(_ context.Context, _, functionARN, principal, sourceARN string) (bool, error) {
	return principal == "events.amazonaws.com" && strings.HasPrefix(sourceARN, "arn:aws:events:") && p.allowed[functionARN], nil
}

func TestLambdaTargetsNeedTheFunctionsPermission(t *testing.T) {
	rec := newRecorder()
	fn := permissioned{rec, map[string]bool{"arn:aws:lambda:us-east-1:123456789012:function:allowed": true, sentinelFn: true}}
	logs := &syncBuffer{}
	_, c := startEvents(t, rec, rules.WithLambda(fn), rules.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	rule(t, c, "allowed", `{"source":["shop"]}`, lambdaTarget("allowed"))
	rule(t, c, "refused", `{"source":["shop"]}`, lambdaTarget("refused"))
	sentinel(t, c)
	put(t, c, types.PutEventsRequestEntry{Source: aws.String("shop"), DetailType: aws.String("A"), Detail: aws.String(`{}`)})
	putSentinel(t, c)
	got := rec.until(t, sentinelFn)
	require.Len(t, got, 1)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:allowed", got[0].ARN)
	assert.Contains(t, logs.String(), "does not allow events.amazonaws.com to invoke it")
}
