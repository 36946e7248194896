package apis_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/apis"
)

// pizzaMachine answers StartSyncExecution as the pizza seed's Express
// machine does: pineapple or hawaiian fails the order.
func pizzaMachine(calls *[]string, mu *sync.Mutex) func(context.Context, string, []byte) (int, []byte, error) {
	return func(_ context.Context, region string, body []byte) (int, []byte, error) {
		var in struct{ StateMachineArn, Input string }
		if err := json.Unmarshal(body, &in); err != nil {
			return 400, []byte(`{"__type":"SerializationException"}`), nil
		}
		if mu != nil {
			mu.Lock()
			*calls = append(*calls, region+" "+string(body))
			mu.Unlock()
		}
		var order struct{ Flavour string }
		if json.Unmarshal([]byte(in.Input), &order) != nil {
			return 400, []byte(`{"__type":"InvalidExecutionInput","message":"Invalid State Machine Execution Input: 'Unexpected character'"}`), nil
		}
		rec := map[string]any{"executionArn": "arn:aws:states:us-east-1:123456789012:express:Pizza:e1:e2", "input": in.Input,
			"name": "e1", "startDate": 1.629880767853e9, "stopDate": 1.629880768343e9, "stateMachineArn": in.StateMachineArn,
			"billingDetails": map[string]any{"billedDurationInMilliseconds": 500, "billedMemoryUsedInMB": 64}}
		if order.Flavour == "pineapple" || order.Flavour == "hawaiian" {
			rec["status"], rec["error"], rec["cause"] = "FAILED", "Failed To Make Pizza", "They asked for Pineapple"
		} else {
			rec["status"], rec["output"] = "SUCCEEDED", `{"containsPineapple":false}`
		}
		b, _ := json.Marshal(rec)
		return 200, b, nil
	}
}

func TestPizzaRouteAnswersTheRawSyncExecutionResult(t *testing.T) {
	p := newPlane(t)
	var mu sync.Mutex
	var calls, checks []string
	p.svc.SetStepFunctions(stepFunctions{sync: pizzaMachine(&calls, &mu)})
	p.svc.SetAuthorizer(authorizerFunc(func(_ context.Context, role, action, resource string) error {
		mu.Lock()
		defer mu.Unlock()
		checks = append(checks, role+" "+action+" "+resource)
		return nil
	}))
	st := loadStack(t, "pizza")
	api := st.create(apis.HTTPAPIProvider(p.svc), "PizzaHttpApi").PhysicalID
	st.create(apis.HTTPIntegrationProvider(p.svc), "PizzaHttpApiPizzaIntegration")
	st.create(apis.HTTPRouteProvider(p.svc), "PizzaHttpApiPostPizzaRoute")
	st.create(apis.HTTPStageProvider(p.svc), "PizzaHttpApiStage")
	machine := "arn:aws:states:us-east-1:123456789012:stateMachine:PizzaStateMachine"

	good := p.callHost("POST", api, "/pizza", `{ "flavour": "pepperoni"}`, "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, good.status, good.body)
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(good.body), &rec))
	assert.Equal(t, "SUCCEEDED", rec["status"])
	assert.Equal(t, `{ "flavour": "pepperoni"}`, rec["input"], "the body is the execution's input as it was sent")
	assert.Equal(t, `{"containsPineapple":false}`, rec["output"])
	assert.Equal(t, machine, rec["stateMachineArn"])
	assert.NotEmpty(t, good.header.Get("Apigw-Requestid"))

	bad := p.call("POST", api, "/pizza", `{"flavour": "pineapple"}`)
	require.Equal(t, http.StatusOK, bad.status, "a failed sync execution is still the service's 200")
	require.NoError(t, json.Unmarshal([]byte(bad.body), &rec))
	assert.Equal(t, "FAILED", rec["status"])
	assert.Equal(t, "They asked for Pineapple", rec["cause"])
	assert.Equal(t, "Failed To Make Pizza", rec["error"])

	require.Len(t, calls, 2)
	assert.Equal(t, `us-east-1 {"input":"{ \"flavour\": \"pepperoni\"}","stateMachineArn":"`+machine+`"}`, calls[0])
	assert.Equal(t, []string{
		"arn:aws:iam::123456789012:role/PizzaHttpApiRole states:StartSyncExecution " + machine,
		"arn:aws:iam::123456789012:role/PizzaHttpApiRole states:StartSyncExecution " + machine,
	}, checks)

	// Malformed JSON is not API Gateway's business: the service answers.
	mal := p.call("POST", api, "/pizza", `{"flavour":`)
	assert.Equal(t, http.StatusBadRequest, mal.status)
	assert.Contains(t, mal.body, "InvalidExecutionInput")
}

func TestAnIntegrationRoleDeniedAnswersInternalServerError(t *testing.T) {
	p := newPlane(t)
	called := false
	p.svc.SetStepFunctions(stepFunctions{sync: func(context.Context, string, []byte) (int, []byte, error) {
		called = true
		return 200, []byte(`{}`), nil
	}})
	p.svc.SetAuthorizer(authorizerFunc(func(context.Context, string, string, string) error {
		return errors.New("AccessDenied: no identity-based policy allows the states:StartSyncExecution action")
	}))
	st := loadStack(t, "pizza")
	api := st.create(apis.HTTPAPIProvider(p.svc), "PizzaHttpApi").PhysicalID
	st.create(apis.HTTPIntegrationProvider(p.svc), "PizzaHttpApiPizzaIntegration")
	st.create(apis.HTTPRouteProvider(p.svc), "PizzaHttpApiPostPizzaRoute")
	st.create(apis.HTTPStageProvider(p.svc), "PizzaHttpApiStage")

	r := p.call("POST", api, "/pizza", `{"flavour":"ham"}`)
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.JSONEq(t, `{"message":"Internal Server Error"}`, r.body)
	assert.False(t, called)
}

// httpAPI makes an HTTP API through the SDK with one integration per
// route key and the given stage.
func httpAPI(t *testing.T, p *plane, integ v2types.IntegrationType, in apigatewayv2.CreateIntegrationInput, stage string, vars map[string]string, routes ...string) string {
	ctx := context.Background()
	c := apigatewayv2.NewFromConfig(p.cfg)
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: v2types.ProtocolTypeHttp})
	require.NoError(t, err)
	in.ApiId, in.IntegrationType = api.ApiId, integ
	i, err := c.CreateIntegration(ctx, &in)
	require.NoError(t, err)
	for _, rk := range routes {
		_, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(rk), Target: aws.String("integrations/" + *i.IntegrationId)})
		require.NoError(t, err)
	}
	_, err = c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String(stage), AutoDeploy: aws.Bool(true), StageVariables: vars})
	require.NoError(t, err)
	return *api.ApiId
}

func TestRequestParametersMapBodyPathQueryHeaderContextAndStageVariables(t *testing.T) {
	p := newPlane(t)
	var got []byte
	var region string
	p.svc.SetStepFunctions(stepFunctions{start: func(_ context.Context, r string, body []byte) (int, []byte, error) {
		got, region = body, r
		return 200, []byte(`{"executionArn":"arn:aws:states:eu-west-1:123456789012:execution:M:x","startDate":1.7E9}`), nil
	}})
	api := httpAPI(t, p, v2types.IntegrationTypeAwsProxy, apigatewayv2.CreateIntegrationInput{
		IntegrationSubtype: aws.String("StepFunctions-StartExecution"), PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{
			"StateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:$stageVariables.machine",
			"Input":           "$request.body.order",
			"Name":            "$request.path.id-$request.querystring.try-$request.header.X-Shop",
			"Region":          "$stageVariables.region",
		},
	}, "prod", map[string]string{"machine": "Orders", "region": "eu-west-1"}, "POST /orders/{id}")

	r := p.call("POST", api, "/prod/orders/o-7?try=2", `{"order":{"items":[1,2]},"other":true}`, "X-Shop", "north")
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.JSONEq(t, `{"executionArn":"arn:aws:states:eu-west-1:123456789012:execution:M:x","startDate":1.7E9}`, r.body)
	assert.JSONEq(t, `{"stateMachineArn":"arn:aws:states:eu-west-1:123456789012:stateMachine:Orders","input":"{\"items\":[1,2]}","name":"o-7-2-north"}`, string(got))
	assert.Equal(t, "eu-west-1", region)

	// The stage named in the path is the only one: no $default stage.
	assert.Equal(t, http.StatusNotFound, p.call("POST", api, "/orders/o-7", `{}`).status)
}

// echoLambda answers with the route its event names (2.0 or 1.0).
func echoLambda(events *[][]byte) lambdaFunc {
	return func(_ context.Context, _, _ string, payload []byte) ([]byte, string, error) {
		*events = append(*events, payload)
		var ev struct {
			RouteKey string `json:"routeKey"`
			Resource string `json:"resource"`
		}
		_ = json.Unmarshal(payload, &ev)
		b, _ := json.Marshal(map[string]string{"route": ev.RouteKey + ev.Resource})
		return b, "", nil
	}
}

func TestRoutesMatchTheMostSpecificFirst(t *testing.T) {
	p := newPlane(t)
	var evs [][]byte
	p.svc.SetLambda(echoLambda(&evs))
	api := httpAPI(t, p, v2types.IntegrationTypeAwsProxy, apigatewayv2.CreateIntegrationInput{
		IntegrationUri: aws.String("arn:aws:lambda:us-east-1:123456789012:function:echo"), PayloadFormatVersion: aws.String("2.0"),
	}, "$default", nil, "GET /items/{id}", "GET /items/special", "ANY /items/{id}", "ANY /{proxy+}", "GET /", "GET /items/{id}/parts/{proxy+}", "$default")
	for path, want := range map[string]string{
		"GET /items/special":        "GET /items/special",
		"GET /items/42":             "GET /items/{id}",
		"DELETE /items/42":          "ANY /items/{id}",
		"GET /items/42/parts/a/b":   "GET /items/{id}/parts/{proxy+}",
		"GET /items/42/other":       "ANY /{proxy+}",
		"POST /anything/at/all":     "ANY /{proxy+}",
		"GET /":                     "GET /",
		"POST /":                    "$default",
		"GET /items/special/":       "GET /items/special",
		"PATCH /items/%7Bid%7D/x/y": "ANY /{proxy+}",
	} {
		method, path, _ := strings.Cut(path, " ")
		r := p.call(method, api, path, "")
		require.Equal(t, http.StatusOK, r.status, path)
		assert.JSONEq(t, `{"route":"`+want+`"}`, r.body, method+" "+path)
	}
}

func TestUnknownAPIsStagesAndRoutesAnswerAsAPIGateway(t *testing.T) {
	p := newPlane(t)
	p.svc.SetLambda(echoLambda(new([][]byte)))
	api := httpAPI(t, p, v2types.IntegrationTypeAwsProxy, apigatewayv2.CreateIntegrationInput{
		IntegrationUri: aws.String("arn:aws:lambda:us-east-1:123456789012:function:echo"), PayloadFormatVersion: aws.String("2.0"),
	}, "live", nil, "GET /a")
	assert.Equal(t, http.StatusOK, p.call("GET", api, "/live/a", "").status)
	for _, c := range []struct{ api, method, path string }{
		{api, "GET", "/live/b"}, {api, "POST", "/live/a"}, {api, "GET", "/other/a"}, {api, "GET", "/a"}, {"nosuchapi1", "GET", "/live/a"},
	} {
		r := p.call(c.method, c.api, c.path, "")
		assert.Equal(t, http.StatusNotFound, r.status, c.path)
		assert.JSONEq(t, `{"message":"Not Found"}`, r.body, c.path)
	}
}

func TestPayloadFormat2EventAndResponses(t *testing.T) {
	p := newPlane(t)
	var payload []byte
	answer := `{"statusCode":201,"headers":{"X-Kind":"made"},"cookies":["a=1","b=2"],"body":"made it"}`
	p.svc.SetLambda(lambdaFunc(func(_ context.Context, region, arn string, in []byte) ([]byte, string, error) {
		payload = in
		return []byte(answer), "", nil
	}))
	var sources []string
	p.svc.SetFunctionPolicy(policyFunc(func(_ context.Context, fn, principal, source string) (bool, error) {
		sources = append(sources, fn+" "+principal+" "+source)
		return true, nil
	}))
	api := httpAPI(t, p, v2types.IntegrationTypeAwsProxy, apigatewayv2.CreateIntegrationInput{
		IntegrationUri:       aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"),
		PayloadFormatVersion: aws.String("2.0"),
	}, "$default", map[string]string{"v": "1"}, "POST /shops/{shop}/orders")

	r := p.callHost("POST", api, "/shops/north/orders?a=1&a=2&b=x", `{"n":1}`, "X-Multi", "one", "X-Multi", "two", "Cookie", "s=1; t=2")
	require.Equal(t, 201, r.status, r.body)
	assert.Equal(t, "made it", r.body)
	assert.Equal(t, "made", r.header.Get("X-Kind"))
	assert.Equal(t, []string{"a=1", "b=2"}, r.header.Values("Set-Cookie"))

	var ev events.APIGatewayV2HTTPRequest
	require.NoError(t, json.Unmarshal(payload, &ev))
	assert.Equal(t, "2.0", ev.Version)
	assert.Equal(t, "POST /shops/{shop}/orders", ev.RouteKey)
	assert.Equal(t, "/shops/north/orders", ev.RawPath)
	assert.Equal(t, "a=1&a=2&b=x", ev.RawQueryString)
	assert.Equal(t, map[string]string{"a": "1,2", "b": "x"}, ev.QueryStringParameters)
	assert.Equal(t, map[string]string{"shop": "north"}, ev.PathParameters)
	assert.Equal(t, map[string]string{"v": "1"}, ev.StageVariables)
	assert.Equal(t, "one,two", ev.Headers["x-multi"])
	assert.Equal(t, []string{"s=1", "t=2"}, ev.Cookies)
	assert.NotContains(t, ev.Headers, "cookie")
	assert.Equal(t, `{"n":1}`, ev.Body)
	assert.False(t, ev.IsBase64Encoded)
	assert.Equal(t, "$default", ev.RequestContext.Stage)
	assert.Equal(t, api, ev.RequestContext.APIID)
	assert.Equal(t, "123456789012", ev.RequestContext.AccountID)
	assert.Equal(t, "POST", ev.RequestContext.HTTP.Method)
	assert.Equal(t, "/shops/north/orders", ev.RequestContext.HTTP.Path)
	assert.Equal(t, "127.0.0.1", ev.RequestContext.HTTP.SourceIP)
	assert.Equal(t, r.header.Get("Apigw-Requestid"), ev.RequestContext.RequestID)
	assert.NotZero(t, ev.RequestContext.TimeEpoch)
	assert.Equal(t, []string{"arn:aws:lambda:us-east-1:123456789012:function:f apigateway.amazonaws.com arn:aws:execute-api:us-east-1:123456789012:" + api + "/$default/POST/shops/north/orders"}, sources)

	// 2.0 takes a bare JSON value as the body of a 200.
	answer = `{"ok":true,"n":2}`
	r = p.call("POST", api, "/shops/north/orders", "")
	assert.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, answer, r.body)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))

	// Binary bodies travel base64-encoded.
	r = p.call("POST", api, "/shops/north/orders", "\xff\xfe")
	require.NoError(t, json.Unmarshal(payload, &ev))
	assert.True(t, ev.IsBase64Encoded)
	assert.Equal(t, "//4=", ev.Body)

	// Without the function's permission for API Gateway, nothing runs.
	p.svc.SetFunctionPolicy(policyFunc(func(context.Context, string, string, string) (bool, error) { return false, nil }))
	payload = nil
	r = p.call("POST", api, "/shops/north/orders", "")
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.JSONEq(t, `{"message":"Internal Server Error"}`, r.body)
	assert.Nil(t, payload)
}

func TestPayloadFormat1EventFromAnHTTPAPI(t *testing.T) {
	p := newPlane(t)
	var payload []byte
	answer := `{"statusCode":202,"multiValueHeaders":{"X-A":["1","2"]},"body":"{\"queued\":true}"}`
	p.svc.SetLambda(lambdaFunc(func(_ context.Context, _, _ string, in []byte) ([]byte, string, error) {
		payload = in
		return []byte(answer), "", nil
	}))
	api := httpAPI(t, p, v2types.IntegrationTypeAwsProxy, apigatewayv2.CreateIntegrationInput{
		IntegrationUri: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f"), PayloadFormatVersion: aws.String("1.0"),
	}, "v1", nil, "GET /jobs/{id}")
	r := p.call("GET", api, "/v1/jobs/9?x=1&x=2", "", "X-Multi", "one", "X-Multi", "two")
	require.Equal(t, 202, r.status, r.body)
	assert.Equal(t, `{"queued":true}`, r.body)
	assert.Equal(t, []string{"1", "2"}, r.header.Values("X-A"))

	var ev events.APIGatewayProxyRequest
	require.NoError(t, json.Unmarshal(payload, &ev))
	assert.Contains(t, string(payload), `"version":"1.0"`)
	assert.Equal(t, "/jobs/{id}", ev.Resource)
	assert.Equal(t, "GET", ev.HTTPMethod)
	assert.Equal(t, map[string]string{"id": "9"}, ev.PathParameters)
	assert.Equal(t, map[string]string{"x": "2"}, ev.QueryStringParameters)
	assert.Equal(t, map[string][]string{"x": {"1", "2"}}, ev.MultiValueQueryStringParameters)
	assert.Equal(t, []string{"one", "two"}, ev.MultiValueHeaders["X-Multi"])
	assert.Equal(t, "v1", ev.RequestContext.Stage)
	assert.Nil(t, ev.StageVariables)

	// A 1.0 response without a statusCode is malformed.
	answer = `{"body":"x"}`
	r = p.call("GET", api, "/v1/jobs/9", "")
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.JSONEq(t, `{"message":"Internal Server Error"}`, r.body)
}

func TestAnIntegrationTimeoutAnswersServiceUnavailable(t *testing.T) {
	p := newPlane(t)
	p.svc.SetStepFunctions(stepFunctions{sync: func(ctx context.Context, _ string, _ []byte) (int, []byte, error) {
		<-ctx.Done()
		return 0, nil, ctx.Err()
	}})
	api := httpAPI(t, p, v2types.IntegrationTypeAwsProxy, apigatewayv2.CreateIntegrationInput{
		IntegrationSubtype: aws.String("StepFunctions-StartSyncExecution"), PayloadFormatVersion: aws.String("1.0"), TimeoutInMillis: aws.Int32(50),
		RequestParameters: map[string]string{"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Slow"},
	}, "$default", nil, "POST /slow")
	r := p.call("POST", api, "/slow", "{}")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.JSONEq(t, `{"message":"Service Unavailable"}`, r.body)
}

func TestABodyOverTenMegabytesAnswers413(t *testing.T) {
	p := newPlane(t)
	called := false
	p.svc.SetStepFunctions(stepFunctions{start: func(context.Context, string, []byte) (int, []byte, error) {
		called = true
		return 200, []byte(`{}`), nil
	}})
	api := httpAPI(t, p, v2types.IntegrationTypeAwsProxy, apigatewayv2.CreateIntegrationInput{
		IntegrationSubtype: aws.String("StepFunctions-StartExecution"), PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:M", "Input": "$request.body"},
	}, "$default", nil, "POST /in")
	big := strings.Repeat("a", 10<<20)
	assert.Equal(t, http.StatusOK, p.call("POST", api, "/in", big).status, "10 MB exactly is allowed")
	r := p.call("POST", api, "/in", big+"a")
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.JSONEq(t, `{"message":"Request Too Large"}`, r.body)
	assert.True(t, called)
}

func TestCorsPreflightIsAnsweredByTheAPI(t *testing.T) {
	p := newPlane(t)
	p.svc.SetLambda(echoLambda(new([][]byte)))
	api := httpAPI(t, p, v2types.IntegrationTypeAwsProxy, apigatewayv2.CreateIntegrationInput{
		IntegrationUri: aws.String("arn:aws:lambda:us-east-1:123456789012:function:echo"), PayloadFormatVersion: aws.String("2.0"),
	}, "$default", nil, "POST /pizza")
	_, err := apigatewayv2.NewFromConfig(p.cfg).UpdateApi(context.Background(), &apigatewayv2.UpdateApiInput{ApiId: aws.String(api),
		CorsConfiguration: &v2types.Cors{AllowOrigins: []string{"https://shop.example"}, AllowMethods: []string{"POST"}, MaxAge: aws.Int32(60)}})
	require.NoError(t, err)
	r := p.call("OPTIONS", api, "/pizza", "", "Origin", "https://shop.example", "Access-Control-Request-Method", "POST")
	assert.Equal(t, http.StatusNoContent, r.status)
	assert.Equal(t, "https://shop.example", r.header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "POST", r.header.Get("Access-Control-Allow-Methods"))
	assert.Equal(t, "60", r.header.Get("Access-Control-Max-Age"))
	r = p.call("POST", api, "/pizza", "", "Origin", "https://shop.example")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "https://shop.example", r.header.Get("Access-Control-Allow-Origin"))
	r = p.call("POST", api, "/pizza", "", "Origin", "https://evil.example")
	assert.Empty(t, r.header.Get("Access-Control-Allow-Origin"))
}

func TestAPanickingIntegrationAnswersInternalServerError(t *testing.T) {
	p := newPlane(t)
	p.svc.SetLambda(lambdaFunc(func(context.Context, string, string, []byte) ([]byte, string, error) { panic("a bug") }))
	api := httpAPI(t, p, v2types.IntegrationTypeAwsProxy, apigatewayv2.CreateIntegrationInput{
		IntegrationUri: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f"), PayloadFormatVersion: aws.String("2.0"),
	}, "$default", nil, "GET /boom")
	r := p.call("GET", api, "/boom", "")
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.JSONEq(t, `{"message":"Internal Server Error"}`, r.body)
	assert.Equal(t, http.StatusNotFound, p.call("GET", api, "/still-serving", "").status)
}
