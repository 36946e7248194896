package apis_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/apis"
)

// webhookStack deploys the express webhook's REST API as its template
// says and returns the API id.
func webhookStack(t *testing.T, p *plane) string {
	st := loadStack(t, "express-webhook")
	api := st.create(apis.RestAPIProvider(p.svc), "WebhookRestApi").PhysicalID
	st.create(apis.MethodProvider(p.svc), "WebhookRestApiPostMethod")
	st.create(apis.DeploymentProvider(p.svc), "WebhookRestApiDeployment7E815522")
	st.create(apis.StageProvider(p.svc), "WebhookRestApiStage")
	return api
}

func TestExpressWebhookAnswersThroughItsIntegrationResponses(t *testing.T) {
	p := newPlane(t)
	var sent []byte
	status, answer := 200, `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:WebhookStateMachine:x","startDate":1.7E9}`
	p.svc.SetStepFunctions(stepFunctions{start: func(_ context.Context, region string, body []byte) (int, []byte, error) {
		sent = body
		return status, []byte(answer), nil
	}})
	var denied error
	p.svc.SetAuthorizer(authorizerFunc(func(_ context.Context, role, action, resource string) error {
		if role != "arn:aws:iam::123456789012:role/WebhookRestApiRole" || action != "states:StartExecution" ||
			resource != "arn:aws:states:us-east-1:123456789012:stateMachine:WebhookStateMachine" {
			return errors.New("unexpected check " + role + " " + action + " " + resource)
		}
		return denied
	}))
	api := webhookStack(t, p)

	r := p.callHost("POST", api, "/main/", `{"event":"post.published","id":"it's 1"}`, "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.JSONEq(t, `{"status": "webhook submitted"}`, r.body)
	assert.NotEmpty(t, r.header.Get("X-Amzn-RequestId"))
	var in struct{ Input, StateMachineArn string }
	require.NoError(t, json.Unmarshal(sent, &in), string(sent))
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:WebhookStateMachine", in.StateMachineArn)
	assert.JSONEq(t, `{"event":"post.published","id":"it's 1"}`, in.Input)

	// A Step Functions error is a 4xx: the [45]\d\d response answers.
	status, answer = 400, `{"__type":"com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist","message":"State Machine Does Not Exist"}`
	r = p.call("POST", api, "/main", `{"event":"x"}`, "Content-Type", "application/json; charset=utf-8")
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.JSONEq(t, `{"status": "webhook failed"}`, r.body)

	// So is the role's denial (Step Functions' 403), and nothing starts.
	status, sent = 200, nil
	denied = errors.New("not authorized")
	r = p.call("POST", api, "/main/", `{"event":"x"}`)
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.JSONEq(t, `{"status": "webhook failed"}`, r.body)
	assert.Nil(t, sent)
}

func TestNeverPassthroughRefusesAnUnmappedContentType(t *testing.T) {
	p := newPlane(t)
	called := false
	p.svc.SetStepFunctions(stepFunctions{start: func(context.Context, string, []byte) (int, []byte, error) {
		called = true
		return 200, []byte(`{}`), nil
	}})
	api := webhookStack(t, p)
	r := p.call("POST", api, "/main/", `hello`, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status)
	assert.JSONEq(t, `{"message":"Unsupported Media Type"}`, r.body)
	assert.False(t, called)
}

func TestMalformedJSONThroughAMappingTemplateAnswers400(t *testing.T) {
	p := newPlane(t)
	called := false
	p.svc.SetStepFunctions(stepFunctions{start: func(context.Context, string, []byte) (int, []byte, error) {
		called = true
		return 200, []byte(`{}`), nil
	}})
	api := webhookStack(t, p)
	r := p.call("POST", api, "/main/", `{"event":`, "Content-Type", "application/json")
	assert.Equal(t, http.StatusBadRequest, r.status)
	var msg struct{ Message string }
	require.NoError(t, json.Unmarshal([]byte(r.body), &msg))
	assert.True(t, strings.HasPrefix(msg.Message, "Could not parse request body into json"), msg.Message)
	assert.False(t, called)
}

func TestRestAPIsAnswerForbiddenAndMissingAuthenticationToken(t *testing.T) {
	p := newPlane(t)
	p.svc.SetStepFunctions(stepFunctions{start: func(context.Context, string, []byte) (int, []byte, error) { return 200, []byte(`{}`), nil }})
	api := webhookStack(t, p)
	for path, want := range map[string]string{
		"POST /prod/":      `{"message":"Forbidden"}`,
		"POST /":           `{"message":"Forbidden"}`,
		"GET /main/":       `{"message":"Missing Authentication Token"}`,
		"POST /main/other": `{"message":"Missing Authentication Token"}`,
	} {
		method, path, _ := strings.Cut(path, " ")
		r := p.call(method, api, path, "{}")
		assert.Equal(t, http.StatusForbidden, r.status, path)
		assert.JSONEq(t, want, r.body, path)
	}
}

func TestBlogWebhookGetsTheRestProxyEvent(t *testing.T) {
	p := newPlane(t)
	var payload []byte
	answer, fnErr := `{"statusCode":401,"headers":{"Content-Type":"text/plain"},"multiValueHeaders":{"X-Why":["sig","missing"]},"body":"no signature"}`, ""
	p.svc.SetLambda(lambdaFunc(func(_ context.Context, region, arn string, in []byte) ([]byte, string, error) {
		if arn != "arn:aws:lambda:us-east-1:123456789012:function:WebhookInitiatorFunction" || region != "us-east-1" {
			return nil, "", errors.New("unexpected function " + region + " " + arn)
		}
		payload = in
		return []byte(answer), fnErr, nil
	}))
	allowed := true
	var source string
	p.svc.SetFunctionPolicy(policyFunc(func(_ context.Context, _, principal, src string) (bool, error) {
		source = principal + " " + src
		return allowed, nil
	}))
	st := loadStack(t, "blog-publishing")
	api := st.create(apis.RestAPIProvider(p.svc), "SanityEventRestApi").PhysicalID
	st.create(apis.ResourceProvider(p.svc), "SanityEventRestApiWebhookResource")
	st.create(apis.MethodProvider(p.svc), "SanityEventRestApiPostWebhookMethod")
	st.create(apis.DeploymentProvider(p.svc), "SanityEventRestApiDeploymentE589D290")
	st.create(apis.StageProvider(p.svc), "SanityEventRestApiStage")

	r := p.call("POST", api, "/Prod/webhook?src=sanity&src=cms", `{"_id":"post-1"}`, "Sanity-Webhook-Signature", "t=1,v1=x", "X-Multi", "a", "X-Multi", "b")
	require.Equal(t, http.StatusUnauthorized, r.status, r.body)
	assert.Equal(t, "no signature", r.body)
	assert.Equal(t, "text/plain", r.header.Get("Content-Type"))
	assert.Equal(t, []string{"sig", "missing"}, r.header.Values("X-Why"))
	assert.Equal(t, "apigateway.amazonaws.com arn:aws:execute-api:us-east-1:123456789012:"+api+"/Prod/POST/webhook", source)

	var ev events.APIGatewayProxyRequest
	require.NoError(t, json.Unmarshal(payload, &ev))
	assert.Equal(t, "/webhook", ev.Resource)
	assert.Equal(t, "/webhook", ev.Path)
	assert.Equal(t, "POST", ev.HTTPMethod)
	assert.Equal(t, "t=1,v1=x", ev.Headers["Sanity-Webhook-Signature"])
	assert.Equal(t, []string{"a", "b"}, ev.MultiValueHeaders["X-Multi"])
	assert.Equal(t, map[string]string{"src": "cms"}, ev.QueryStringParameters)
	assert.Equal(t, map[string][]string{"src": {"sanity", "cms"}}, ev.MultiValueQueryStringParameters)
	assert.Nil(t, ev.PathParameters)
	assert.Nil(t, ev.StageVariables)
	assert.Equal(t, `{"_id":"post-1"}`, ev.Body)
	assert.False(t, ev.IsBase64Encoded)
	rc := ev.RequestContext
	assert.Equal(t, "Prod", rc.Stage)
	assert.Equal(t, "/Prod/webhook", rc.Path)
	assert.Equal(t, "/webhook", rc.ResourcePath)
	assert.Equal(t, "POST", rc.HTTPMethod)
	assert.Equal(t, api, rc.APIID)
	assert.Equal(t, "123456789012", rc.AccountID)
	assert.Equal(t, r.header.Get("X-Amzn-RequestId"), rc.RequestID)
	assert.Equal(t, "127.0.0.1", rc.Identity.SourceIP)
	assert.NotEmpty(t, rc.ResourceID)

	for _, c := range []struct {
		name, answer, fnErr string
		allowed             bool
		status              int
		body                string
	}{
		{"a malformed response", `{"statusCode":"401","body":"x"}`, "", true, 502, `{"message":"Internal server error"}`},
		{"a body that is not a string", `{"statusCode":200,"body":{"a":1}}`, "", true, 502, `{"message":"Internal server error"}`},
		{"a function error", `{"errorMessage":"boom","errorType":"Error"}`, "Unhandled", true, 502, `{"message":"Internal server error"}`},
		{"no permission for API Gateway", `{"statusCode":200}`, "", false, 500, `{"message":"Internal server error"}`},
	} {
		answer, fnErr, allowed, payload = c.answer, c.fnErr, c.allowed, nil
		r := p.call("POST", api, "/Prod/webhook", `{}`)
		assert.Equal(t, c.status, r.status, c.name)
		assert.JSONEq(t, c.body, r.body, c.name)
		assert.Equal(t, !c.allowed, payload == nil, c.name)
	}
}

func TestRestGreedyResourcesAndANYMethods(t *testing.T) {
	ctx := context.Background()
	p := newPlane(t)
	var payload []byte
	p.svc.SetLambda(lambdaFunc(func(_ context.Context, _, _ string, in []byte) ([]byte, string, error) {
		payload = in
		return []byte(`{"statusCode":200,"body":"ok"}`), "", nil
	}))
	c := apigateway.NewFromConfig(p.cfg)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("proxy")})
	require.NoError(t, err)
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("{proxy+}")})
	require.NoError(t, err)
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE")})
	require.NoError(t, err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("ANY"),
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:p/invocations")})
	require.NoError(t, err)
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("dev"),
		Variables: map[string]string{"tier": "dev"}})
	require.NoError(t, err)

	r := p.call("DELETE", *api.Id, "/dev/a/b%20c", "")
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.Equal(t, "ok", r.body)
	var ev events.APIGatewayProxyRequest
	require.NoError(t, json.Unmarshal(payload, &ev))
	assert.Equal(t, "/{proxy+}", ev.Resource)
	assert.Equal(t, "/a/b c", ev.Path)
	assert.Equal(t, "DELETE", ev.HTTPMethod)
	assert.Equal(t, map[string]string{"proxy": "a/b c"}, ev.PathParameters)
	assert.Equal(t, map[string]string{"tier": "dev"}, ev.StageVariables)
	assert.Equal(t, http.StatusForbidden, p.call("GET", *api.Id, "/dev/", "").status, "a greedy resource does not take the root")
}

func TestMockIntegrationsAnswerFromTheirTemplatesAfterARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	store, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	p := newPlaneOn(t, store)
	c := apigateway.NewFromConfig(p.cfg)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("mock")})
	require.NoError(t, err)
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("health")})
	require.NoError(t, err)
	m := func(code string) (*string, *string, *string, *string) {
		return api.Id, res.Id, aws.String("GET"), aws.String(code)
	}
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	require.NoError(t, err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), Type: agtypes.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `#if($input.params('fail') == 'yes'){"statusCode": 503}#else{"statusCode": 200}#end`}})
	require.NoError(t, err)
	for code, pattern := range map[string]string{"200": "", "503": `5\d\d`} {
		id, rid, verb, sc := m(code)
		_, err = c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: id, ResourceId: rid, HttpMethod: verb, StatusCode: sc,
			ResponseParameters: map[string]bool{"method.response.header.X-Mock": false}})
		require.NoError(t, err)
		in := &apigateway.PutIntegrationResponseInput{RestApiId: id, ResourceId: rid, HttpMethod: verb, StatusCode: sc,
			ResponseTemplates:  map[string]string{"application/json": `{"code": ` + code + `, "stage": "$context.stage"}`},
			ResponseParameters: map[string]string{"method.response.header.X-Mock": "'" + code + "'"}}
		if pattern != "" {
			in.SelectionPattern = aws.String(pattern)
		}
		_, err = c.PutIntegrationResponse(ctx, in)
		require.NoError(t, err)
	}
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("live")})
	require.NoError(t, err)
	require.NoError(t, store.Close())

	store, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	p = newPlaneOn(t, store)
	r := p.call("GET", *api.Id, "/live/health", "")
	assert.Equal(t, http.StatusOK, r.status, r.body)
	assert.JSONEq(t, `{"code": 200, "stage": "live"}`, r.body)
	assert.Equal(t, "200", r.header.Get("X-Mock"))
	r = p.call("GET", *api.Id, "/live/health?fail=yes", "")
	assert.Equal(t, http.StatusServiceUnavailable, r.status, r.body)
	assert.JSONEq(t, `{"code": 503, "stage": "live"}`, r.body)
	assert.Equal(t, "503", r.header.Get("X-Mock"))
}

func TestARestIntegrationTimeoutAnswers504(t *testing.T) {
	ctx := context.Background()
	p := newPlane(t)
	p.svc.SetStepFunctions(stepFunctions{start: func(ctx context.Context, _ string, _ []byte) (int, []byte, error) {
		<-ctx.Done()
		return 0, nil, ctx.Err()
	}})
	c := apigateway.NewFromConfig(p.cfg)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("slow")})
	require.NoError(t, err)
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("POST"), AuthorizationType: aws.String("NONE")})
	require.NoError(t, err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("POST"),
		Type: agtypes.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), TimeoutInMillis: aws.Int32(50),
		Uri: aws.String("arn:aws:apigateway:us-east-1:states:action/StartExecution")})
	require.NoError(t, err)
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("live")})
	require.NoError(t, err)
	r := p.call("POST", *api.Id, "/live", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:M"}`)
	assert.Equal(t, http.StatusGatewayTimeout, r.status)
	assert.JSONEq(t, `{"message":"Endpoint request timed out"}`, r.body)
}

func TestIntegrationsTheLocalCloudDoesNotRunFailByName(t *testing.T) {
	ctx := context.Background()
	p := newPlane(t)
	h := httpAPI(t, p, "HTTP_PROXY", apigatewayv2.CreateIntegrationInput{
		IntegrationUri: aws.String("https://example.com/orders"), IntegrationMethod: aws.String("ANY"),
	}, "$default", nil, "GET /orders")
	r := p.call("GET", h, "/orders", "")
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Contains(t, r.body, "HTTP_PROXY https://example.com/orders")

	c := apigateway.NewFromConfig(p.cfg)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("sqs")})
	require.NoError(t, err)
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("POST"), AuthorizationType: aws.String("NONE")})
	require.NoError(t, err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("POST"),
		Type: agtypes.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:action/SendMessage")})
	require.NoError(t, err)
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("live")})
	require.NoError(t, err)
	r = p.call("POST", *api.Id, "/live", "{}")
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Contains(t, r.body, "arn:aws:apigateway:us-east-1:sqs:action/SendMessage")
}
