package awsconfig

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadHonoursTheEnvironmentEachTime(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	cfg, err := Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", cfg.Region)
	assert.NotEmpty(t, cfg.APIOptions, "client calls are instrumented for X-Ray")

	t.Setenv("AWS_REGION", "us-west-2")
	cfg, err = Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "us-west-2", cfg.Region)
}

func TestSharedLoadsOncePerProcess(t *testing.T) {
	t.Setenv("AWS_REGION", "ap-south-1")
	first, err := Shared(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ap-south-1", first.Region)

	t.Setenv("AWS_REGION", "sa-east-1")
	second, err := Shared(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ap-south-1", second.Region, "the second call reuses the first load")
}

func TestAnOverriddenEndpointGetsStartSyncExecutionWithoutItsHostPrefix(t *testing.T) {
	hosts := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts <- r.Host
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{"executionArn":"arn:aws:states:us-east-1:123456789012:express:m:n:i","startDate":1,"stopDate":1,"status":"SUCCEEDED"}`))
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	cfg, err := Load(context.Background())
	require.NoError(t, err)
	out, err := sfn.NewFromConfig(cfg).StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:m")})
	require.NoError(t, err)
	assert.Equal(t, "SUCCEEDED", string(out.Status))
	assert.Equal(t, strings.TrimPrefix(srv.URL, "http://"), <-hosts, "no sync- prefix on the local endpoint")
}
