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

	// pageSize is how many articles one lookup call asks for. Forem allows up
	// to 1000, but GET /articles/me/all returns every article's body_markdown
	// and blog.Exchange reads at most 1 MiB of a reply: 50 articles of
	// typical length (5-10 KB of Markdown) stay well inside it, where 1000
	// would overflow it for any prolific author and fail every lookup.
	pageSize = 50

	// maxPages bounds the lookup. Forem lists drafts first (newest created
	// first), then published articles (newest published first), so the
	// article a timed-out attempt made is on the first page; further pages
	// serve an edit of an older post. Past the bound the post is created:
	// Forem refuses a second article with the same canonical URL (422
	// "Canonical url has already been taken"), or with the same title and
	// body from the same author, so that never duplicates.
	maxPages = 4

	// requestTimeout bounds one call to Dev.to, so a platform that hangs is
	// reported as a retryable PlatformUnavailable before the function itself
	// times out. The time budget, against the 30 s Lambda timeout
	// (workflows/blogpublishing):
	//
	//	(maxPages lookups + 1 create or update) x requestTimeout + blog.Reserve
	//	= (4 + 1) x 5 s + 3 s = 28 s <= 30 s
	//
	// The Secrets Manager read comes first and is not one of these calls; if
	// it is slow, blog.Exchange still cuts the last call blog.Reserve before
	// the invocation's deadline (or does not send it), so the function always
	// returns a typed error rather than ending in Sandbox.Timedout.
	requestTimeout = 5 * time.Second
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
		maxPages:  maxPages,
		creds:     blog.Credentials{Platform: "Dev.to", SecretID: env.Required("DEVTO_SECRET_ID"), Secrets: sec},
	}
	h.misconfigured = env.Err()
	return h
}
