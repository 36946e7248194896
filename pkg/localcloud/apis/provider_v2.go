package apis

import (
	"context"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// HTTPAPIProvider provisions AWS::ApiGatewayV2::Api: Ref is the API id;
// Fn::GetAtt gives ApiEndpoint and ApiId.
func HTTPAPIProvider(s *Service) cfnengine.Provider { return &httpAPIProvider{s} }

type httpAPIProvider struct{ s *Service }

type cfnHTTPAPI struct {
	Name                      *string           `json:"Name"`
	ProtocolType              *string           `json:"ProtocolType"`
	CorsConfiguration         *cfnCors          `json:"CorsConfiguration"`
	Description               string            `json:"Description"`
	DisableExecuteAPIEndpoint bool              `json:"DisableExecuteApiEndpoint"`
	IPAddressType             *string           `json:"IpAddressType"`
	Version                   string            `json:"Version"`
	APIKeySelectionExpression *string           `json:"ApiKeySelectionExpression"`
	RouteSelectionExpression  *string           `json:"RouteSelectionExpression"`
	Tags                      map[string]string `json:"Tags"`
}

type cfnCors struct {
	AllowCredentials *bool    `json:"AllowCredentials"`
	AllowHeaders     []string `json:"AllowHeaders"`
	AllowMethods     []string `json:"AllowMethods"`
	AllowOrigins     []string `json:"AllowOrigins"`
	ExposeHeaders    []string `json:"ExposeHeaders"`
	MaxAge           *int     `json:"MaxAge"`
}

func (p *httpAPIProvider) Type() string                   { return "AWS::ApiGatewayV2::Api" }
func (p *httpAPIProvider) CreateOnlyProperties() []string { return []string{"ProtocolType"} }

func (p *httpAPIProvider) input(req *cfnengine.ResourceRequest) (APIInput, error) {
	if err := refuse(p.Type(), req.Properties, "Body", "BodyS3Location", "BasePath", "Target", "RouteKey", "CredentialsArn", "FailOnWarnings", "DisableSchemaValidation"); err != nil {
		return APIInput{}, err
	}
	var v cfnHTTPAPI
	if err := req.Decode(&v); err != nil {
		return APIInput{}, propErr(p.Type(), "%v", err)
	}
	if v.Name == nil {
		return APIInput{}, propErr(p.Type(), "#: required key [Name] not found")
	}
	in := APIInput{Name: v.Name, ProtocolType: v.ProtocolType, Description: &v.Description, DisableExecuteAPIEndpoint: &v.DisableExecuteAPIEndpoint,
		IPAddressType: v.IPAddressType, Version: &v.Version, APIKeySelectionExpression: v.APIKeySelectionExpression,
		RouteSelectionExpression: v.RouteSelectionExpression, Tags: v.Tags}
	if c := v.CorsConfiguration; c != nil {
		in.CorsConfiguration = &Cors{AllowCredentials: c.AllowCredentials, AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods,
			AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge}
	}
	return in, nil
}

func httpAPIResult(api *HTTPAPI) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: api.APIID, Attributes: map[string]any{"ApiEndpoint": api.APIEndpoint, "ApiId": api.APIID}}
}

func (p *httpAPIProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	api, err := p.s.CreateAPI(ctx, req.Region, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return httpAPIResult(api), nil
}

func (p *httpAPIProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	in.ProtocolType = nil
	if in.CorsConfiguration == nil {
		if err := p.s.DeleteCorsConfiguration(ctx, req.PhysicalID); err != nil {
			return nil, handlerErr(err)
		}
	}
	if in.Tags == nil {
		in.Tags = map[string]string{}
	}
	api, err := p.s.UpdateAPI(ctx, req.PhysicalID, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return httpAPIResult(api), nil
}

func (p *httpAPIProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	if err := p.s.DeleteAPI(ctx, req.PhysicalID); err != nil && !gone(err) {
		return handlerErr(err)
	}
	return nil
}

// HTTPIntegrationProvider provisions AWS::ApiGatewayV2::Integration: Ref
// is the integration id; Fn::GetAtt gives IntegrationId.
func HTTPIntegrationProvider(s *Service) cfnengine.Provider { return &httpIntegrationProvider{s} }

type httpIntegrationProvider struct{ s *Service }

type cfnV2Integration struct {
	ApiID                string            `json:"ApiId"`
	ConnectionID         *string           `json:"ConnectionId"`
	ConnectionType       *string           `json:"ConnectionType"`
	CredentialsARN       string            `json:"CredentialsArn"`
	Description          string            `json:"Description"`
	IntegrationMethod    string            `json:"IntegrationMethod"`
	IntegrationSubtype   string            `json:"IntegrationSubtype"`
	IntegrationType      string            `json:"IntegrationType"`
	IntegrationURI       string            `json:"IntegrationUri"`
	PayloadFormatVersion *string           `json:"PayloadFormatVersion"`
	RequestParameters    map[string]string `json:"RequestParameters"`
	ResponseParameters   map[string]struct {
		ResponseParameters []struct {
			Destination string `json:"Destination"`
			Source      string `json:"Source"`
		} `json:"ResponseParameters"`
	} `json:"ResponseParameters"`
	TimeoutInMillis *int `json:"TimeoutInMillis"`
	TLSConfig       *struct {
		ServerNameToVerify string `json:"ServerNameToVerify"`
	} `json:"TlsConfig"`
}

func (p *httpIntegrationProvider) Type() string                   { return "AWS::ApiGatewayV2::Integration" }
func (p *httpIntegrationProvider) CreateOnlyProperties() []string { return []string{"ApiId"} }

func (p *httpIntegrationProvider) input(req *cfnengine.ResourceRequest) (string, IntegrationInput, error) {
	if err := refuse(p.Type(), req.Properties, "RequestTemplates", "TemplateSelectionExpression", "PassthroughBehavior", "ContentHandlingStrategy"); err != nil {
		return "", IntegrationInput{}, err
	}
	var v cfnV2Integration
	if err := req.Decode(&v); err != nil {
		return "", IntegrationInput{}, propErr(p.Type(), "%v", err)
	}
	if v.ApiID == "" || v.IntegrationType == "" {
		return "", IntegrationInput{}, propErr(p.Type(), "#: required key [ApiId, IntegrationType] not found")
	}
	in := IntegrationInput{ConnectionID: v.ConnectionID, ConnectionType: v.ConnectionType, CredentialsARN: &v.CredentialsARN,
		Description: &v.Description, IntegrationMethod: &v.IntegrationMethod, IntegrationSubtype: &v.IntegrationSubtype,
		IntegrationType: &v.IntegrationType, IntegrationURI: &v.IntegrationURI, PayloadFormatVersion: v.PayloadFormatVersion,
		RequestParameters: v.RequestParameters, TimeoutInMillis: v.TimeoutInMillis}
	if in.RequestParameters == nil {
		in.RequestParameters = map[string]string{}
	}
	if v.ResponseParameters != nil {
		in.ResponseParameters = map[string]map[string]string{}
		for code, rp := range v.ResponseParameters {
			m := map[string]string{}
			for _, x := range rp.ResponseParameters {
				m[x.Destination] = x.Source
			}
			in.ResponseParameters[code] = m
		}
	}
	if v.TLSConfig != nil {
		in.TLSConfig = &TLSConfig{ServerNameToVerify: v.TLSConfig.ServerNameToVerify}
	}
	return v.ApiID, in, nil
}

func integrationResult(i *V2Integration) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: i.IntegrationID, Attributes: map[string]any{"IntegrationId": i.IntegrationID}}
}

func (p *httpIntegrationProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	apiID, in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	i, err := p.s.CreateIntegration(ctx, apiID, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return integrationResult(i), p.s.remember(req, cfnParents{APIID: apiID})
}

func (p *httpIntegrationProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	apiID, in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	i, err := p.s.UpdateIntegrationV2(ctx, apiID, req.PhysicalID, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return integrationResult(i), nil
}

func (p *httpIntegrationProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	par, err := p.s.parents(req, "ApiId")
	if err != nil {
		return err
	}
	if err := p.s.DeleteIntegrationV2(ctx, par.APIID, req.PhysicalID); err != nil && !gone(err) {
		return handlerErr(err)
	}
	return p.s.forget(req)
}

// HTTPRouteProvider provisions AWS::ApiGatewayV2::Route: Ref is the route
// id; Fn::GetAtt gives RouteId.
func HTTPRouteProvider(s *Service) cfnengine.Provider { return &httpRouteProvider{s} }

type httpRouteProvider struct{ s *Service }

type cfnRoute struct {
	ApiID               string   `json:"ApiId"`
	APIKeyRequired      *bool    `json:"ApiKeyRequired"`
	AuthorizationScopes []string `json:"AuthorizationScopes"`
	AuthorizationType   string   `json:"AuthorizationType"`
	AuthorizerID        string   `json:"AuthorizerId"`
	OperationName       string   `json:"OperationName"`
	RouteKey            *string  `json:"RouteKey"`
	Target              string   `json:"Target"`
}

func (p *httpRouteProvider) Type() string                   { return "AWS::ApiGatewayV2::Route" }
func (p *httpRouteProvider) CreateOnlyProperties() []string { return []string{"ApiId"} }

func (p *httpRouteProvider) input(req *cfnengine.ResourceRequest) (string, RouteInput, error) {
	if err := refuse(p.Type(), req.Properties, "RequestModels", "RequestParameters", "ModelSelectionExpression", "RouteResponseSelectionExpression"); err != nil {
		return "", RouteInput{}, err
	}
	var v cfnRoute
	if err := req.Decode(&v); err != nil {
		return "", RouteInput{}, propErr(p.Type(), "%v", err)
	}
	if v.ApiID == "" || v.RouteKey == nil {
		return "", RouteInput{}, propErr(p.Type(), "#: required key [ApiId, RouteKey] not found")
	}
	if v.AuthorizationType == "" {
		v.AuthorizationType = "NONE"
	}
	if v.AuthorizationScopes == nil {
		v.AuthorizationScopes = []string{}
	}
	return v.ApiID, RouteInput{APIKeyRequired: v.APIKeyRequired, AuthorizationScopes: v.AuthorizationScopes, AuthorizationType: &v.AuthorizationType,
		AuthorizerID: &v.AuthorizerID, OperationName: &v.OperationName, RouteKey: v.RouteKey, Target: &v.Target}, nil
}

func routeResult(r *Route) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: r.RouteID, Attributes: map[string]any{"RouteId": r.RouteID}}
}

func (p *httpRouteProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	apiID, in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	r, err := p.s.CreateRoute(ctx, apiID, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return routeResult(r), p.s.remember(req, cfnParents{APIID: apiID})
}

func (p *httpRouteProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	apiID, in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	r, err := p.s.UpdateRoute(ctx, apiID, req.PhysicalID, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return routeResult(r), nil
}

func (p *httpRouteProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	par, err := p.s.parents(req, "ApiId")
	if err != nil {
		return err
	}
	if err := p.s.DeleteRoute(ctx, par.APIID, req.PhysicalID); err != nil && !gone(err) {
		return handlerErr(err)
	}
	return p.s.forget(req)
}

// HTTPStageProvider provisions AWS::ApiGatewayV2::Stage: Ref is the stage
// name.
func HTTPStageProvider(s *Service) cfnengine.Provider { return &httpStageProvider{s} }

type httpStageProvider struct{ s *Service }

type cfnV2Stage struct {
	ApiID             string `json:"ApiId"`
	StageName         string `json:"StageName"`
	AccessLogSettings *struct {
		DestinationArn string `json:"DestinationArn"`
		Format         string `json:"Format"`
	} `json:"AccessLogSettings"`
	AutoDeploy           bool                        `json:"AutoDeploy"`
	DefaultRouteSettings *cfnRouteSettings           `json:"DefaultRouteSettings"`
	DeploymentID         string                      `json:"DeploymentId"`
	Description          string                      `json:"Description"`
	RouteSettings        map[string]cfnRouteSettings `json:"RouteSettings"`
	StageVariables       map[string]string           `json:"StageVariables"`
	Tags                 map[string]string           `json:"Tags"`
}

type cfnRouteSettings struct {
	DataTraceEnabled       *bool    `json:"DataTraceEnabled"`
	DetailedMetricsEnabled *bool    `json:"DetailedMetricsEnabled"`
	LoggingLevel           *string  `json:"LoggingLevel"`
	ThrottlingBurstLimit   *int     `json:"ThrottlingBurstLimit"`
	ThrottlingRateLimit    *float64 `json:"ThrottlingRateLimit"`
}

func (r cfnRouteSettings) settings() RouteSettings {
	return RouteSettings{DataTraceEnabled: r.DataTraceEnabled, DetailedMetricsEnabled: r.DetailedMetricsEnabled, LoggingLevel: r.LoggingLevel,
		ThrottlingBurstLimit: r.ThrottlingBurstLimit, ThrottlingRateLimit: r.ThrottlingRateLimit}
}

func (p *httpStageProvider) Type() string                   { return "AWS::ApiGatewayV2::Stage" }
func (p *httpStageProvider) CreateOnlyProperties() []string { return []string{"ApiId", "StageName"} }

func (p *httpStageProvider) input(req *cfnengine.ResourceRequest) (string, StageInput, error) {
	if err := refuse(p.Type(), req.Properties, "ClientCertificateId", "AccessPolicyId"); err != nil {
		return "", StageInput{}, err
	}
	var v cfnV2Stage
	if err := req.Decode(&v); err != nil {
		return "", StageInput{}, propErr(p.Type(), "%v", err)
	}
	if v.ApiID == "" || v.StageName == "" {
		return "", StageInput{}, propErr(p.Type(), "#: required key [ApiId, StageName] not found")
	}
	in := StageInput{StageName: &v.StageName, AutoDeploy: &v.AutoDeploy, Description: &v.Description, StageVariables: v.StageVariables, Tags: v.Tags}
	if v.DeploymentID != "" {
		in.DeploymentID = &v.DeploymentID
	}
	if a := v.AccessLogSettings; a != nil {
		in.AccessLogSettings = &AccessLogSettings{DestinationARN: a.DestinationArn, Format: a.Format}
	}
	if v.DefaultRouteSettings != nil {
		in.DefaultRouteSettings = ptr(v.DefaultRouteSettings.settings())
	}
	if v.RouteSettings != nil {
		in.RouteSettings = map[string]RouteSettings{}
		for k, rs := range v.RouteSettings {
			in.RouteSettings[k] = rs.settings()
		}
	}
	if in.StageVariables == nil {
		in.StageVariables = map[string]string{}
	}
	return v.ApiID, in, nil
}

func (p *httpStageProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	apiID, in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	st, err := p.s.CreateStageV2(ctx, apiID, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return &cfnengine.ResourceResult{PhysicalID: st.StageName}, p.s.remember(req, cfnParents{APIID: apiID})
}

func (p *httpStageProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	apiID, in, err := p.input(req)
	if err != nil {
		return nil, err
	}
	in.StageName = nil
	st, err := p.s.UpdateStageV2(ctx, apiID, req.PhysicalID, in)
	if err != nil {
		return nil, handlerErr(err)
	}
	return &cfnengine.ResourceResult{PhysicalID: st.StageName}, nil
}

func (p *httpStageProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	par, err := p.s.parents(req, "ApiId")
	if err != nil {
		return err
	}
	if err := p.s.DeleteStageV2(ctx, par.APIID, req.PhysicalID); err != nil && !gone(err) {
		return handlerErr(err)
	}
	return p.s.forget(req)
}
