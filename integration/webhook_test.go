package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logGroupOf is the log group a stack declares for a function.
func logGroupOf(t testing.TB, stack, logical string) string {
	t.Helper()
	out, err := cloudformation.NewFromConfig(sys.cfg).DescribeStackResource(context.Background(), &cloudformation.DescribeStackResourceInput{
		StackName: aws.String(stack), LogicalResourceId: aws.String(logical)})
	require.NoError(t, err)
	return aws.ToString(out.StackResourceDetail.PhysicalResourceId)
}

// findLog waits for an event matching pattern in group.
func findLog(t testing.TB, group, pattern string) string {
	t.Helper()
	logs := cloudwatchlogs.NewFromConfig(sys.cfg)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out, err := logs.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String(pattern)})
		require.NoError(t, err)
		if len(out.Events) > 0 {
			return aws.ToString(out.Events[0].Message)
		}
	}
	return ""
}

func TestTheExpressWebhookIsSubmittedAndPrinted(t *testing.T) {
	url := sys.outputs["express-webhook"]["WebhookRestApiPostUrl"]
	require.NotEmpty(t, url)
	status, body := post(t, url, "application/json", `{"event":"order.created","id":"evt_integration_7f3a"}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.JSONEq(t, `{"status": "webhook submitted"}`, string(body))
	line := findLog(t, logGroupOf(t, "express-webhook", "PrintPayloadFunctionLogGroup"), `"evt_integration_7f3a"`)
	if !assert.Contains(t, line, "order.created", "the printer logged the payload") {
		t.Log("the machine's log: " + findLog(t, logGroupOf(t, "express-webhook", "WebhookStateMachineLogGroup"), `ExecutionFailed`))
	}
}

func TestAMalformedBodyGetsA4xxOnEveryAPI(t *testing.T) {
	for _, c := range []struct{ name, url string }{
		{"pizza", sys.outputs["pizza"]["PizzaHttpApiPostPizzaUrl"]},
		{"express webhook", sys.outputs["express-webhook"]["WebhookRestApiPostUrl"]},
		{"blog webhook", sys.outputs["blog-publishing"]["SanityEventRestApiPostWebhookUrl"]},
	} {
		status, body := post(t, c.url, "application/json", `{"flavour": "pepp`)
		t.Logf("%s: %d %s", c.name, status, body)
		assert.GreaterOrEqual(t, status, 200, c.name)
		assert.Less(t, status, 500, "%s answered %d %s: a malformed body is the caller's fault", c.name, status, body)
	}
}
