package localcloud_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// noOperations is a JSON-protocol service that implements nothing: every
// call must come back as AWS's unknown-operation error.
type noOperations struct{}

func (noOperations) Name() string                  { return "states" }
func (noOperations) Protocol() localcloud.Protocol { return localcloud.JSON("1.0", "AWSStepFunctions") }
func (noOperations) Call(context.Context, string, *localcloud.Request) (any, error) {
	return nil, localcloud.ErrUnknownOperation
}

func start(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(localcloud.New(nil, localcloud.STS{}, noOperations{}))
	t.Cleanup(srv.Close)
	return srv
}

func sdkConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

func TestTheSDKTalksToTheLocalCloud(t *testing.T) {
	srv := start(t)
	ctx := context.Background()
	out, err := sts.NewFromConfig(sdkConfig(srv.URL)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err, "the query protocol round-trips through the real SDK")
	assert.Equal(t, localcloud.Account, aws.ToString(out.Account))
	assert.Equal(t, "arn:aws:iam::"+localcloud.Account+":root", aws.ToString(out.Arn))

	_, err = sfn.NewFromConfig(sdkConfig(srv.URL)).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, "UnknownOperationException", api.ErrorCode(), "an operation not implemented is named, never a silent success")
	assert.Contains(t, api.ErrorMessage(), "ListStateMachines")
}

func TestErrorsInEachProtocolsShape(t *testing.T) {
	srv := start(t)
	// The query protocol's error document, as the SDK parses it.
	_, err := sts.NewFromConfig(sdkConfig(srv.URL)).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), RoleSessionName: aws.String("s"),
	})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, "InvalidAction", api.ErrorCode())
	assert.Contains(t, api.ErrorMessage(), "AssumeRole")

	// Every response carries a request id; the health endpoint says ready.
	resp, err := http.Get(srv.URL + localcloud.HealthPath)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"status":"ready"}`, string(body))
	assert.Len(t, resp.Header.Get("x-amzn-RequestId"), 36)

	// A request for a service the local cloud does not have.
	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=x")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), "kinesis")
}

func TestTheAWSCLITalksToTheLocalCloud(t *testing.T) {
	// A client other than ours: the AWS CLI from the machine image.
	cli, err := exec.LookPath("aws")
	require.NoError(t, err, "the AWS CLI comes with the machine image")
	srv := start(t)
	cmd := exec.Command(cli, "sts", "get-caller-identity", "--endpoint-url", srv.URL, "--output", "json")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var id struct{ Account, Arn string }
	require.NoError(t, json.Unmarshal(out, &id), "%s", out)
	assert.Equal(t, localcloud.Account, id.Account)
}

func TestLocalhostTransportReachesAnyLocalhostName(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.Host) }))
	defer srv.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	client := &http.Client{Transport: localcloud.LocalhostTransport()}
	resp, err := client.Get("http://abc123.execute-api.localhost:" + port + "/pizza")
	require.NoError(t, err)
	defer resp.Body.Close()
	host, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "abc123.execute-api.localhost:"+port, string(host), "dialed at loopback, Host kept")
}
