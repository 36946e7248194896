package apis

import (
	"context"
	"slices"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// v2Op marks the operations of apigatewayv2 in the shared route table:
// both APIs sign as "apigateway" and share operation names
// (CreateStage, GetDeployments, ...), so v2's are prefixed.
const v2Op = "v2:"

// routes are apigateway's operations and apigatewayv2's (all under /v2/).
var routes = func() []localcloud.Route {
	r := slices.Clone(localcloud.APIGatewayRoutes)
	for _, x := range localcloud.APIGatewayV2Routes {
		x.Op = v2Op + x.Op
		r = append(r, x)
	}
	return r
}()

var protocol = localcloud.RESTJSON("apigateway", routes)

// Name is the SigV4 signing name both API Gateway APIs use.
func (s *Service) Name() string { return "apigateway" }

// Protocol is REST-JSON over the union of both APIs' routes.
func (s *Service) Protocol() localcloud.Protocol { return protocol }

// Call runs one operation of either API.
func (s *Service) Call(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	if v2, ok := cutV2(op); ok {
		return s.callV2(ctx, v2, in)
	}
	return s.callV1(ctx, op, in)
}

func cutV2(op string) (string, bool) {
	if len(op) > len(v2Op) && op[:len(v2Op)] == v2Op {
		return op[len(v2Op):], true
	}
	return "", false
}

func limitQuery(in *localcloud.Request, name string) (int, error) {
	return atoiLimit(name, in.Query.Get(name))
}

func embeds(in *localcloud.Request, what string) bool {
	return slices.Contains(in.Query["embed"], what)
}

type patchInput struct {
	PatchOperations []PatchOperation `json:"patchOperations"`
}

func (s *Service) callV1(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	l := in.Labels
	rest := l["restapi_id"]
	mk := MethodKey{RestAPIID: rest, ResourceID: l["resource_id"], HTTPMethod: l["http_method"]}
	switch op {
	case "CreateRestApi":
		var v CreateRestAPIInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.CreateRestAPI(ctx, v)
	case "GetRestApi":
		return s.GetRestAPI(ctx, rest)
	case "GetRestApis":
		limit, err := limitQuery(in, "limit")
		if err != nil {
			return nil, err
		}
		return s.GetRestAPIs(ctx, in.Query.Get("position"), limit)
	case "UpdateRestApi":
		var v patchInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.UpdateRestAPI(ctx, rest, v.PatchOperations)
	case "DeleteRestApi":
		return nil, s.DeleteRestAPI(ctx, rest)
	case "GetResources":
		limit, err := limitQuery(in, "limit")
		if err != nil {
			return nil, err
		}
		return s.GetResources(ctx, rest, in.Query.Get("position"), limit, embeds(in, "methods"))
	case "GetResource":
		return s.GetResource(ctx, rest, l["resource_id"], embeds(in, "methods"))
	case "CreateResource":
		var v struct {
			PathPart string `json:"pathPart"`
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.CreateResource(ctx, rest, l["parent_id"], v.PathPart)
	case "DeleteResource":
		return nil, s.DeleteResource(ctx, rest, l["resource_id"])
	case "PutMethod":
		v := PutMethodInput{MethodKey: mk}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.PutMethod(ctx, v)
	case "GetMethod":
		return s.GetMethod(ctx, mk)
	case "DeleteMethod":
		return nil, s.DeleteMethod(ctx, mk)
	case "PutIntegration":
		v := PutIntegrationInput{MethodKey: mk}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.PutIntegration(ctx, v)
	case "GetIntegration":
		return s.GetIntegration(ctx, mk)
	case "DeleteIntegration":
		return nil, s.DeleteIntegration(ctx, mk)
	case "PutIntegrationResponse":
		v := PutIntegrationResponseInput{MethodKey: mk, StatusCode: l["status_code"]}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.PutIntegrationResponse(ctx, v)
	case "GetIntegrationResponse":
		return s.GetIntegrationResponse(ctx, mk, l["status_code"])
	case "DeleteIntegrationResponse":
		return nil, s.DeleteIntegrationResponse(ctx, mk, l["status_code"])
	case "PutMethodResponse":
		v := PutMethodResponseInput{MethodKey: mk, StatusCode: l["status_code"]}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.PutMethodResponse(ctx, v)
	case "GetMethodResponse":
		return s.GetMethodResponse(ctx, mk, l["status_code"])
	case "DeleteMethodResponse":
		return nil, s.DeleteMethodResponse(ctx, mk, l["status_code"])
	case "CreateDeployment":
		v := CreateDeploymentInput{RestAPIID: rest}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.CreateDeployment(ctx, v)
	case "GetDeployment":
		return s.GetDeployment(ctx, rest, l["deployment_id"], embeds(in, "apisummary"))
	case "GetDeployments":
		limit, err := limitQuery(in, "limit")
		if err != nil {
			return nil, err
		}
		return s.GetDeployments(ctx, rest, in.Query.Get("position"), limit)
	case "DeleteDeployment":
		return nil, s.DeleteDeployment(ctx, rest, l["deployment_id"])
	case "CreateStage":
		v := CreateStageInput{RestAPIID: rest}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.CreateStage(ctx, v)
	case "GetStage":
		return s.GetStage(ctx, rest, l["stage_name"])
	case "GetStages":
		return s.GetStages(ctx, rest, in.Query.Get("deploymentId"))
	case "UpdateStage":
		var v patchInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.UpdateStage(ctx, rest, l["stage_name"], v.PatchOperations)
	case "DeleteStage":
		return nil, s.DeleteStage(ctx, rest, l["stage_name"])
	}
	return nil, localcloud.ErrUnknownOperation
}

func (s *Service) callV2(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	l := in.Labels
	api := l["apiId"]
	pageArgs := func() (string, int, error) {
		n, err := limitQuery(in, "maxResults")
		return in.Query.Get("nextToken"), n, err
	}
	switch op {
	case "CreateApi":
		var v APIInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.CreateAPI(ctx, in.Region, v)
	case "GetApi":
		return s.GetAPI(ctx, api)
	case "GetApis":
		tok, n, err := pageArgs()
		if err != nil {
			return nil, err
		}
		return s.GetAPIs(ctx, tok, n)
	case "UpdateApi":
		var v APIInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.UpdateAPI(ctx, api, v)
	case "DeleteApi":
		return nil, s.DeleteAPI(ctx, api)
	case "DeleteCorsConfiguration":
		return nil, s.DeleteCorsConfiguration(ctx, api)
	case "CreateIntegration":
		var v IntegrationInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.CreateIntegration(ctx, api, v)
	case "GetIntegration":
		return s.GetIntegrationV2(ctx, api, l["integrationId"])
	case "GetIntegrations":
		tok, n, err := pageArgs()
		if err != nil {
			return nil, err
		}
		return s.GetIntegrationsV2(ctx, api, tok, n)
	case "UpdateIntegration":
		var v IntegrationInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.UpdateIntegrationV2(ctx, api, l["integrationId"], v)
	case "DeleteIntegration":
		return nil, s.DeleteIntegrationV2(ctx, api, l["integrationId"])
	case "CreateRoute":
		var v RouteInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.CreateRoute(ctx, api, v)
	case "GetRoute":
		return s.GetRoute(ctx, api, l["routeId"])
	case "GetRoutes":
		tok, n, err := pageArgs()
		if err != nil {
			return nil, err
		}
		return s.GetRoutes(ctx, api, tok, n)
	case "UpdateRoute":
		var v RouteInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.UpdateRoute(ctx, api, l["routeId"], v)
	case "DeleteRoute":
		return nil, s.DeleteRoute(ctx, api, l["routeId"])
	case "CreateStage":
		var v StageInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.CreateStageV2(ctx, api, v)
	case "GetStage":
		return s.GetStageV2(ctx, api, l["stageName"])
	case "GetStages":
		tok, n, err := pageArgs()
		if err != nil {
			return nil, err
		}
		return s.GetStagesV2(ctx, api, tok, n)
	case "UpdateStage":
		var v StageInput
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		v.StageName = nil
		return s.UpdateStageV2(ctx, api, l["stageName"], v)
	case "DeleteStage":
		return nil, s.DeleteStageV2(ctx, api, l["stageName"])
	case "CreateDeployment":
		var v struct {
			Description string `json:"description"`
			StageName   string `json:"stageName"`
		}
		if err := in.Decode(&v); err != nil {
			return nil, err
		}
		return s.CreateDeploymentV2(ctx, api, v.Description, v.StageName)
	case "GetDeployment":
		return s.GetDeploymentV2(ctx, api, l["deploymentId"])
	case "GetDeployments":
		tok, n, err := pageArgs()
		if err != nil {
			return nil, err
		}
		return s.GetDeploymentsV2(ctx, api, tok, n)
	case "DeleteDeployment":
		return nil, s.DeleteDeploymentV2(ctx, api, l["deploymentId"])
	}
	return nil, localcloud.ErrUnknownOperation
}
