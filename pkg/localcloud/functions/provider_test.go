package functions_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/functions"
)

// templateProperties reads a resource's properties from a generated
// template, resolving Ref and Fn::GetAtt from values (as the engine would)
// and Fn::Sub's pseudo parameters.
func templateProperties(t *testing.T, file, logicalID string, values map[string]any) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../../../gen/testdata/" + file)
	require.NoError(t, err)
	var tmpl struct {
		Resources map[string]struct {
			Properties map[string]any
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&tmpl))
	res, ok := tmpl.Resources[logicalID]
	require.True(t, ok, logicalID)
	var resolve func(v any) any
	resolve = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
				val, ok := values[ref]
				require.True(t, ok, "no value for Ref %s", ref)
				return val
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok && len(x) == 1 {
				key := ga[0].(string) + "." + ga[1].(string)
				val, ok := values[key]
				require.True(t, ok, "no value for GetAtt %s", key)
				return val
			}
			if sub, ok := x["Fn::Sub"].(string); ok && len(x) == 1 {
				for k, v := range values {
					sub = strings.ReplaceAll(sub, "${"+k+"}", v.(string))
				}
				require.NotContains(t, sub, "${", "unresolved Fn::Sub")
				return sub
			}
			out := map[string]any{}
			for k, e := range x {
				out[k] = resolve(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = resolve(e)
			}
			return out
		}
		return v
	}
	return resolve(res.Properties).(map[string]any)
}

func TestFunctionProviderWithPizzaTemplate(t *testing.T) {
	ctx := context.Background()
	v1 := makeZip(t, map[string]string{"bootstrap": "v1"})
	v2 := makeZip(t, map[string]string{"bootstrap": "v2"})
	svc, _ := newService(t, objects{"stepforge-artifacts/pizzachecker/v1.zip": v1, "stepforge-artifacts/pizzachecker/v2.zip": v2})
	client, _ := serve(t, svc)
	values := map[string]any{
		"ArtifactBucket":                 "stepforge-artifacts",
		"CheckPizzaCodeKey":              "pizzachecker/v1.zip",
		"CheckPizzaFunctionLogGroup":     "/aws/lambda/pizza-check",
		"CheckPizzaFunctionRole.Arn":     "arn:aws:iam::123456789012:role/pizza-CheckPizzaFunctionRole-ABC",
		"CheckPizzaFunctionLogGroup.Arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pizza-check:*",
	}
	props := templateProperties(t, "pizza.template.json", "CheckPizzaFunction", values)
	p := functions.FunctionProvider(svc)
	assert.Equal(t, "AWS::Lambda::Function", p.Type())
	assert.ElementsMatch(t, []string{"FunctionName", "PackageType"}, p.CreateOnlyProperties())
	req := &cfnengine.ResourceRequest{StackName: "pizza", StackID: "arn:aws:cloudformation:us-east-1:123456789012:stack/pizza/1",
		Region: "us-east-1", Account: "123456789012", LogicalID: "CheckPizzaFunction", Type: p.Type(), Properties: props}
	res, err := p.Create(ctx, req)
	require.NoError(t, err)
	name := res.PhysicalID
	assert.Regexp(t, `^pizza-CheckPizzaFunction-[A-Z0-9]{13}$`, name)
	assert.Equal(t, name, res.Ref)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:"+name, res.Attributes["Arn"])

	got, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	c := got.Configuration
	assert.Equal(t, types.RuntimeProvidedal2023, c.Runtime)
	assert.Equal(t, "bootstrap", aws.ToString(c.Handler))
	assert.Equal(t, []types.Architecture{types.ArchitectureArm64}, c.Architectures)
	assert.Equal(t, int32(128), aws.ToInt32(c.MemorySize))
	assert.Equal(t, int32(5), aws.ToInt32(c.Timeout))
	assert.Equal(t, "Reports whether an order's flavour contains pineapple.", aws.ToString(c.Description))
	assert.Equal(t, types.TracingModeActive, c.TracingConfig.Mode)
	assert.Equal(t, &types.LoggingConfig{ApplicationLogLevel: types.ApplicationLogLevelInfo, LogFormat: types.LogFormatJson,
		LogGroup: aws.String("/aws/lambda/pizza-check"), SystemLogLevel: types.SystemLogLevelInfo}, c.LoggingConfig)
	assert.Equal(t, "arn:aws:iam::123456789012:role/pizza-CheckPizzaFunctionRole-ABC", aws.ToString(c.Role))
	assert.Equal(t, sum(v1), aws.ToString(c.CodeSha256))
	assert.Equal(t, "pizza", got.Tags["aws:cloudformation:stack-name"])
	assert.Equal(t, "CheckPizzaFunction", got.Tags["aws:cloudformation:logical-id"])

	// A new code key and timeout update the function in place.
	values["CheckPizzaCodeKey"] = "pizzachecker/v2.zip"
	newProps := templateProperties(t, "pizza.template.json", "CheckPizzaFunction", values)
	newProps["Timeout"] = "10" // as a parameter would give it
	delete(newProps, "Description")
	newProps["Tags"] = []any{map[string]any{"Key": "team", "Value": "pizza"}}
	upd := *req
	upd.PhysicalID, upd.OldProperties, upd.Properties, upd.Attributes = name, props, newProps, res.Attributes
	res2, err := p.Update(ctx, &upd)
	require.NoError(t, err)
	assert.Equal(t, name, res2.PhysicalID)
	got, err = client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, sum(v2), aws.ToString(got.Configuration.CodeSha256))
	assert.Equal(t, int32(10), aws.ToInt32(got.Configuration.Timeout))
	assert.Equal(t, "", aws.ToString(got.Configuration.Description), "a removed property goes back to its default")
	assert.Equal(t, "pizza", got.Tags["team"])
	assert.Equal(t, "pizza", got.Tags["aws:cloudformation:stack-name"])
	zipped, _, err := svc.Code(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, v2, zipped)

	// A missing code object fails as the handler words it.
	values["CheckPizzaCodeKey"] = "pizzachecker/v3.zip"
	bad := *req
	bad.Properties = templateProperties(t, "pizza.template.json", "CheckPizzaFunction", values)
	bad.Properties["FunctionName"] = "other"
	_, err = p.Create(ctx, &bad)
	require.Error(t, err)
	assert.Regexp(t, `^Resource handler returned message: "Error occurred while GetObject\. S3 Error Code: NoSuchKey\. S3 Error Message: The specified key does not exist\. \(Service: Lambda, Status Code: 400, Request ID: [0-9a-f-]{36}\)" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: InvalidRequest\)$`, err.Error())
	bad.Properties["Unknown"] = "x"
	_, err = p.Create(ctx, &bad)
	assert.EqualError(t, err, "Encountered unsupported property Unknown")

	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: name, Properties: newProps}))
	_, err = client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	require.ErrorAs(t, err, &notFound)
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: name}), "deleting a deleted function is done")
}

func TestFunctionProviderInlineCode(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	p := functions.FunctionProvider(svc)
	props := map[string]any{"FunctionName": "inline", "Runtime": "nodejs22.x", "Handler": "index.handler", "Role": role,
		"Code": map[string]any{"ZipFile": "exports.handler = async () => 'ok';"}}
	res, err := p.Create(ctx, &cfnengine.ResourceRequest{StackName: "s", LogicalID: "Inline", Properties: props})
	require.NoError(t, err)
	assert.Equal(t, "inline", res.Ref)
	zipped, cfg, err := svc.Code(ctx, "inline")
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	require.NoError(t, err)
	require.Len(t, zr.File, 1)
	assert.Equal(t, "index.js", zr.File[0].Name, "CloudFormation puts inline code in index.js")
	assert.Equal(t, []string{"x86_64"}, cfg.Architectures)

	props["Runtime"] = "provided.al2023"
	props["FunctionName"] = "inline2"
	_, err = p.Create(ctx, &cfnengine.ResourceRequest{StackName: "s", LogicalID: "Inline2", Properties: props})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HandlerErrorCode: InvalidRequest")
}

func TestPermissionProviderWithBlogTemplate(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	client, _ := serve(t, svc)
	fn, err := svc.CreateFunction(ctx, createInput("webhook-initiator", makeZip(t, map[string]string{"bootstrap": "x"})))
	require.NoError(t, err)
	props := templateProperties(t, "blog-publishing.template.json", "SanityEventRestApiPostWebhookMethodPermission", map[string]any{
		"WebhookInitiatorFunction.Arn": fn.FunctionArn, "SanityEventRestApi": "a1b2c3", "AWS::Partition": "aws",
		"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012",
	})
	p := functions.PermissionProvider(svc)
	assert.Equal(t, "AWS::Lambda::Permission", p.Type())
	assert.Contains(t, p.CreateOnlyProperties(), "SourceArn")
	req := &cfnengine.ResourceRequest{StackName: "blog", LogicalID: "SanityEventRestApiPostWebhookMethodPermission", Type: p.Type(), Properties: props}
	res, err := p.Create(ctx, req)
	require.NoError(t, err)
	sid := res.Attributes["Id"].(string)
	assert.Regexp(t, `^blog-SanityEventRestApiPostWebhookMethodPermission-[A-Z0-9]{13}$`, sid)
	assert.Equal(t, fn.FunctionArn+"|"+sid, res.PhysicalID)

	pol, err := client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("webhook-initiator")})
	require.NoError(t, err)
	var doc functions.Policy
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc))
	require.Len(t, doc.Statement, 1)
	st := doc.Statement[0]
	assert.Equal(t, sid, st.Sid)
	assert.Equal(t, "lambda:InvokeFunction", st.Action)
	assert.JSONEq(t, `{"Service":"apigateway.amazonaws.com"}`, string(st.Principal))
	assert.Equal(t, map[string]map[string]string{"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*/POST/webhook"}}, st.Condition)

	again, err := p.Update(ctx, &cfnengine.ResourceRequest{PhysicalID: res.PhysicalID, Properties: props, OldProperties: props})
	require.NoError(t, err)
	assert.Equal(t, res.PhysicalID, again.PhysicalID)

	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: res.PhysicalID, Properties: props}))
	_, err = client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("webhook-initiator")})
	var notFound *types.ResourceNotFoundException
	require.ErrorAs(t, err, &notFound)
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: res.PhysicalID}), "a removed statement is deleted")
	require.NoError(t, svc.DeleteFunction(ctx, "webhook-initiator", ""))
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: res.PhysicalID}), "so is one whose function is gone")
}
