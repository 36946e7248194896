package apis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/apis"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

func code(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *localcloud.Error
	require.True(t, errors.As(err, &e), "%v", err)
	return e.Code
}

func TestRouteKeysAreValidatedAsHTTPAPIsDefineThem(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	api, err := svc.CreateAPI(ctx, "", apis.APIInput{Name: aws.String("a"), ProtocolType: aws.String("HTTP")})
	require.NoError(t, err)
	for key, want := range map[string]string{
		"$default":               "",
		"GET /":                  "",
		"ANY /{proxy+}":          "",
		"POST /pizza/{id}/slice": "",
		"DELETE /a.b/c-d_e~f":    "",
		"get /pizza":             "BadRequestException",
		"FETCH /pizza":           "BadRequestException",
		"POST pizza":             "BadRequestException",
		"POST":                   "BadRequestException",
		"GET /a//b":              "BadRequestException",
		"GET /{proxy+}/more":     "BadRequestException",
		"GET /{id":               "BadRequestException",
		"$connect":               "BadRequestException",
	} {
		_, err := svc.CreateRoute(ctx, api.APIID, apis.RouteInput{RouteKey: aws.String(key)})
		assert.Equal(t, want, code(t, err), key)
	}
	_, err = svc.CreateRoute(ctx, api.APIID, apis.RouteInput{RouteKey: aws.String("GET /")})
	assert.Equal(t, "ConflictException", code(t, err), "a route key is unique in its API")
}

func TestIntegrationSubtypesTakeTheParametersAWSDefines(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	api, err := svc.CreateAPI(ctx, "", apis.APIInput{Name: aws.String("a"), ProtocolType: aws.String("HTTP")})
	require.NoError(t, err)
	sfn := "arn:aws:states:us-east-1:123456789012:stateMachine:M"
	cases := []struct {
		name    string
		subtype string
		params  map[string]string
		version string
		want    string
	}{
		{"sync execution", "StepFunctions-StartSyncExecution", map[string]string{"StateMachineArn": sfn, "Input": "$request.body", "TraceHeader": "$request.header.X-Amzn-Trace-Id"}, "1.0", ""},
		{"no state machine", "StepFunctions-StartSyncExecution", map[string]string{"Input": "$request.body"}, "1.0", "BadRequestException"},
		{"trace header is not StartExecution's", "StepFunctions-StartExecution", map[string]string{"StateMachineArn": sfn, "TraceHeader": "x"}, "1.0", "BadRequestException"},
		{"stop execution", "StepFunctions-StopExecution", map[string]string{"ExecutionArn": "$request.body.arn", "Cause": "c"}, "", ""},
		{"put events", "EventBridge-PutEvents", map[string]string{"Detail": "$request.body", "DetailType": "t", "Source": "s"}, "1.0", ""},
		{"send message without body", "SQS-SendMessage", map[string]string{"QueueUrl": "https://sqs"}, "1.0", "BadRequestException"},
		{"payload 2.0 is Lambda's", "StepFunctions-StartExecution", map[string]string{"StateMachineArn": sfn}, "2.0", "BadRequestException"},
		{"unknown subtype", "Lambda-Invoke", map[string]string{}, "1.0", "BadRequestException"},
	}
	for _, c := range cases {
		in := apis.IntegrationInput{IntegrationType: aws.String("AWS_PROXY"), IntegrationSubtype: aws.String(c.subtype), RequestParameters: c.params}
		if c.version != "" {
			in.PayloadFormatVersion = aws.String(c.version)
		}
		integ, err := svc.CreateIntegration(ctx, api.APIID, in)
		assert.Equal(t, c.want, code(t, err), c.name)
		if err == nil {
			assert.Equal(t, "1.0", integ.PayloadFormatVersion, c.name)
			assert.Equal(t, 30000, integ.TimeoutInMillis, c.name)
		}
	}
}

func TestHTTPAPIIntegrationTypes(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	api, err := svc.CreateAPI(ctx, "", apis.APIInput{Name: aws.String("a"), ProtocolType: aws.String("HTTP")})
	require.NoError(t, err)
	fn := "arn:aws:lambda:us-east-1:123456789012:function:f"
	cases := []struct {
		name string
		in   apis.IntegrationInput
		want string
	}{
		{"lambda 2.0", apis.IntegrationInput{IntegrationType: aws.String("AWS_PROXY"), IntegrationURI: aws.String(fn), PayloadFormatVersion: aws.String("2.0")}, ""},
		{"lambda needs a payload version", apis.IntegrationInput{IntegrationType: aws.String("AWS_PROXY"), IntegrationURI: aws.String(fn)}, "BadRequestException"},
		{"lambda needs a function", apis.IntegrationInput{IntegrationType: aws.String("AWS_PROXY"), IntegrationURI: aws.String("https://x"), PayloadFormatVersion: aws.String("2.0")}, "BadRequestException"},
		{"http proxy", apis.IntegrationInput{IntegrationType: aws.String("HTTP_PROXY"), IntegrationURI: aws.String("https://x"), IntegrationMethod: aws.String("ANY"),
			RequestParameters: map[string]string{"overwrite:path": "$request.path", "append:header.x-a": "b"}}, ""},
		{"http proxy needs a method", apis.IntegrationInput{IntegrationType: aws.String("HTTP_PROXY"), IntegrationURI: aws.String("https://x")}, "BadRequestException"},
		{"bad mapping key", apis.IntegrationInput{IntegrationType: aws.String("HTTP_PROXY"), IntegrationURI: aws.String("https://x"), IntegrationMethod: aws.String("GET"),
			RequestParameters: map[string]string{"path": "x"}}, "BadRequestException"},
		{"timeout under 50", apis.IntegrationInput{IntegrationType: aws.String("HTTP_PROXY"), IntegrationURI: aws.String("https://x"), IntegrationMethod: aws.String("GET"), TimeoutInMillis: aws.Int(49)}, "BadRequestException"},
		{"timeout 30000", apis.IntegrationInput{IntegrationType: aws.String("HTTP_PROXY"), IntegrationURI: aws.String("https://x"), IntegrationMethod: aws.String("GET"), TimeoutInMillis: aws.Int(30000)}, ""},
		{"MOCK is WebSocket's", apis.IntegrationInput{IntegrationType: aws.String("MOCK")}, "BadRequestException"},
		{"templates are WebSocket's", apis.IntegrationInput{IntegrationType: aws.String("HTTP_PROXY"), IntegrationURI: aws.String("https://x"), IntegrationMethod: aws.String("GET"),
			RequestTemplates: map[string]string{"a": "b"}}, "BadRequestException"},
	}
	for _, c := range cases {
		_, err := svc.CreateIntegration(ctx, api.APIID, c.in)
		assert.Equal(t, c.want, code(t, err), c.name)
	}
	_, err = svc.CreateIntegration(ctx, "nope", cases[0].in)
	assert.Equal(t, "NotFoundException", code(t, err))
}

func TestRestAPIIntegrationsAreValidated(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	api, err := svc.CreateRestAPI(ctx, apis.CreateRestAPIInput{Name: "a"})
	require.NoError(t, err)
	assert.Equal(t, []string{"EDGE"}, api.EndpointConfiguration.Types, "EDGE is the default endpoint type")
	k := apis.MethodKey{RestAPIID: api.ID, ResourceID: api.RootResourceID, HTTPMethod: "POST"}
	_, err = svc.PutIntegration(ctx, apis.PutIntegrationInput{MethodKey: k, Type: "MOCK"})
	assert.Equal(t, "NotFoundException", code(t, err), "no method yet")
	_, err = svc.PutMethod(ctx, apis.PutMethodInput{MethodKey: k, AuthorizationType: "NONE"})
	require.NoError(t, err)
	_, err = svc.PutMethod(ctx, apis.PutMethodInput{MethodKey: k, AuthorizationType: "NONE"})
	assert.Equal(t, "ConflictException", code(t, err))
	_, err = svc.PutMethod(ctx, apis.PutMethodInput{MethodKey: apis.MethodKey{RestAPIID: api.ID, ResourceID: api.RootResourceID, HTTPMethod: "FETCH"}, AuthorizationType: "NONE"})
	assert.Equal(t, "BadRequestException", code(t, err))
	lambda := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"
	cases := []struct {
		name string
		in   apis.PutIntegrationInput
		want string
	}{
		{"mock", apis.PutIntegrationInput{Type: "MOCK"}, ""},
		{"lambda proxy", apis.PutIntegrationInput{Type: "AWS_PROXY", HTTPMethod: "POST", URI: lambda}, ""},
		{"proxy to a service action", apis.PutIntegrationInput{Type: "AWS_PROXY", HTTPMethod: "POST", URI: "arn:aws:apigateway:us-east-1:states:action/StartExecution"}, "BadRequestException"},
		{"aws without method", apis.PutIntegrationInput{Type: "AWS", URI: "arn:aws:apigateway:us-east-1:states:action/StartExecution"}, "BadRequestException"},
		{"aws without path or action", apis.PutIntegrationInput{Type: "AWS", HTTPMethod: "POST", URI: "arn:aws:apigateway:us-east-1:states:StartExecution"}, "BadRequestException"},
		{"http to a url", apis.PutIntegrationInput{Type: "HTTP", HTTPMethod: "GET", URI: "https://example.com"}, ""},
		{"http to an arn", apis.PutIntegrationInput{Type: "HTTP_PROXY", HTTPMethod: "GET", URI: "arn:aws:x"}, "BadRequestException"},
		{"timeout over 29000", apis.PutIntegrationInput{Type: "MOCK", TimeoutInMillis: 29001}, "BadRequestException"},
		{"unknown type", apis.PutIntegrationInput{Type: "LAMBDA"}, "BadRequestException"},
	}
	for _, c := range cases {
		c.in.MethodKey = k
		_, err := svc.PutIntegration(ctx, c.in)
		assert.Equal(t, c.want, code(t, err), c.name)
	}
	err = svc.DeleteResource(ctx, api.ID, api.RootResourceID)
	assert.Equal(t, "BadRequestException", code(t, err), "the root stays")
	_, err = svc.CreateResource(ctx, api.ID, api.RootResourceID, "a/b")
	assert.Equal(t, "BadRequestException", code(t, err))
	_, err = svc.CreateResource(ctx, api.ID, api.RootResourceID, "{id}")
	require.NoError(t, err)
	_, err = svc.CreateResource(ctx, api.ID, api.RootResourceID, "{other}")
	assert.Equal(t, "BadRequestException", code(t, err), "one variable path part per parent")
}

func TestPagesCoverEveryItemOnce(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	for range 5 {
		_, err := svc.CreateAPI(ctx, "", apis.APIInput{Name: aws.String("a"), ProtocolType: aws.String("HTTP")})
		require.NoError(t, err)
	}
	seen := map[string]bool{}
	token := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5)
		p, err := svc.GetAPIs(ctx, token, 2)
		require.NoError(t, err)
		for _, a := range p.Items {
			assert.False(t, seen[a.APIID])
			seen[a.APIID] = true
		}
		if token = p.NextToken; token == "" {
			break
		}
	}
	assert.Len(t, seen, 5)
	_, err := svc.GetAPIs(ctx, "", 501)
	assert.Equal(t, "BadRequestException", code(t, err))
}

func TestAutoDeployKeepsOnlyTheDeploymentsStagesServe(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	api, err := svc.CreateAPI(ctx, "", apis.APIInput{Name: aws.String("a"), ProtocolType: aws.String("HTTP")})
	require.NoError(t, err)
	_, err = svc.CreateStageV2(ctx, api.APIID, apis.StageInput{StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})
	require.NoError(t, err)
	_, err = svc.CreateStageV2(ctx, api.APIID, apis.StageInput{StageName: aws.String("manual")})
	require.NoError(t, err)
	integ, err := svc.CreateIntegration(ctx, api.APIID, apis.IntegrationInput{IntegrationType: aws.String("HTTP_PROXY"), IntegrationURI: aws.String("https://x"), IntegrationMethod: aws.String("ANY")})
	require.NoError(t, err)
	for _, key := range []string{"GET /a", "GET /b", "GET /c"} {
		_, err := svc.CreateRoute(ctx, api.APIID, apis.RouteInput{RouteKey: aws.String(key), Target: aws.String("integrations/" + integ.IntegrationID)})
		require.NoError(t, err)
	}
	deps, err := svc.GetDeploymentsV2(ctx, api.APIID, "", 0)
	require.NoError(t, err)
	assert.Len(t, deps.Items, 1, "each change redeploys; the replaced automatic deployments go")
	served, err := svc.HTTPAPIStage(ctx, api.APIID, "$default")
	require.NoError(t, err)
	assert.Len(t, served.Routes, 3)
	_, err = svc.HTTPAPIStage(ctx, api.APIID, "manual")
	assert.Equal(t, "NotFoundException", code(t, err), "a stage without AutoDeploy serves nothing until deployed")
	d, err := svc.CreateDeploymentV2(ctx, api.APIID, "", "manual")
	require.NoError(t, err)
	assert.False(t, d.AutoDeployed)
	_, err = svc.CreateRoute(ctx, api.APIID, apis.RouteInput{RouteKey: aws.String("GET /d"), Target: aws.String("integrations/" + integ.IntegrationID)})
	require.NoError(t, err)
	manual, err := svc.HTTPAPIStage(ctx, api.APIID, "manual")
	require.NoError(t, err)
	assert.Len(t, manual.Routes, 3, "a manual deployment is a snapshot")
	auto, err := svc.HTTPAPIStage(ctx, api.APIID, "$default")
	require.NoError(t, err)
	assert.Len(t, auto.Routes, 4)
	assert.Equal(t, "BadRequestException", code(t, svc.DeleteDeploymentV2(ctx, api.APIID, d.DeploymentID)))
}
