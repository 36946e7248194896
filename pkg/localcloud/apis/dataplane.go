package apis

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// StepFunctions starts executions for AWS service integrations. body and
// resp are the Step Functions API's JSON request and response
// (stateMachineArn, input, name ...); status is the HTTP status the
// service answered (200, or 400 with {"__type": ..., "message": ...}).
type StepFunctions interface {
	StartExecution(ctx context.Context, region string, body []byte) (status int, resp []byte, err error)
	StartSyncExecution(ctx context.Context, region string, body []byte) (status int, resp []byte, err error)
}

// Lambda invokes a function synchronously for proxy integrations;
// functionError is Lambda's X-Amz-Function-Error ("Unhandled"), "" when
// the function returned.
type Lambda interface {
	Invoke(ctx context.Context, region, functionARN string, payload []byte) (out []byte, functionError string, err error)
}

// Authorizer checks that an integration's credentials role may perform
// action on resource; a non-nil error is a denial.
type Authorizer interface {
	Authorize(ctx context.Context, roleARN, action, resource string) error
}

// FunctionPolicy answers whether a function's resource policy lets
// principal invoke it from sourceARN (AWS::Lambda::Permission).
type FunctionPolicy interface {
	AllowsInvoke(ctx context.Context, functionARN, principal, sourceARN string) (bool, error)
}

type deps struct {
	sfn    StepFunctions
	lambda Lambda
	auth   Authorizer
	policy FunctionPolicy
	log    *slog.Logger
}

// SetStepFunctions gives the data plane the Step Functions service; set
// it before serving.
func (s *Service) SetStepFunctions(sfn StepFunctions) { s.deps.sfn = sfn }

// SetLambda gives the data plane the Lambda service; set it before serving.
func (s *Service) SetLambda(l Lambda) { s.deps.lambda = l }

// SetAuthorizer makes the data plane check integrations' credentials
// roles; without one every role is allowed.
func (s *Service) SetAuthorizer(a Authorizer) { s.deps.auth = a }

// SetFunctionPolicy makes the data plane check a function's resource
// policy before a proxy invoke; without one every invoke is allowed.
func (s *Service) SetFunctionPolicy(p FunctionPolicy) { s.deps.policy = p }

// SetLogger is where the data plane logs integrations it cannot run.
func (s *Service) SetLogger(l *slog.Logger) { s.deps.log = l }

func (s *Service) logger() *slog.Logger {
	if s.deps.log != nil {
		return s.deps.log
	}
	return slog.Default()
}

// maxBody is API Gateway's payload limit (10 MB) for both API kinds.
const maxBody = 10 << 20

// dataPlanePrefix is the path form for clients that cannot resolve
// *.execute-api.localhost.
const dataPlanePrefix = "/_aws/execute-api/"

var hostRE = regexp.MustCompile(`^([a-z0-9]+)\.execute-api\.localhost(:\d+)?$`)

// IsDataPlane reports whether r is a call to a deployed API rather than
// to the AWS APIs: its Host is <apiId>.execute-api.localhost[:port] or
// its path starts with /_aws/execute-api/.
func IsDataPlane(r *http.Request) bool {
	return hostRE.MatchString(strings.ToLower(r.Host)) || strings.HasPrefix(r.URL.Path, dataPlanePrefix)
}

// target splits a data-plane request into its API id and the path after
// it (stage included); ok is false when r is not a data-plane request.
func target(r *http.Request) (apiID, path string, ok bool) {
	if m := hostRE.FindStringSubmatch(strings.ToLower(r.Host)); m != nil {
		return m[1], r.URL.EscapedPath(), true
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), dataPlanePrefix)
	if !ok {
		return "", "", false
	}
	apiID, path, _ = strings.Cut(rest, "/")
	return apiID, "/" + path, apiID != ""
}

// call is one data-plane request as the integrations see it.
type call struct {
	r         *http.Request
	apiID     string
	stage     string
	fullPath  string // the path after the API id, stage included, escaped as sent
	path      string // the path after the stage, escaped as sent
	body      []byte
	requestID string
	start     time.Time
}

// DataPlane serves the deployed REST and HTTP APIs (see the package doc
// for the URLs it answers).
func (s *Service) DataPlane() http.Handler {
	return http.HandlerFunc(s.serveDataPlane)
}

func (s *Service) serveDataPlane(w http.ResponseWriter, r *http.Request) {
	// A bug of ours answers as API Gateway's own failure would, never as
	// a dropped connection.
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger().Error("apigateway data plane: panic", "path", r.URL.Path, "panic", v)
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		}
	}()
	apiID, path, ok := target(r)
	c := &call{r: r, apiID: apiID, fullPath: path, path: path, requestID: localcloud.NewID(), start: s.now()}
	if !ok {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	kind, err := s.apiKind(apiID)
	if err != nil {
		s.logger().Error("apigateway data plane: reading the API", "apiId", apiID, "error", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	switch kind {
	case tRestAPIs:
		w.Header().Set("X-Amzn-RequestId", c.requestID)
		w.Header().Set("X-Amz-Apigw-Id", c.requestID[:16])
	case tHTTPAPIs:
		w.Header().Set("Apigw-Requestid", c.requestID)
	default:
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request Too Large")
			return
		}
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	c.body = body
	if kind == tRestAPIs {
		s.serveRest(w, c)
		return
	}
	s.serveHTTPAPI(w, c)
}

// apiKind is the table the API id is in (REST or HTTP API), "" for none.
func (s *Service) apiKind(apiID string) (kind string, err error) {
	err = s.store.View(func(tx *localcloud.Tx) error {
		for _, t := range []string{tRestAPIs, tHTTPAPIs} {
			var v json.RawMessage
			found, err := tx.Get(t, apiID, &v)
			if err != nil {
				return err
			}
			if found {
				kind = t
				return nil
			}
		}
		return nil
	})
	return kind, err
}

// writeMessage answers API Gateway's own {"message": ...} errors.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"message": msg})
	writeBody(w, status, "application/json", b)
}

func writeBody(w http.ResponseWriter, status int, contentType string, b []byte) {
	if contentType != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// firstSegment cuts "/a/b/c" into "a" and "/b/c".
func firstSegment(path string) (seg, rest string) {
	seg, rest, _ = strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return seg, "/" + rest
}

// withTimeout runs fn with the integration's timeout; timedOut is true
// when the timeout came first, fn having noticed it or not (its goroutine
// is then left to finish alone). A panic in fn is raised again in the
// caller's goroutine, where the handler recovers it.
func withTimeout(ctx context.Context, millis int, fn func(ctx context.Context)) (timedOut bool) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(millis)*time.Millisecond)
	defer cancel()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		fn(ctx)
	}()
	select {
	case v := <-done:
		if v != nil {
			panic(v)
		}
		return errors.Is(ctx.Err(), context.DeadlineExceeded)
	case <-ctx.Done():
		return true
	}
}

// regionOf is an ARN's region ("arn:aws:states:<region>:..."), def when
// it has none.
func regionOf(arn, def string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) == 5 && parts[3] != "" {
		return parts[3]
	}
	return def
}

// lambdaFunctionARN is the function an AWS_PROXY integration URI names: a
// function ARN, or arn:aws:apigateway:<region>:lambda:path/2015-03-31/
// functions/<arn>/invocations.
func lambdaFunctionARN(uri string) (string, bool) {
	if strings.HasPrefix(uri, "arn:aws:lambda:") {
		return uri, true
	}
	_, rest, ok := strings.Cut(uri, ":lambda:path/2015-03-31/functions/")
	if !ok {
		return "", false
	}
	arn, ok := strings.CutSuffix(rest, "/invocations")
	return arn, ok && strings.HasPrefix(arn, "arn:")
}
