// Command publishhashnode is the blog publishing workflow's Hashnode step: it
// publishes a blog.Post to a Hashnode publication through Hashnode's GraphQL
// API and returns a blog.Result for platform "hashnode".
//
// Environment:
//
//	HASHNODE_SECRET_ID  required; Secrets Manager id of the JSON secret
//	                    {"HASHNODE_TOKEN": "...", "HASHNODE_PUBLICATION_ID": "..."}
//	HASHNODE_API_URL    GraphQL endpoint; default https://gql.hashnode.com
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
