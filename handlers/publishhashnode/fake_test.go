package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog/blogtest"
)

// hashnodeFake stands in for Hashnode's single GraphQL endpoint: it sends
// each request on to a blogtest.Replay under a target naming its operation,
// which a Replay (keyed by method, path and query) could not tell apart.
type hashnodeFake struct {
	URL string

	t       *testing.T
	mu      sync.Mutex
	backend *blogtest.Replay
}

var operationName = regexp.MustCompile(`^\s*(?:query|mutation)\s+(\w+)`)

func newHashnode(t *testing.T, replies map[string]blogtest.Reply) *hashnodeFake {
	f := &hashnodeFake{t: t}
	f.serve(replies)
	srv := httptest.NewServer(http.HandlerFunc(f.forward))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// serve replaces the replies, as the platform's state changes between two
// invocations.
func (f *hashnodeFake) serve(replies map[string]blogtest.Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.backend = blogtest.NewReplay(f.t, replies)
}

// Requests returns what was sent since the last serve.
func (f *hashnodeFake) Requests() []blogtest.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.backend.Requests()
}

func (f *hashnodeFake) Targets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.backend.Targets()
}

func (f *hashnodeFake) forward(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var op struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	_ = json.Unmarshal(body, &op)
	target := "/unknown"
	if m := operationName.FindStringSubmatch(op.Query); m != nil {
		target = "/" + m[1]
	}
	if after, ok := op.Variables["after"].(string); ok {
		target += "?after=" + url.QueryEscape(after)
	}
	f.mu.Lock()
	backend := f.backend
	f.mu.Unlock()
	req, err := http.NewRequestWithContext(r.Context(), r.Method, backend.URL+target, bytes.NewReader(body))
	require.NoError(f.t, err)
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return // the client gave up
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}
