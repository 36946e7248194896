package apis_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/apis"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// made is what seed made: one REST API deployed to a stage and one HTTP
// API with a route, an integration and an auto-deployed stage.
type made struct {
	restID, rootID, depID string
	httpID, routeID       string
}

func seed(t *testing.T, svc *apis.Service) made {
	ctx := context.Background()
	api, err := svc.CreateRestAPI(ctx, apis.CreateRestAPIInput{Name: "shop"})
	require.NoError(t, err)
	res, err := svc.CreateResource(ctx, api.ID, api.RootResourceID, "orders")
	require.NoError(t, err)
	k := apis.MethodKey{RestAPIID: api.ID, ResourceID: res.ID, HTTPMethod: "GET"}
	_, err = svc.PutMethod(ctx, apis.PutMethodInput{MethodKey: k, AuthorizationType: "NONE"})
	require.NoError(t, err)
	_, err = svc.PutIntegration(ctx, apis.PutIntegrationInput{MethodKey: k, Type: "MOCK", RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	require.NoError(t, err)
	dep, err := svc.CreateDeployment(ctx, apis.CreateDeploymentInput{RestAPIID: api.ID, StageName: "prod"})
	require.NoError(t, err)

	h, err := svc.CreateAPI(ctx, "us-east-1", apis.APIInput{Name: aws.String("orders"), ProtocolType: aws.String("HTTP")})
	require.NoError(t, err)
	integ, err := svc.CreateIntegration(ctx, h.APIID, apis.IntegrationInput{IntegrationType: aws.String("HTTP_PROXY"),
		IntegrationURI: aws.String("https://example.com/orders"), IntegrationMethod: aws.String("ANY")})
	require.NoError(t, err)
	r, err := svc.CreateRoute(ctx, h.APIID, apis.RouteInput{RouteKey: aws.String("GET /orders/{id}"), Target: aws.String("integrations/" + integ.IntegrationID)})
	require.NoError(t, err)
	_, err = svc.CreateStageV2(ctx, h.APIID, apis.StageInput{StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})
	require.NoError(t, err)
	return made{restID: api.ID, rootID: api.RootResourceID, depID: dep.ID, httpID: h.APIID, routeID: r.RouteID}
}

func TestRestartKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	m := seed(t, apis.New(st))
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	svc := apis.New(st)
	cfg, _, _ := lctest.Start(t, svc)

	v1 := apigateway.NewFromConfig(cfg)
	res, err := v1.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(m.restID)})
	require.NoError(t, err)
	assert.Len(t, res.Items, 2)
	stage, err := v1.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(m.restID), StageName: aws.String("prod")})
	require.NoError(t, err)
	assert.Equal(t, m.depID, *stage.DeploymentId)
	served, err := svc.RestAPIStage(ctx, m.restID, "prod")
	require.NoError(t, err)
	assert.Len(t, served.Resources, 2)

	v2 := apigatewayv2.NewFromConfig(cfg)
	routes, err := v2.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(m.httpID)})
	require.NoError(t, err)
	require.Len(t, routes.Items, 1)
	assert.Equal(t, m.routeID, *routes.Items[0].RouteId)
	hs, err := svc.HTTPAPIStage(ctx, m.httpID, "$default")
	require.NoError(t, err)
	assert.Equal(t, "GET /orders/{id}", hs.Routes[0].RouteKey)
	assert.Equal(t, "https://example.com/orders", hs.Integrations[0].IntegrationURI)
}

func awsCLI(t *testing.T, endpoint string, args ...string) []byte {
	t.Helper()
	lctest.RequireAWSCLI(t)
	cmd := lctest.AWSCommand(append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return out
}

func TestTheAWSCLIReadsResourcesAndRoutes(t *testing.T) {
	svc := apis.New(lctest.Store(t))
	_, _, hs := lctest.Start(t, svc)
	m := seed(t, svc)

	var res struct {
		Items []struct {
			ID, Path        string
			ResourceMethods map[string]any `json:"resourceMethods"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal(awsCLI(t, hs.URL, "apigateway", "get-resources", "--rest-api-id", m.restID), &res))
	require.Len(t, res.Items, 2)
	paths := map[string]bool{}
	for _, r := range res.Items {
		paths[r.Path] = true
		if r.Path == "/orders" {
			assert.Contains(t, r.ResourceMethods, "GET")
		}
	}
	assert.Equal(t, map[string]bool{"/": true, "/orders": true}, paths)

	var routes struct {
		Items []struct {
			RouteID  string `json:"RouteId"`
			RouteKey string `json:"RouteKey"`
			Target   string `json:"Target"`
		} `json:"Items"`
	}
	require.NoError(t, json.Unmarshal(awsCLI(t, hs.URL, "apigatewayv2", "get-routes", "--api-id", m.httpID), &routes))
	require.Len(t, routes.Items, 1)
	assert.Equal(t, m.routeID, routes.Items[0].RouteID)
	assert.Equal(t, "GET /orders/{id}", routes.Items[0].RouteKey)
}
