package functions_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/functions"
)

const role = "arn:aws:iam::123456789012:role/check-pizza"

// makeZip builds a .zip holding files (name -> content).
func makeZip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(content))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// objects is a map-backed stand-in for the local cloud's S3 (another
// service, not the SDK), answering with S3's own error for a missing key.
type objects map[string][]byte

func (o objects) GetObject(_ context.Context, bucket, key string) ([]byte, error) {
	b, ok := o[bucket+"/"+key]
	if !ok {
		return nil, &localcloud.Error{Code: "NoSuchKey", Status: 404, Message: "The specified key does not exist."}
	}
	return b, nil
}

func awsErr(t testing.TB, err error, code string) *localcloud.Error {
	t.Helper()
	var e *localcloud.Error
	require.True(t, errors.As(err, &e), "want a %s, got %v", code, err)
	assert.Equal(t, code, e.Code, e.Message)
	return e
}

func newService(t testing.TB, code functions.CodeSource) (*functions.Service, *localcloud.Store) {
	t.Helper()
	st, err := localcloud.OpenStore(filepath.Join(t.TempDir(), "state.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	svc := functions.New(st, code)
	t.Cleanup(func() { _ = svc.Close() })
	return svc, st
}

func createInput(name string, zipped []byte) *functions.CreateFunctionInput {
	return &functions.CreateFunctionInput{FunctionName: name, Runtime: "provided.al2023", Role: role, Handler: "bootstrap",
		Code: &functions.FunctionCode{ZipFile: zipped}, Architectures: []string{"arm64"}}
}

func TestCreateFunctionDefaultsAndGet(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	zipped := makeZip(t, map[string]string{"bootstrap": "#!/bin/sh\n"})
	cfg, err := svc.CreateFunction(ctx, createInput("check-pizza", zipped))
	require.NoError(t, err)
	assert.Equal(t, "check-pizza", cfg.FunctionName)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:check-pizza", cfg.FunctionArn)
	assert.Equal(t, sum(zipped), cfg.CodeSha256)
	assert.Equal(t, int64(len(zipped)), cfg.CodeSize)
	assert.Equal(t, "$LATEST", cfg.Version)
	assert.Equal(t, 3, cfg.Timeout)
	assert.Equal(t, 128, cfg.MemorySize)
	assert.Equal(t, "PassThrough", cfg.TracingConfig.Mode)
	assert.Equal(t, []string{"arm64"}, cfg.Architectures)
	assert.Equal(t, 512, cfg.EphemeralStorage.Size)
	assert.Equal(t, functions.LoggingConfig{LogFormat: "Text", LogGroup: "/aws/lambda/check-pizza"}, cfg.LoggingConfig)
	assert.Equal(t, "Active", cfg.State)
	assert.Equal(t, "Successful", cfg.LastUpdateStatus)
	assert.Equal(t, "Zip", cfg.PackageType)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$`, cfg.LastModified)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, cfg.RevisionID)
	assert.Nil(t, cfg.Environment)

	for _, ref := range []string{"check-pizza", "123456789012:function:check-pizza", cfg.FunctionArn, "check-pizza:$LATEST"} {
		got, err := svc.GetFunctionConfiguration(ctx, ref, "")
		require.NoError(t, err, ref)
		assert.Equal(t, cfg.CodeSha256, got.CodeSha256, ref)
	}
	_, err = svc.GetFunctionConfiguration(ctx, "check-pizza:7", "")
	e := awsErr(t, err, "ResourceNotFoundException")
	assert.Equal(t, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:check-pizza:7", e.Message)
	_, err = svc.GetFunction(ctx, "nope", "")
	e = awsErr(t, err, "ResourceNotFoundException")
	assert.Equal(t, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope", e.Message)
	_, err = svc.GetFunction(ctx, "arn:aws:lambda:eu-west-1:123456789012:function:check-pizza", "")
	awsErr(t, err, "ResourceNotFoundException")

	_, err = svc.CreateFunction(ctx, createInput("check-pizza", zipped))
	e = awsErr(t, err, "ResourceConflictException")
	assert.Equal(t, "Function already exist: check-pizza", e.Message)

	got, code, err := svc.Code(ctx, "check-pizza")
	require.NoError(t, err)
	assert.Equal(t, zipped, got)
	assert.Equal(t, "check-pizza", code.FunctionName)
}

func TestCreateFunctionValidation(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	good := makeZip(t, map[string]string{"bootstrap": "x"})
	mem, timeout := 20000, 901
	cases := []struct {
		name    string
		modify  func(*functions.CreateFunctionInput)
		code    string
		message string
	}{
		{"role", func(in *functions.CreateFunctionInput) { in.Role = "check-pizza-role" }, "ValidationException",
			`1 validation error detected: Value 'check-pizza-role' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`},
		{"memory and timeout", func(in *functions.CreateFunctionInput) { in.MemorySize, in.Timeout = &mem, &timeout }, "ValidationException",
			"2 validation errors detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900; Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"not a zip", func(in *functions.CreateFunctionInput) { in.Code.ZipFile = []byte("not a zip") }, "InvalidParameterValueException",
			"Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"no bootstrap", func(in *functions.CreateFunctionInput) { in.Code.ZipFile = makeZip(t, map[string]string{"main": "x"}) },
			"InvalidParameterValueException", "The provided.al2023 runtime runs the file named bootstrap at the root of the .zip file, and this .zip file has none."},
		{"no runtime", func(in *functions.CreateFunctionInput) { in.Runtime = "" }, "InvalidParameterValueException",
			"Runtime and Handler are mandatory parameters for functions created with deployment packages."},
		{"deprecated runtime", func(in *functions.CreateFunctionInput) { in.Runtime = "go1.x" }, "InvalidParameterValueException",
			"The runtime parameter of go1.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (provided.al2023) while creating or updating functions."},
		{"architecture", func(in *functions.CreateFunctionInput) { in.Architectures = []string{"arm"} }, "ValidationException",
			"1 validation error detected: Value 'arm' at 'architectures' failed to satisfy constraint: Member must satisfy enum value set: [x86_64, arm64]"},
		{"bad name", func(in *functions.CreateFunctionInput) { in.FunctionName = "check pizza" }, "ValidationException", ""},
		{"reserved env", func(in *functions.CreateFunctionInput) {
			in.Environment = &functions.Environment{Variables: map[string]string{"AWS_REGION": "x", "TABLE": "t"}}
		}, "InvalidParameterValueException",
			"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION"},
		{"levels with Text", func(in *functions.CreateFunctionInput) {
			in.LoggingConfig = &functions.LoggingConfig{LogFormat: "Text", ApplicationLogLevel: "INFO"}
		}, "InvalidParameterValueException", ""},
		{"layers", func(in *functions.CreateFunctionInput) {
			in.Layers = []string{"arn:aws:lambda:us-east-1:123456789012:layer:x:1"}
		},
			"InvalidParameterValueException", "The local cloud does not support Layers."},
		{"S3 without a source", func(in *functions.CreateFunctionInput) {
			in.Code = &functions.FunctionCode{S3Bucket: "artifacts", S3Key: "k.zip"}
		},
			"InvalidParameterValueException", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := createInput("fn-"+strings.ReplaceAll(c.name, " ", "-"), good)
			c.modify(in)
			_, err := svc.CreateFunction(ctx, in)
			e := awsErr(t, err, c.code)
			if c.message != "" {
				assert.Equal(t, c.message, e.Message)
			}
		})
	}
	list, err := svc.ListFunctions(ctx, "", 0)
	require.NoError(t, err)
	assert.Empty(t, list.Functions, "no refused function is kept")
}

func TestCodeFromS3(t *testing.T) {
	ctx := context.Background()
	zipped := makeZip(t, map[string]string{"bootstrap": "v1"})
	svc, _ := newService(t, objects{"artifacts/check-pizza/v1.zip": zipped, "artifacts/bad.zip": []byte("nope")})
	in := createInput("check-pizza", nil)
	in.Code = &functions.FunctionCode{S3Bucket: "artifacts", S3Key: "check-pizza/v1.zip"}
	cfg, err := svc.CreateFunction(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, sum(zipped), cfg.CodeSha256)

	in = createInput("other", nil)
	in.Code = &functions.FunctionCode{S3Bucket: "artifacts", S3Key: "missing.zip"}
	_, err = svc.CreateFunction(ctx, in)
	e := awsErr(t, err, "InvalidParameterValueException")
	assert.Equal(t, "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.", e.Message)

	in.Code = &functions.FunctionCode{S3Bucket: "artifacts", S3Key: "bad.zip"}
	_, err = svc.CreateFunction(ctx, in)
	awsErr(t, err, "InvalidParameterValueException")

	in.Code = &functions.FunctionCode{S3Bucket: "artifacts", S3Key: "check-pizza/v1.zip", S3ObjectVersion: "3"}
	_, err = svc.CreateFunction(ctx, in)
	e = awsErr(t, err, "InvalidParameterValueException")
	assert.Contains(t, e.Message, "S3ObjectVersion")
}

func TestUpdatesAndCodeStorage(t *testing.T) {
	ctx := context.Background()
	v1 := makeZip(t, map[string]string{"bootstrap": "v1"})
	v2 := makeZip(t, map[string]string{"bootstrap": "v2"})
	svc, st := newService(t, objects{"artifacts/v2.zip": v2})
	created, err := svc.CreateFunction(ctx, createInput("a", v1))
	require.NoError(t, err)
	_, err = svc.CreateFunction(ctx, createInput("b", v1))
	require.NoError(t, err)
	assert.Equal(t, 1, countCode(t, st), "the same code is stored once")

	timeout, desc := 30, "checks pizzas"
	updated, err := svc.UpdateFunctionConfiguration(ctx, &functions.UpdateFunctionConfigurationInput{
		FunctionName: "a", Timeout: &timeout, Description: &desc, RevisionID: created.RevisionID,
		Environment:   &functions.Environment{Variables: map[string]string{"TABLE": "orders"}},
		LoggingConfig: &functions.LoggingConfig{LogFormat: "JSON"},
	})
	require.NoError(t, err)
	assert.Equal(t, 30, updated.Timeout)
	assert.Equal(t, "checks pizzas", updated.Description)
	assert.Equal(t, map[string]string{"TABLE": "orders"}, updated.Environment.Variables)
	assert.Equal(t, functions.LoggingConfig{LogFormat: "JSON", ApplicationLogLevel: "INFO", SystemLogLevel: "INFO", LogGroup: "/aws/lambda/a"}, updated.LoggingConfig)
	assert.Equal(t, 128, updated.MemorySize, "what is not given stays")
	assert.NotEqual(t, created.RevisionID, updated.RevisionID)

	_, err = svc.UpdateFunctionConfiguration(ctx, &functions.UpdateFunctionConfigurationInput{FunctionName: "a", Timeout: &timeout, RevisionID: created.RevisionID})
	awsErr(t, err, "PreconditionFailedException")

	cleared, err := svc.UpdateFunctionConfiguration(ctx, &functions.UpdateFunctionConfigurationInput{FunctionName: "a", Environment: &functions.Environment{}})
	require.NoError(t, err)
	assert.Nil(t, cleared.Environment)

	// New code for a: v1 stays (b uses it); then b too: v1 goes.
	dry, err := svc.UpdateFunctionCode(ctx, &functions.UpdateFunctionCodeInput{FunctionName: "a", FunctionCode: functions.FunctionCode{ZipFile: v2}, DryRun: true})
	require.NoError(t, err)
	assert.Equal(t, sum(v2), dry.CodeSha256)
	zipped, _, err := svc.Code(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, v1, zipped, "a dry run changes nothing")

	newCode, err := svc.UpdateFunctionCode(ctx, &functions.UpdateFunctionCodeInput{FunctionName: "a", FunctionCode: functions.FunctionCode{ZipFile: v2}, Architectures: []string{"x86_64"}})
	require.NoError(t, err)
	assert.Equal(t, sum(v2), newCode.CodeSha256)
	assert.Equal(t, []string{"x86_64"}, newCode.Architectures)
	assert.NotEqual(t, cleared.RevisionID, newCode.RevisionID)
	assert.Equal(t, 2, countCode(t, st))
	_, err = svc.UpdateFunctionCode(ctx, &functions.UpdateFunctionCodeInput{FunctionName: "b", FunctionCode: functions.FunctionCode{S3Bucket: "artifacts", S3Key: "v2.zip"}})
	require.NoError(t, err)
	assert.Equal(t, 1, countCode(t, st), "code no function uses is dropped")
	zipped, _, err = svc.Code(ctx, "b")
	require.NoError(t, err)
	assert.Equal(t, v2, zipped)

	_, err = svc.UpdateFunctionCode(ctx, &functions.UpdateFunctionCodeInput{FunctionName: "b", FunctionCode: functions.FunctionCode{ZipFile: makeZip(t, map[string]string{"x": "y"})}})
	awsErr(t, err, "InvalidParameterValueException")

	require.NoError(t, svc.DeleteFunction(ctx, "a", ""))
	require.NoError(t, svc.DeleteFunction(ctx, "arn:aws:lambda:us-east-1:123456789012:function:b", ""))
	assert.Equal(t, 0, countCode(t, st))
	err = svc.DeleteFunction(ctx, "a", "")
	awsErr(t, err, "ResourceNotFoundException")
}

func countCode(t *testing.T, st *localcloud.Store) int {
	t.Helper()
	n := 0
	require.NoError(t, st.View(func(tx *localcloud.Tx) error {
		return tx.Scan("lambda.code", "", func(string, []byte) error { n++; return nil })
	}))
	return n
}

func TestListFunctionsPaging(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	zipped := makeZip(t, map[string]string{"bootstrap": "x"})
	for i := range 5 {
		_, err := svc.CreateFunction(ctx, createInput(fmt.Sprintf("fn-%d", 4-i), zipped))
		require.NoError(t, err)
	}
	var names []string
	marker, pages := "", 0
	for {
		out, err := svc.ListFunctions(ctx, marker, 2)
		require.NoError(t, err)
		pages++
		for _, f := range out.Functions {
			names = append(names, f.FunctionName)
			assert.Empty(t, f.State, "ListFunctions leaves out State")
		}
		if out.NextMarker == "" {
			break
		}
		marker = out.NextMarker
	}
	assert.Equal(t, []string{"fn-0", "fn-1", "fn-2", "fn-3", "fn-4"}, names)
	assert.Equal(t, 3, pages)
	_, err := svc.ListFunctions(ctx, "", 10001)
	awsErr(t, err, "ValidationException")
	_, err = svc.ListFunctions(ctx, "!!", 0)
	awsErr(t, err, "InvalidParameterValueException")
}

func TestPermissionsAndTags(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	cfg, err := svc.CreateFunction(ctx, createInput("webhook", makeZip(t, map[string]string{"bootstrap": "x"})))
	require.NoError(t, err)

	_, _, err = svc.GetPolicy(ctx, "webhook", "")
	e := awsErr(t, err, "ResourceNotFoundException")
	assert.Equal(t, "The resource you requested does not exist.", e.Message)

	st, err := svc.AddPermission(ctx, &functions.AddPermissionInput{FunctionName: cfg.FunctionArn, StatementID: "api",
		Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com",
		SourceArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/webhook", SourceAccount: "123456789012"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Sid":"api","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction",
		"Resource":"arn:aws:lambda:us-east-1:123456789012:function:webhook",
		"Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/webhook"}}}`, st)
	_, err = svc.AddPermission(ctx, &functions.AddPermissionInput{FunctionName: "webhook", StatementID: "account", Action: "lambda:*", Principal: "210987654321"})
	require.NoError(t, err)

	_, err = svc.AddPermission(ctx, &functions.AddPermissionInput{FunctionName: "webhook", StatementID: "api", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com"})
	e = awsErr(t, err, "ResourceConflictException")
	assert.Equal(t, "The statement id (api) provided already exists. Please specify a new statement id, or remove the existing statement.", e.Message)
	_, err = svc.AddPermission(ctx, &functions.AddPermissionInput{FunctionName: "webhook", StatementID: "x", Action: "invoke", Principal: "sns.amazonaws.com"})
	awsErr(t, err, "ValidationException")
	_, err = svc.AddPermission(ctx, &functions.AddPermissionInput{FunctionName: "webhook", Qualifier: "$LATEST", StatementID: "x", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com"})
	e = awsErr(t, err, "InvalidParameterValueException")
	assert.Equal(t, "We currently do not support adding policies for $LATEST.", e.Message)

	policy, revision, err := svc.GetPolicy(ctx, "webhook", "")
	require.NoError(t, err)
	var doc functions.Policy
	require.NoError(t, json.Unmarshal([]byte(policy), &doc))
	assert.Equal(t, "2012-10-17", doc.Version)
	assert.Equal(t, "default", doc.ID)
	require.Len(t, doc.Statement, 2)
	assert.JSONEq(t, `{"AWS":"arn:aws:iam::210987654321:root"}`, string(doc.Statement[1].Principal))
	now, err := svc.GetFunctionConfiguration(ctx, "webhook", "")
	require.NoError(t, err)
	assert.Equal(t, now.RevisionID, revision)
	assert.NotEqual(t, cfg.RevisionID, revision, "a policy change is a new revision")

	require.NoError(t, svc.RemovePermission(ctx, "webhook", "api", "", ""))
	err = svc.RemovePermission(ctx, "webhook", "api", "", "")
	e = awsErr(t, err, "ResourceNotFoundException")
	assert.Equal(t, "Statement api is not found in resource policy.", e.Message)
	require.NoError(t, svc.RemovePermission(ctx, "webhook", "account", "", ""))
	_, _, err = svc.GetPolicy(ctx, "webhook", "")
	awsErr(t, err, "ResourceNotFoundException")

	require.NoError(t, svc.TagResource(ctx, cfg.FunctionArn, map[string]string{"team": "pizza", "env": "dev"}))
	require.NoError(t, svc.UntagResource(ctx, cfg.FunctionArn, []string{"env"}))
	tags, err := svc.ListTags(ctx, cfg.FunctionArn)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "pizza"}, tags)
	_, err = svc.ListTags(ctx, "webhook")
	awsErr(t, err, "ValidationException")
	_, err = svc.ListTags(ctx, "arn:aws:lambda:us-east-1:123456789012:function:gone")
	awsErr(t, err, "ResourceNotFoundException")
	fn, err := svc.GetFunction(ctx, "webhook", "")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "pizza"}, fn.Tags)
}

func TestRestartKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	svc := functions.New(st, nil)
	zipped := makeZip(t, map[string]string{"bootstrap": "x"})
	in := createInput("kept", zipped)
	in.Tags = map[string]string{"team": "pizza"}
	cfg, err := svc.CreateFunction(ctx, in)
	require.NoError(t, err)
	_, err = svc.AddPermission(ctx, &functions.AddPermissionInput{FunctionName: "kept", StatementID: "s", Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com"})
	require.NoError(t, err)
	require.NoError(t, svc.Close())
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer st.Close()
	svc = functions.New(st, nil)
	defer svc.Close()
	fn, err := svc.GetFunction(ctx, "kept", "")
	require.NoError(t, err)
	assert.Equal(t, cfg.CodeSha256, fn.Configuration.CodeSha256)
	assert.Equal(t, map[string]string{"team": "pizza"}, fn.Tags)
	got, _, err := svc.Code(ctx, "kept")
	require.NoError(t, err)
	assert.Equal(t, zipped, got)
	policy, _, err := svc.GetPolicy(ctx, "kept", "")
	require.NoError(t, err)
	assert.Contains(t, policy, `"Sid":"s"`)
}
