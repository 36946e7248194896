package main

import (
	"net/http"
	"time"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/envconfig"
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

// fromEnv builds the handler from the function's environment. An invalid
// setting does not stop the process: every invocation then fails with
// Misconfigured, which the workflow can catch and report.
func fromEnv(getenv func(string) string, sec blog.SecretReader) *handler {
	env := envconfig.New(getenv)
	h := &handler{
		client: &http.Client{Timeout: requestTimeout},
		apiURL: env.BaseURL("HASHNODE_API_URL", defaultAPIURL),
		creds:  blog.Credentials{Platform: "Hashnode", SecretID: env.Required("HASHNODE_SECRET_ID"), Secrets: sec},
	}
	h.misconfigured = env.Err()
	return h
}
