package rules_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// call is one delivery a recorder received.
type call struct{ Kind, Region, ARN, Input string }

// recorder is a real, recording implementation of the target
// interfaces: it fails the first fail calls, then succeeds.
type recorder struct {
	mu    sync.Mutex
	calls []call
	fail  int
	ch    chan call
}

func newRecorder() *recorder { return &recorder{ch: make(chan call, 100)} }

func (r *recorder) record(c call) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
	r.ch <- c
	if r.fail > 0 {
		r.fail--
		return errors.New("ServiceUnavailable: try again")
	}
	return nil
}

func (r *recorder) StartExecution(_ context.Context, region, machineARN, input string) error {
	return r.record(call{"sfn", region, machineARN, input})
}

func (r *recorder) InvokeAsync(_ context.Context, region, functionARN string, payload []byte) error {
	return r.record(call{"lambda", region, functionARN, string(payload)})
}

func (r *recorder) Publish(_ context.Context, region, topicARN, message string) error {
	return r.record(call{"sns", region, topicARN, message})
}

func (r *recorder) all() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// next waits for the next delivery; the deadline only keeps a broken
// build from hanging, nothing is timed.
func (r *recorder) next(t *testing.T) call {
	t.Helper()
	select {
	case c := <-r.ch:
		return c
	case <-time.After(20 * time.Second):
		t.Fatal("no delivery")
		return call{}
	}
}

// until takes deliveries until one to arn arrives and returns those
// before it.
func (r *recorder) until(t *testing.T, arn string) []call {
	t.Helper()
	var before []call
	for {
		c := r.next(t)
		if c.ARN == arn {
			return before
		}
		before = append(before, c)
	}
}

// authorizer allows every role but denied.
type authorizer struct {
	mu     sync.Mutex
	denied string
	asked  []string
}

func (a *authorizer) Authorize(_ context.Context, roleARN, action, resource string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, roleARN+" "+action+" "+resource)
	if roleARN == a.denied {
		return errors.New("AccessDeniedException: " + roleARN + " is not authorized to perform " + action)
	}
	return nil
}

const (
	sentinelFn = "arn:aws:lambda:us-east-1:123456789012:function:sentinel"
	roleARN    = "arn:aws:iam::123456789012:role/events"
)

// rule puts a rule with one target through the SDK.
func rule(t *testing.T, c *eventbridge.Client, name, pattern string, target types.Target) {
	t.Helper()
	ctx := context.Background()
	_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern)})
	require.NoError(t, err)
	if target.Id == nil {
		target.Id = aws.String("t")
	}
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []types.Target{target}})
	require.NoError(t, err)
}

func lambdaTarget(name string) types.Target {
	return types.Target{Arn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:" + name)}
}

// sentinel puts the rule and event that mark the end of a test's
// deliveries: events are matched in order, so once the sentinel's
// delivery arrives every earlier event has been matched and delivered.
func sentinel(t *testing.T, c *eventbridge.Client) {
	t.Helper()
	rule(t, c, "sentinel", `{"source":["sentinel"]}`, lambdaTarget("sentinel"))
}

func putSentinel(t *testing.T, c *eventbridge.Client) {
	t.Helper()
	put(t, c, types.PutEventsRequestEntry{Source: aws.String("sentinel"), DetailType: aws.String("end"), Detail: aws.String("{}")})
}

func put(t *testing.T, c *eventbridge.Client, entries ...types.PutEventsRequestEntry) *eventbridge.PutEventsOutput {
	t.Helper()
	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: entries})
	require.NoError(t, err)
	require.Equal(t, int32(0), out.FailedEntryCount, "%+v", out.Entries)
	return out
}

// apiCode is the AWS error code of err ("" when it is none).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
