package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/golden"
	"github.com/stepforge/stepforge/pkg/middleware/middlewaretest"
)

// invoke runs payload through the handler wrapped in the middleware and
// returns the response and the error a state machine would see (zero on
// success).
func invoke(t *testing.T, h *handler, payload []byte) ([]byte, messages.InvokeResponse_Error) {
	t.Helper()
	out, ie, _ := middlewaretest.Invoke(t, h.handle, "statuschecker", payload)
	return out, ie
}

// settings returns the environment of a function deployed with the status
// URL and timeout given.
func settings(statusURL, timeout string) func(string) string {
	return envconfig.Map(map[string]string{"STATUS_URL": statusURL, "STATUS_TIMEOUT": timeout})
}

// answering returns a server that answers every request with code.
func answering(t *testing.T, code int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"status":"whatever"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// hanging returns a server that accepts requests and never answers them.
func hanging(t *testing.T) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	return srv
}

// closedURL returns a URL on a loopback port nothing listens on any more.
func closedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

func TestEveryHTTPStatusIsAnAnswerCarryingItsCode(t *testing.T) {
	event := middlewaretest.Event(t, "order.handmade.json")
	for _, code := range []int{200, 204, 404, 429, 500, 503} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			srv := answering(t, code)
			out, ierr := invoke(t, newHandler(settings(srv.URL+"/health", ""), srv.Client()), event)
			require.Empty(t, ierr.Type, "unexpected error: %s", ierr.Message)

			var res struct {
				StatusCode *int            `json:"statusCode"`
				Event      json.RawMessage `json:"event"`
			}
			require.NoError(t, json.Unmarshal(out, &res))
			require.NotNil(t, res.StatusCode, "no statusCode in %s", out)
			assert.Equal(t, code, *res.StatusCode)
			assert.JSONEq(t, string(event), string(res.Event), "the Wait state's OutputPath $.event must get the input back")
		})
	}
}

func TestTheEndpointIsAskedWithAGetToTheConfiguredURL(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
	}))
	t.Cleanup(srv.Close)

	_, ierr := invoke(t, newHandler(settings(srv.URL+"/v1/health?region=eu-west-1", "1s"), srv.Client()), middlewaretest.Event(t, "order.handmade.json"))
	require.Empty(t, ierr.Type, ierr.Message)
	require.NotNil(t, got)
	assert.Equal(t, http.MethodGet, got.Method)
	assert.Equal(t, "/v1/health", got.URL.Path)
	assert.Equal(t, "region=eu-west-1", got.URL.RawQuery)
	assert.Equal(t, "stepforge-statuschecker", got.Header.Get("User-Agent"))
}

func TestAnEndpointThatGivesNoAnswerIsUnreachable(t *testing.T) {
	tests := []struct {
		name        string
		url         func(t *testing.T) string
		timeout     string
		wantTimeout bool
	}{
		{"hanging past the timeout", func(t *testing.T) string { return hanging(t).URL }, "100ms", true},
		{"refusing connections", closedURL, "2s", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(settings(tt.url(t)+"/health?token=s3cr3t", tt.timeout), &http.Client{})
			start := time.Now()
			out, ierr := invoke(t, h, middlewaretest.Event(t, "order.handmade.json"))

			assert.Less(t, time.Since(start), 2*time.Second, "the timeout must bound the call")
			assert.Nil(t, out)
			assert.Equal(t, "EndpointUnreachable", ierr.Type)
			assert.Contains(t, ierr.Message, "/health")
			assert.NotContains(t, ierr.Message, "s3cr3t", "query-string secrets must not reach the error")
			assert.Equal(t, tt.wantTimeout, strings.Contains(ierr.Message, "timed out"), ierr.Message)

			_, err := h.handle(context.Background(), json.RawMessage(`{}`))
			var unreachable *EndpointUnreachable
			require.ErrorAs(t, err, &unreachable)
			assert.Equal(t, tt.wantTimeout, unreachable.Timeout)
		})
	}
}

func TestTheErrorNamesTheEndpointWithoutItsSecrets(t *testing.T) {
	raw := strings.Replace(closedURL(t), "http://", "http://admin:hunter2@", 1) + "/status/check?token=s3cr3t&x=1#frag"
	_, err := newHandler(settings(raw, "1s"), &http.Client{}).handle(context.Background(), json.RawMessage(`{}`))

	var unreachable *EndpointUnreachable
	require.ErrorAs(t, err, &unreachable)
	for _, secret := range []string{"admin", "hunter2", "s3cr3t", "token", "frag"} {
		assert.NotContains(t, err.Error(), secret)
	}
	assert.True(t, strings.HasPrefix(unreachable.URL, "http://127.0.0.1:"), unreachable.URL)
	assert.True(t, strings.HasSuffix(unreachable.URL, "/status/check"), unreachable.URL)
}

func TestTheLambdaDeadlineAlsoBoundsTheCall(t *testing.T) {
	h := newHandler(settings(hanging(t).URL, "30s"), &http.Client{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.handle(ctx, json.RawMessage(`{}`))
	var unreachable *EndpointUnreachable
	require.ErrorAs(t, err, &unreachable)
	assert.True(t, unreachable.Timeout)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestUnusableSettingsAreMisconfiguredAtCallTime(t *testing.T) {
	tests := []struct {
		name, url, timeout, wantSetting string
	}{
		{"no URL", "", "", "STATUS_URL"},
		{"blank URL", "  ", "", "STATUS_URL"},
		{"not a URL", "http://exa mple.com/?token=s3cr3t", "", "STATUS_URL"},
		{"bad port", "http://example.com:port/?token=s3cr3t", "", "STATUS_URL"},
		{"relative URL", "/health", "", "STATUS_URL"},
		{"other scheme", "ftp://example.com/health", "", "STATUS_URL"},
		{"no host", "http:///health", "", "STATUS_URL"},
		{"unreadable timeout", "http://example.com", "soon", "STATUS_TIMEOUT"},
		{"zero timeout", "http://example.com", "0", "STATUS_TIMEOUT"},
		{"negative timeout", "http://example.com", "-1s", "STATUS_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			client := doerFunc(func(*http.Request) (*http.Response, error) {
				calls.Add(1)
				return nil, errors.New("must not be called")
			})
			out, ierr := invoke(t, newHandler(settings(tt.url, tt.timeout), client), middlewaretest.Event(t, "order.handmade.json"))
			assert.Nil(t, out)
			assert.Equal(t, "Misconfigured", ierr.Type)
			assert.Contains(t, ierr.Message, tt.wantSetting)
			assert.NotContains(t, ierr.Message, "s3cr3t")
			assert.Zero(t, calls.Load(), "a misconfigured function must not call out")
		})
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func TestTimeoutSettingTakesDurationsOrSeconds(t *testing.T) {
	tests := []struct {
		raw  string
		want time.Duration
	}{
		{"", defaultTimeout},
		{"250ms", 250 * time.Millisecond},
		{"2m", 2 * time.Minute},
		{"3", 3 * time.Second},
		{" 10s ", 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			h := newHandler(settings("https://example.com/health", tt.raw), nil)
			require.NoError(t, h.misconfigured)
			assert.Equal(t, tt.want, h.timeout)
		})
	}
}

func TestAMalformedPayloadIsMalformedInput(t *testing.T) {
	srv := answering(t, 200)
	out, ierr := invoke(t, newHandler(settings(srv.URL, ""), srv.Client()), middlewaretest.Event(t, "malformed.handmade.json"))
	assert.Nil(t, out)
	assert.Equal(t, "MalformedInput", ierr.Type)
}

func TestTracedCallsCarryTheTraceHeaderAndUntracedOnesDoNot(t *testing.T) {
	var header atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header.Store(r.Header.Get(xray.TraceIDHeaderKey))
	}))
	t.Cleanup(srv.Close)
	h := newHandler(settings(srv.URL, "1s"), newTracingClient(srv.Client()))

	_, err := h.handle(context.Background(), json.RawMessage(`{}`))
	require.NoError(t, err)
	assert.Empty(t, header.Load())

	ctx, seg := xray.BeginSegment(context.Background(), "statuschecker-test")
	_, err = h.handle(ctx, json.RawMessage(`{}`))
	seg.Close(nil)
	require.NoError(t, err)
	assert.Contains(t, header.Load(), "Root="+seg.TraceID)
}

// TestFixtureEventsMatchTheirGoldenResponses pins the response for every
// hand-made event in testdata while the endpoint answers 500, the case the
// workflow loops on.
func TestFixtureEventsMatchTheirGoldenResponses(t *testing.T) {
	srv := answering(t, http.StatusInternalServerError)
	for _, name := range middlewaretest.Events(t) {
		t.Run(name, func(t *testing.T) {
			out, ierr := invoke(t, newHandler(settings(srv.URL, ""), srv.Client()), middlewaretest.Event(t, name))
			golden.Assert(t, goldenPath(name), append(middlewaretest.Response(t, out, ierr), '\n'))
		})
	}
}

// goldenPath names the golden file of fixture testdata/name after the case
// alone: ".handmade" says where the input comes from, not what the function
// answers, so it is dropped with the extension.
func goldenPath(name string) string {
	return filepath.Join("testdata", "golden", strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".handmade")+".golden")
}
