package apis_test

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/apis"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// stack provisions a generated template's resources by hand, in
// dependency order, resolving Ref, Fn::GetAtt and Fn::Sub from what was
// made (and from fakes for the resources of other services).
type stack struct {
	t         *testing.T
	resources map[string]struct {
		Type       string         `json:"Type"`
		Properties map[string]any `json:"Properties"`
	}
	refs  map[string]string
	attrs map[string]map[string]any
	made  map[string]*cfnengine.ResourceResult
	props map[string]map[string]any
}

func loadStack(t *testing.T, name string) *stack {
	b, err := os.ReadFile("../../../gen/testdata/" + name + ".template.json")
	require.NoError(t, err)
	s := &stack{t: t, refs: map[string]string{}, attrs: map[string]map[string]any{}, made: map[string]*cfnengine.ResourceResult{}, props: map[string]map[string]any{}}
	var tpl struct {
		Resources map[string]struct {
			Type       string         `json:"Type"`
			Properties map[string]any `json:"Properties"`
		} `json:"Resources"`
	}
	require.NoError(t, json.Unmarshal(b, &tpl))
	s.resources = tpl.Resources
	return s
}

var subRE = regexp.MustCompile(`\$\{([^}]+)\}`)

func (s *stack) resolve(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["Ref"].(string); ok && len(x) == 1 {
			return s.ref(r)
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok && len(x) == 1 {
			return s.getAtt(ga[0].(string), ga[1].(string))
		}
		if sub, ok := x["Fn::Sub"].(string); ok && len(x) == 1 {
			return subRE.ReplaceAllStringFunc(sub, func(m string) string {
				name := m[2 : len(m)-1]
				if l, a, ok := strings.Cut(name, "."); ok {
					return s.getAtt(l, a).(string)
				}
				return s.ref(name)
			})
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = s.resolve(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = s.resolve(e)
		}
		return out
	}
	return v
}

func (s *stack) ref(name string) string {
	switch name {
	case "AWS::StackName":
		return "shop"
	case "AWS::Region":
		return "us-east-1"
	case "AWS::Partition":
		return "aws"
	case "AWS::URLSuffix":
		return "amazonaws.com"
	case "AWS::AccountId":
		return "123456789012"
	}
	if r, ok := s.refs[name]; ok {
		return r
	}
	// Another service's resource: an ARN of its kind.
	switch s.resources[name].Type {
	case "AWS::StepFunctions::StateMachine":
		return "arn:aws:states:us-east-1:123456789012:stateMachine:" + name
	}
	s.t.Fatalf("no Ref for %s", name)
	return ""
}

func (s *stack) getAtt(name, attr string) any {
	if a, ok := s.attrs[name][attr]; ok {
		return a
	}
	switch s.resources[name].Type + "." + attr {
	case "AWS::IAM::Role.Arn":
		return "arn:aws:iam::123456789012:role/" + name
	case "AWS::Lambda::Function.Arn":
		return "arn:aws:lambda:us-east-1:123456789012:function:" + name
	}
	s.t.Fatalf("no GetAtt %s.%s", name, attr)
	return nil
}

func (s *stack) request(logical string) *cfnengine.ResourceRequest {
	r := s.resources[logical]
	require.NotEmpty(s.t, r.Type, logical)
	props := s.resolve(r.Properties).(map[string]any)
	return &cfnengine.ResourceRequest{StackName: "shop", StackID: "arn:aws:cloudformation:us-east-1:123456789012:stack/shop/1", Region: "us-east-1",
		Account: "123456789012", LogicalID: logical, Type: r.Type, Properties: props}
}

func (s *stack) create(p cfnengine.Provider, logical string) *cfnengine.ResourceResult {
	s.t.Helper()
	req := s.request(logical)
	require.Equal(s.t, p.Type(), req.Type)
	res, err := p.Create(context.Background(), req)
	require.NoError(s.t, err, logical)
	ref := res.Ref
	if ref == "" {
		ref = res.PhysicalID
	}
	s.refs[logical], s.attrs[logical], s.made[logical], s.props[logical] = ref, res.Attributes, res, req.Properties
	return res
}

func (s *stack) delete(p cfnengine.Provider, logical string) {
	s.t.Helper()
	req := s.request(logical)
	req.PhysicalID, req.Attributes = s.made[logical].PhysicalID, s.made[logical].Attributes
	require.NoError(s.t, p.Delete(context.Background(), req), logical)
	// Deleting what is gone is not an error; nor is a request without
	// properties (the parent ids were remembered at create).
	req.Properties = nil
	require.NoError(s.t, p.Delete(context.Background(), req), logical+" again")
}

func TestPizzaHTTPAPIFromItsTemplate(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	c := apigatewayv2.NewFromConfig(cfg)
	st := loadStack(t, "pizza")

	api := st.create(apis.HTTPAPIProvider(svc), "PizzaHttpApi")
	assert.Equal(t, api.PhysicalID, api.Attributes["ApiId"])
	assert.Equal(t, "https://"+api.PhysicalID+".execute-api.us-east-1.amazonaws.com", api.Attributes["ApiEndpoint"])
	integ := st.create(apis.HTTPIntegrationProvider(svc), "PizzaHttpApiPizzaIntegration")
	assert.Equal(t, integ.PhysicalID, integ.Attributes["IntegrationId"])
	route := st.create(apis.HTTPRouteProvider(svc), "PizzaHttpApiPostPizzaRoute")
	stage := st.create(apis.HTTPStageProvider(svc), "PizzaHttpApiStage")
	assert.Equal(t, "$default", stage.PhysicalID)

	got, err := c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: aws.String(api.PhysicalID)})
	require.NoError(t, err)
	assert.Equal(t, "shop-Pizza", *got.Name)
	gi, err := c.GetIntegration(ctx, &apigatewayv2.GetIntegrationInput{ApiId: got.ApiId, IntegrationId: aws.String(integ.PhysicalID)})
	require.NoError(t, err)
	assert.Equal(t, v2types.IntegrationTypeAwsProxy, gi.IntegrationType)
	assert.Equal(t, "StepFunctions-StartSyncExecution", *gi.IntegrationSubtype)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:PizzaStateMachine", gi.RequestParameters["StateMachineArn"])
	assert.Equal(t, "arn:aws:iam::123456789012:role/PizzaHttpApiRole", *gi.CredentialsArn)
	assert.Equal(t, int32(29000), *gi.TimeoutInMillis)
	routes, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: got.ApiId})
	require.NoError(t, err)
	require.Len(t, routes.Items, 1)
	assert.Equal(t, route.PhysicalID, *routes.Items[0].RouteId)
	assert.Equal(t, "POST /pizza", *routes.Items[0].RouteKey)
	assert.Equal(t, "integrations/"+integ.PhysicalID, *routes.Items[0].Target)
	gs, err := c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: got.ApiId, StageName: aws.String("$default")})
	require.NoError(t, err)
	assert.True(t, *gs.AutoDeploy)
	require.NotNil(t, gs.DeploymentId)

	view, err := svc.HTTPAPI(ctx, api.PhysicalID)
	require.NoError(t, err)
	assert.Len(t, view.Routes, 1)
	assert.Len(t, view.Integrations, 1)
	assert.Len(t, view.Stages, 1)

	// An update in place: the route's key changes, the stage redeploys.
	req := st.request("PizzaHttpApiPostPizzaRoute")
	req.PhysicalID, req.OldProperties = route.PhysicalID, st.props["PizzaHttpApiPostPizzaRoute"]
	req.Properties["RouteKey"] = "POST /pizzas"
	_, err = apis.HTTPRouteProvider(svc).Update(ctx, req)
	require.NoError(t, err)
	served, err := svc.HTTPAPIStage(ctx, api.PhysicalID, "$default")
	require.NoError(t, err)
	require.Len(t, served.Routes, 1)
	assert.Equal(t, "POST /pizzas", served.Routes[0].RouteKey)

	// A bad property fails as a handler does, by AWS's words.
	bad := st.request("PizzaHttpApiPizzaIntegration")
	delete(bad.Properties["RequestParameters"].(map[string]any), "StateMachineArn")
	_, err = apis.HTTPIntegrationProvider(svc).Create(ctx, bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Resource handler returned message:")
	assert.Contains(t, err.Error(), "StateMachineArn")

	st.delete(apis.HTTPStageProvider(svc), "PizzaHttpApiStage")
	st.delete(apis.HTTPRouteProvider(svc), "PizzaHttpApiPostPizzaRoute")
	st.delete(apis.HTTPIntegrationProvider(svc), "PizzaHttpApiPizzaIntegration")
	st.delete(apis.HTTPAPIProvider(svc), "PizzaHttpApi")
	_, err = c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: got.ApiId})
	var nf *v2types.NotFoundException
	require.ErrorAs(t, err, &nf)
}

func TestExpressWebhookRestAPIFromItsTemplate(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	c := apigateway.NewFromConfig(cfg)
	st := loadStack(t, "express-webhook")

	api := st.create(apis.RestAPIProvider(svc), "WebhookRestApi")
	assert.Equal(t, api.PhysicalID, api.Attributes["RestApiId"])
	root := api.Attributes["RootResourceId"].(string)
	method := st.create(apis.MethodProvider(svc), "WebhookRestApiPostMethod")
	assert.Regexp(t, `^shop-webho-[0-9a-f]{20}$`, method.PhysicalID)
	dep := st.create(apis.DeploymentProvider(svc), "WebhookRestApiDeployment7E815522")
	assert.Equal(t, dep.PhysicalID, dep.Attributes["DeploymentId"])
	stage := st.create(apis.StageProvider(svc), "WebhookRestApiStage")
	assert.Equal(t, "main", stage.PhysicalID)

	ra, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(api.PhysicalID)})
	require.NoError(t, err)
	assert.Equal(t, "shop-Webhook", *ra.Name)
	assert.Equal(t, []agtypes.EndpointType{agtypes.EndpointTypeRegional}, ra.EndpointConfiguration.Types)
	m, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: ra.Id, ResourceId: aws.String(root), HttpMethod: aws.String("POST")})
	require.NoError(t, err)
	require.NotNil(t, m.MethodIntegration)
	assert.Equal(t, agtypes.IntegrationTypeAws, m.MethodIntegration.Type)
	assert.Equal(t, "arn:aws:apigateway:us-east-1:states:action/StartExecution", *m.MethodIntegration.Uri)
	assert.Equal(t, "arn:aws:iam::123456789012:role/WebhookRestApiRole", *m.MethodIntegration.Credentials)
	assert.Contains(t, m.MethodIntegration.RequestTemplates["application/json"], "arn:aws:states:us-east-1:123456789012:stateMachine:WebhookStateMachine")
	assert.Equal(t, `[45]\d\d`, *m.MethodIntegration.IntegrationResponses["500"].SelectionPattern)
	assert.Equal(t, `{"status": "webhook submitted"}`, m.MethodIntegration.IntegrationResponses["200"].ResponseTemplates["application/json"])
	assert.Contains(t, m.MethodResponses, "500")
	gs, err := c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: ra.Id, StageName: aws.String("main")})
	require.NoError(t, err)
	assert.Equal(t, dep.PhysicalID, *gs.DeploymentId)
	assert.True(t, gs.TracingEnabled)

	served, err := svc.RestAPIStage(ctx, api.PhysicalID, "main")
	require.NoError(t, err)
	require.Len(t, served.Resources, 1)
	assert.Equal(t, "/", served.Resources[0].Path)
	assert.Equal(t, "NEVER", served.Resources[0].ResourceMethods["POST"].MethodIntegration.PassthroughBehavior)

	// The method changes in place; the deployment's snapshot does not.
	req := st.request("WebhookRestApiPostMethod")
	req.PhysicalID, req.OldProperties = method.PhysicalID, st.props["WebhookRestApiPostMethod"]
	req.Properties["Integration"].(map[string]any)["TimeoutInMillis"] = "5000"
	up, err := apis.MethodProvider(svc).Update(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, method.PhysicalID, up.PhysicalID)
	m, err = c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: ra.Id, ResourceId: aws.String(root), HttpMethod: aws.String("POST")})
	require.NoError(t, err)
	assert.Equal(t, int32(5000), m.MethodIntegration.TimeoutInMillis)
	assert.Len(t, m.MethodIntegration.IntegrationResponses, 2)
	served, err = svc.RestAPIStage(ctx, api.PhysicalID, "main")
	require.NoError(t, err)
	assert.Equal(t, 29000, served.Resources[0].ResourceMethods["POST"].MethodIntegration.TimeoutInMillis)

	st.delete(apis.StageProvider(svc), "WebhookRestApiStage")
	st.delete(apis.DeploymentProvider(svc), "WebhookRestApiDeployment7E815522")
	st.delete(apis.MethodProvider(svc), "WebhookRestApiPostMethod")
	st.delete(apis.RestAPIProvider(svc), "WebhookRestApi")
	_, err = c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: ra.Id})
	var nf *agtypes.NotFoundException
	require.ErrorAs(t, err, &nf)
}

func TestBlogPublishingRestAPIFromItsTemplate(t *testing.T) {
	ctx := context.Background()
	svc := apis.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	c := apigateway.NewFromConfig(cfg)
	st := loadStack(t, "blog-publishing")

	api := st.create(apis.RestAPIProvider(svc), "SanityEventRestApi")
	res := st.create(apis.ResourceProvider(svc), "SanityEventRestApiWebhookResource")
	assert.Equal(t, res.PhysicalID, res.Attributes["ResourceId"])
	st.create(apis.MethodProvider(svc), "SanityEventRestApiPostWebhookMethod")
	st.create(apis.DeploymentProvider(svc), "SanityEventRestApiDeploymentE589D290")
	st.create(apis.StageProvider(svc), "SanityEventRestApiStage")

	out, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(api.PhysicalID), Embed: []string{"methods"}})
	require.NoError(t, err)
	require.Len(t, out.Items, 2)
	var hook agtypes.Resource
	for _, r := range out.Items {
		if *r.Path == "/webhook" {
			hook = r
		}
	}
	require.NotNil(t, hook.Id)
	integ := hook.ResourceMethods["POST"].MethodIntegration
	require.NotNil(t, integ)
	assert.Equal(t, agtypes.IntegrationTypeAwsProxy, integ.Type)
	assert.Equal(t, "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:WebhookInitiatorFunction/invocations", *integ.Uri)

	served, err := svc.RestAPIStage(ctx, api.PhysicalID, "Prod")
	require.NoError(t, err)
	assert.Len(t, served.Resources, 2)
	assert.True(t, served.Stage.TracingEnabled)

	st.delete(apis.StageProvider(svc), "SanityEventRestApiStage")
	st.delete(apis.DeploymentProvider(svc), "SanityEventRestApiDeploymentE589D290")
	st.delete(apis.MethodProvider(svc), "SanityEventRestApiPostWebhookMethod")
	st.delete(apis.ResourceProvider(svc), "SanityEventRestApiWebhookResource")
	left, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(api.PhysicalID)})
	require.NoError(t, err)
	assert.Len(t, left.Items, 1)
	st.delete(apis.RestAPIProvider(svc), "SanityEventRestApi")
}
