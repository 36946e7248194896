package apis

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Route is an HTTP API route: a route key and the integration it targets.
type Route struct {
	APIGatewayManaged   bool     `json:"apiGatewayManaged,omitempty"`
	APIKeyRequired      bool     `json:"apiKeyRequired"`
	AuthorizationScopes []string `json:"authorizationScopes,omitempty"`
	AuthorizationType   string   `json:"authorizationType"`
	AuthorizerID        string   `json:"authorizerId,omitempty"`
	OperationName       string   `json:"operationName,omitempty"`
	RouteID             string   `json:"routeId"`
	RouteKey            string   `json:"routeKey"`
	Target              string   `json:"target,omitempty"`
}

// RouteInput is CreateRoute's and UpdateRoute's input; nil is not given.
type RouteInput struct {
	APIKeyRequired      *bool    `json:"apiKeyRequired"`
	AuthorizationScopes []string `json:"authorizationScopes"`
	AuthorizationType   *string  `json:"authorizationType"`
	AuthorizerID        *string  `json:"authorizerId"`
	OperationName       *string  `json:"operationName"`
	RouteKey            *string  `json:"routeKey"`
	Target              *string  `json:"target"`
	// WebSocket-only fields, refused for HTTP APIs.
	RequestModels                    map[string]string `json:"requestModels"`
	RequestParameters                map[string]any    `json:"requestParameters"`
	ModelSelectionExpression         *string           `json:"modelSelectionExpression"`
	RouteResponseSelectionExpression *string           `json:"routeResponseSelectionExpression"`
}

// RoutesPage is a page of GetRoutes.
type RoutesPage struct {
	Items     []Route `json:"items"`
	NextToken string  `json:"nextToken,omitempty"`
}

var routeSegmentRE = regexp.MustCompile(`^(\{[A-Za-z0-9._-]+\+?\}|[A-Za-z0-9._~:@!$&'()*+,;=-]+)$`)

func invalidRoute(id string) error { return notFound("Invalid Route identifier specified %s", id) }

// checkRouteKey validates an HTTP API route key: "$default" or
// "METHOD /path", the path's segments literal, {param} or a last {proxy+}.
func checkRouteKey(key string) error {
	if key == "$default" {
		return nil
	}
	bad := func(why string) error {
		return badRequest("Unable to create route with key '%s': %s. A route key is '$default' or 'METHOD /path', METHOD one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT", key, why)
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok {
		return bad("no path")
	}
	if !slices.Contains(httpMethods, method) {
		return bad("unknown method " + method)
	}
	if !strings.HasPrefix(path, "/") {
		return bad("the path must start with '/'")
	}
	if path == "/" {
		return nil
	}
	segs := strings.Split(path[1:], "/")
	for i, seg := range segs {
		if !routeSegmentRE.MatchString(seg) {
			return bad("invalid path segment '" + seg + "'")
		}
		if strings.HasSuffix(seg, "+}") && i != len(segs)-1 {
			return bad("a greedy path variable must be the path's last segment")
		}
	}
	return nil
}

func applyRouteInput(tx *localcloud.Tx, apiID string, r *Route, in RouteInput) error {
	if in.RequestModels != nil || in.RequestParameters != nil || in.ModelSelectionExpression != nil || in.RouteResponseSelectionExpression != nil {
		return badRequest("RequestModels, RequestParameters, ModelSelectionExpression and RouteResponseSelectionExpression are supported only for WebSocket APIs")
	}
	if in.APIKeyRequired != nil && *in.APIKeyRequired {
		return badRequest("API keys are supported only for WebSocket APIs")
	}
	if in.RouteKey != nil {
		if err := checkRouteKey(*in.RouteKey); err != nil {
			return err
		}
		r.RouteKey = *in.RouteKey
	}
	if in.AuthorizationType != nil {
		r.AuthorizationType = *in.AuthorizationType
	}
	if in.AuthorizerID != nil {
		r.AuthorizerID = *in.AuthorizerID
	}
	if in.AuthorizationScopes != nil {
		r.AuthorizationScopes = in.AuthorizationScopes
	}
	if in.OperationName != nil {
		r.OperationName = *in.OperationName
	}
	switch r.AuthorizationType {
	case "":
		r.AuthorizationType = "NONE"
	case "NONE", "AWS_IAM":
	case "JWT", "CUSTOM":
		// The local cloud keeps no authorizers: no id names one.
		return badRequest("Invalid authorizer id specified %s", r.AuthorizerID)
	default:
		return badRequest("Invalid authorization type specified: %s. Valid values are: NONE, AWS_IAM, JWT, CUSTOM", r.AuthorizationType)
	}
	if in.Target != nil {
		r.Target = *in.Target
	}
	if r.Target != "" {
		id, ok := strings.CutPrefix(r.Target, "integrations/")
		if !ok {
			return badRequest("Invalid target specified: %s. A route's target is integrations/<integration id>", r.Target)
		}
		if found, err := tx.Get(tIntegrations, v2Key(apiID, id), &V2Integration{}); err != nil || !found {
			if err != nil {
				return err
			}
			return badRequest("Invalid target specified: integration %s does not exist in API %s", id, apiID)
		}
	}
	routes, err := scanV2[Route](tx, tRoutes, apiID)
	if err != nil {
		return err
	}
	for _, other := range routes {
		if other.RouteID != r.RouteID && other.RouteKey == r.RouteKey {
			return conflict("Route with key %s already exists for this API", r.RouteKey)
		}
	}
	return nil
}

func getRoute(tx *localcloud.Tx, apiID, id string) (*Route, error) {
	if _, err := getHTTPAPI(tx, apiID); err != nil {
		return nil, err
	}
	var r Route
	found, err := tx.Get(tRoutes, v2Key(apiID, id), &r)
	if err != nil {
		return nil, err
	}
	if !found || id == "" {
		return nil, invalidRoute(id)
	}
	return &r, nil
}

// CreateRoute adds a route to an HTTP API.
func (s *Service) CreateRoute(_ context.Context, apiID string, in RouteInput) (r *Route, err error) {
	if in.RouteKey == nil {
		return nil, badRequest("RouteKey is required")
	}
	r = &Route{RouteID: newID(7)}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		if err := applyRouteInput(tx, apiID, r, in); err != nil {
			return err
		}
		if err := tx.Put(tRoutes, v2Key(apiID, r.RouteID), r); err != nil {
			return err
		}
		return s.autoDeploy(tx, apiID)
	})
	return r, err
}

// GetRoute returns an HTTP API route.
func (s *Service) GetRoute(_ context.Context, apiID, id string) (r *Route, err error) {
	err = s.store.View(func(tx *localcloud.Tx) error {
		r, err = getRoute(tx, apiID, id)
		return err
	})
	return r, err
}

// GetRoutes returns a page of an HTTP API's routes.
func (s *Service) GetRoutes(_ context.Context, apiID, nextToken string, maxResults int) (*RoutesPage, error) {
	var all []Route
	err := s.store.View(func(tx *localcloud.Tx) (err error) {
		if _, err := getHTTPAPI(tx, apiID); err != nil {
			return err
		}
		all, err = scanV2[Route](tx, tRoutes, apiID)
		return err
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]Route{}
	keys := []string{}
	for _, x := range all {
		byID[x.RouteID] = x
		keys = append(keys, x.RouteID)
	}
	ks, next, err := page(keys, nextToken, maxResults, 500, 500)
	if err != nil {
		return nil, err
	}
	out := &RoutesPage{Items: []Route{}, NextToken: next}
	for _, k := range ks {
		out.Items = append(out.Items, byID[k])
	}
	return out, nil
}

// UpdateRoute changes the fields in given.
func (s *Service) UpdateRoute(_ context.Context, apiID, id string, in RouteInput) (r *Route, err error) {
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if r, err = getRoute(tx, apiID, id); err != nil {
			return err
		}
		if err := applyRouteInput(tx, apiID, r, in); err != nil {
			return err
		}
		if err := tx.Put(tRoutes, v2Key(apiID, id), r); err != nil {
			return err
		}
		return s.autoDeploy(tx, apiID)
	})
	return r, err
}

// DeleteRoute removes a route.
func (s *Service) DeleteRoute(_ context.Context, apiID, id string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getRoute(tx, apiID, id); err != nil {
			return err
		}
		if err := tx.Delete(tRoutes, v2Key(apiID, id)); err != nil {
			return err
		}
		return s.autoDeploy(tx, apiID)
	})
}
