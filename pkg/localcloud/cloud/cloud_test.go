package cloud_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// bootstrapZip is a deployment package with a bootstrap in it.
func bootstrapZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("bootstrap")
	require.NoError(t, err)
	_, err = w.Write([]byte("#!/bin/sh\necho not run by this test\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// templateParameters fills each parameter without a default: code keys
// with the uploaded zip, the rest with plausible values.
func templateParameters(t testing.TB, body []byte, bucket, key string) []types.Parameter {
	var tmpl struct {
		Parameters map[string]struct {
			Default any
		}
	}
	require.NoError(t, json.Unmarshal(body, &tmpl))
	var out []types.Parameter
	for name, p := range tmpl.Parameters {
		if p.Default != nil {
			continue
		}
		v := "value"
		switch {
		case name == "ArtifactBucket":
			v = bucket
		case strings.HasSuffix(name, "CodeKey"):
			v = key
		case name == "NotificationEmail":
			v = "ops@example.com"
		case strings.HasSuffix(name, "Url"):
			v = "https://example.com/status"
		}
		out = append(out, types.Parameter{ParameterKey: aws.String(name), ParameterValue: aws.String(v)})
	}
	return out
}

// TestTheGeneratedTemplatesProvision creates every stack the generator
// emits through the real SDK and checks with the AWS CLI that each
// service lists what the templates declare.
func TestTheGeneratedTemplatesProvision(t *testing.T) {
	dir := t.TempDir()
	cfg, c := cloud.StartForTestIn(t, dir)
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("artifacts")})
	require.NoError(t, err)
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("code.zip"), Body: bytes.NewReader(bootstrapZip(t))})
	require.NoError(t, err)

	templates, err := filepath.Glob("../../../gen/testdata/*.template.json")
	require.NoError(t, err)
	require.Len(t, templates, 5)
	cfn := cloudformation.NewFromConfig(cfg)
	var names []string
	for _, path := range templates {
		body, err := os.ReadFile(path)
		require.NoError(t, err)
		name := strings.TrimSuffix(filepath.Base(path), ".template.json")
		names = append(names, name)
		_, err = cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(string(body)),
			Parameters:   templateParameters(t, body, "artifacts", "code.zip"),
			Capabilities: []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam}})
		require.NoError(t, err, name)
	}
	c.CloudFormation.Wait()
	for _, name := range names {
		out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		require.NoError(t, err)
		st := out.Stacks[0]
		if !assert.Equal(t, types.StackStatusCreateComplete, st.StackStatus, "%s: %s", name, aws.ToString(st.StackStatusReason)) {
			evs, _ := cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
			for _, e := range evs.StackEvents {
				if strings.HasSuffix(string(e.ResourceStatus), "FAILED") {
					t.Logf("%s %s %s: %s", name, aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
				}
			}
		}
		assert.NotEmpty(t, st.Outputs, name)
	}

	lctest.RequireAWSCLI(t)
	endpoint := aws.ToString(cfg.BaseEndpoint)
	cli := func(args ...string) map[string]any {
		t.Helper()
		cmd := lctest.AWSCommand(append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "aws %v: %s", args, out)
		var v map[string]any
		require.NoError(t, json.Unmarshal(out, &v), "%s", out)
		return v
	}
	count := func(v map[string]any, key string) int {
		l, _ := v[key].([]any)
		return len(l)
	}
	assert.Equal(t, 9, count(cli("lambda", "list-functions"), "Functions"))
	assert.Equal(t, 5, count(cli("stepfunctions", "list-state-machines"), "stateMachines"))
	assert.Equal(t, 1, count(cli("sns", "list-topics"), "Topics"))
	assert.Equal(t, 1, count(cli("events", "list-rules"), "Rules"))
	assert.Equal(t, 1, count(cli("apigatewayv2", "get-apis"), "Items"))
	assert.Equal(t, 2, count(cli("apigateway", "get-rest-apis"), "items"))
	assert.Equal(t, 3, count(cli("s3api", "list-buckets"), "Buckets"), "artifacts, uploads and ledger")
	roles := cli("iam", "list-roles")
	assert.Equal(t, 17, count(roles, "Roles"))
	groups := cli("logs", "describe-log-groups")
	assert.Equal(t, 14, count(groups, "logGroups"))

	// A restart keeps every stack and resource.
	require.NoError(t, c.Close())
	cfg, _ = cloud.StartForTestIn(t, dir)
	cfn = cloudformation.NewFromConfig(cfg)
	list, err := cfn.ListStacks(ctx, &cloudformation.ListStacksInput{StackStatusFilter: []types.StackStatus{types.StackStatusCreateComplete}})
	require.NoError(t, err)
	var got []string
	for _, s := range list.StackSummaries {
		got = append(got, aws.ToString(s.StackName))
	}
	sort.Strings(got)
	sort.Strings(names)
	assert.Equal(t, names, got)
}

func TestAFunctionsCodeLocationDownloadsItsZip(t *testing.T) {
	cfg, _ := cloud.StartForTest(t)
	ctx := context.Background()
	zipped := bootstrapZip(t)
	lam := lambda.NewFromConfig(cfg)
	_, err := lam.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("fn"), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Role: aws.String("arn:aws:iam::123456789012:role/r"), Code: &lambdatypes.FunctionCode{ZipFile: zipped}})
	require.NoError(t, err)
	out, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("fn")})
	require.NoError(t, err)
	loc := aws.ToString(out.Code.Location)
	require.True(t, strings.HasPrefix(loc, aws.ToString(cfg.BaseEndpoint)), loc)
	resp, err := http.Get(loc)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, zipped, got)
}
