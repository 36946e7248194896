package apis

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// HTTPAPI is an HTTP API (API Gateway v2) as apigatewayv2 returns it.
type HTTPAPI struct {
	APIEndpoint               string            `json:"apiEndpoint"`
	APIGatewayManaged         bool              `json:"apiGatewayManaged,omitempty"`
	APIID                     string            `json:"apiId"`
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression,omitempty"`
	CorsConfiguration         *Cors             `json:"corsConfiguration,omitempty"`
	CreatedDate               isoTime           `json:"createdDate"`
	Description               string            `json:"description,omitempty"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint"`
	IPAddressType             string            `json:"ipAddressType,omitempty"`
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags,omitempty"`
	Version                   string            `json:"version,omitempty"`
}

// Cors is an HTTP API's CORS configuration.
type Cors struct {
	AllowCredentials *bool    `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           *int     `json:"maxAge,omitempty"`
}

// HTTPAPIs is a page of GetApis.
type HTTPAPIs struct {
	Items     []HTTPAPI `json:"items"`
	NextToken string    `json:"nextToken,omitempty"`
}

// APIInput is CreateApi's and UpdateApi's input: a nil field is not
// given (UpdateApi leaves it as it is).
type APIInput struct {
	Name                      *string           `json:"name"`
	ProtocolType              *string           `json:"protocolType"`
	CorsConfiguration         *Cors             `json:"corsConfiguration"`
	Description               *string           `json:"description"`
	DisableExecuteAPIEndpoint *bool             `json:"disableExecuteApiEndpoint"`
	IPAddressType             *string           `json:"ipAddressType"`
	Version                   *string           `json:"version"`
	APIKeySelectionExpression *string           `json:"apiKeySelectionExpression"`
	RouteSelectionExpression  *string           `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags"`
	// Quick create (a Lambda or HTTP target with a route and a $default
	// stage made for it) is not supported: given, it is refused by name.
	Target         *string `json:"target"`
	RouteKey       *string `json:"routeKey"`
	CredentialsARN *string `json:"credentialsArn"`
}

func v2Key(apiID, sub string) string { return apiID + "/" + sub }

func invalidHTTPAPI(id string) error {
	return notFound("Invalid API identifier specified %s:%s", localcloud.Account, id)
}

func getHTTPAPI(tx *localcloud.Tx, id string) (*HTTPAPI, error) {
	var api HTTPAPI
	found, err := tx.Get(tHTTPAPIs, id, &api)
	if err != nil {
		return nil, err
	}
	if !found || id == "" {
		return nil, invalidHTTPAPI(id)
	}
	return &api, nil
}

func applyAPIInput(api *HTTPAPI, in APIInput) error {
	if in.Target != nil || in.RouteKey != nil || in.CredentialsARN != nil {
		return badRequest("the local cloud does not support quick create or update of an HTTP API (target, routeKey, credentialsArn): create its integration, route and stage instead")
	}
	if in.Name != nil {
		if strings.TrimSpace(*in.Name) == "" || len(*in.Name) > 128 {
			return badRequest("Invalid API name specified: the name must have 1 to 128 characters")
		}
		api.Name = *in.Name
	}
	if in.CorsConfiguration != nil {
		c := *in.CorsConfiguration
		if c.MaxAge != nil && (*c.MaxAge < -1 || *c.MaxAge > 86400) {
			return badRequest("Cors MaxAge must be between -1 and 86400 seconds")
		}
		if c.AllowCredentials != nil && *c.AllowCredentials && slices.Contains(c.AllowOrigins, "*") {
			return badRequest("allow-credentials is not supported if allow-origins contains '*'")
		}
		api.CorsConfiguration = &c
	}
	if in.Description != nil {
		api.Description = *in.Description
	}
	if in.DisableExecuteAPIEndpoint != nil {
		api.DisableExecuteAPIEndpoint = *in.DisableExecuteAPIEndpoint
	}
	if in.IPAddressType != nil {
		if *in.IPAddressType != "ipv4" && *in.IPAddressType != "dualstack" {
			return badRequest("Invalid ipAddressType specified: %s. Valid values are: ipv4, dualstack", *in.IPAddressType)
		}
		api.IPAddressType = *in.IPAddressType
	}
	if in.Version != nil {
		api.Version = *in.Version
	}
	if in.APIKeySelectionExpression != nil {
		api.APIKeySelectionExpression = *in.APIKeySelectionExpression
	}
	if in.RouteSelectionExpression != nil && *in.RouteSelectionExpression != "$request.method $request.path" {
		return badRequest("Unsupported route selection expression for HTTP APIs: %s. Only '$request.method $request.path' is supported", *in.RouteSelectionExpression)
	}
	return nil
}

// CreateAPI makes an HTTP API; WEBSOCKET APIs are refused by name.
func (s *Service) CreateAPI(_ context.Context, region string, in APIInput) (*HTTPAPI, error) {
	if in.Name == nil {
		return nil, badRequest("Name is required")
	}
	if in.ProtocolType == nil || *in.ProtocolType == "" {
		return nil, badRequest("ProtocolType is required")
	}
	switch *in.ProtocolType {
	case "HTTP":
	case "WEBSOCKET":
		return nil, badRequest("the local cloud serves HTTP APIs only: ProtocolType WEBSOCKET is not supported")
	default:
		return nil, badRequest("Invalid protocol type specified: %s. Valid values are: WEBSOCKET, HTTP", *in.ProtocolType)
	}
	if region == "" {
		region = localcloud.Region
	}
	id := newID(10)
	api := &HTTPAPI{
		APIID: id, APIEndpoint: "https://" + id + ".execute-api." + region + ".amazonaws.com",
		APIKeySelectionExpression: "$request.header.x-api-key", CreatedDate: isoTime(s.now()), IPAddressType: "ipv4",
		ProtocolType: "HTTP", RouteSelectionExpression: "$request.method $request.path", Tags: in.Tags,
	}
	if err := applyAPIInput(api, in); err != nil {
		return nil, err
	}
	if err := s.store.Update(func(tx *localcloud.Tx) error { return tx.Put(tHTTPAPIs, id, api) }); err != nil {
		return nil, err
	}
	return api, nil
}

// GetAPI returns an HTTP API.
func (s *Service) GetAPI(_ context.Context, id string) (api *HTTPAPI, err error) {
	err = s.store.View(func(tx *localcloud.Tx) error {
		api, err = getHTTPAPI(tx, id)
		return err
	})
	return api, err
}

// GetAPIs returns a page of HTTP APIs (maxResults default and at most 500).
func (s *Service) GetAPIs(_ context.Context, nextToken string, maxResults int) (*HTTPAPIs, error) {
	byID := map[string]HTTPAPI{}
	var keys []string
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tHTTPAPIs, "", func(k string, raw []byte) error {
			var a HTTPAPI
			if err := json.Unmarshal(raw, &a); err != nil {
				return err
			}
			byID[k] = a
			keys = append(keys, k)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	ks, next, err := page(keys, nextToken, maxResults, 500, 500)
	if err != nil {
		return nil, err
	}
	out := &HTTPAPIs{Items: []HTTPAPI{}, NextToken: next}
	for _, k := range ks {
		out.Items = append(out.Items, byID[k])
	}
	return out, nil
}

// UpdateAPI changes the fields in given.
func (s *Service) UpdateAPI(_ context.Context, id string, in APIInput) (api *HTTPAPI, err error) {
	if in.ProtocolType != nil {
		return nil, badRequest("ProtocolType cannot be updated")
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if api, err = getHTTPAPI(tx, id); err != nil {
			return err
		}
		if err := applyAPIInput(api, in); err != nil {
			return err
		}
		if in.Tags != nil {
			api.Tags = in.Tags
		}
		return tx.Put(tHTTPAPIs, id, api)
	})
	return api, err
}

// DeleteCorsConfiguration removes an HTTP API's CORS configuration.
func (s *Service) DeleteCorsConfiguration(_ context.Context, id string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		api, err := getHTTPAPI(tx, id)
		if err != nil {
			return err
		}
		api.CorsConfiguration = nil
		return tx.Put(tHTTPAPIs, id, api)
	})
}

// DeleteAPI removes an HTTP API with its integrations, routes, stages and
// deployments.
func (s *Service) DeleteAPI(_ context.Context, id string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getHTTPAPI(tx, id); err != nil {
			return err
		}
		for _, t := range []string{tIntegrations, tRoutes, tV2Stages, tV2Deploys} {
			if err := deletePrefix(tx, t, id+"/"); err != nil {
				return err
			}
		}
		return tx.Delete(tHTTPAPIs, id)
	})
}

// scanV2 decodes every record of an HTTP API's table into a list.
func scanV2[T any](tx *localcloud.Tx, table, apiID string) ([]T, error) {
	var out []T
	err := tx.Scan(table, apiID+"/", func(_ string, raw []byte) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}
