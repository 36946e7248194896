package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/middleware"
)

// defaultTimeout leaves a 10-second poll loop room to breathe and stays far
// below any sensible Lambda timeout.
const defaultTimeout = 5 * time.Second

// Result is the endpoint's answer with the invocation's input beside it, so a
// Wait state with OutputPath $.event can feed the input to the next attempt.
type Result struct {
	StatusCode int             `json:"statusCode"`
	Event      json.RawMessage `json:"event"`
}

// EndpointUnreachable reports that the endpoint gave no HTTP answer at all: the
// connection failed or the timeout passed. It is worth retrying.
type EndpointUnreachable struct {
	// URL is the endpoint without credentials, query string or fragment.
	URL     string
	Timeout bool
	Err     error
}

func (e *EndpointUnreachable) Error() string {
	if e.Timeout {
		return fmt.Sprintf("status endpoint GET %s timed out: %v", e.URL, e.Err)
	}
	return fmt.Sprintf("status endpoint GET %s unreachable: %v", e.URL, e.Err)
}

func (e *EndpointUnreachable) Unwrap() error { return e.Err }

// doer sends one HTTP request; *http.Client is one.
type doer interface {
	Do(*http.Request) (*http.Response, error)
}

type handler struct {
	client  doer
	target  *url.URL
	timeout time.Duration
	// misconfigured is returned by every call: a bad setting must fail the
	// invocation with a name a Catch can match, not the cold start.
	misconfigured error
}

// newHandler reads the settings with getenv once, so each call only has to
// ask whether they are usable.
func newHandler(getenv func(string) string, client doer) *handler {
	env := envconfig.New(getenv)
	h := &handler{
		client:  client,
		target:  target(env),
		timeout: env.Duration("STATUS_TIMEOUT", defaultTimeout),
	}
	h.misconfigured = env.Err()
	return h
}

func (h *handler) handle(ctx context.Context, event json.RawMessage) (Result, error) {
	if h.misconfigured != nil {
		return Result{}, h.misconfigured
	}
	start := time.Now()
	code, err := h.status(ctx)
	if err != nil {
		return Result{}, err
	}
	middleware.Logger(ctx).InfoContext(ctx, "status checked",
		slog.String("url", redacted(h.target)),
		slog.Int("statusCode", code),
		slog.Int64("durationMs", time.Since(start).Milliseconds()))
	return Result{StatusCode: code, Event: event}, nil
}

// status returns the HTTP status the endpoint answers a GET with. Every
// status, 500 included, is an answer; only getting none is an error.
func (h *handler) status(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.target.String(), nil)
	if err != nil {
		return 0, &envconfig.Misconfigured{Setting: "STATUS_URL", Reason: "cannot make a request: " + innerError(err).Error()}
	}
	req.Header.Set("User-Agent", "stepforge-statuschecker")
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, &EndpointUnreachable{URL: redacted(h.target), Timeout: isTimeout(err), Err: innerError(err)}
	}
	// The body is not needed, and reading it could hang as long as the
	// status line did; closing may cost the connection, not the answer.
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// innerError drops the *url.Error around err: its message repeats the full
// URL, query-string secrets included.
func innerError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redacted returns u as it can be logged and reported: no user info, query
// string or fragment, where tokens tend to live.
func redacted(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery, c.ForceQuery = "", false
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// target reads the endpoint's URL. Unlike an API's base URL it keeps its
// query string, and no reason quotes it: tokens tend to live there.
func target(env *envconfig.Reader) *url.URL {
	const setting = "STATUS_URL"
	raw := env.Required(setting)
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	var reason string
	switch {
	case err != nil:
		reason = "is not a URL: " + innerError(err).Error()
	case u.Scheme != "http" && u.Scheme != "https":
		reason = fmt.Sprintf("has scheme %q, not http or https", u.Scheme)
	case u.Host == "":
		reason = "has no host"
	default:
		return u
	}
	env.Add(&envconfig.Misconfigured{Setting: setting, Reason: reason})
	return nil
}
