package main

import (
	"net/http"
	"time"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/envconfig"
)

const (
	platform = "hashnode"
	// defaultAPIURL is the production GraphQL endpoint as Hashnode's own
	// agent skill names it (github.com/Hashnode/gql-skill, SKILL.md). The
	// older https://gql.hashnode.com is reported to answer every request with
	// a 301 to a deprecation notice since Hashnode made the API a paid (Pro)
	// offering in May 2026. Redirects are not followed (see noRedirects), so
	// should the endpoint move again the step fails saying where to.
	defaultAPIURL = "https://gql-beta.hashnode.com"
	userAgent     = "stepforge-publishhashnode"
)

// The time budget. The function's Lambda timeout is 30 s; blog.Exchange keeps
// blog.Reserve (3 s) of it to report the outcome. An invocation makes at most
// 1 + maxPages lookups and then one mutation:
//
//	(1 + maxPages) x lookupTimeout + mutationTimeout + blog.Reserve
//	= 3 x 4 s + 12 s + 3 s = 27 s <= 30 s
//
// which leaves 3 s for reading the secret on a cold start. Should that or
// anything else run late, blog.Exchange still cuts each call short at the
// reserve, so the function returns a typed PlatformUnavailable instead of
// ending in Sandbox.Timedout with a create unreported.
const (
	// lookupTimeout bounds one query looking for the post.
	lookupTimeout = 4 * time.Second
	// mutationTimeout bounds publishPost or updatePost, which do more work
	// on Hashnode's side than a lookup.
	mutationTimeout = 12 * time.Second
	// maxPages bounds how many pages of the publication's posts are read
	// when looking for the post by its canonical URL.
	maxPages = 2
	// pageSize is the largest page Hashnode serves; larger requests are
	// clamped (references/errors-and-limits.md).
	pageSize = 100
)

// fromEnv builds the handler from the function's environment. An invalid
// setting does not stop the process: every invocation then fails with
// Misconfigured, which the workflow can catch and report.
func fromEnv(getenv func(string) string, sec blog.SecretReader) *handler {
	env := envconfig.New(getenv)
	h := &handler{
		lookups:   &http.Client{Timeout: lookupTimeout, CheckRedirect: noRedirects},
		mutations: &http.Client{Timeout: mutationTimeout, CheckRedirect: noRedirects},
		apiURL:    env.BaseURL("HASHNODE_API_URL", defaultAPIURL),
		creds:     blog.Credentials{Platform: "Hashnode", SecretID: env.Required("HASHNODE_SECRET_ID"), Secrets: sec},
	}
	h.misconfigured = env.Err()
	return h
}

// noRedirects hands a redirect back as the reply. Following one would turn
// the POST into a GET of whatever page the endpoint now points to, and its
// HTML would look like an unreadable reply worth retrying.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
