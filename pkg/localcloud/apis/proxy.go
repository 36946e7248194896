package apis

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// errDenied is a proxy invoke the function's resource policy refused.
var errDenied = errors.New("the function's resource policy does not allow apigateway.amazonaws.com to invoke it")

// invokeProxy invokes a proxy integration's function once its resource
// policy allows API Gateway to from sourceARN.
func (s *Service) invokeProxy(ctx context.Context, functionARN, sourceARN string, payload []byte) ([]byte, string, error) {
	if s.deps.lambda == nil {
		return nil, "", errors.New("no Lambda service is wired")
	}
	if s.deps.policy != nil {
		ok, err := s.deps.policy.AllowsInvoke(ctx, functionARN, "apigateway.amazonaws.com", sourceARN)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			return nil, "", errDenied
		}
	}
	return s.deps.lambda.Invoke(ctx, regionOf(functionARN, localcloud.Region), functionARN, payload)
}

// sourceARN is the execute-api ARN a Lambda permission names:
// arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD><path>.
func sourceARN(region, apiID, stage, method, path string) string {
	return "arn:aws:execute-api:" + region + ":" + localcloud.Account + ":" + apiID + "/" + stage + "/" + method + path
}

func sourceIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// eventBody is a request body as proxy events carry it: text as it is,
// anything not UTF-8 in base64.
func eventBody(b []byte) (string, bool) {
	if utf8.Valid(b) {
		return string(b), false
	}
	return base64.StdEncoding.EncodeToString(b), true
}

// v1Event is the payload format 1.0 event (REST APIs' proxy event, and
// HTTP APIs' with payloadFormatVersion 1.0).
func v1Event(c *call, resource, resourceID, path string, params, stageVars map[string]string) events.APIGatewayProxyRequest {
	r := c.r
	ev := events.APIGatewayProxyRequest{
		Resource: resource, Path: path, HTTPMethod: r.Method,
		PathParameters: params, StageVariables: stageVars,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: localcloud.Account, ResourceID: resourceID, Stage: c.stage, DomainName: r.Host,
			DomainPrefix: c.apiID, RequestID: c.requestID, ExtendedRequestID: c.requestID[:16], Protocol: r.Proto,
			Identity:     events.APIGatewayRequestIdentity{SourceIP: sourceIP(r), UserAgent: r.UserAgent()},
			ResourcePath: resource, Path: "/" + c.stage + path, HTTPMethod: r.Method,
			RequestTime: c.start.Format("02/Jan/2006:15:04:05 -0700"), RequestTimeEpoch: c.start.UnixMilli(), APIID: c.apiID,
		},
	}
	if len(params) == 0 {
		ev.PathParameters = nil
	}
	if len(stageVars) == 0 {
		ev.StageVariables = nil
	}
	if len(r.Header) > 0 {
		ev.Headers, ev.MultiValueHeaders = map[string]string{}, map[string][]string{}
		for k, vs := range r.Header {
			ev.Headers[k] = vs[len(vs)-1]
			ev.MultiValueHeaders[k] = vs
		}
		ev.Headers["Host"], ev.MultiValueHeaders["Host"] = r.Host, []string{r.Host}
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters, ev.MultiValueQueryStringParameters = map[string]string{}, q
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
		}
	}
	if len(c.body) > 0 {
		ev.Body, ev.IsBase64Encoded = eventBody(c.body)
	}
	return ev
}

// v2Event is the payload format 2.0 event of HTTP APIs: header names in
// lower case, repeated values joined with commas, cookies apart.
func v2Event(c *httpCall) events.APIGatewayV2HTTPRequest {
	r := c.r
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: c.route.RouteKey, RawPath: c.fullPath, RawQueryString: r.URL.RawQuery,
		Headers: map[string]string{"host": r.Host}, PathParameters: c.params, StageVariables: c.served.Stage.StageVariables,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: c.route.RouteKey, AccountID: localcloud.Account, Stage: c.stage, RequestID: c.requestID, APIID: c.apiID,
			DomainName: r.Host, DomainPrefix: c.apiID, Time: c.start.Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: c.start.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.Method, Path: unescape(c.fullPath), Protocol: r.Proto,
				SourceIP: sourceIP(r), UserAgent: r.UserAgent()},
		},
	}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			for _, v := range vs {
				for _, ck := range strings.Split(v, ";") {
					ev.Cookies = append(ev.Cookies, strings.TrimSpace(ck))
				}
			}
			continue
		}
		ev.Headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	if len(c.body) > 0 {
		ev.Body, ev.IsBase64Encoded = eventBody(c.body)
	}
	return ev
}

// proxyResponse is what a function's proxy response makes of the answer.
type proxyResponse struct {
	status int
	header http.Header
	body   []byte
}

// v1Response decodes a payload format 1.0 response: an object with a
// statusCode, headers, multiValueHeaders and a string body; anything
// else is malformed.
func v1Response(out []byte) (*proxyResponse, error) {
	var resp events.APIGatewayProxyResponse
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&resp); err != nil {
		return nil, err
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return nil, errors.New("statusCode is missing or not an HTTP status")
	}
	return buildResponse(resp.StatusCode, resp.Headers, resp.MultiValueHeaders, nil, resp.Body, resp.IsBase64Encoded)
}

// v2Response decodes a payload format 2.0 response: an object with a
// statusCode is the response, any other JSON value the body of a 200.
func v2Response(out []byte) (*proxyResponse, error) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(out, &probe) == nil {
		if _, ok := probe["statusCode"]; ok {
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				return nil, err
			}
			if resp.StatusCode < 100 || resp.StatusCode > 599 {
				return nil, errors.New("statusCode is not an HTTP status")
			}
			return buildResponse(resp.StatusCode, resp.Headers, resp.MultiValueHeaders, resp.Cookies, resp.Body, resp.IsBase64Encoded)
		}
	}
	if !json.Valid(out) {
		return nil, errors.New("the function's response is not JSON")
	}
	return &proxyResponse{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}}, body: out}, nil
}

func buildResponse(status int, headers map[string]string, multi map[string][]string, cookies []string, body string, b64 bool) (*proxyResponse, error) {
	resp := &proxyResponse{status: status, header: http.Header{}, body: []byte(body)}
	for k, vs := range multi {
		for _, v := range vs {
			resp.header.Add(k, v)
		}
	}
	for k, v := range headers {
		resp.header.Set(k, v)
	}
	for _, ck := range cookies {
		resp.header.Add("Set-Cookie", ck)
	}
	if b64 {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, err
		}
		resp.body = b
	}
	return resp, nil
}

// v2Lambda runs an HTTP API's Lambda proxy integration.
func (s *Service) v2Lambda(ctx context.Context, c *httpCall, integ V2Integration) (int, http.Header, []byte) {
	fn, ok := lambdaFunctionARN(integ.IntegrationURI)
	if !ok {
		s.logger().Error("apigateway data plane: not a Lambda function", "apiId", c.apiID, "uri", integ.IntegrationURI)
		return internalError()
	}
	var payload []byte
	_, routePath, _ := strings.Cut(c.route.RouteKey, " ")
	if integ.PayloadFormatVersion == "2.0" {
		payload, _ = json.Marshal(v2Event(c))
	} else {
		if routePath == "" {
			routePath = "$default"
		}
		ev := v1Event(c.call, routePath, c.route.RouteID, unescape(c.fullPath), c.params, c.served.Stage.StageVariables)
		ev.RequestContext.Path = ev.Path
		payload, _ = json.Marshal(struct {
			Version string `json:"version"`
			events.APIGatewayProxyRequest
		}{"1.0", ev})
	}
	method, arnPath := c.r.Method, c.path
	if c.route.RouteKey == "$default" {
		method, arnPath = "*", "/$default"
	}
	out, fnErr, err := s.invokeProxy(ctx, fn, sourceARN(c.region(), c.apiID, c.stage, method, arnPath), payload)
	if err != nil || fnErr != "" {
		if ctx.Err() == nil {
			s.logger().Info("apigateway data plane: Lambda proxy integration failed", "apiId", c.apiID, "function", fn, "functionError", fnErr, "error", err)
		}
		return internalError()
	}
	decode := v1Response
	if integ.PayloadFormatVersion == "2.0" {
		decode = v2Response
	}
	resp, err := decode(out)
	if err != nil {
		s.logger().Info("apigateway data plane: malformed Lambda proxy response", "apiId", c.apiID, "function", fn, "error", err)
		return internalError()
	}
	return resp.status, resp.header, resp.body
}
