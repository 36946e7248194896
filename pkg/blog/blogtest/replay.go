// Package blogtest fakes what the blog publishers talk to, for their tests:
// a platform replaying stored replies, Secrets Manager holding the
// credentials, and an invocation through the middleware.
package blogtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Reply is a stored platform reply: a status, headers and the file under
// testdata holding the body (none when File is empty).
type Reply struct {
	Status int
	File   string
	Header map[string]string
	// Delay holds the reply back, as a platform that hangs does; it ends
	// early when the client gives up.
	Delay time.Duration
}

// Request is one request a Replay was sent.
type Request struct {
	Target string // "METHOD /escaped/path?query"
	Host   string
	Header http.Header
	Body   []byte
}

// Replay is an httptest server standing in for a platform: it answers each
// "METHOD /escaped/path?query" with its stored reply, fails the test on
// any other, and keeps every request it was sent.
type Replay struct {
	URL string

	t       testing.TB
	replies map[string]Reply

	mu  sync.Mutex
	got []Request
}

// NewReplay starts a Replay of replies, stopped when the test ends.
func NewReplay(t testing.TB, replies map[string]Reply) *Replay {
	t.Helper()
	r := &Replay{t: t, replies: replies}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

func (r *Replay) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	target := req.Method + " " + req.URL.RequestURI()
	r.mu.Lock()
	r.got = append(r.got, Request{Target: target, Host: req.Host, Header: req.Header.Clone(), Body: body})
	r.mu.Unlock()
	rep, ok := r.replies[target]
	if !ok {
		r.t.Errorf("unexpected request %s", target)
		http.Error(w, `{"message":"no reply stored for this request"}`, http.StatusNotFound)
		return
	}
	if rep.Delay > 0 {
		select {
		case <-time.After(rep.Delay):
		case <-req.Context().Done():
			return
		}
	}
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(rep.Status)
	if rep.File != "" {
		_, _ = w.Write(ReadFile(r.t, rep.File))
	}
}

// Requests returns the requests sent so far, in order.
func (r *Replay) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.got...)
}

// Targets returns the "METHOD /path?query" of each request sent so far.
func (r *Replay) Targets() []string {
	var ts []string
	for _, g := range r.Requests() {
		ts = append(ts, g.Target)
	}
	return ts
}

// RefusedURL returns the address of a server that has gone away, so that
// connecting to it is refused.
func RefusedURL(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

// ReadFile returns testdata/name.
func ReadFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}
