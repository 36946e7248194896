package apis_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/apis"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// plane is one local cloud port as the assembler wires it: data-plane
// requests to the Service's DataPlane, the rest to the AWS API router.
type plane struct {
	t   testing.TB
	svc *apis.Service
	cfg aws.Config
	url string
}

func newPlane(t testing.TB) *plane { return newPlaneOn(t, lctest.Store(t)) }

func newPlaneOn(t testing.TB, store *localcloud.Store) *plane {
	svc := apis.New(store)
	cfg, srv, _ := lctest.Start(t, svc)
	dp := svc.DataPlane()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if apis.IsDataPlane(r) {
			dp.ServeHTTP(w, r)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return &plane{t: t, svc: svc, cfg: cfg, url: hs.URL}
}

type reply struct {
	status int
	header http.Header
	body   string
}

// call sends a request by the path form /_aws/execute-api/<apiId><path>.
func (p *plane) call(method, apiID, path, body string, header ...string) reply {
	return p.send(method, p.url+"/_aws/execute-api/"+apiID+path, "", body, header...)
}

// callHost sends a request by the host form <apiId>.execute-api.localhost.
func (p *plane) callHost(method, apiID, path, body string, header ...string) reply {
	u, err := url.Parse(p.url)
	require.NoError(p.t, err)
	return p.send(method, p.url+path, apiID+".execute-api.localhost:"+u.Port(), body, header...)
}

func (p *plane) send(method, u, host, body string, header ...string) reply {
	p.t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewBufferString(body))
	require.NoError(p.t, err)
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// stepFunctions is a Step Functions made of two Go funcs.
type stepFunctions struct {
	start, sync func(ctx context.Context, region string, body []byte) (int, []byte, error)
}

func (s stepFunctions) StartExecution(ctx context.Context, region string, body []byte) (int, []byte, error) {
	return s.start(ctx, region, body)
}

func (s stepFunctions) StartSyncExecution(ctx context.Context, region string, body []byte) (int, []byte, error) {
	return s.sync(ctx, region, body)
}

type lambdaFunc func(ctx context.Context, region, arn string, payload []byte) ([]byte, string, error)

func (f lambdaFunc) Invoke(ctx context.Context, region, arn string, payload []byte) ([]byte, string, error) {
	return f(ctx, region, arn, payload)
}

type authorizerFunc func(ctx context.Context, role, action, resource string) error

func (f authorizerFunc) Authorize(ctx context.Context, role, action, resource string) error {
	return f(ctx, role, action, resource)
}

type policyFunc func(ctx context.Context, fn, principal, source string) (bool, error)

func (f policyFunc) AllowsInvoke(ctx context.Context, fn, principal, source string) (bool, error) {
	return f(ctx, fn, principal, source)
}
