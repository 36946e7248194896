// Command indexopensearch is the blog publishing workflow's search step: it
// indexes a blog.Post as a document of an Amazon OpenSearch Service domain
// and returns a blog.Result for platform "opensearch". The document id is the
// post's id, so indexing again replaces the document instead of adding a
// second one, and its version is the post's updatedAt (external versioning),
// so an older execution finishing late cannot overwrite a newer copy: that
// write is refused by the domain and reported as Action "unchanged". The
// Result's URL is the post's canonical URL, where a reader finds it (empty
// when the post has none); the document's own URL is only logged.
//
// Requests are signed with Signature Version 4 using the function role's own
// credentials: there is no Secrets Manager secret. The role needs es:ESHttpPut
// on the index's documents, and the domain's access policy (or its
// fine-grained access control role mapping) must admit the role.
//
// Environment:
//
//	OPENSEARCH_ENDPOINT  domain endpoint, https://search-....es.amazonaws.com
//	                     (a bare host name, as CloudFormation's DomainEndpoint
//	                     attribute gives it, is taken as https); empty means
//	                     no domain: every post is skipped, which is no failure
//	OPENSEARCH_INDEX     index or alias to write to; default posts
//	OPENSEARCH_REGION    region of the domain; default the function's AWS_REGION
//
// Errors a state machine sees: RateLimited and PlatformUnavailable are worth
// retrying; PlatformRejected, InvalidPost (including a post without
// updatedAt) and Misconfigured are not.
package main

import (
	"os"

	"github.com/stepforge/stepforge/pkg/awsconfig"
	"github.com/stepforge/stepforge/pkg/middleware"
)

func main() {
	// The AWS configuration is loaded on the first invocation, so nothing
	// touches AWS before the runtime asks for work.
	h := fromEnv(os.Getenv, awsconfig.Shared)
	middleware.Start(h.handle)
}
