package apis_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/apis"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

func TestRestAPIThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	cfg, _, _ := lctest.Start(t, apis.New(lctest.Store(t)))
	c := apigateway.NewFromConfig(cfg)

	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("shop"), Description: aws.String("d"),
		EndpointConfiguration: &agtypes.EndpointConfiguration{Types: []agtypes.EndpointType{agtypes.EndpointTypeRegional}},
		Tags:                  map[string]string{"team": "a"}})
	require.NoError(t, err)
	assert.Regexp(t, `^[a-z0-9]{10}$`, *api.Id)
	assert.Equal(t, "shop", *api.Name)
	assert.Equal(t, []agtypes.EndpointType{agtypes.EndpointTypeRegional}, api.EndpointConfiguration.Types)
	assert.Equal(t, "a", api.Tags["team"])
	require.NotNil(t, api.CreatedDate)
	assert.False(t, api.CreatedDate.IsZero())

	_, err = c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String("nope")})
	var nf *agtypes.NotFoundException
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "Invalid API identifier specified 123456789012:nope", nf.ErrorMessage())

	res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	require.NoError(t, err)
	require.Len(t, res.Items, 1)
	assert.Equal(t, "/", *res.Items[0].Path)
	assert.Equal(t, *api.RootResourceId, *res.Items[0].Id)

	hook, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("webhook")})
	require.NoError(t, err)
	assert.Equal(t, "/webhook", *hook.Path)
	assert.Equal(t, *api.RootResourceId, *hook.ParentId)
	child, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: hook.Id, PathPart: aws.String("{id}")})
	require.NoError(t, err)
	assert.Equal(t, "/webhook/{id}", *child.Path)
	_, err = c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("webhook")})
	var ce *agtypes.ConflictException
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "Another resource with the same parent already has this name: webhook", ce.ErrorMessage())

	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id})
	var br *agtypes.BadRequestException
	require.ErrorAs(t, err, &br)
	assert.Equal(t, "The REST API doesn't contain any methods", br.ErrorMessage())

	m, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: hook.Id, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("NONE"), RequestParameters: map[string]bool{"method.request.header.X-Sig": true}})
	require.NoError(t, err)
	assert.Equal(t, "POST", *m.HttpMethod)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: hook.Id, HttpMethod: aws.String("POST"),
		Type: agtypes.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("arn:aws:apigateway:us-east-1:states:action/StartExecution"),
		Credentials: aws.String("arn:aws:iam::123456789012:role/r"), RequestTemplates: map[string]string{"application/json": "{}"},
		PassthroughBehavior: aws.String("NEVER")})
	require.NoError(t, err)
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: hook.Id, HttpMethod: aws.String("POST"), StatusCode: aws.String("200")})
	require.ErrorAs(t, err, &nf, "an integration response needs the method response first")
	_, err = c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: hook.Id, HttpMethod: aws.String("POST"), StatusCode: aws.String("200")})
	require.NoError(t, err)
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: hook.Id, HttpMethod: aws.String("POST"),
		StatusCode: aws.String("200"), SelectionPattern: aws.String(""), ResponseTemplates: map[string]string{"application/json": `{"ok":true}`}})
	require.NoError(t, err)

	got, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: api.Id, ResourceId: hook.Id, HttpMethod: aws.String("POST")})
	require.NoError(t, err)
	assert.Equal(t, "NONE", *got.AuthorizationType)
	assert.True(t, got.RequestParameters["method.request.header.X-Sig"])
	require.NotNil(t, got.MethodIntegration)
	assert.Equal(t, agtypes.IntegrationTypeAws, got.MethodIntegration.Type)
	assert.Equal(t, "NEVER", *got.MethodIntegration.PassthroughBehavior)
	assert.Equal(t, int32(29000), got.MethodIntegration.TimeoutInMillis)
	assert.Equal(t, `{"ok":true}`, got.MethodIntegration.IntegrationResponses["200"].ResponseTemplates["application/json"])
	assert.Contains(t, got.MethodResponses, "200")

	full, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id, Embed: []string{"methods"}})
	require.NoError(t, err)
	require.Len(t, full.Items, 3)
	var embedded *agtypes.Method
	for _, r := range full.Items {
		if *r.Path == "/webhook" {
			m := r.ResourceMethods["POST"]
			embedded = &m
		}
	}
	require.NotNil(t, embedded)
	require.NotNil(t, embedded.MethodIntegration)
	assert.Equal(t, "arn:aws:apigateway:us-east-1:states:action/StartExecution", *embedded.MethodIntegration.Uri)

	dep, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, Description: aws.String("first")})
	require.NoError(t, err)
	assert.Regexp(t, `^[a-z0-9]{6}$`, *dep.Id)
	st, err := c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String("main"), DeploymentId: dep.Id,
		TracingEnabled: true, Variables: map[string]string{"v": "1"}})
	require.NoError(t, err)
	assert.True(t, st.TracingEnabled)
	_, err = c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api.Id, StageName: aws.String("main"), DeploymentId: dep.Id})
	require.ErrorAs(t, err, &ce)
	_, err = c.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: api.Id, DeploymentId: dep.Id})
	require.ErrorAs(t, err, &br)
	assert.Equal(t, "Active stages pointing to this deployment must be moved or deleted", br.ErrorMessage())

	up, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("main"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/variables/v"), Value: aws.String("2")},
		{Op: agtypes.OpReplace, Path: aws.String("/*/*/metrics/enabled"), Value: aws.String("true")},
		{Op: agtypes.OpReplace, Path: aws.String("/*/*/throttling/burstLimit"), Value: aws.String("10")},
	}})
	require.NoError(t, err)
	assert.Equal(t, "2", up.Variables["v"])
	assert.True(t, up.MethodSettings["*/*"].MetricsEnabled)
	assert.Equal(t, int32(10), up.MethodSettings["*/*"].ThrottlingBurstLimit)

	// The deployment is a snapshot: a method added later is not in it.
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: child.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	require.NoError(t, err)
	d, err := c.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: api.Id, DeploymentId: dep.Id, Embed: []string{"apisummary"}})
	require.NoError(t, err)
	assert.Contains(t, d.ApiSummary, "/webhook")
	assert.NotContains(t, d.ApiSummary, "/webhook/{id}")
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id})
	require.ErrorAs(t, err, &br)
	assert.Equal(t, "No integration defined for method", br.ErrorMessage())

	renamed, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/name"), Value: aws.String("shop2")}}})
	require.NoError(t, err)
	assert.Equal(t, "shop2", *renamed.Name)

	for range 2 {
		_, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("more")})
		require.NoError(t, err)
	}
	var names []string
	pager := apigateway.NewGetRestApisPaginator(c, &apigateway.GetRestApisInput{Limit: aws.Int32(2)})
	pages := 0
	for pager.HasMorePages() {
		p, err := pager.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, a := range p.Items {
			names = append(names, *a.Name)
		}
	}
	assert.Equal(t, 2, pages)
	assert.ElementsMatch(t, []string{"shop2", "more", "more"}, names)

	_, err = c.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: api.Id, ResourceId: hook.Id})
	require.NoError(t, err)
	left, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	require.NoError(t, err)
	assert.Len(t, left.Items, 1, "deleting a resource deletes its children")

	_, err = c.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: api.Id})
	require.NoError(t, err)
	_, err = c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("main")})
	require.ErrorAs(t, err, &nf)
}

func TestHTTPAPIThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	c := apigatewayv2.NewFromConfig(cfg)

	_, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: v2types.ProtocolTypeWebsocket})
	var br *v2types.BadRequestException
	require.ErrorAs(t, err, &br)
	assert.Contains(t, br.ErrorMessage(), "WEBSOCKET")

	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("pizza"), ProtocolType: v2types.ProtocolTypeHttp,
		CorsConfiguration: &v2types.Cors{AllowOrigins: []string{"https://example.com"}, AllowMethods: []string{"POST"}, MaxAge: aws.Int32(300)},
		Description:       aws.String("orders"), Tags: map[string]string{"k": "v"}})
	require.NoError(t, err)
	assert.Regexp(t, `^[a-z0-9]{10}$`, *api.ApiId)
	assert.Equal(t, "https://"+*api.ApiId+".execute-api.us-east-1.amazonaws.com", *api.ApiEndpoint)
	assert.Equal(t, v2types.ProtocolTypeHttp, api.ProtocolType)
	assert.Equal(t, "$request.method $request.path", *api.RouteSelectionExpression)
	assert.Equal(t, int32(300), *api.CorsConfiguration.MaxAge)
	require.NotNil(t, api.CreatedDate)
	assert.False(t, api.CreatedDate.IsZero())

	_, err = c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: aws.String("nope")})
	var nf *v2types.NotFoundException
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "Invalid API identifier specified 123456789012:nope", nf.ErrorMessage())

	sfn := "arn:aws:states:us-east-1:123456789012:stateMachine:Pizza"
	_, err = c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: v2types.IntegrationTypeAwsProxy,
		IntegrationSubtype: aws.String("StepFunctions-StartSyncExecution"), PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{"Input": "$request.body"}})
	require.ErrorAs(t, err, &br)
	assert.Contains(t, br.ErrorMessage(), "StateMachineArn")
	_, err = c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: v2types.IntegrationTypeAwsProxy,
		IntegrationSubtype: aws.String("StepFunctions-StartSyncExecution"), PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{"StateMachineArn": sfn, "Bogus": "x"}})
	require.ErrorAs(t, err, &br)
	assert.Contains(t, br.ErrorMessage(), "Bogus")
	_, err = c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: v2types.IntegrationTypeHttpProxy,
		IntegrationUri: aws.String("https://example.com"), IntegrationMethod: aws.String("GET"), TimeoutInMillis: aws.Int32(40000)})
	require.ErrorAs(t, err, &br)

	integ, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: v2types.IntegrationTypeAwsProxy,
		IntegrationSubtype: aws.String("StepFunctions-StartSyncExecution"), PayloadFormatVersion: aws.String("1.0"),
		CredentialsArn:    aws.String("arn:aws:iam::123456789012:role/api"),
		RequestParameters: map[string]string{"StateMachineArn": sfn, "Input": "$request.body"}, TimeoutInMillis: aws.Int32(29000)})
	require.NoError(t, err)
	assert.Regexp(t, `^[a-z0-9]{7}$`, *integ.IntegrationId)
	assert.Equal(t, sfn, integ.RequestParameters["StateMachineArn"])
	assert.Equal(t, int32(29000), *integ.TimeoutInMillis)
	assert.Equal(t, v2types.ConnectionTypeInternet, integ.ConnectionType)

	stage, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true),
		StageVariables: map[string]string{"a": "b"}})
	require.NoError(t, err)
	assert.True(t, *stage.AutoDeploy)
	assert.Nil(t, stage.DeploymentId, "no routes yet: nothing to deploy")
	assert.Contains(t, *stage.LastDeploymentStatusMessage, "no routes")

	for _, key := range []string{"POST pizza", "FETCH /pizza", "GET /{proxy+}/x", "GET"} {
		_, err = c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(key)})
		require.ErrorAs(t, err, &br, key)
	}
	_, err = c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("POST /pizza"), Target: aws.String("integrations/nope")})
	require.ErrorAs(t, err, &br)
	route, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("POST /pizza"), Target: aws.String("integrations/" + *integ.IntegrationId)})
	require.NoError(t, err)
	assert.Equal(t, "NONE", string(route.AuthorizationType))
	_, err = c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("POST /pizza")})
	var ce *v2types.ConflictException
	require.ErrorAs(t, err, &ce)
	_, err = c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default")})
	require.NoError(t, err)

	got, err := c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("$default")})
	require.NoError(t, err)
	require.NotNil(t, got.DeploymentId, "an auto-deploy stage is deployed after a change")
	served, err := svc.HTTPAPIStage(ctx, *api.ApiId, "$default")
	require.NoError(t, err)
	assert.Len(t, served.Routes, 2)
	assert.Equal(t, *got.DeploymentId, served.Deployment.DeploymentID)

	routes, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: api.ApiId, MaxResults: aws.String("1")})
	require.NoError(t, err)
	assert.Len(t, routes.Items, 1)
	require.NotNil(t, routes.NextToken)
	rest, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: api.ApiId, NextToken: routes.NextToken})
	require.NoError(t, err)
	assert.Len(t, rest.Items, 1)
	assert.Nil(t, rest.NextToken)

	_, err = c.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: api.ApiId, IntegrationId: integ.IntegrationId})
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr, "a route still targets it")
	assert.Equal(t, "ConflictException", apiErr.ErrorCode())

	ur, err := c.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: api.ApiId, RouteId: route.RouteId, RouteKey: aws.String("PUT /pizza/{id}")})
	require.NoError(t, err)
	assert.Equal(t, "PUT /pizza/{id}", *ur.RouteKey)
	assert.Equal(t, "integrations/"+*integ.IntegrationId, *ur.Target, "an update keeps what it does not name")

	ui, err := c.UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: api.ApiId, IntegrationId: integ.IntegrationId, Description: aws.String("sync")})
	require.NoError(t, err)
	assert.Equal(t, "sync", *ui.Description)
	assert.Equal(t, "StepFunctions-StartSyncExecution", *ui.IntegrationSubtype)

	ua, err := c.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: api.ApiId, Name: aws.String("pizza2")})
	require.NoError(t, err)
	assert.Equal(t, "pizza2", *ua.Name)
	assert.Equal(t, "orders", *ua.Description)

	dep, err := c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, Description: aws.String("manual")})
	require.NoError(t, err)
	assert.Equal(t, v2types.DeploymentStatusDeployed, dep.DeploymentStatus)
	deps, err := c.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: api.ApiId})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(deps.Items), 2)

	apisOut, err := c.GetApis(ctx, &apigatewayv2.GetApisInput{})
	require.NoError(t, err)
	require.Len(t, apisOut.Items, 1)

	_, err = c.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: api.ApiId})
	require.NoError(t, err)
	_, err = c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: api.ApiId})
	require.ErrorAs(t, err, &nf)
}

func TestAnOperationNotImplementedFailsByName(t *testing.T) {
	ctx := context.Background()
	cfg, _, _ := lctest.Start(t, apis.New(lctest.Store(t)))
	api, err := apigatewayv2.NewFromConfig(cfg).CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: v2types.ProtocolTypeHttp})
	require.NoError(t, err)
	_, err = apigatewayv2.NewFromConfig(cfg).CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: api.ApiId, Name: aws.String("jwt"),
		AuthorizerType: v2types.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"}})
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "UnknownOperationException", apiErr.ErrorCode())
	assert.Contains(t, apiErr.ErrorMessage(), "CreateAuthorizer")
	_, err = apigateway.NewFromConfig(cfg).GetApiKeys(ctx, &apigateway.GetApiKeysInput{})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "UnknownOperationException", apiErr.ErrorCode())
}
