package blog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxReply bounds how much of a platform's reply is read.
const maxReply = 1 << 20

// Send performs req with c and decodes a 2xx JSON reply into out (which may
// be nil). Any other outcome becomes RateLimited, PlatformUnavailable or
// PlatformRejected, with the platform's own reason when it gave one.
func Send(c *http.Client, platform string, req *http.Request, out any) error {
	resp, body, err := Exchange(c, platform, req)
	if err != nil {
		return err
	}
	if err := Classify(platform, resp, body); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &PlatformUnavailable{Platform: platform, Status: resp.StatusCode, Reason: fmt.Sprintf("unreadable reply: %v", err)}
	}
	return nil
}

// Reserve is the time a publisher keeps back from its invocation's deadline
// (the Lambda timeout) to record what it did and return a typed error: no
// call to a platform runs into that last stretch, so the function never ends
// in Sandbox.Timedout with the outcome of a call unreported.
const Reserve = 3 * time.Second

// Exchange performs req with c and returns the response with its body read
// (up to 1 MiB) and closed, whatever the status. Getting no response, or not
// all of its body, is PlatformUnavailable; so is a call that would reach
// into the Reserve before the request context's deadline, which is cut
// short, or not sent at all when no time is left (NotSent tells which).
func Exchange(c *http.Client, platform string, req *http.Request) (*http.Response, []byte, error) {
	ctx, cancel, err := budget(req.Context())
	if err != nil {
		return nil, nil, &PlatformUnavailable{Platform: platform, Reason: err.Error(), NotSent: true}
	}
	defer cancel()
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		reason := err.Error()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil && req.Context().Err() == nil {
			reason = "no reply before the function's time budget ran out (" + Reserve.String() + " kept to report it)"
		}
		return nil, nil, &PlatformUnavailable{Platform: platform, Reason: reason, NotSent: isNotSent(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	if err != nil {
		return nil, nil, &PlatformUnavailable{Platform: platform, Status: resp.StatusCode, Reason: "reading reply: " + err.Error()}
	}
	if len(body) > maxReply {
		return nil, nil, &PlatformUnavailable{Platform: platform, Status: resp.StatusCode, Reason: fmt.Sprintf("reply over the %d-byte limit", maxReply)}
	}
	return resp, body, nil
}

// budget bounds ctx to end Reserve before its deadline, or fails when that
// moment has passed.
func budget(ctx context.Context) (context.Context, context.CancelFunc, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return ctx, func() {}, nil
	}
	cut := deadline.Add(-Reserve)
	if !time.Now().Before(cut) {
		return nil, nil, fmt.Errorf("not sent: less than %s left before the function's deadline", Reserve)
	}
	ctx, cancel := context.WithDeadline(ctx, cut)
	return ctx, cancel, nil
}

// isNotSent reports whether err shows the request never left this process:
// the connection was refused or the name did not resolve. Anything else
// (a timeout, a reset) may have reached the platform.
func isNotSent(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// Classify returns nil for a 2xx reply and the typed error for any other.
func Classify(platform string, resp *http.Response, body []byte) error {
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return nil
	case s == http.StatusTooManyRequests:
		return &RateLimited{Platform: platform, RetryAfter: RetryAfter(resp.Header.Get("Retry-After"))}
	case s >= 500:
		return &PlatformUnavailable{Platform: platform, Status: s, Reason: Reason(body)}
	default:
		return &PlatformRejected{Platform: platform, Status: s, Reason: Reason(body)}
	}
}

// Reason extracts a human-readable reason from an error reply: the usual
// "error", "message" or "errors" fields, else the start of the body.
func Reason(body []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Errors  []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &v) == nil {
		var parts []string
		if v.Message != "" {
			parts = append(parts, v.Message)
		}
		if len(v.Error) > 0 {
			var s string
			if json.Unmarshal(v.Error, &s) == nil {
				parts = append(parts, s)
			} else {
				var o struct {
					Reason  string `json:"reason"`
					Message string `json:"message"`
					Type    string `json:"type"`
				}
				if json.Unmarshal(v.Error, &o) == nil {
					parts = append(parts, strings.TrimSpace(o.Type+" "+o.Reason+" "+o.Message))
				}
			}
		}
		for _, e := range v.Errors {
			if e.Message != "" {
				parts = append(parts, e.Message)
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, "; ")
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	if s == "" {
		return "no reason given"
	}
	return s
}

// RetryAfter reads a Retry-After header value, in seconds or as an HTTP
// date; zero means none, unreadable or already past.
func RetryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// RetryableErrors names the publisher errors worth retrying, as a state
// machine's Retry matches them: the Go type names the middleware reports.
func RetryableErrors() []string {
	return []string{"RateLimited", "PlatformUnavailable"}
}
