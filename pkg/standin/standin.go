// Package standin serves local stand-ins for the third-party APIs the
// workflows call (Sanity, Medium, Dev.to, Hashnode, OpenSearch and the
// retry-on-500 status endpoint), so that `go run mage.go up` and the
// integration tests run without the internet. Each stand-in is an
// http.Handler answering the requests the handlers send with the replies
// recorded in the handlers' testdata, and remembers what it received.
package standin

import (
	"bytes"
	"embed"
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

//go:embed testdata/sanity testdata/medium testdata/devto testdata/hashnode testdata/opensearch
var recorded embed.FS

// fixture returns a recorded reply; the files are embedded, so a missing one
// is a bug of this package.
func fixture(name string) []byte {
	b, err := recorded.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return b
}

// Received is one request a stand-in answered, and the status it answered.
type Received struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	Status int
}

// recorder keeps what a stand-in received; its zero value is ready.
type recorder struct {
	mu       sync.Mutex
	received []Received
}

// Requests returns the requests answered so far, oldest first.
func (r *recorder) Requests() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.received...)
}

// reply is a stand-in's answer.
type reply struct {
	status int
	body   []byte
	header map[string]string
}

func jsonReply(status int, body []byte) reply { return reply{status: status, body: body} }

// serve reads the request, lets answer decide the reply, records both and
// writes the reply. answer runs under the recorder's lock, so stand-ins with
// state need no lock of their own.
func (r *recorder) serve(w http.ResponseWriter, req *http.Request, answer func(req *http.Request, body []byte) reply) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	rep := answer(req, body)
	r.received = append(r.received, Received{
		Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
		Header: req.Header.Clone(), Body: body, Status: rep.status,
	})
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	_, _ = io.Copy(w, bytes.NewReader(rep.body))
}

// notFound answers a request no stand-in route matches, naming it, so a
// handler sending a request of a new shape fails loudly.
func notFound(req *http.Request) reply {
	b, _ := json.Marshal(map[string]string{"message": "stand-in has no route for " + req.Method + " " + req.URL.Path})
	return jsonReply(http.StatusNotFound, b)
}
