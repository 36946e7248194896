package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// reply is a recorded platform reply: a status, headers and a testdata file.
type reply struct {
	status int
	file   string
	header map[string]string
}

// received is one request the fake platform was sent.
type received struct {
	target string // "METHOD /path?query"
	header http.Header
	body   []byte
}

// replay is an httptest server standing in for the platform: it answers each
// "METHOD /path?query" with its recorded reply and keeps what it was sent.
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

// refusedURL is the address of a server that has gone away, so connecting
// to it is refused.
func refusedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	target := req.Method + " " + req.URL.RequestURI()
	r.mu.Lock()
	r.got = append(r.got, received{target: target, header: req.Header.Clone(), body: body})
	r.mu.Unlock()
	rep, ok := r.replies[target]
	if !ok {
		r.t.Errorf("unexpected request %s", target)
		http.Error(w, `{"errors":[{"message":"not recorded","code":-1}]}`, http.StatusNotFound)
		return
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
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

func (r *replay) targets() []string {
	var ts []string
	for _, g := range r.requests() {
		ts = append(ts, g.target)
	}
	return ts
}

// secretStore is Secrets Manager holding SecretStrings in memory, behind the
// real secrets.Cache, so the handler sees the secrets package's own errors.
type secretStore struct {
	mu     sync.Mutex
	values map[string]string
	reads  int
}

func (s *secretStore) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	v, ok := s.values[aws.ToString(in.SecretId)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Secrets Manager can't find the specified secret.")}
	}
	return &secretsmanager.GetSecretValueOutput{
		ARN:          aws.String("arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + aws.ToString(in.SecretId) + "-AbCdEf"),
		Name:         in.SecretId,
		SecretString: aws.String(v),
	}, nil
}

func (s *secretStore) readCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// invoke runs h through the middleware as the Lambda runtime would and
// returns the result, the error a state machine would see (nil on success)
// and everything logged.
func invoke(t *testing.T, h *handler, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	var logs bytes.Buffer
	out, err := middleware.Wrap(h.handle, middleware.WithOutput(&logs), middleware.WithFunctionName("publishmedium")).
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

func newCache(api secrets.GetSecretValueAPI) *secrets.Cache { return &secrets.Cache{Client: api} }

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
