// Package apis is the local cloud's API Gateway: the control plane of
// REST APIs (API Gateway v1: resources, methods, integrations,
// deployments, stages) and HTTP APIs (API Gateway v2: APIs, integrations,
// routes, stages, deployments), and the data plane that serves them. Both
// AWS APIs sign as "apigateway", so one Service answers both; v2's paths
// all start with /v2/.
//
// The data plane (DataPlane) serves a REST API stage from its
// deployment's snapshot (RestAPIStage) and an HTTP API stage from its
// deployment's routes and integrations (HTTPAPIStage). A request reaches
// it by host, as stack outputs show it, or by path, for clients that
// cannot resolve *.localhost:
//
//	http://<apiId>.execute-api.localhost:4566/<stage>/<path>
//	http://<apiId>.execute-api.localhost:4566/<path>          (an HTTP API's $default stage)
//	http://localhost:4566/_aws/execute-api/<apiId>/<stage>/<path>
//	http://localhost:4566/_aws/execute-api/<apiId>/<path>     (an HTTP API's $default stage)
//
// IsDataPlane tells these apart from the AWS API calls the same port
// takes. Integrations reach other services through the small interfaces
// StepFunctions, Lambda, Authorizer and FunctionPolicy.
package apis

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Tables of the store.
const (
	tRestAPIs     = "apigateway.restapis"       // id
	tResources    = "apigateway.resources"      // restApiId/resourceId
	tDeployments  = "apigateway.deployments"    // restApiId/deploymentId
	tStages       = "apigateway.stages"         // restApiId/stageName
	tHTTPAPIs     = "apigatewayv2.apis"         // apiId
	tIntegrations = "apigatewayv2.integrations" // apiId/integrationId
	tRoutes       = "apigatewayv2.routes"       // apiId/routeId
	tV2Stages     = "apigatewayv2.stages"       // apiId/stageName
	tV2Deploys    = "apigatewayv2.deployments"  // apiId/deploymentId
)

// Service is API Gateway's control plane over the local cloud's store.
type Service struct {
	store *localcloud.Store
	now   func() time.Time
	deps  deps
}

// New returns the service keeping its state in store.
func New(store *localcloud.Store) *Service {
	return &Service{store: store, now: func() time.Time { return time.Now().UTC() }}
}

const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID is an API Gateway identifier: n random lower-case letters and
// digits (REST and HTTP API ids have 10, deployments 6, v2 routes and
// integrations 7).
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = lowerAlnum[int(b[i])%len(lowerAlnum)]
	}
	return string(b)
}

func notFound(format string, a ...any) error {
	return &localcloud.Error{Code: "NotFoundException", Status: http.StatusNotFound, Message: fmt.Sprintf(format, a...)}
}

func badRequest(format string, a ...any) error {
	return &localcloud.Error{Code: "BadRequestException", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, a...)}
}

func conflict(format string, a ...any) error {
	return &localcloud.Error{Code: "ConflictException", Status: http.StatusConflict, Message: fmt.Sprintf(format, a...)}
}

// page cuts keys (sorted) at position (the first key of the page) and
// returns the page's keys and the next page's position, "" on the last.
func page(keys []string, position string, limit, def, max int) ([]string, string, error) {
	if limit == 0 {
		limit = def
	}
	if limit < 0 || limit > max {
		return nil, "", badRequest("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", limit, max)
	}
	sort.Strings(keys)
	start := 0
	if position != "" {
		start = sort.SearchStrings(keys, position)
	}
	end := min(start+limit, len(keys))
	next := ""
	if end < len(keys) {
		next = keys[end]
	}
	return keys[start:end], next, nil
}

// atoiLimit reads a limit given as a string (v2's MaxResults, query
// strings); "" is 0.
func atoiLimit(name, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badRequest("Invalid %s: %q is not a number", name, s)
	}
	return n, nil
}

// isoTime is a timestamp apigatewayv2 sends as an ISO 8601 string.
type isoTime time.Time

func (t isoTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}

func (t *isoTime) UnmarshalJSON(b []byte) error {
	v, err := time.Parse(`"`+time.RFC3339+`"`, string(b))
	*t = isoTime(v)
	return err
}
