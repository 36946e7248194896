package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	platform     = "opensearch"
	defaultIndex = "posts"
	userAgent    = "stepforge-indexopensearch"

	// signingName is the service name Amazon OpenSearch Service domains
	// verify signatures for.
	signingName = "es"

	// requestTimeout bounds one call to the domain, so a domain that hangs is
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

// fromEnv builds the handler from the function's environment; loadAWS is
// called on the first invocation for the role's credentials and region. An
// invalid setting does not stop the process: every invocation then fails
// with Misconfigured, which the workflow can catch and report.
func fromEnv(getenv func(string) string, loadAWS func(context.Context) (aws.Config, error)) *handler {
	h := &handler{
		client:  &http.Client{Timeout: requestTimeout},
		signer:  v4.NewSigner(),
		now:     time.Now,
		loadAWS: loadAWS,
		region:  getenv("OPENSEARCH_REGION"),
	}
	var err error
	h.endpoint, err = endpoint(getenv("OPENSEARCH_ENDPOINT"))
	h.misconfigured = err
	h.index, err = index(getenv("OPENSEARCH_INDEX"))
	h.misconfigured = firstErr(h.misconfigured, err)
	return h
}

// endpoint returns the domain's base URL without a trailing slash.
func endpoint(raw string) (string, error) {
	const setting = "OPENSEARCH_ENDPOINT"
	if raw == "" {
		return "", &Misconfigured{Setting: setting, Reason: "not set"}
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		return "", &Misconfigured{Setting: setting, Reason: fmt.Sprintf("%q is not an http(s) URL", raw)}
	}
	return strings.TrimRight(raw, "/"), nil
}

// index checks an index name against OpenSearch's rules, so a typo is
// reported as the deployment's fault rather than as a rejected post.
func index(name string) (string, error) {
	if name == "" {
		return defaultIndex, nil
	}
	bad := name != strings.ToLower(name) ||
		strings.ContainsAny(name, ` "*\<|,>/?#:`) ||
		strings.ContainsAny(name[:1], "_-+") ||
		name == "." || name == ".." || len(name) > 255
	if bad {
		return "", &Misconfigured{Setting: "OPENSEARCH_INDEX", Reason: fmt.Sprintf("%q is not a valid index name", name)}
	}
	return name, nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
