package functions_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/functions"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// serve starts the service behind the local cloud's router, with its code
// downloads mounted as the wiring mounts them.
func serve(t *testing.T, svc *functions.Service) (*lambda.Client, string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(functions.CodePath, svc.CodeHandler())
	mux.Handle("/", localcloud.New(nil, svc))
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	svc.SetCodeEndpoint(hs.URL)
	return lambda.NewFromConfig(lctest.Config(hs.URL)), hs.URL
}

func TestAPIWithSDK(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	client, url := serve(t, svc)
	zipped := makeZip(t, map[string]string{"bootstrap": "#!/bin/sh\necho hi\n"})

	created, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("check-pizza"), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(role), Code: &types.FunctionCode{ZipFile: zipped}, Architectures: []types.Architecture{types.ArchitectureArm64},
		MemorySize: aws.Int32(256), Timeout: aws.Int32(5), Description: aws.String("Reports pineapple."),
		Environment:   &types.Environment{Variables: map[string]string{"FLAVOUR": "hawaii"}},
		TracingConfig: &types.TracingConfig{Mode: types.TracingModeActive},
		LoggingConfig: &types.LoggingConfig{LogFormat: types.LogFormatJson, LogGroup: aws.String("/stepforge/check-pizza")},
		Tags:          map[string]string{"team": "pizza"},
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:check-pizza", aws.ToString(created.FunctionArn))
	assert.Equal(t, sum(zipped), aws.ToString(created.CodeSha256))
	assert.Equal(t, int64(len(zipped)), created.CodeSize)
	assert.Equal(t, types.StateActive, created.State)
	assert.Equal(t, types.LastUpdateStatusSuccessful, created.LastUpdateStatus)
	assert.Equal(t, types.PackageTypeZip, created.PackageType)
	assert.Equal(t, []types.Architecture{types.ArchitectureArm64}, created.Architectures)
	assert.Equal(t, int32(256), aws.ToInt32(created.MemorySize))
	assert.Equal(t, types.TracingModeActive, created.TracingConfig.Mode)
	assert.Equal(t, "hawaii", created.Environment.Variables["FLAVOUR"])
	assert.Equal(t, types.ApplicationLogLevelInfo, created.LoggingConfig.ApplicationLogLevel)
	assert.Equal(t, "/stepforge/check-pizza", aws.ToString(created.LoggingConfig.LogGroup))
	assert.Equal(t, int32(512), aws.ToInt32(created.EphemeralStorage.Size))
	assert.Equal(t, "$LATEST", aws.ToString(created.Version))

	_, err = client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("check-pizza"), Runtime: types.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Role: aws.String(role), Code: &types.FunctionCode{ZipFile: zipped}})
	var conflict *types.ResourceConflictException
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, "Function already exist: check-pizza", conflict.ErrorMessage())

	got, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: created.FunctionArn})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(created.RevisionId), aws.ToString(got.Configuration.RevisionId))
	assert.Equal(t, map[string]string{"team": "pizza"}, got.Tags)
	assert.Equal(t, "S3", aws.ToString(got.Code.RepositoryType))
	resp, err := http.Get(aws.ToString(got.Code.Location))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, zipped, body, "Code.Location downloads the function's .zip")
	resp, err = http.Get(url + functions.CodePath + strings.Repeat("00", 32) + ".zip")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no code has that sha256")

	cfgOut, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("123456789012:function:check-pizza")})
	require.NoError(t, err)
	assert.Equal(t, "Reports pineapple.", aws.ToString(cfgOut.Description))

	updated, err := client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("check-pizza"),
		Timeout: aws.Int32(30), RevisionId: cfgOut.RevisionId})
	require.NoError(t, err)
	assert.Equal(t, int32(30), aws.ToInt32(updated.Timeout))
	assert.Equal(t, int32(256), aws.ToInt32(updated.MemorySize))
	_, err = client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("check-pizza"),
		Timeout: aws.Int32(31), RevisionId: cfgOut.RevisionId})
	var precondition *types.PreconditionFailedException
	require.ErrorAs(t, err, &precondition)

	v2 := makeZip(t, map[string]string{"bootstrap": "v2"})
	code, err := client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("check-pizza"), ZipFile: v2})
	require.NoError(t, err)
	assert.Equal(t, sum(v2), aws.ToString(code.CodeSha256))

	_, err = client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("check-pizza"), MemorySize: aws.Int32(20000)})
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "ValidationException", apiErr.ErrorCode())
	assert.Equal(t, "1 validation error detected: Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240", apiErr.ErrorMessage())

	perm, err := client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("check-pizza"), StatementId: aws.String("events"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("events.amazonaws.com"),
		SourceArn: aws.String("arn:aws:events:us-east-1:123456789012:rule/nightly")})
	require.NoError(t, err)
	var statement map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(perm.Statement)), &statement))
	assert.Equal(t, map[string]any{"Service": "events.amazonaws.com"}, statement["Principal"])
	_, err = client.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("check-pizza"), StatementId: aws.String("events"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("events.amazonaws.com")})
	require.ErrorAs(t, err, &conflict)
	pol, err := client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("check-pizza")})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(pol.Policy), `"Id":"default"`)
	assert.NotEmpty(t, aws.ToString(pol.RevisionId))
	_, err = client.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("check-pizza"), StatementId: aws.String("events")})
	require.NoError(t, err)
	_, err = client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("check-pizza")})
	var notFound *types.ResourceNotFoundException
	require.ErrorAs(t, err, &notFound)

	_, err = client.TagResource(ctx, &lambda.TagResourceInput{Resource: created.FunctionArn, Tags: map[string]string{"env": "dev", "cost": "1"}})
	require.NoError(t, err)
	_, err = client.UntagResource(ctx, &lambda.UntagResourceInput{Resource: created.FunctionArn, TagKeys: []string{"cost", "team"}})
	require.NoError(t, err)
	tags, err := client.ListTags(ctx, &lambda.ListTagsInput{Resource: created.FunctionArn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "dev"}, tags.Tags)

	_, err = client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("second"), Runtime: types.RuntimeProvidedal2,
		Handler: aws.String("bootstrap"), Role: aws.String(role), Code: &types.FunctionCode{ZipFile: zipped}})
	require.NoError(t, err)
	var names []string
	pages := lambda.NewListFunctionsPaginator(client, &lambda.ListFunctionsInput{MaxItems: aws.Int32(1)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		require.NoError(t, err)
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	assert.Equal(t, []string{"check-pizza", "second"}, names)

	settings, err := client.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), settings.AccountUsage.FunctionCount)
	assert.Equal(t, int64(len(v2)+len(zipped)), settings.AccountUsage.TotalCodeSize)

	inv, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("check-pizza")})
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", aws.ToString(inv.FunctionError), "a bootstrap that is no executable fails the invocation, not the call")
	assert.Contains(t, string(inv.Payload), "Runtime.InvalidEntrypoint")

	_, err = client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("check-pizza")})
	require.NoError(t, err)
	_, err = client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("check-pizza")})
	require.ErrorAs(t, err, &notFound)
	assert.Equal(t, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:check-pizza", notFound.ErrorMessage())
	_, err = client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("check-pizza")})
	require.ErrorAs(t, err, &notFound)
}

func TestAPIWithCLI(t *testing.T) {
	lctest.RequireAWSCLI(t)
	svc, _ := newService(t, nil)
	_, url := serve(t, svc)
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "fn.zip")
	zipped := makeZip(t, map[string]string{"bootstrap": "x"})
	require.NoError(t, os.WriteFile(zipPath, zipped, 0o600))
	run := func(args ...string) (map[string]any, error) {
		cmd := lctest.AWSCommand(append([]string{"--endpoint-url", url, "--output", "json", "lambda"}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return nil, errors.New(string(ee.Stderr))
			}
			return nil, err
		}
		var v map[string]any
		if len(out) > 0 {
			if err := json.Unmarshal(out, &v); err != nil {
				return nil, fmt.Errorf("%w: %s", err, out)
			}
		}
		return v, nil
	}
	// One function made beforehand; the CLI calls then run side by side,
	// since each CLI start takes a while.
	_, err := svc.CreateFunction(context.Background(), createInput("cli-fn", zipped))
	require.NoError(t, err)
	var created, list, got map[string]any
	var createErr, listErr, getErr, missingErr error
	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		created, createErr = run("create-function", "--function-name", "cli-made", "--runtime", "provided.al2023", "--handler", "bootstrap",
			"--role", role, "--architectures", "arm64", "--zip-file", "fileb://"+zipPath)
	}()
	go func() { defer wg.Done(); list, listErr = run("list-functions") }()
	go func() {
		defer wg.Done()
		got, getErr = run("get-function", "--function-name", "arn:aws:lambda:us-east-1:123456789012:function:cli-fn")
	}()
	go func() { defer wg.Done(); _, missingErr = run("get-function", "--function-name", "missing") }()
	wg.Wait()

	require.NoError(t, createErr)
	assert.Equal(t, sum(zipped), created["CodeSha256"], "the CLI's fileb:// upload is the .zip")
	made, err := svc.GetFunctionConfiguration(context.Background(), "cli-made", "")
	require.NoError(t, err)
	assert.Equal(t, []string{"arm64"}, made.Architectures)

	require.NoError(t, listErr)
	fns := list["Functions"].([]any)
	require.NotEmpty(t, fns)
	assert.Equal(t, "cli-fn", fns[0].(map[string]any)["FunctionName"])

	require.NoError(t, getErr)
	conf := got["Configuration"].(map[string]any)
	assert.Equal(t, "Active", conf["State"])
	assert.Equal(t, []any{"arm64"}, conf["Architectures"])
	assert.Contains(t, got["Code"].(map[string]any)["Location"], url+functions.CodePath)

	require.Error(t, missingErr)
	assert.Contains(t, missingErr.Error(), "An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing")

}
