package integration

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

func TestRetryOn500WaitsTwiceThenSucceeds(t *testing.T) {
	localOnly(t, "the status stand-in")
	ctx := context.Background()
	sys.standins.Status.Fail(2)
	before := len(sys.standins.Status.Requests())
	client := sfn.NewFromConfig(sys.cfg)
	start, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sys.outputs["retry-on-500"]["RetryOn500StateMachineArn"]),
		Input: aws.String(`{"orderId":"A-1001"}`)})
	require.NoError(t, err)
	done := lctest.WaitForExecution(t, client, aws.ToString(start.ExecutionArn), time.Minute)
	require.Equal(t, sfntypes.ExecutionStatusSucceeded, done.Status, "%s: %s", aws.ToString(done.Error), aws.ToString(done.Cause))
	h, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, MaxResults: 1000})
	require.NoError(t, err)
	waits := 0
	for _, e := range h.Events {
		if e.Type == sfntypes.HistoryEventTypeWaitStateEntered {
			waits++
		}
	}
	assert.Equal(t, 2, waits, "two waits")
	assert.Equal(t, 3, len(sys.standins.Status.Requests())-before, "500, 500, then 200")
}
