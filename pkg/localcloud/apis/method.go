package apis

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Method is a REST API method with its integration and responses.
type Method struct {
	HTTPMethod          string                     `json:"httpMethod,omitempty"`
	AuthorizationType   string                     `json:"authorizationType,omitempty"`
	AuthorizerID        string                     `json:"authorizerId,omitempty"`
	APIKeyRequired      *bool                      `json:"apiKeyRequired,omitempty"`
	RequestValidatorID  string                     `json:"requestValidatorId,omitempty"`
	OperationName       string                     `json:"operationName,omitempty"`
	RequestParameters   map[string]bool            `json:"requestParameters,omitempty"`
	RequestModels       map[string]string          `json:"requestModels,omitempty"`
	MethodResponses     map[string]*MethodResponse `json:"methodResponses,omitempty"`
	MethodIntegration   *Integration               `json:"methodIntegration,omitempty"`
	AuthorizationScopes []string                   `json:"authorizationScopes,omitempty"`
}

// Integration is what a REST API method calls.
type Integration struct {
	Type                 string                          `json:"type"`
	HTTPMethod           string                          `json:"httpMethod,omitempty"`
	URI                  string                          `json:"uri,omitempty"`
	ConnectionType       string                          `json:"connectionType,omitempty"`
	ConnectionID         string                          `json:"connectionId,omitempty"`
	Credentials          string                          `json:"credentials,omitempty"`
	RequestParameters    map[string]string               `json:"requestParameters,omitempty"`
	RequestTemplates     map[string]string               `json:"requestTemplates,omitempty"`
	PassthroughBehavior  string                          `json:"passthroughBehavior,omitempty"`
	ContentHandling      string                          `json:"contentHandling,omitempty"`
	TimeoutInMillis      int                             `json:"timeoutInMillis"`
	CacheNamespace       string                          `json:"cacheNamespace,omitempty"`
	CacheKeyParameters   []string                        `json:"cacheKeyParameters"`
	IntegrationResponses map[string]*IntegrationResponse `json:"integrationResponses,omitempty"`
}

// IntegrationResponse maps an integration's answer to a method response.
type IntegrationResponse struct {
	StatusCode         string            `json:"statusCode"`
	SelectionPattern   string            `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

// MethodResponse is a response a method declares.
type MethodResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

// MethodKey names a method: its API, resource and HTTP method.
type MethodKey struct {
	RestAPIID  string `json:"-"`
	ResourceID string `json:"-"`
	HTTPMethod string `json:"-"`
}

// PutMethodInput is PutMethod's input.
type PutMethodInput struct {
	MethodKey
	AuthorizationType   string            `json:"authorizationType"`
	AuthorizerID        string            `json:"authorizerId"`
	APIKeyRequired      bool              `json:"apiKeyRequired"`
	OperationName       string            `json:"operationName"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	RequestValidatorID  string            `json:"requestValidatorId"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
}

// PutIntegrationInput is PutIntegration's input.
type PutIntegrationInput struct {
	MethodKey
	Type                string            `json:"type"`
	HTTPMethod          string            `json:"httpMethod"`
	URI                 string            `json:"uri"`
	ConnectionType      string            `json:"connectionType"`
	ConnectionID        string            `json:"connectionId"`
	Credentials         string            `json:"credentials"`
	RequestParameters   map[string]string `json:"requestParameters"`
	RequestTemplates    map[string]string `json:"requestTemplates"`
	PassthroughBehavior string            `json:"passthroughBehavior"`
	CacheNamespace      string            `json:"cacheNamespace"`
	CacheKeyParameters  []string          `json:"cacheKeyParameters"`
	ContentHandling     string            `json:"contentHandling"`
	TimeoutInMillis     int               `json:"timeoutInMillis"`
}

// PutIntegrationResponseInput is PutIntegrationResponse's input.
type PutIntegrationResponseInput struct {
	MethodKey
	StatusCode         string            `json:"-"`
	SelectionPattern   string            `json:"selectionPattern"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	ContentHandling    string            `json:"contentHandling"`
}

// PutMethodResponseInput is PutMethodResponse's input.
type PutMethodResponseInput struct {
	MethodKey
	StatusCode         string            `json:"-"`
	ResponseParameters map[string]bool   `json:"responseParameters"`
	ResponseModels     map[string]string `json:"responseModels"`
}

var httpMethods = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}

var statusCodeRE = regexp.MustCompile(`^[1-5]\d\d$`)

func invalidMethod() error { return notFound("Invalid Method identifier specified") }

func invalidIntegration() error { return notFound("Invalid Integration identifier specified") }

func invalidResponse() error { return notFound("Invalid Response status code specified") }

// withMethod runs fn on the method named by k (which must exist).
func (s *Service) withMethod(k MethodKey, write bool, fn func(*Method) error) error {
	do := func(tx *localcloud.Tx) error {
		r, err := getResource(tx, k.RestAPIID, k.ResourceID)
		if err != nil {
			return err
		}
		m := r.ResourceMethods[k.HTTPMethod]
		if m == nil {
			return invalidMethod()
		}
		if err := fn(m); err != nil || !write {
			return err
		}
		return tx.Put(tResources, restKey(k.RestAPIID, k.ResourceID), r)
	}
	if write {
		return s.store.Update(do)
	}
	return s.store.View(do)
}

// PutMethod creates a method on a resource.
func (s *Service) PutMethod(_ context.Context, in PutMethodInput) (*Method, error) {
	if !slices.Contains(httpMethods, in.HTTPMethod) {
		return nil, badRequest("Invalid HttpMethod specified. Valid options are %s", strings.Join(httpMethods, ","))
	}
	switch in.AuthorizationType {
	case "NONE", "AWS_IAM":
	case "CUSTOM", "COGNITO_USER_POOLS":
		// The local cloud keeps no authorizers, so no authorizer id names one.
		return nil, badRequest("Invalid authorizer ID specified")
	default:
		return nil, badRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
	}
	if in.RequestValidatorID != "" {
		return nil, badRequest("Invalid Request Validator identifier specified")
	}
	m := &Method{
		HTTPMethod: in.HTTPMethod, AuthorizationType: in.AuthorizationType, APIKeyRequired: &in.APIKeyRequired,
		OperationName: in.OperationName, RequestParameters: in.RequestParameters, RequestModels: in.RequestModels,
		AuthorizationScopes: in.AuthorizationScopes,
	}
	err := s.updateResource(in.RestAPIID, in.ResourceID, func(r *Resource) error {
		if r.ResourceMethods[in.HTTPMethod] != nil {
			return conflict("Method already exists for this resource")
		}
		if r.ResourceMethods == nil {
			r.ResourceMethods = map[string]*Method{}
		}
		r.ResourceMethods[in.HTTPMethod] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// GetMethod returns a method with its responses and integration.
func (s *Service) GetMethod(_ context.Context, k MethodKey) (m *Method, err error) {
	err = s.withMethod(k, false, func(x *Method) error { m = x; return nil })
	return m, err
}

// DeleteMethod removes a method with its integration.
func (s *Service) DeleteMethod(_ context.Context, k MethodKey) error {
	return s.updateResource(k.RestAPIID, k.ResourceID, func(r *Resource) error {
		if r.ResourceMethods[k.HTTPMethod] == nil {
			return invalidMethod()
		}
		delete(r.ResourceMethods, k.HTTPMethod)
		return nil
	})
}

func checkIntegration(in *PutIntegrationInput) error {
	switch in.Type {
	case "MOCK":
	case "HTTP", "HTTP_PROXY":
		if !strings.HasPrefix(in.URI, "http://") && !strings.HasPrefix(in.URI, "https://") {
			return badRequest("Invalid HTTP endpoint specified for URI")
		}
	case "AWS", "AWS_PROXY":
		rest, ok := strings.CutPrefix(in.URI, "arn:aws:apigateway:")
		parts := strings.SplitN(rest, ":", 3)
		if !ok || len(parts) != 3 || parts[0] == "" || parts[1] == "" {
			return badRequest("Invalid ARN specified in the request")
		}
		if !strings.HasPrefix(parts[2], "path/") && !strings.HasPrefix(parts[2], "action/") {
			return badRequest("AWS ARN for integration must contain path or action")
		}
		if in.Type == "AWS_PROXY" && parts[1] != "lambda" && parts[1] != "firehose" {
			return badRequest("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
		}
		if in.Credentials != "" && !strings.HasPrefix(in.Credentials, "arn:aws:iam::") {
			return badRequest("Invalid IAM role ARN specified for credentials: %s", in.Credentials)
		}
	default:
		return badRequest("1 validation error detected: Value '%s' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]", in.Type)
	}
	if in.Type != "MOCK" {
		if in.HTTPMethod == "" {
			return badRequest("Enumeration value for HttpMethod must be non-empty")
		}
		if !slices.Contains(httpMethods, in.HTTPMethod) {
			return badRequest("Invalid HttpMethod specified. Valid options are %s", strings.Join(httpMethods, ","))
		}
	}
	switch in.PassthroughBehavior {
	case "":
		in.PassthroughBehavior = "WHEN_NO_MATCH"
	case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return badRequest("Invalid passthrough behavior specified: %s. Valid values are: WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER", in.PassthroughBehavior)
	}
	if in.TimeoutInMillis == 0 {
		in.TimeoutInMillis = 29000
	}
	if in.TimeoutInMillis < 50 || in.TimeoutInMillis > 29000 {
		return badRequest("Timeout should be between 50 ms and 29000 ms")
	}
	switch in.ConnectionType {
	case "":
		in.ConnectionType = "INTERNET"
	case "INTERNET":
	default:
		return badRequest("the local cloud serves integrations over the internet only: connectionType %s (VPC links) is not supported", in.ConnectionType)
	}
	return nil
}

// PutIntegration sets (replacing any) a method's integration.
func (s *Service) PutIntegration(_ context.Context, in PutIntegrationInput) (*Integration, error) {
	if err := checkIntegration(&in); err != nil {
		return nil, err
	}
	if in.CacheNamespace == "" {
		in.CacheNamespace = in.ResourceID
	}
	if in.CacheKeyParameters == nil {
		in.CacheKeyParameters = []string{}
	}
	integ := &Integration{
		Type: in.Type, HTTPMethod: in.HTTPMethod, URI: in.URI, ConnectionType: in.ConnectionType, ConnectionID: in.ConnectionID,
		Credentials: in.Credentials, RequestParameters: in.RequestParameters, RequestTemplates: in.RequestTemplates,
		PassthroughBehavior: in.PassthroughBehavior, ContentHandling: in.ContentHandling, TimeoutInMillis: in.TimeoutInMillis,
		CacheNamespace: in.CacheNamespace, CacheKeyParameters: in.CacheKeyParameters,
	}
	err := s.withMethod(in.MethodKey, true, func(m *Method) error { m.MethodIntegration = integ; return nil })
	if err != nil {
		return nil, err
	}
	return integ, nil
}

// GetIntegration returns a method's integration.
func (s *Service) GetIntegration(_ context.Context, k MethodKey) (i *Integration, err error) {
	err = s.withMethod(k, false, func(m *Method) error {
		if i = m.MethodIntegration; i == nil {
			return invalidIntegration()
		}
		return nil
	})
	return i, err
}

// DeleteIntegration removes a method's integration.
func (s *Service) DeleteIntegration(_ context.Context, k MethodKey) error {
	return s.withMethod(k, true, func(m *Method) error {
		if m.MethodIntegration == nil {
			return invalidIntegration()
		}
		m.MethodIntegration = nil
		return nil
	})
}

// PutIntegrationResponse sets one of an integration's responses; the
// method must declare a response with the same status code.
func (s *Service) PutIntegrationResponse(_ context.Context, in PutIntegrationResponseInput) (r *IntegrationResponse, err error) {
	if !statusCodeRE.MatchString(in.StatusCode) {
		return nil, badRequest("Invalid status code specified: %s", in.StatusCode)
	}
	err = s.withMethod(in.MethodKey, true, func(m *Method) error {
		if m.MethodIntegration == nil {
			return invalidIntegration()
		}
		if m.MethodResponses[in.StatusCode] == nil {
			return invalidResponse()
		}
		r = &IntegrationResponse{StatusCode: in.StatusCode, SelectionPattern: in.SelectionPattern,
			ResponseParameters: in.ResponseParameters, ResponseTemplates: in.ResponseTemplates, ContentHandling: in.ContentHandling}
		if m.MethodIntegration.IntegrationResponses == nil {
			m.MethodIntegration.IntegrationResponses = map[string]*IntegrationResponse{}
		}
		m.MethodIntegration.IntegrationResponses[in.StatusCode] = r
		return nil
	})
	return r, err
}

// GetIntegrationResponse returns one of an integration's responses.
func (s *Service) GetIntegrationResponse(_ context.Context, k MethodKey, status string) (r *IntegrationResponse, err error) {
	err = s.withMethod(k, false, func(m *Method) error {
		if m.MethodIntegration == nil {
			return invalidIntegration()
		}
		if r = m.MethodIntegration.IntegrationResponses[status]; r == nil {
			return invalidResponse()
		}
		return nil
	})
	return r, err
}

// DeleteIntegrationResponse removes one of an integration's responses.
func (s *Service) DeleteIntegrationResponse(_ context.Context, k MethodKey, status string) error {
	return s.withMethod(k, true, func(m *Method) error {
		if m.MethodIntegration == nil {
			return invalidIntegration()
		}
		if m.MethodIntegration.IntegrationResponses[status] == nil {
			return invalidResponse()
		}
		delete(m.MethodIntegration.IntegrationResponses, status)
		return nil
	})
}

// PutMethodResponse sets one of a method's responses.
func (s *Service) PutMethodResponse(_ context.Context, in PutMethodResponseInput) (r *MethodResponse, err error) {
	if !statusCodeRE.MatchString(in.StatusCode) {
		return nil, badRequest("Invalid status code specified: %s", in.StatusCode)
	}
	err = s.withMethod(in.MethodKey, true, func(m *Method) error {
		r = &MethodResponse{StatusCode: in.StatusCode, ResponseParameters: in.ResponseParameters, ResponseModels: in.ResponseModels}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*MethodResponse{}
		}
		m.MethodResponses[in.StatusCode] = r
		return nil
	})
	return r, err
}

// GetMethodResponse returns one of a method's responses.
func (s *Service) GetMethodResponse(_ context.Context, k MethodKey, status string) (r *MethodResponse, err error) {
	err = s.withMethod(k, false, func(m *Method) error {
		if r = m.MethodResponses[status]; r == nil {
			return invalidResponse()
		}
		return nil
	})
	return r, err
}

// DeleteMethodResponse removes one of a method's responses.
func (s *Service) DeleteMethodResponse(_ context.Context, k MethodKey, status string) error {
	return s.withMethod(k, true, func(m *Method) error {
		if m.MethodResponses[status] == nil {
			return invalidResponse()
		}
		delete(m.MethodResponses, status)
		return nil
	})
}
