package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
)

// fakeS3 replays the S3 REST replies recorded in testdata/s3: replies.json
// maps each object path ("/bucket/key") to its reply, and every other path to
// the default NoSuchKey reply. A reply is stored as it went over the wire,
// except that its body is stored decoded; one marked chunked is sent chunked.
type fakeS3 struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	requests []*http.Request
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{t: t}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeS3) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Clone(r.Context()))
	f.mu.Unlock()

	var routes struct {
		Default string            `json:"default"`
		Objects map[string]string `json:"objects"`
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "s3", "replies.json"))
	if err == nil {
		err = json.Unmarshal(raw, &routes)
	}
	if err != nil {
		f.t.Errorf("fake S3: %v", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	name, ok := routes.Objects[r.URL.Path]
	if !ok || r.Method != http.MethodGet {
		name = routes.Default
	}
	status, header, body := readReply(f.t, name)
	chunked := header.Get("Transfer-Encoding") == "chunked"
	for k, vs := range header {
		if k != "Transfer-Encoding" && k != "Content-Length" {
			w.Header()[k] = vs
		}
	}
	if !chunked {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if chunked {
		w.(http.Flusher).Flush()
	}
	_, _ = w.Write(body)
}

// readReply parses a recorded reply: status line, headers, blank line, body.
func readReply(t *testing.T, name string) (int, http.Header, []byte) {
	raw, err := os.ReadFile(filepath.Join("testdata", "s3", name))
	require.NoError(t, err)
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok { // a checkout that turned CRLF into LF
		head, body, ok = bytes.Cut(raw, []byte("\n\n"))
	}
	require.True(t, ok, "reply %s has no blank line after its headers", name)
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(head, "\r\n\r\n"...))))
	statusLine, err := tp.ReadLine()
	require.NoError(t, err)
	_, rest, _ := strings.Cut(statusLine, " ")
	code, err := strconv.Atoi(rest[:3])
	require.NoError(t, err, "reply %s: bad status line %q", name, statusLine)
	header, err := tp.ReadMIMEHeader()
	require.NoError(t, err)
	return code, http.Header(header), body
}

// paths returns the object paths requested so far, in order.
func (f *fakeS3) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var p []string
	for _, r := range f.requests {
		p = append(p, r.Method+" "+r.URL.Path)
	}
	return p
}

func (f *fakeS3) lastRequest() *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		return nil
	}
	return f.requests[len(f.requests)-1]
}

// client returns the real SDK client pointed at the fake.
func (f *fakeS3) client() *s3.Client {
	cfg := aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(f.URL),
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		// The SDK's backoff would slow the 500 case down by seconds.
		o.RetryMaxAttempts = 1
	})
}
