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
	"strconv"
	"strings"
	"time"

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

// Misconfigured reports a setting the function cannot work with. Retrying
// does not help; redeploying with a fixed setting does.
type Misconfigured struct {
	Setting string
	Reason  string
}

func (e *Misconfigured) Error() string { return "misconfigured " + e.Setting + ": " + e.Reason }

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

// newHandler checks the settings once, so each call only has to ask.
func newHandler(rawURL, rawTimeout string, client doer) *handler {
	h := &handler{client: client}
	var err error
	if h.target, err = parseTarget(rawURL); err != nil {
		h.misconfigured = err
		return h
	}
	if h.timeout, err = parseTimeout(rawTimeout); err != nil {
		h.misconfigured = err
	}
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
		return 0, &Misconfigured{Setting: "STATUS_URL", Reason: "cannot build a request: " + innerError(err).Error()}
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

func parseTarget(raw string) (*url.URL, error) {
	const setting = "STATUS_URL"
	if strings.TrimSpace(raw) == "" {
		return nil, &Misconfigured{Setting: setting, Reason: "not set"}
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, &Misconfigured{Setting: setting, Reason: "not a URL: " + innerError(err).Error()}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &Misconfigured{Setting: setting, Reason: fmt.Sprintf("scheme %q is not http or https", u.Scheme)}
	}
	if u.Host == "" {
		return nil, &Misconfigured{Setting: setting, Reason: "no host"}
	}
	return u, nil
}

func parseTimeout(raw string) (time.Duration, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return defaultTimeout, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		secs, aerr := strconv.Atoi(raw)
		if aerr != nil {
			return 0, &Misconfigured{Setting: "STATUS_TIMEOUT", Reason: fmt.Sprintf("%q is neither a duration nor whole seconds", raw)}
		}
		d = time.Duration(secs) * time.Second
	}
	if d <= 0 {
		return 0, &Misconfigured{Setting: "STATUS_TIMEOUT", Reason: fmt.Sprintf("%q is not positive", raw)}
	}
	return d, nil
}
