// Command publishmedium is the blog publishing workflow's Medium step: it
// cross-posts a blog.Post to Medium and returns a blog.Result for platform
// "medium".
//
// Environment:
//
//	MEDIUM_SECRET_ID       required; Secrets Manager id of the JSON secret
//	                       {"MEDIUM_TOKEN": "...", "MEDIUM_AUTHOR_ID": "..."}
//	                       (MEDIUM_AUTHOR_ID is optional: without it the
//	                       author is looked up with GET /me)
//	MEDIUM_PUBLISH_STATUS  public, draft or unlisted; default public
//	MEDIUM_API_URL         Medium REST API base URL; default https://api.medium.com/v1
//
// Errors a state machine sees: RateLimited and PlatformUnavailable are worth
// retrying; PlatformRejected, InvalidPost, Misconfigured and the secrets
// package's Unavailable and Malformed are not.
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
