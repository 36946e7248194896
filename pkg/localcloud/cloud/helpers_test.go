package cloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/awsconfig"
)

// stepFunctions is a Step Functions client for the local cloud. The SDK
// puts StartSyncExecution on a "sync-" host prefix, which a loopback
// endpoint does not have (awsconfig.DisableHostPrefix).
func stepFunctions(cfg aws.Config) *sfn.Client {
	return sfn.NewFromConfig(cfg, sfn.WithAPIOptions(awsconfig.DisableHostPrefix))
}

// physicalIDs maps a stack's logical ids to physical ids.
func physicalIDs(t testing.TB, cfg aws.Config, stack string) map[string]string {
	t.Helper()
	out, err := cloudformation.NewFromConfig(cfg).DescribeStackResources(context.Background(),
		&cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
	require.NoError(t, err)
	ids := map[string]string{}
	for _, r := range out.StackResources {
		ids[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	return ids
}

// waitForExecution polls until the execution has ended.
func waitForExecution(t testing.TB, client *sfn.Client, arn string, within time.Duration) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out, err := client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		require.NoError(t, err)
		if out.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}
