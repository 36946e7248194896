package apis

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// httpCall is a request to an HTTP API stage with the route it matched.
type httpCall struct {
	*call
	served *HTTPDeployedStage
	route  Route
	params map[string]string
}

// serveHTTPAPI answers a request to an HTTP API: the first path segment
// names a stage when the API has one by that name, else the $default
// stage serves the whole path.
func (s *Service) serveHTTPAPI(w http.ResponseWriter, c *call) {
	ctx := c.r.Context()
	seg, rest := firstSegment(c.path)
	served, err := s.HTTPAPIStage(ctx, c.apiID, unescape(seg))
	if err == nil && seg != "" && seg != "$default" {
		c.stage, c.path = served.Stage.StageName, rest
	} else {
		if served, err = s.HTTPAPIStage(ctx, c.apiID, "$default"); err != nil {
			var le *localcloud.Error
			if !errors.As(err, &le) {
				s.logger().Error("apigateway data plane: reading the stage", "apiId", c.apiID, "error", err)
			}
			writeMessage(w, http.StatusNotFound, "Not Found")
			return
		}
		c.stage = "$default"
	}
	if served.API.DisableExecuteAPIEndpoint {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	if cors := served.API.CorsConfiguration; cors != nil && applyCors(w, c.r, cors) {
		return
	}
	route, params, ok := selectRoute(served.Routes, c.r.Method, c.path)
	if !ok {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	integID, _ := strings.CutPrefix(route.Target, "integrations/")
	i := slices.IndexFunc(served.Integrations, func(x V2Integration) bool { return x.IntegrationID == integID })
	if i < 0 {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	hc := &httpCall{call: c, served: served, route: route, params: params}
	integ := served.Integrations[i]
	timeout := integ.TimeoutInMillis
	if timeout <= 0 {
		timeout = 30000
	}
	var status int
	var header http.Header
	var body []byte
	timedOut := withTimeout(ctx, timeout, func(ctx context.Context) {
		status, header, body = s.runV2Integration(ctx, hc, integ)
	})
	if timedOut {
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	for k, vs := range header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	writeBody(w, status, "application/json", body)
}

// selectRoute picks the most specific route matching method and path:
// literal segments before {param} before {proxy+}, a named method before
// ANY, $default last.
func selectRoute(routes []Route, method, path string) (Route, map[string]string, bool) {
	var best *Route
	var bestMatch match
	bestAny := false
	var def *Route
	for i := range routes {
		r := &routes[i]
		if r.RouteKey == "$default" {
			def = r
			continue
		}
		verb, p, _ := strings.Cut(r.RouteKey, " ")
		if verb != method && verb != "ANY" {
			continue
		}
		m, ok := matchPath(p, path)
		if !ok {
			continue
		}
		isAny := verb == "ANY"
		if best == nil || m.better(bestMatch) || (!bestMatch.better(m) && bestAny && !isAny) {
			best, bestMatch, bestAny = r, m, isAny
		}
	}
	if best != nil {
		return *best, bestMatch.params, true
	}
	if def != nil {
		return *def, nil, true
	}
	return Route{}, nil, false
}

func internalError() (int, http.Header, []byte) {
	return http.StatusInternalServerError, nil, []byte(`{"message":"Internal Server Error"}`)
}

// runV2Integration calls the route's integration and returns what the
// caller gets.
func (s *Service) runV2Integration(ctx context.Context, c *httpCall, integ V2Integration) (int, http.Header, []byte) {
	switch {
	case integ.IntegrationType == "AWS_PROXY" && strings.HasPrefix(integ.IntegrationSubtype, "StepFunctions-Start"):
		return s.v2StepFunctions(ctx, c, integ)
	case integ.IntegrationType == "AWS_PROXY" && integ.IntegrationSubtype == "":
		return s.v2Lambda(ctx, c, integ)
	}
	s.logger().Error("apigateway data plane: the local cloud does not run this integration", "apiId", c.apiID,
		"integrationId", integ.IntegrationID, "type", integ.IntegrationType, "subtype", integ.IntegrationSubtype, "uri", integ.IntegrationURI)
	what := integ.IntegrationType + " " + integ.IntegrationSubtype + integ.IntegrationURI
	b, _ := json.Marshal(map[string]string{"message": "Internal Server Error: the local cloud does not run integration " + strings.TrimSpace(what)})
	return http.StatusInternalServerError, nil, b
}

// v2StepFunctions starts an execution with the integration's mapped
// parameters and answers the service's response as it is.
func (s *Service) v2StepFunctions(ctx context.Context, c *httpCall, integ V2Integration) (int, http.Header, []byte) {
	if s.deps.sfn == nil {
		s.logger().Error("apigateway data plane: no Step Functions service is wired", "apiId", c.apiID)
		return internalError()
	}
	p := map[string]string{}
	for k, v := range integ.RequestParameters {
		p[k] = c.eval(v)
	}
	in := map[string]string{"stateMachineArn": p["StateMachineArn"]}
	if v, ok := p["Input"]; ok {
		in["input"] = v
	}
	if v, ok := p["Name"]; ok && v != "" {
		in["name"] = v
	}
	if v, ok := p["TraceHeader"]; ok && v != "" {
		in["traceHeader"] = v
	}
	region := p["Region"]
	if region == "" {
		region = regionOf(in["stateMachineArn"], c.region())
	}
	action := "StartExecution"
	start := s.deps.sfn.StartExecution
	if integ.IntegrationSubtype == "StepFunctions-StartSyncExecution" {
		action, start = "StartSyncExecution", s.deps.sfn.StartSyncExecution
	}
	if integ.CredentialsARN != "" && s.deps.auth != nil {
		if err := s.deps.auth.Authorize(ctx, integ.CredentialsARN, "states:"+action, in["stateMachineArn"]); err != nil {
			s.logger().Info("apigateway data plane: the integration's role may not call Step Functions", "apiId", c.apiID, "role", integ.CredentialsARN, "error", err)
			return internalError()
		}
	}
	body, _ := json.Marshal(in)
	status, resp, err := start(ctx, region, body)
	if err != nil {
		if ctx.Err() == nil {
			s.logger().Error("apigateway data plane: Step Functions "+action, "apiId", c.apiID, "error", err)
		}
		return internalError()
	}
	return status, nil, resp
}

func (c *httpCall) region() string {
	// apiEndpoint is https://<id>.execute-api.<region>.amazonaws.com.
	host := strings.TrimPrefix(c.served.API.APIEndpoint, "https://")
	parts := strings.Split(host, ".")
	if len(parts) > 2 && parts[1] == "execute-api" {
		return parts[2]
	}
	return localcloud.Region
}

// mappingRE finds the selection expressions a request parameter's value
// may hold, alone or inside literal text.
var mappingRE = regexp.MustCompile(`\$(request\.(body(\.[A-Za-z0-9_.\[\]-]+)?|header\.[A-Za-z0-9_-]+|querystring\.[A-Za-z0-9_.]+|path\.[A-Za-z0-9_.]+)|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)`)

// eval is a request parameter's value with its expressions replaced.
func (c *httpCall) eval(v string) string {
	return mappingRE.ReplaceAllStringFunc(v, c.expr)
}

func (c *httpCall) expr(e string) string {
	e = strings.TrimPrefix(e, "$")
	switch {
	case e == "request.body":
		return string(c.body)
	case strings.HasPrefix(e, "request.body."):
		return bodyPath(c.body, strings.TrimPrefix(e, "request.body."))
	case strings.HasPrefix(e, "request.header."):
		return strings.Join(c.r.Header.Values(strings.TrimPrefix(e, "request.header.")), ",")
	case strings.HasPrefix(e, "request.querystring."):
		return strings.Join(c.r.URL.Query()[strings.TrimPrefix(e, "request.querystring.")], ",")
	case strings.HasPrefix(e, "request.path."):
		return c.params[strings.TrimPrefix(e, "request.path.")]
	case strings.HasPrefix(e, "stageVariables."):
		return c.served.Stage.StageVariables[strings.TrimPrefix(e, "stageVariables.")]
	case strings.HasPrefix(e, "context."):
		return c.contextValue(strings.TrimPrefix(e, "context."))
	}
	return ""
}

func (c *httpCall) contextValue(k string) string {
	switch k {
	case "requestId":
		return c.requestID
	case "apiId":
		return c.apiID
	case "accountId":
		return localcloud.Account
	case "stage":
		return c.stage
	case "routeKey":
		return c.route.RouteKey
	case "httpMethod":
		return c.r.Method
	case "path":
		return unescape(c.fullPath)
	case "domainName":
		return c.r.Host
	case "requestTimeEpoch":
		return strconv.FormatInt(c.start.UnixMilli(), 10)
	case "requestTime":
		return c.start.Format("02/Jan/2006:15:04:05 -0700")
	case "identity.sourceIp":
		return sourceIP(c.r)
	case "identity.userAgent":
		return c.r.UserAgent()
	}
	return ""
}

// bodyPath reads a dotted path ("order.items[0].id") from a JSON body: a
// string as it is, anything else as JSON, "" when absent or not JSON.
func bodyPath(body []byte, path string) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	for _, part := range strings.Split(path, ".") {
		name, idx, _ := strings.Cut(part, "[")
		if name != "" {
			m, ok := v.(map[string]any)
			if !ok {
				return ""
			}
			v = m[name]
		}
		for idx != "" {
			n, more, _ := strings.Cut(idx, "]")
			i, err := strconv.Atoi(n)
			a, ok := v.([]any)
			if err != nil || !ok || i < 0 || i >= len(a) {
				return ""
			}
			v = a[i]
			idx = strings.TrimPrefix(more, "[")
		}
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// applyCors adds an HTTP API's CORS headers and answers a preflight
// itself, as API Gateway does once CORS is configured; true when it
// answered.
func applyCors(w http.ResponseWriter, r *http.Request, cors *Cors) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || !(slices.Contains(cors.AllowOrigins, "*") || slices.Contains(cors.AllowOrigins, origin)) {
		return false
	}
	allow := origin
	if slices.Contains(cors.AllowOrigins, "*") && (cors.AllowCredentials == nil || !*cors.AllowCredentials) {
		allow = "*"
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allow)
	if cors.AllowCredentials != nil && *cors.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(cors.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(cors.ExposeHeaders, ","))
	}
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	if len(cors.AllowMethods) > 0 {
		h.Set("Access-Control-Allow-Methods", strings.Join(cors.AllowMethods, ","))
	}
	if len(cors.AllowHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(cors.AllowHeaders, ","))
	}
	if cors.MaxAge != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*cors.MaxAge))
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}
