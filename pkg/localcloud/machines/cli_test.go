package machines_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
)

// TestTheCLIRunsStartSyncExecution runs the AWS CLI as a user would: the
// CLI, like the SDK, sends StartSyncExecution to the "sync-" host prefix
// of --endpoint-url, which a loopback address cannot resolve, unless
// AWS_DISABLE_HOST_PREFIX_INJECTION (disable_host_prefix_injection in its
// config) turns that off.
func TestTheCLIRunsStartSyncExecution(t *testing.T) {
	lctest.RequireAWSCLI(t)
	svc := newService(t, lctest.Store(t), machines.WithLambda(invoker(checkPizza)))
	cfg, _, hs := lctest.Start(t, svc)
	client := sfn.NewFromConfig(cfg)
	arn := create(t, client, "Pizza", definition(t, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn}), types.StateMachineTypeExpress)
	args := []string{"--endpoint-url", hs.URL, "--output", "json", "stepfunctions", "start-sync-execution",
		"--state-machine-arn", arn, "--input", `{"flavour":"pineapple"}`}

	prefixed, err := lctest.AWSCommand(args...).CombinedOutput()
	require.Error(t, err, "with the host prefix the CLI cannot reach a loopback endpoint: %s", prefixed)
	assert.Contains(t, string(prefixed), "sync-127.0.0.1")

	cmd := lctest.AWSCommand(args...)
	cmd.Env = append(cmd.Env, "AWS_DISABLE_HOST_PREFIX_INJECTION=true")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var got struct {
		ExecutionArn, StateMachineArn, Name, Status, Error, Cause, Input, TraceHeader string
		StartDate, StopDate                                                           float64
		BillingDetails                                                                struct{ BilledMemoryUsedInMB, BilledDurationInMilliseconds int }
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	assert.Equal(t, "FAILED", got.Status)
	assert.Equal(t, "Failed To Make Pizza", got.Error)
	assert.Equal(t, "They asked for Pineapple", got.Cause)
	assert.Equal(t, arn, got.StateMachineArn)
	assert.Equal(t, 64, got.BillingDetails.BilledMemoryUsedInMB)
	assert.GreaterOrEqual(t, got.StopDate, got.StartDate)
}
