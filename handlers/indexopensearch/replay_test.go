package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// reply is a recorded domain reply: a status, headers and a testdata file.
type reply struct {
	status int
	file   string
	header map[string]string
}

// received is one request the fake domain was sent.
type received struct {
	target string // "METHOD /escaped/path?query"
	host   string
	header http.Header
	body   []byte
}

// replay is an httptest server standing in for the domain: it answers each
// "METHOD /escaped/path" with its recorded reply and keeps what it was sent.
type replay struct {
	t       *testing.T
	URL     string
	replies map[string]reply

	mu  sync.Mutex
	got []received
}

func newReplay(t *testing.T, replies map[string]reply) *replay {
	t.Helper()
	r := &replay{t: t, replies: replies}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	target := req.Method + " " + req.URL.RequestURI()
	r.mu.Lock()
	r.got = append(r.got, received{target: target, host: req.Host, header: req.Header.Clone(), body: body})
	r.mu.Unlock()
	rep, ok := r.replies[target]
	if !ok {
		r.t.Errorf("unexpected request %s", target)
		http.Error(w, `{"error":"no handler found for uri","status":400}`, http.StatusBadRequest)
		return
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	}
	w.WriteHeader(rep.status)
	if rep.file != "" {
		_, _ = w.Write(readFile(r.t, rep.file))
	}
}

func (r *replay) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// refusedURL is the address of a server that has gone away, so connecting
// to it is refused.
func refusedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

var authorization = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/es/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// assertSigned checks r's Signature Version 4 the way the domain does: it
// rebuilds the request from what arrived, keeping only the headers the
// Authorization header says were signed, signs it again with creds and
// compares the two signatures.
func assertSigned(t *testing.T, r received, creds aws.Credentials, region string) {
	t.Helper()
	auth := r.header.Get("Authorization")
	m := authorization.FindStringSubmatch(auth)
	require.NotNil(t, m, "Authorization header %q is not SigV4 for es", auth)
	assert.Equal(t, creds.AccessKeyID, m[1])
	assert.Equal(t, region, m[3])
	signed := strings.Split(m[4], ";")
	for _, h := range []string{"host", "x-amz-date", "x-amz-content-sha256", "content-type"} {
		assert.Contains(t, signed, h)
	}

	at, err := time.Parse("20060102T150405Z", r.header.Get("X-Amz-Date"))
	require.NoError(t, err, "X-Amz-Date")
	assert.Equal(t, at.Format("20060102"), m[2], "credential scope date")
	sum := sha256.Sum256(r.body)
	payloadHash := hex.EncodeToString(sum[:])
	assert.Equal(t, payloadHash, r.header.Get("X-Amz-Content-Sha256"))

	method, uri, _ := strings.Cut(r.target, " ")
	again, err := http.NewRequest(method, "http://"+r.host+uri, bytes.NewReader(r.body))
	require.NoError(t, err)
	for _, h := range signed {
		if h != "host" && h != "content-length" {
			again.Header[http.CanonicalHeaderKey(h)] = r.header.Values(h)
		}
	}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, again, payloadHash, "es", region, at))
	assert.Equal(t, again.Header.Get("Authorization"), auth, "signature differs from one computed over the received request")
}

// invoke runs h through the middleware as the Lambda runtime would and
// returns the result, the error a state machine would see (nil on success)
// and everything logged.
func invoke(t *testing.T, h *handler, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	var logs bytes.Buffer
	out, err := middleware.Wrap(h.handle, middleware.WithOutput(&logs), middleware.WithFunctionName("indexopensearch")).
		Invoke(context.Background(), payload)
	if err != nil {
		var ie messages.InvokeResponse_Error
		require.True(t, errors.As(err, &ie), "error %v is not an InvokeResponse_Error", err)
		return blog.Result{}, &ie, logs.String()
	}
	var res blog.Result
	require.NoError(t, json.Unmarshal(out, &res))
	return res, nil, logs.String()
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// assertGolden compares a JSON request body with testdata/name, indented so
// the golden file reads well in a diff; -update rewrites it.
func assertGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, body, "", "  "), "body is not JSON: %s", body)
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, pretty.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	require.Equal(t, string(want), pretty.String(), "request body differs from %s (go test -update rewrites it)", path)
}
