package main

import (
	"net/http"
	"time"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/envconfig"
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

// fromEnv builds the handler from the function's environment. An invalid
// setting does not stop the process: every invocation then fails with
// Misconfigured, which the workflow can catch and report.
func fromEnv(getenv func(string) string, sec blog.SecretReader) *handler {
	env := envconfig.New(getenv)
	h := &handler{
		client:    &http.Client{Timeout: requestTimeout},
		apiURL:    env.BaseURL("DEVTO_API_URL", defaultAPIURL),
		published: env.Bool("DEVTO_PUBLISHED", true),
		pageSize:  pageSize,
		creds:     blog.Credentials{Platform: "Dev.to", SecretID: env.Required("DEVTO_SECRET_ID"), Secrets: sec},
	}
	h.misconfigured = env.Err()
	return h
}
