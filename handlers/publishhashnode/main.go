// Command publishhashnode is the blog publishing workflow's Hashnode step: it
// publishes a blog.Post to a Hashnode publication through Hashnode's GraphQL
// API and returns a blog.Result for platform "hashnode".
//
// A post is published once however often the webhook or the step repeats.
// The step first looks for the publication's copy: by the slug it publishes
// under (the post's own, else one made from its title), then by its
// canonical URL (sent as originalArticleURL) among the first 200 it lists. No
// copy: publishPost, Action "created". A copy written before the post's
// updatedAt: updatePost, Action "updated". A copy written since (a
// redelivered webhook, a retry after an unanswered write): nothing is
// written, Action "unchanged". A missing secret skips the platform, Action
// "skipped".
//
// Environment:
//
//	HASHNODE_SECRET_ID  required; Secrets Manager id of the JSON secret
//	                    {"HASHNODE_TOKEN": "...", "HASHNODE_PUBLICATION_ID": "..."}
//	HASHNODE_API_URL    GraphQL endpoint; default https://gql-beta.hashnode.com,
//	                    Hashnode's production endpoint since gql.hashnode.com
//	                    was retired
//
// The publication needs Hashnode's Pro plan: every operation the step uses
// is Pro-gated.
//
// Errors a state machine sees: PlatformUnavailable (Hashnode's
// INTERNAL_SERVER_ERROR, 5xx, no reply in time) and RateLimited (HTTP 429,
// which Hashnode does not currently send) are worth retrying;
// PlatformRejected (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT,
// a query failing validation, a moved endpoint), InvalidPost, Misconfigured
// and the secrets package's Unavailable and Malformed are not.
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
