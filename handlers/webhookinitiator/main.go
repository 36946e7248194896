// Command webhookinitiator is the Lambda function behind the blog's Sanity
// webhook (API Gateway REST API, Lambda proxy integration). For each
// delivery it checks Sanity's signature, turns the post into the publishing
// workflow's input (Markdown body, CDN image URLs, categories fetched from
// the Sanity query API) and starts the state machine on it, named after the
// post and its last update so that a redelivery never publishes twice.
//
// Every answer is JSON:
//
//	202 {"status":"started","executionArn","startDate","name"}  execution started
//	202 {"status":"duplicate","executionArn","name"}  this post version was already
//	    started (a redelivery): nothing new is started
//	202 {"status":"ignored","reason"}  a draft, release version or non-post
//	400 {"message"}  body not base64 as flagged, not a Sanity document, no
//	    _id/title/_updatedAt, no body, or too large for a workflow input
//	401 {"message"}  signature missing, malformed, stale, future-dated or wrong
//	500 {"message"}  the environment below is unusable (see the logs)
//	502 {"message"}  Secrets Manager, Sanity or Step Functions failed; a
//	    redelivery may succeed
//
// Drafts (ids starting "drafts.") and release versions are acknowledged
// rather than refused: only published posts are cross-posted, and a 2xx
// keeps Sanity from retrying them.
//
// Environment:
//
//	STATE_MACHINE_ARN   required; the publishing state machine
//	SANITY_SECRET_ID    Secrets Manager secret with the Sanity settings
//	                    (default "sanity-cms"): a JSON object with
//	                    SANITY_PROJECT_ID, SANITY_DATASET, SANITY_WEBHOOK_SECRET
//	                    and, for a private dataset, SANITY_TOKEN
//	SANITY_API_URL      base URL of the Sanity API
//	                    (default https://<projectId>.api.sanity.io)
//	SANITY_API_VERSION  Sanity API version (default "2022-11-16")
//	SIGNATURE_MAX_AGE   oldest signature accepted, a Go duration or whole
//	                    seconds (default "5m")
//	SITE_URL            the blog's own address; with a post's slug it makes
//	                    the canonical URL the publishers link back to
//
// AWS clients follow the standard configuration chain, including
// AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SFN.
package main

import (
	"os"

	"github.com/stepforge/stepforge/pkg/middleware"
)

func main() {
	h := newHandler(os.Getenv)
	if h.cfgErr != nil {
		// Still start: each request is answered 500 with the same log line,
		// which is easier to find than a function that fails to initialise.
		middleware.NewLogger(os.Stdout).Error("function is misconfigured", "error", h.cfgErr)
	}
	middleware.Start(h.handle)
}
