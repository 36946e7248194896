package main

import (
	"net/http"
	"time"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/envconfig"
)

const (
	platform      = "medium"
	defaultAPIURL = "https://api.medium.com/v1"
	userAgent     = "stepforge-publishmedium"

	// requestTimeout bounds one call to Medium, so a platform that hangs is
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
		client:        &http.Client{Timeout: requestTimeout},
		apiURL:        env.BaseURL("MEDIUM_API_URL", defaultAPIURL),
		publishStatus: env.OneOf("MEDIUM_PUBLISH_STATUS", "public", "public", "draft", "unlisted"),
		creds:         blog.Credentials{Platform: "Medium", SecretID: env.Required("MEDIUM_SECRET_ID"), Secrets: sec},
	}
	h.misconfigured = env.Err()
	return h
}
