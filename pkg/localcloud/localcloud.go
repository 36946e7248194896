// Package localcloud is the embedded local cloud: one process on one port
// speaking the AWS APIs this project uses, well enough that the real SDK
// and any standard AWS client (the AWS CLI) work against it unchanged,
// pointed at its endpoint.
//
// The shape (see the local cloud section of the design notes): a router
// picks the service from the SigV4 credential scope or X-Amz-Target; the
// protocol codecs, once, decode requests and encode responses and errors
// in each protocol's own shape with a request id; a service is plain Go
// behaviour behind a thin API that maps each operation to a method. An
// operation a service does not implement gets AWS's own "unknown
// operation" error naming it, never a silent success.
package localcloud

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Account and Region are the local cloud's account id and default region.
const (
	Account = "123456789012"
	Region  = "us-east-1"
)

// Service is one emulated AWS service.
type Service interface {
	// Name is the service's SigV4 signing name ("sts", "states").
	Name() string
	// Protocol is how its requests and responses are encoded.
	Protocol() Protocol
	// Call runs one operation; it returns ErrUnknownOperation for an
	// operation the service does not implement.
	Call(ctx context.Context, op string, in *Request) (any, error)
}

// Request is a decoded request: Params for the query protocol, Body (a
// JSON document) for the JSON protocols; for REST-JSON also the route's
// Labels (path parameters) and the Query string. Decode fills a struct
// from whichever the protocol gave.
type Request struct {
	Params map[string][]string
	Body   []byte
	Header http.Header
	Region string
	Labels map[string]string
	Query  url.Values
	status int
}

// Decode fills v from the request: query parameters (DecodeQuery) for the
// query protocol, else the JSON body. A body that does not fit v is a
// SerializationException, as AWS answers.
func (r *Request) Decode(v any) error {
	if r.Params != nil {
		return DecodeQuery(r.Params, v)
	}
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return &Error{Code: "SerializationException", Status: http.StatusBadRequest, Message: "the request does not fit the operation's input: " + err.Error()}
	}
	return nil
}

// Error is an AWS error: Code is what the SDK's error type is named for,
// Status the HTTP status; Sender is false for a server-side fault.
type Error struct {
	Code, Message string
	Status        int
	Server        bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrUnknownOperation is what a service's Call returns for an operation it
// does not implement; the codec words it as AWS does for its protocol.
var ErrUnknownOperation = errors.New("localcloud: unknown operation")

// Server routes requests to services.
type Server struct {
	mu       sync.RWMutex
	services map[string]Service      // by signing name
	targets  map[string]Service      // by X-Amz-Target prefix
	handlers map[string]http.Handler // by signing name: services that speak for themselves (S3)
	logger   *log.Logger

	authorizer  Authorizer
	handlerAuth map[string]HandlerAuthorization // by signing name
}

// New returns a server with the given services.
func New(logger *log.Logger, services ...Service) *Server {
	s := &Server{services: map[string]Service{}, targets: map[string]Service{}, handlers: map[string]http.Handler{}, handlerAuth: map[string]HandlerAuthorization{}, logger: logger}
	for _, svc := range services {
		s.Register(svc)
	}
	return s
}

// Register adds a service; a JSON-protocol service is also found by its
// X-Amz-Target prefix.
func (s *Server) Register(svc Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[svc.Name()] = svc
	if p, ok := svc.Protocol().(*jsonProtocol); ok {
		s.targets[p.targetPrefix] = svc
	}
}

// RegisterHandler adds a service that decodes and encodes its own
// requests (S3's REST-XML, served by gofakes3), found by signing name.
func (s *Server) RegisterHandler(signingName string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[signingName] = h
}

// HealthPath answers GET with {"status":"ready"} once the server serves.
const HealthPath = "/_localcloud/health"

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := NewID()
	w.Header().Set("x-amzn-RequestId", id)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	svcName, op := s.serve(rec, r, id)
	if s.logger != nil {
		s.logger.Printf("%s %s %s %d %s", svcName, op, r.Method, rec.status, time.Since(start).Round(time.Microsecond))
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, id string) (string, string) {
	if r.URL.Path == HealthPath && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ready"}`)
		return "health", "-"
	}
	svc := s.route(r)
	if svc == nil {
		s.mu.RLock()
		h := s.handlers[signingName(r)]
		s.mu.RUnlock()
		if h != nil {
			if !s.authorizeHandler(w, r, signingName(r), id) {
				return signingName(r), r.Method + " " + r.URL.Path
			}
			h.ServeHTTP(w, r)
			return signingName(r), r.Method + " " + r.URL.Path
		}
		writeJSONError(w, id, &Error{Code: "UnknownServiceException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("the local cloud has no service for this request (signing name %q, target %q)", signingName(r), r.Header.Get("X-Amz-Target"))})
		return "?", "-"
	}
	proto := svc.Protocol()
	op, in, err := proto.decode(r)
	if err != nil {
		proto.writeError(w, id, op, err)
		return svc.Name(), op
	}
	in.Region = signingRegion(r)
	ctx := WithCallerAccessKey(r.Context(), accessKeyID(r))
	if err := s.authorize(ctx, svc, op, in); err != nil {
		proto.writeError(w, id, op, err)
		return svc.Name(), op
	}
	out, err := svc.Call(ctx, op, in)
	if err != nil {
		proto.writeError(w, id, op, err)
		return svc.Name(), op
	}
	proto.writeResult(w, id, op, in, out)
	return svc.Name(), op
}

// route finds a request's service: by X-Amz-Target for the JSON
// protocols, else by the SigV4 credential scope's service.
func (s *Server) route(r *http.Request) Service {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if prefix, _, ok := strings.Cut(t, "."); ok {
			if svc := s.targets[prefix]; svc != nil {
				return svc
			}
		}
	}
	return s.services[signingName(r)]
}

// credentialScope returns the parts of the SigV4 Authorization header's
// Credential=<key>/<date>/<region>/<service>/aws4_request.
// A presigned URL carries the same in its X-Amz-Credential parameter.
func credentialScope(r *http.Request) []string {
	auth := r.Header.Get("Authorization")
	_, cred, ok := strings.Cut(auth, "Credential=")
	if ok {
		cred, _, _ = strings.Cut(cred, ",")
	} else if cred = r.URL.Query().Get("X-Amz-Credential"); cred == "" {
		return nil
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return nil
	}
	return parts
}

func signingName(r *http.Request) string {
	if p := credentialScope(r); p != nil {
		return p[3]
	}
	return ""
}

func signingRegion(r *http.Request) string {
	if p := credentialScope(r); p != nil {
		return p[2]
	}
	return Region
}

// NewID is a random (version 4) UUID: request ids, key ids, event and
// revision ids.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// ServeHandler listens on addr and serves h until ctx ends, then shuts
// down gracefully; ready, when not nil, gets the address once the
// listener is open.
func ServeHandler(ctx context.Context, h http.Handler, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		return nil
	case err := <-errc:
		return err
	}
}
