package apis

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/vtl"
)

// render runs a mapping template over body with the request's
// parameters, context and stage variables. A body a template reads as
// JSON ($input.json, $input.path) must be JSON: API Gateway answers 400
// "Could not parse request body into json" before calling anything.
func (s *Service) render(c *restCall, tmpl string, body []byte) (string, *restReply) {
	if len(strings.TrimSpace(string(body))) > 0 && (strings.Contains(tmpl, "$input.json") || strings.Contains(tmpl, "$input.path")) {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			r := restMessage(http.StatusBadRequest, "Could not parse request body into json: "+err.Error())
			return "", &r
		}
	}
	t, err := vtl.Parse(tmpl)
	var out string
	if err == nil {
		out, err = t.Render(c.vtlRequest(body))
	}
	if err != nil {
		s.logger().Error("apigateway data plane: Execution failed due to configuration error: Unable to transform request", "apiId", c.apiID,
			"resource", c.resource.Path, "method", c.r.Method, "error", err)
		r := restMessage(http.StatusInternalServerError, "Internal server error")
		return "", &r
	}
	return out, nil
}

func first(m map[string][]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, vs := range m {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}

func (c *restCall) vtlRequest(body []byte) vtl.Request {
	r := c.r
	ctx := map[string]any{
		"requestId": c.requestID, "extendedRequestId": c.requestID[:16], "accountId": localcloud.Account, "apiId": c.apiID,
		"httpMethod": r.Method, "stage": c.stage, "resourceId": c.resource.ID, "resourcePath": c.resource.Path,
		"path": "/" + c.stage + unescape(c.path), "domainName": r.Host, "domainPrefix": c.apiID, "protocol": r.Proto,
		"requestTime": c.start.Format("02/Jan/2006:15:04:05 -0700"), "requestTimeEpoch": c.start.UnixMilli(),
		"identity": map[string]any{"sourceIp": sourceIP(r), "userAgent": r.UserAgent(), "accountId": "", "caller": "", "user": "", "userArn": ""},
	}
	return vtl.Request{Body: body, Path: c.params, QueryString: first(r.URL.Query()), Header: first(r.Header),
		Context: ctx, StageVariables: c.served.Stage.Variables}
}

// restStates runs an AWS integration with Step Functions: the rendered
// body is the action's JSON input, checked against the credentials role
// first; the service's answer, denial included, goes through the
// integration responses.
func (s *Service) restStates(ctx context.Context, c *restCall, integ *Integration, action string) restReply {
	body, reply := s.requestBody(c, integ)
	if reply != nil {
		return *reply
	}
	if s.deps.sfn == nil {
		s.logger().Error("apigateway data plane: no Step Functions service is wired", "apiId", c.apiID)
		return restMessage(http.StatusInternalServerError, "Internal server error")
	}
	var in struct {
		StateMachineARN string `json:"stateMachineArn"`
	}
	_ = json.Unmarshal(body, &in)
	region := localcloud.Region
	if parts := strings.SplitN(integ.URI, ":", 5); len(parts) == 5 {
		region = parts[3]
	}
	var status int
	var resp []byte
	if err := s.authorize(ctx, integ.Credentials, "states:"+action, in.StateMachineARN); err != nil {
		status, resp = http.StatusForbidden, accessDenied(err, integ.Credentials, "states:"+action, in.StateMachineARN)
	} else {
		start := s.deps.sfn.StartExecution
		if action == "StartSyncExecution" {
			start = s.deps.sfn.StartSyncExecution
		}
		var err error
		if status, resp, err = start(ctx, region, body); err != nil {
			if ctx.Err() == nil {
				s.logger().Error("apigateway data plane: Step Functions "+action, "apiId", c.apiID, "error", err)
			}
			return restMessage(http.StatusInternalServerError, "Internal server error")
		}
	}
	return s.integrationResponse(c, integ, status, resp)
}

func (s *Service) authorize(ctx context.Context, role, action, resource string) error {
	if role == "" || s.deps.auth == nil {
		return nil
	}
	return s.deps.auth.Authorize(ctx, role, action, resource)
}

// accessDenied is the body Step Functions answers a role it refuses.
func accessDenied(err error, role, action, resource string) []byte {
	msg := err.Error()
	var le *localcloud.Error
	if errors.As(err, &le) {
		msg = le.Message
	} else {
		msg = "User: " + role + " is not authorized to perform: " + action + " on resource: " + resource
	}
	b, _ := json.Marshal(map[string]string{"__type": "AccessDeniedException", "message": msg})
	return b
}

// restMock answers a MOCK integration: its request template's
// {"statusCode": N} picks the integration response.
func (s *Service) restMock(c *restCall, integ *Integration) restReply {
	body, reply := s.requestBody(c, integ)
	if reply != nil {
		return *reply
	}
	var mock struct {
		StatusCode int `json:"statusCode"`
	}
	status := http.StatusOK
	if json.Unmarshal(body, &mock) == nil && mock.StatusCode != 0 {
		status = mock.StatusCode
	}
	return s.integrationResponse(c, integ, status, nil)
}

// integrationResponse picks the integration response whose selection
// pattern matches the integration's status code (the one without a
// pattern otherwise), renders its template over the integration's body
// and applies its header mappings.
func (s *Service) integrationResponse(c *restCall, integ *Integration, status int, body []byte) restReply {
	code := strconv.Itoa(status)
	var chosen, def *IntegrationResponse
	keys := make([]string, 0, len(integ.IntegrationResponses))
	for k := range integ.IntegrationResponses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ir := integ.IntegrationResponses[k]
		if ir.SelectionPattern == "" {
			def = ir
			continue
		}
		re, err := regexp.Compile(`^(?:` + ir.SelectionPattern + `)$`)
		if err == nil && re.MatchString(code) && chosen == nil {
			chosen = ir
		}
	}
	if chosen == nil {
		chosen = def
	}
	if chosen == nil {
		s.logger().Error("apigateway data plane: Execution failed due to configuration error: No match for output mapping and no default output mapping configured",
			"apiId", c.apiID, "resource", c.resource.Path, "status", code)
		return restMessage(http.StatusInternalServerError, "Internal server error")
	}
	out, _ := strconv.Atoi(chosen.StatusCode)
	reply := restReply{status: out, header: http.Header{}, body: body}
	if tmpl, ok := responseTemplate(c.r, chosen.ResponseTemplates); ok && tmpl != "" {
		rendered, r := s.renderResponse(c, tmpl, body)
		if r != nil {
			return *r
		}
		reply.body = []byte(rendered)
	}
	for k, v := range chosen.ResponseParameters {
		name, ok := strings.CutPrefix(k, "method.response.header.")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") && len(v) >= 2:
			reply.header.Set(name, v[1:len(v)-1])
		case strings.HasPrefix(v, "integration.response.body."):
			reply.header.Set(name, bodyPath(body, strings.TrimPrefix(v, "integration.response.body.")))
		}
	}
	return reply
}

// responseTemplate is the template for the media type the caller
// accepts, application/json when it names none the method maps.
func responseTemplate(r *http.Request, templates map[string]string) (string, bool) {
	for _, a := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(a)); err == nil {
			if t, ok := templates[mt]; ok {
				return t, true
			}
		}
	}
	t, ok := templates["application/json"]
	return t, ok
}

// renderResponse runs a response template; the template sees the
// integration's response body as $input.
func (s *Service) renderResponse(c *restCall, tmpl string, body []byte) (string, *restReply) {
	t, err := vtl.Parse(tmpl)
	var out string
	if err == nil {
		out, err = t.Render(c.vtlRequest(body))
	}
	if err != nil {
		s.logger().Error("apigateway data plane: Execution failed due to configuration error: Unable to transform response", "apiId", c.apiID,
			"resource", c.resource.Path, "error", err)
		r := restMessage(http.StatusInternalServerError, "Internal server error")
		return "", &r
	}
	return out, nil
}
