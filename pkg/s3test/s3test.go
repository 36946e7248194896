// Package s3test is an Amazon S3 endpoint over httptest for the tests of code
// that uses the real SDK client: GetObject, HeadObject, PutObject (with
// If-None-Match and If-Match) and DeleteObject on objects held in memory,
// path-style, answered and failed in S3's REST-XML shapes. A test can also
// answer a request with a reply stored as it goes over the wire, or make
// the next requests fail, as S3 does when it is overloaded.
package s3test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Region is the region Config and Client sign requests for.
const Region = "eu-west-1"

// Error is an S3 error reply: its HTTP status and the Code and Message of
// its XML body.
type Error struct {
	Status  int
	Code    string
	Message string
}

// Errors S3 documents (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html),
// for Fail.
var (
	SlowDown           = Error{http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate."}
	ServiceUnavailable = Error{http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unable to handle request."}
	InternalError      = Error{http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again."}
	AccessDenied       = Error{http.StatusForbidden, "AccessDenied", "Access Denied"}
	NoSuchBucket       = Error{http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist"}
	// ConditionalRequestConflict is S3's answer to a conditional write that
	// races another write of the same key.
	ConditionalRequestConflict = Error{http.StatusConflict, "ConditionalRequestConflict", "A conflicting conditional operation is currently in progress against this resource. Please try again."}

	noSuchKey          = Error{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."}
	preconditionFailed = Error{http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"}
)

// Request is one request the server was sent.
type Request struct {
	Method string
	Path   string // decoded, "/bucket/key"
	Header http.Header
	Body   []byte // as sent, before any aws-chunked decoding
}

// Target returns "METHOD /bucket/key".
func (r Request) Target() string { return r.Method + " " + r.Path }

type object struct {
	body        []byte
	contentType string
	etag        string // quoted, as S3 sends it
	modified    time.Time
}

type fault struct {
	method string
	skip   int
	left   int
	err    Error
}

// Server is a fake S3 endpoint, stopped when the test ends. Any bucket
// exists; objects live in memory.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:port.
	URL string

	t testing.TB

	mu        sync.Mutex
	objects   map[string]object
	answers   map[string]Reply
	missing   *Reply
	faults    []fault
	requests  []Request
	intercept func(context.Context, Request)
	seq       int
}

// NewServer starts a Server.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, objects: map[string]object{}, answers: map[string]Reply{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Config returns an SDK configuration that reaches the server: static
// credentials, Region, the server as BaseEndpoint, and no retries, so that a
// failure a test injects is seen once rather than after the SDK's backoff.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
	}
}

// Client returns the real SDK client, path-style, pointed at the server.
func (s *Server) Client() *s3.Client {
	return s3.NewFromConfig(s.Config(), func(o *s3.Options) { o.UsePathStyle = true })
}

// Put stores body as bucket/key, as a PutObject would.
func (s *Server) Put(bucket, key string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store("/"+bucket+"/"+key, body, "")
}

// Object returns the body stored as bucket/key and whether there is one.
func (s *Server) Object(bucket, key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects["/"+bucket+"/"+key]
	return o.body, ok
}

// Answer replies to every request for target, "METHOD /bucket/key", with
// rep, whatever the server holds.
func (s *Server) Answer(target string, rep Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[target] = rep
}

// AnswerMissing replies with rep to a GET or HEAD of a key the server does
// not hold, instead of its own NoSuchKey.
func (s *Server) AnswerMissing(rep Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.missing = &rep
}

// Fail answers the next times requests with method ("" for any) with e.
func (s *Server) Fail(method string, times int, e Error) { s.FailAfter(method, 0, times, e) }

// FailAfter lets the next after requests with method through, then answers
// the times requests that follow with e.
func (s *Server) FailAfter(method string, after, times int, e Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{method: method, skip: after, left: times, err: e})
}

// Intercept calls fn with each request, and the context that ends when its
// client gives up, before the request is answered and outside the server's
// lock, so that a test can hold requests back (to line up a race, or to play
// an S3 that hangs) or watch them arrive.
func (s *Server) Intercept(fn func(context.Context, Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.intercept = fn
}

// Requests returns the requests sent so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Targets returns the "METHOD /bucket/key" of each request sent so far.
func (s *Server) Targets() []string {
	var ts []string
	for _, r := range s.Requests() {
		ts = append(ts, r.Target())
	}
	return ts
}

// LastRequest returns the latest request, or a zero Request when none came.
func (s *Server) LastRequest() Request {
	reqs := s.Requests()
	if len(reqs) == 0 {
		return Request{}
	}
	return reqs[len(reqs)-1]
}

// ServeHTTP answers r as the server answers the requests sent to URL, so
// that a fake of several AWS services on one endpoint can hand it the S3
// requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		// A client that gave up mid-request: nothing to answer.
		return
	}
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	intercept := s.intercept
	s.mu.Unlock()
	if intercept != nil {
		intercept(r.Context(), req)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	requestID := fmt.Sprintf("S3TEST%010d", s.seq)
	w.Header().Set("x-amz-request-id", requestID)
	w.Header().Set("x-amz-id-2", "s3test/"+requestID)
	w.Header().Set("Server", "AmazonS3")

	if e, ok := s.fault(r.Method); ok {
		s.writeError(w, r, e, requestID)
		return
	}
	if rep, ok := s.answers[req.Target()]; ok {
		rep.write(w)
		return
	}
	if q := r.URL.Query(); len(q) > 1 || (len(q) == 1 && !q.Has("x-id")) {
		s.unsupported(w, r, requestID)
		return
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" || key == "" {
		s.unsupported(w, r, requestID)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.get(w, r, requestID)
	case http.MethodPut:
		s.put(w, r, body, requestID)
	case http.MethodDelete:
		delete(s.objects, r.URL.Path)
		w.WriteHeader(http.StatusNoContent)
	default:
		s.unsupported(w, r, requestID)
	}
}

// fault returns the injected error for a request with method, if any is
// left, and counts it.
func (s *Server) fault(method string) (Error, bool) {
	for i := range s.faults {
		f := &s.faults[i]
		if f.left == 0 || (f.method != "" && f.method != method) {
			continue
		}
		if f.skip > 0 {
			f.skip--
			continue
		}
		f.left--
		return f.err, true
	}
	return Error{}, false
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, requestID string) {
	o, ok := s.objects[r.URL.Path]
	if !ok {
		if s.missing != nil {
			s.missing.write(w)
			return
		}
		s.writeError(w, r, noSuchKey, requestID)
		return
	}
	h := w.Header()
	h.Set("Content-Type", o.contentType)
	h.Set("Content-Length", strconv.Itoa(len(o.body)))
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", o.modified.Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(o.body)
	}
}

func (s *Server) put(w http.ResponseWriter, r *http.Request, body []byte, requestID string) {
	if r.Header.Get("x-amz-copy-source") != "" {
		s.unsupported(w, r, requestID)
		return
	}
	existing, exists := s.objects[r.URL.Path]
	if v := r.Header.Get("If-None-Match"); v != "" {
		if v != "*" {
			s.writeError(w, r, Error{http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented"}, requestID)
			return
		}
		if exists {
			s.writeError(w, r, preconditionFailed, requestID, "If-None-Match")
			return
		}
	}
	if v := r.Header.Get("If-Match"); v != "" {
		if !exists {
			s.writeError(w, r, noSuchKey, requestID)
			return
		}
		if v != existing.etag && v != "*" {
			s.writeError(w, r, preconditionFailed, requestID, "If-Match")
			return
		}
	}
	if isAWSChunked(r.Header) {
		decoded, err := decodeAWSChunked(body)
		if err != nil {
			s.t.Errorf("s3test: %s: %v", r.URL.Path, err)
			s.writeError(w, r, Error{http.StatusBadRequest, "IncompleteBody", err.Error()}, requestID)
			return
		}
		body = decoded
	}
	o := s.store(r.URL.Path, body, r.Header.Get("Content-Type"))
	w.Header().Set("ETag", o.etag)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) store(path string, body []byte, contentType string) object {
	if contentType == "" {
		contentType = "binary/octet-stream"
	}
	sum := md5.Sum(body)
	o := object{body: append([]byte(nil), body...), contentType: contentType, etag: `"` + hex.EncodeToString(sum[:]) + `"`, modified: time.Now().UTC()}
	s.objects[path] = o
	return o
}

// unsupported fails the test: the fake pretends to no operation it lacks.
func (s *Server) unsupported(w http.ResponseWriter, r *http.Request, requestID string) {
	s.t.Errorf("s3test: unsupported request %s %s", r.Method, r.URL.RequestURI())
	s.writeError(w, r, Error{http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented"}, requestID)
}

// writeError answers as S3's REST API does: an XML Error document, or no
// body at all for HEAD.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e Error, requestID string, condition ...string) {
	doc := errorDocument{Code: e.Code, Message: e.Message, RequestID: requestID, HostID: "s3test/" + requestID}
	if len(condition) > 0 {
		doc.Condition = condition[0]
	}
	if _, key, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); ok && e.Code == noSuchKey.Code {
		doc.Key = key
	}
	out, err := xml.Marshal(doc)
	if err != nil {
		s.t.Errorf("s3test: %v", err)
	}
	body := append([]byte(xml.Header), out...)
	w.Header().Set("Content-Type", "application/xml")
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

type errorDocument struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Key       string   `xml:"Key,omitempty"`
	Condition string   `xml:"Condition,omitempty"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// isAWSChunked reports whether a PutObject body is in the aws-chunked
// encoding the SDK uses to send a checksum as a trailer.
func isAWSChunked(h http.Header) bool {
	return strings.Contains(h.Get("Content-Encoding"), "aws-chunked") ||
		strings.HasPrefix(h.Get("X-Amz-Content-Sha256"), "STREAMING-")
}

// decodeAWSChunked returns the data of an aws-chunked body: chunks of
// "hex-size[;chunk-signature=...]\r\n data \r\n", ended by a zero-size chunk
// and optional trailers.
func decodeAWSChunked(b []byte) ([]byte, error) {
	var out bytes.Buffer
	for {
		line, rest, ok := bytes.Cut(b, []byte("\r\n"))
		if !ok {
			return nil, fmt.Errorf("aws-chunked body ends inside a chunk header")
		}
		sizeHex, _, _ := bytes.Cut(line, []byte(";"))
		size, err := strconv.ParseInt(string(bytes.TrimSpace(sizeHex)), 16, 64)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("aws-chunked chunk size %q: %v", sizeHex, err)
		}
		if size == 0 {
			return out.Bytes(), nil
		}
		if int64(len(rest)) < size+2 {
			return nil, fmt.Errorf("aws-chunked body ends inside a chunk")
		}
		out.Write(rest[:size])
		b = rest[size+2:]
	}
}
