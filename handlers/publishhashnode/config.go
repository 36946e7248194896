package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	platform      = "hashnode"
	defaultAPIURL = "https://gql.hashnode.com"
	userAgent     = "stepforge-publishhashnode"

	// requestTimeout bounds one call to Hashnode, so a platform that hangs is
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
		secretID: getenv("HASHNODE_SECRET_ID"),
	}
	var err error
	h.apiURL, err = baseURL(getenv, "HASHNODE_API_URL", defaultAPIURL)
	h.misconfigured = err
	if h.secretID == "" {
		h.misconfigured = firstErr(h.misconfigured, &Misconfigured{Setting: "HASHNODE_SECRET_ID", Reason: "not set"})
	}
	return h
}

// baseURL returns the API URL named by env var name, without a trailing
// slash.
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
