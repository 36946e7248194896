package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/s3client"
)

const (
	platform            = "medium"
	defaultAPIURL       = "https://api.medium.com/v1"
	defaultLedgerPrefix = "medium/"
	userAgent           = "stepforge-publishmedium"
)

// The time budget. The function's Lambda timeout is 30 s
// (workflows/blogpublishing). After the secret is read (cached while warm),
// an invocation makes at most these calls, in this order, each bounded:
//
//	ledger read (S3 GetObject)                          ledgerTimeout  2 s
//	GET /me (only when the secret names no author,
//	         and once per warm process)                  meTimeout      5 s
//	ledger claim (PutObject If-None-Match: *)           ledgerTimeout  2 s
//	POST /users/{authorId}/posts                        createTimeout 15 s
//	record the outcome (PutObject or DeleteObject)      ledgerTimeout  2 s, inside blog.Reserve
//
// 2 + 5 + 2 + 15 + blog.Reserve (3) = 27 s <= 30 s, and the last ledger
// write (2 s) fits in the reserve with 1 s left to return. An invocation that
// loses the claim reads the ledger once more instead of posting
// (2 + 5 + 2 + 2 = 11 s). The SDK's own S3 retries run inside each
// ledgerTimeout. Whatever the Lambda timeout, the calls before the POST are
// cut at the deadline minus blog.Reserve (the handler does it for the
// ledger, blog.Exchange for Medium), the POST is cut there too, and the last
// ledger write at the deadline minus finalMargin: a slow S3 or Medium ends
// in a typed error, never in Sandbox.Timedout after Medium created the post.
const (
	ledgerTimeout = 2 * time.Second
	meTimeout     = 5 * time.Second
	createTimeout = 15 * time.Second
	finalMargin   = 500 * time.Millisecond

	// functionTimeout is how long a claim is held when the invocation's
	// context has no deadline (outside Lambda): the Lambda timeout.
	functionTimeout = 30 * time.Second
)

// fromEnv builds the handler from the function's environment; loadAWS loads
// the AWS configuration the ledger's S3 client is built from, on first use.
// An invalid setting does not stop the process: every invocation then fails
// with Misconfigured, which the workflow can catch and report.
func fromEnv(getenv func(string) string, sec blog.SecretReader, loadAWS func(context.Context) (aws.Config, error)) *handler {
	env := envconfig.New(getenv)
	h := &handler{
		client:        &http.Client{Timeout: createTimeout},
		apiURL:        env.BaseURL("MEDIUM_API_URL", defaultAPIURL),
		publishStatus: env.OneOf("MEDIUM_PUBLISH_STATUS", "public", "public", "draft", "unlisted"),
		creds:         blog.Credentials{Platform: "Medium", SecretID: env.Required("MEDIUM_SECRET_ID"), Secrets: sec},
		ledger: &ledger{
			store:   &s3client.Lazy{Load: loadAWS},
			bucket:  env.Required("MEDIUM_LEDGER_BUCKET"),
			prefix:  env.String("MEDIUM_LEDGER_PREFIX", defaultLedgerPrefix),
			timeout: ledgerTimeout,
		},
	}
	if b := h.ledger.bucket; strings.ContainsAny(b, "/:") {
		env.Add(&envconfig.Misconfigured{Setting: "MEDIUM_LEDGER_BUCKET", Reason: "must be a bucket name, not a URL or an ARN"})
	}
	if strings.HasPrefix(h.ledger.prefix, "/") {
		env.Add(&envconfig.Misconfigured{Setting: "MEDIUM_LEDGER_PREFIX", Reason: `must not start with "/": S3 keys have no leading slash`})
	}
	h.misconfigured = env.Err()
	return h
}
