package apis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// RestAPIProvider provisions AWS::ApiGateway::RestApi: Ref is the REST
// API id; Fn::GetAtt gives RestApiId and RootResourceId.
func RestAPIProvider(s *Service) cfnengine.Provider { return &restAPIProvider{s} }

type restAPIProvider struct{ s *Service }

type cfnRestAPI struct {
	Name                  *string `json:"Name"`
	Description           string  `json:"Description"`
	EndpointConfiguration *struct {
		Types         []string `json:"Types"`
		IPAddressType string   `json:"IpAddressType"`
	} `json:"EndpointConfiguration"`
	APIKeySourceType          string   `json:"ApiKeySourceType"`
	BinaryMediaTypes          []string `json:"BinaryMediaTypes"`
	DisableExecuteAPIEndpoint bool     `json:"DisableExecuteApiEndpoint"`
	Policy                    any      `json:"Policy"`
	Tags                      []cfnTag `json:"Tags"`
}

func (p *restAPIProvider) Type() string                   { return "AWS::ApiGateway::RestApi" }
func (p *restAPIProvider) CreateOnlyProperties() []string { return nil }

func (p *restAPIProvider) input(req *cfnengine.ResourceRequest) (CreateRestAPIInput, error) {
	if err := refuse(p.Type(), req.Properties, "Body", "BodyS3Location", "CloneFrom", "Parameters", "Mode", "FailOnWarnings"); err != nil {
		return CreateRestAPIInput{}, err
	}
	var v cfnRestAPI
	if err := req.Decode(&v); err != nil {
		return CreateRestAPIInput{}, propErr(p.Type(), "%v", err)
	}
	if v.Name == nil {
		return CreateRestAPIInput{}, propErr(p.Type(), "#: required key [Name] not found (a REST API without a Body needs a Name)")
	}
	in := CreateRestAPIInput{Name: *v.Name, Description: v.Description, APIKeySource: v.APIKeySourceType, BinaryMediaTypes: v.BinaryMediaTypes,
		DisableExecuteAPIEndpoint: v.DisableExecuteAPIEndpoint, Tags: tagMap(v.Tags)}
	if e := v.EndpointConfiguration; e != nil {
		in.EndpointConfiguration = &EndpointConfiguration{Types: e.Types, IPAddressType: e.IPAddressType}
	}
	switch pol := v.Policy.(type) {
	case nil:
	case string:
		in.Policy = pol
	default:
		b, err := json.Marshal(pol)
		if err != nil {
			return CreateRestAPIInput{}, propErr(p.Type(), "Policy: %v", err)
		}
		in.Policy = string(b)
	}
	return in, nil
}

func restAPIResult(api *RestAPI) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: api.ID, Attributes: map[string]any{"RestApiId": api.ID, "RootResourceId": api.RootResourceID}}
}

func (p *restAPIProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	api, err := p.s.CreateRestAPI(ctx, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return restAPIResult(api), nil
}

func (p *restAPIProvider) Update(_ context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	if in.EndpointConfiguration == nil {
		in.EndpointConfiguration = &EndpointConfiguration{Types: []string{"EDGE"}}
	}
	if err := checkEndpointConfiguration(in.EndpointConfiguration); err != nil {
		return nil, handlerErr(err)
	}
	api, err := p.s.restAPIUpdate(req.PhysicalID, func(a *RestAPI) error {
		a.Name, a.Description, a.BinaryMediaTypes, a.Policy, a.Tags = in.Name, in.Description, in.BinaryMediaTypes, in.Policy, in.Tags
		a.DisableExecuteAPIEndpoint, a.EndpointConfiguration = in.DisableExecuteAPIEndpoint, in.EndpointConfiguration
		a.APIKeySource = in.APIKeySource
		if a.APIKeySource == "" {
			a.APIKeySource = "HEADER"
		}
		return patchRestAPI(a, PatchOperation{Op: "replace", Path: "/apiKeySource", Value: a.APIKeySource})
	})
	if err != nil {
		return nil, handlerErr(err)
	}
	return restAPIResult(api), nil
}

func (p *restAPIProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	if err := p.s.DeleteRestAPI(ctx, req.PhysicalID); err != nil && !gone(err) {
		return handlerErr(err)
	}
	return nil
}

// ResourceProvider provisions AWS::ApiGateway::Resource: Ref is the
// resource id; Fn::GetAtt gives ResourceId.
func ResourceProvider(s *Service) cfnengine.Provider { return &resourceProvider{s} }

type resourceProvider struct{ s *Service }

func (p *resourceProvider) Type() string { return "AWS::ApiGateway::Resource" }
func (p *resourceProvider) CreateOnlyProperties() []string {
	return []string{"ParentId", "PathPart", "RestApiId"}
}

func (p *resourceProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	var v struct{ RestApiId, ParentId, PathPart string }
	if err := req.Decode(&v); err != nil {
		return nil, propErr(p.Type(), "%v", err)
	}
	if v.RestApiId == "" || v.ParentId == "" || v.PathPart == "" {
		return nil, propErr(p.Type(), "#: required key [ParentId, PathPart, RestApiId] not found")
	}
	r, err := p.s.CreateResource(ctx, v.RestApiId, v.ParentId, v.PathPart)
	if err != nil {
		return nil, handlerErr(err)
	}
	return &cfnengine.ResourceResult{PhysicalID: r.ID, Attributes: map[string]any{"ResourceId": r.ID}}, p.s.remember(req, cfnParents{APIID: v.RestApiId})
}

// Update is never called with a change (every property is create-only).
func (p *resourceProvider) Update(_ context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	return &cfnengine.ResourceResult{PhysicalID: req.PhysicalID, Attributes: map[string]any{"ResourceId": req.PhysicalID}}, nil
}

func (p *resourceProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	par, err := p.s.parents(req, "RestApiId")
	if err != nil {
		return err
	}
	if err := p.s.DeleteResource(ctx, par.APIID, req.PhysicalID); err != nil && !gone(err) {
		return handlerErr(err)
	}
	return p.s.forget(req)
}

// MethodProvider provisions AWS::ApiGateway::Method with its integration,
// integration responses and method responses: Ref is the method id.
func MethodProvider(s *Service) cfnengine.Provider { return &methodProvider{s} }

type methodProvider struct{ s *Service }

type cfnMethod struct {
	RestApiID           string            `json:"RestApiId"`
	ResourceID          string            `json:"ResourceId"`
	HTTPMethod          string            `json:"HttpMethod"`
	AuthorizationType   string            `json:"AuthorizationType"`
	AuthorizerID        string            `json:"AuthorizerId"`
	APIKeyRequired      bool              `json:"ApiKeyRequired"`
	AuthorizationScopes []string          `json:"AuthorizationScopes"`
	OperationName       string            `json:"OperationName"`
	RequestModels       map[string]string `json:"RequestModels"`
	RequestParameters   map[string]bool   `json:"RequestParameters"`
	RequestValidatorID  string            `json:"RequestValidatorId"`
	Integration         *struct {
		CacheKeyParameters    []string          `json:"CacheKeyParameters"`
		CacheNamespace        string            `json:"CacheNamespace"`
		ConnectionID          string            `json:"ConnectionId"`
		ConnectionType        string            `json:"ConnectionType"`
		ContentHandling       string            `json:"ContentHandling"`
		Credentials           string            `json:"Credentials"`
		IntegrationHTTPMethod string            `json:"IntegrationHttpMethod"`
		PassthroughBehavior   string            `json:"PassthroughBehavior"`
		RequestParameters     map[string]string `json:"RequestParameters"`
		RequestTemplates      map[string]string `json:"RequestTemplates"`
		TimeoutInMillis       int               `json:"TimeoutInMillis"`
		Type                  string            `json:"Type"`
		URI                   string            `json:"Uri"`
		IntegrationResponses  []struct {
			ContentHandling    string            `json:"ContentHandling"`
			ResponseParameters map[string]string `json:"ResponseParameters"`
			ResponseTemplates  map[string]string `json:"ResponseTemplates"`
			SelectionPattern   string            `json:"SelectionPattern"`
			StatusCode         string            `json:"StatusCode"`
		} `json:"IntegrationResponses"`
	} `json:"Integration"`
	MethodResponses []struct {
		ResponseModels     map[string]string `json:"ResponseModels"`
		ResponseParameters map[string]bool   `json:"ResponseParameters"`
		StatusCode         string            `json:"StatusCode"`
	} `json:"MethodResponses"`
}

func (p *methodProvider) Type() string { return "AWS::ApiGateway::Method" }
func (p *methodProvider) CreateOnlyProperties() []string {
	return []string{"HttpMethod", "ResourceId", "RestApiId"}
}

// methodRef is the method's id as CloudFormation's Ref gives it
// ("mysta-metho-01234b567890example"): stable for the method's key.
func methodRef(req *cfnengine.ResourceRequest, k MethodKey) string {
	short := func(s string) string { return strings.ToLower(s[:min(5, len(s))]) }
	sum := sha256.Sum256([]byte(req.StackID + "|" + k.RestAPIID + "|" + k.ResourceID + "|" + k.HTTPMethod))
	return short(req.StackName) + "-" + short(req.LogicalID) + "-" + hex.EncodeToString(sum[:])[:20]
}

// put makes the method and everything under it; on a failure nothing of
// it is left.
func (p *methodProvider) put(ctx context.Context, req *cfnengine.ResourceRequest) (MethodKey, error) {
	var v cfnMethod
	if err := req.Decode(&v); err != nil {
		return MethodKey{}, propErr(p.Type(), "%v", err)
	}
	if v.RestApiID == "" || v.ResourceID == "" || v.HTTPMethod == "" {
		return MethodKey{}, propErr(p.Type(), "#: required key [HttpMethod, ResourceId, RestApiId] not found")
	}
	if v.AuthorizationType == "" {
		v.AuthorizationType = "NONE"
	}
	k := MethodKey{RestAPIID: v.RestApiID, ResourceID: v.ResourceID, HTTPMethod: strings.ToUpper(v.HTTPMethod)}
	_, err := p.s.PutMethod(ctx, PutMethodInput{MethodKey: k, AuthorizationType: v.AuthorizationType, AuthorizerID: v.AuthorizerID,
		APIKeyRequired: v.APIKeyRequired, OperationName: v.OperationName, RequestParameters: v.RequestParameters, RequestModels: v.RequestModels,
		RequestValidatorID: v.RequestValidatorID, AuthorizationScopes: v.AuthorizationScopes})
	if err != nil {
		return k, handlerErr(err)
	}
	fail := func(err error) (MethodKey, error) {
		_ = p.s.DeleteMethod(ctx, k)
		return k, handlerErr(err)
	}
	for _, mr := range v.MethodResponses {
		if _, err := p.s.PutMethodResponse(ctx, PutMethodResponseInput{MethodKey: k, StatusCode: mr.StatusCode,
			ResponseParameters: mr.ResponseParameters, ResponseModels: mr.ResponseModels}); err != nil {
			return fail(err)
		}
	}
	if i := v.Integration; i != nil {
		if _, err := p.s.PutIntegration(ctx, PutIntegrationInput{MethodKey: k, Type: i.Type, HTTPMethod: i.IntegrationHTTPMethod, URI: i.URI,
			ConnectionType: i.ConnectionType, ConnectionID: i.ConnectionID, Credentials: i.Credentials, RequestParameters: i.RequestParameters,
			RequestTemplates: i.RequestTemplates, PassthroughBehavior: i.PassthroughBehavior, CacheNamespace: i.CacheNamespace,
			CacheKeyParameters: i.CacheKeyParameters, ContentHandling: i.ContentHandling, TimeoutInMillis: i.TimeoutInMillis}); err != nil {
			return fail(err)
		}
		for _, ir := range i.IntegrationResponses {
			if _, err := p.s.PutIntegrationResponse(ctx, PutIntegrationResponseInput{MethodKey: k, StatusCode: ir.StatusCode,
				SelectionPattern: ir.SelectionPattern, ResponseParameters: ir.ResponseParameters, ResponseTemplates: ir.ResponseTemplates,
				ContentHandling: ir.ContentHandling}); err != nil {
				return fail(err)
			}
		}
	}
	return k, nil
}

func (p *methodProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	k, err := p.put(ctx, req)
	if err != nil {
		return nil, err
	}
	id := methodRef(req, k)
	return &cfnengine.ResourceResult{PhysicalID: id}, p.s.remember(req, cfnParents{APIID: k.RestAPIID, ResourceID: k.ResourceID, HTTPMethod: k.HTTPMethod})
}

// Update replaces the method's settings, integration and responses with
// the template's; if they are refused, the method is left as it was.
func (p *methodProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	par, err := p.s.parents(req, "RestApiId")
	if err != nil {
		return nil, err
	}
	k := MethodKey{RestAPIID: par.APIID, ResourceID: par.ResourceID, HTTPMethod: strings.ToUpper(par.HTTPMethod)}
	old, err := p.s.GetMethod(ctx, k)
	if err != nil {
		return nil, handlerErr(err)
	}
	if err := p.s.DeleteMethod(ctx, k); err != nil {
		return nil, handlerErr(err)
	}
	if _, err := p.put(ctx, req); err != nil {
		_ = p.s.updateResource(k.RestAPIID, k.ResourceID, func(r *Resource) error {
			if r.ResourceMethods == nil {
				r.ResourceMethods = map[string]*Method{}
			}
			r.ResourceMethods[k.HTTPMethod] = old
			return nil
		})
		return nil, err
	}
	return &cfnengine.ResourceResult{PhysicalID: req.PhysicalID}, nil
}

func (p *methodProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	par, err := p.s.parents(req, "RestApiId")
	if err != nil {
		return err
	}
	k := MethodKey{RestAPIID: par.APIID, ResourceID: par.ResourceID, HTTPMethod: strings.ToUpper(par.HTTPMethod)}
	if err := p.s.DeleteMethod(ctx, k); err != nil && !gone(err) {
		return handlerErr(err)
	}
	return p.s.forget(req)
}
