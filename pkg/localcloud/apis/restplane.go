package apis

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// restCall is a request to a REST API stage with the method it matched.
type restCall struct {
	*call
	served   *DeployedStage
	resource Resource
	method   *Method
	params   map[string]string
}

// restReply is what a REST API answers: its body is JSON unless the
// header says otherwise.
type restReply struct {
	status int
	header http.Header
	body   []byte
}

func restMessage(status int, msg string) restReply {
	b, _ := json.Marshal(map[string]string{"message": msg})
	return restReply{status: status, body: b}
}

// serveRest answers a request to a REST API: /<stage>/<resource path>.
func (s *Service) serveRest(w http.ResponseWriter, c *call) {
	ctx := c.r.Context()
	seg, rest := firstSegment(c.path)
	served, err := s.RestAPIStage(ctx, c.apiID, unescape(seg))
	if err != nil || seg == "" {
		w.Header().Set("X-Amzn-ErrorType", "ForbiddenException")
		writeMessage(w, http.StatusForbidden, "Forbidden")
		return
	}
	c.stage, c.path = served.Stage.StageName, rest
	rc := &restCall{call: c, served: served}
	if !rc.selectMethod() {
		w.Header().Set("X-Amzn-ErrorType", "MissingAuthenticationTokenException")
		writeMessage(w, http.StatusForbidden, "Missing Authentication Token")
		return
	}
	integ := rc.method.MethodIntegration
	timeout := integ.TimeoutInMillis
	if timeout <= 0 {
		timeout = 29000
	}
	var reply restReply
	if withTimeout(ctx, timeout, func(ctx context.Context) { reply = s.runRestIntegration(ctx, rc, integ) }) {
		writeMessage(w, http.StatusGatewayTimeout, "Endpoint request timed out")
		return
	}
	for k, vs := range reply.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	writeBody(w, reply.status, "application/json", reply.body)
}

// selectMethod finds the most specific resource matching the path with
// the request's method (or ANY) and an integration.
func (c *restCall) selectMethod() bool {
	var best match
	found := false
	for _, res := range c.served.Resources {
		m, ok := matchPath(res.Path, c.path)
		if !ok || (found && !m.better(best)) {
			continue
		}
		meth := res.ResourceMethods[c.r.Method]
		if meth == nil {
			meth = res.ResourceMethods["ANY"]
		}
		if meth == nil || meth.MethodIntegration == nil {
			continue
		}
		best, found = m, true
		c.resource, c.method, c.params = res, meth, m.params
	}
	return found
}

func (s *Service) runRestIntegration(ctx context.Context, c *restCall, integ *Integration) restReply {
	switch integ.Type {
	case "AWS_PROXY":
		if fn, ok := lambdaFunctionARN(integ.URI); ok {
			return s.restLambda(ctx, c, fn)
		}
	case "AWS":
		if action, ok := statesAction(integ.URI); ok {
			return s.restStates(ctx, c, integ, action)
		}
	case "MOCK":
		return s.restMock(c, integ)
	}
	s.logger().Error("apigateway data plane: the local cloud does not run this integration", "apiId", c.apiID,
		"resource", c.resource.Path, "method", c.r.Method, "type", integ.Type, "uri", integ.URI)
	return restMessage(http.StatusInternalServerError, "Internal server error: the local cloud does not run "+integ.Type+" integration "+integ.URI)
}

// statesAction is the Step Functions action an AWS integration URI
// names (arn:aws:apigateway:<region>:states:action/<Action>), when the
// local cloud runs it.
func statesAction(uri string) (string, bool) {
	_, action, ok := strings.Cut(uri, ":states:action/")
	return action, ok && (action == "StartExecution" || action == "StartSyncExecution")
}

// restLambda runs a Lambda proxy integration with the 1.0 event and
// answers the function's {statusCode, headers, body}.
func (s *Service) restLambda(ctx context.Context, c *restCall, fn string) restReply {
	path := "/" + strings.TrimPrefix(unescape(c.path), "/")
	ev := v1Event(c.call, c.resource.Path, c.resource.ID, path, c.params, c.served.Stage.Variables)
	payload, _ := json.Marshal(ev)
	out, fnErr, err := s.invokeProxy(ctx, fn, sourceARN(regionOf(fn, localcloud.Region), c.apiID, c.stage, c.r.Method, path), payload)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			s.logger().Info("apigateway data plane: Lambda proxy invoke failed", "apiId", c.apiID, "function", fn, "error", err)
		}
		return restMessage(http.StatusInternalServerError, "Internal server error")
	case fnErr != "":
		return restMessage(http.StatusBadGateway, "Internal server error")
	}
	resp, err := v1Response(out)
	if err != nil {
		s.logger().Info("apigateway data plane: malformed Lambda proxy response", "apiId", c.apiID, "function", fn, "error", err)
		return restMessage(http.StatusBadGateway, "Internal server error")
	}
	return restReply{status: resp.status, header: resp.header, body: resp.body}
}

// requestContentType is the request's media type, application/json
// when it names none (as API Gateway assumes).
func requestContentType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt == "" {
		return "application/json"
	}
	return mt
}

// requestBody is what an AWS or MOCK integration is sent: the mapping
// template for the request's content type rendered, or the body passed
// through as the passthrough behaviour allows; reply is set when the
// request is refused.
func (s *Service) requestBody(c *restCall, integ *Integration) (body []byte, reply *restReply) {
	tmpl, ok := integ.RequestTemplates[requestContentType(c.r)]
	if !ok {
		switch integ.PassthroughBehavior {
		case "NEVER":
		case "WHEN_NO_TEMPLATES":
			if len(integ.RequestTemplates) > 0 {
				break
			}
			return c.body, nil
		default:
			return c.body, nil
		}
		r := restMessage(http.StatusUnsupportedMediaType, "Unsupported Media Type")
		r.header = http.Header{"X-Amzn-Errortype": {"UnsupportedMediaTypeException"}}
		return nil, &r
	}
	if tmpl == "" {
		return c.body, nil
	}
	out, r := s.render(c, tmpl, c.body)
	if r != nil {
		return nil, r
	}
	return []byte(out), nil
}
