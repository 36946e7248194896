package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	platform      = "devto"
	defaultAPIURL = "https://dev.to/api"
	userAgent     = "stepforge-publishdevto"

	// pageSize is the most articles Forem returns per page.
	pageSize = 1000

	// requestTimeout bounds one call to Dev.to, so a platform that hangs is
	// reported as a retryable PlatformUnavailable before the function itself
	// times out.
	requestTimeout = 20 * time.Second
)

// Misconfigured reports a function deployed with a missing or invalid
// setting. Retrying cannot help: the deployment has to be fixed.
type Misconfigured struct {
	Setting string
	Reason  string
}

func (e *Misconfigured) Error() string {
	return fmt.Sprintf("%s is misconfigured: %s", e.Setting, e.Reason)
}

// fromEnv builds the handler from the function's environment. An invalid
// setting does not stop the process: every invocation then fails with
// Misconfigured, which the workflow can catch and report.
func fromEnv(getenv func(string) string, sec secretReader) *handler {
	h := &handler{
		client:   &http.Client{Timeout: requestTimeout},
		secrets:  sec,
		secretID: getenv("DEVTO_SECRET_ID"),
		pageSize: pageSize,
	}
	var err error
	h.apiURL, err = baseURL(getenv, "DEVTO_API_URL", defaultAPIURL)
	h.misconfigured = firstErr(h.misconfigured, err)
	h.published, err = published(getenv("DEVTO_PUBLISHED"))
	h.misconfigured = firstErr(h.misconfigured, err)
	if h.secretID == "" {
		h.misconfigured = firstErr(h.misconfigured, &Misconfigured{Setting: "DEVTO_SECRET_ID", Reason: "not set"})
	}
	return h
}

func published(v string) (bool, error) {
	if v == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, &Misconfigured{Setting: "DEVTO_PUBLISHED", Reason: fmt.Sprintf("%q is neither true nor false", v)}
	}
	return b, nil
}

// baseURL returns the API base URL named by env var name, without a trailing
// slash, so paths can be appended as they appear in the API reference.
func baseURL(getenv func(string) string, name, def string) (string, error) {
	raw := getenv(name)
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &Misconfigured{Setting: name, Reason: fmt.Sprintf("%q is not an http(s) URL", raw)}
	}
	return strings.TrimRight(raw, "/"), nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
