// Command publishdevto is the blog publishing workflow's Dev.to step: it
// cross-posts a blog.Post to Dev.to through the Forem articles API and
// returns a blog.Result for platform "devto".
//
// Step Functions retries a task that failed or timed out, and a webhook may
// be delivered twice, so the post is looked up among the account's articles
// first (drafts and published alike): an article already carrying its
// canonical URL (or, for a post without one, its title and body) is updated
// instead of published twice. Result.Action says which happened. Without
// the secret the platform is skipped (a successful Result with Skipped set):
// not publishing to Dev.to is a choice, not a failure.
//
// Environment:
//
//	DEVTO_SECRET_ID  required; Secrets Manager id of the JSON secret
//	                 {"DEVTO_API_KEY": "..."}
//	DEVTO_PUBLISHED  true publishes, false saves a draft; default true
//	DEVTO_API_URL    Forem API base URL; default https://dev.to/api
//
// Errors a state machine sees: RateLimited and PlatformUnavailable are worth
// retrying; PlatformRejected, InvalidPost, Misconfigured and the secrets
// package's Unavailable (a secret that exists but cannot be read) and
// Malformed are not.
package main

import (
	"os"

	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

func main() {
	// The zero Cache builds its Secrets Manager client on the first
	// invocation, so nothing touches AWS before the runtime asks for work.
	h := fromEnv(os.Getenv, &secrets.Cache{})
	middleware.Start(h.handle)
}
