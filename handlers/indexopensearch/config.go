package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/stepforge/stepforge/pkg/envconfig"
)

const (
	platform     = "opensearch"
	defaultIndex = "posts"
	userAgent    = "stepforge-indexopensearch"

	// signingName is the service name Amazon OpenSearch Service domains
	// verify signatures for.
	signingName = "es"

	// requestTimeout bounds the one call an invocation makes to the domain,
	// so a domain that hangs is reported as a retryable PlatformUnavailable
	// before the function itself times out. The time budget, against the
	// 30 s Lambda timeout (workflows/blogpublishing):
	//
	//	1 call (PUT /<index>/_doc/<id>; no lookup, no paging) x 20 s
	//	+ blog.Reserve (3 s) to report the outcome      = 23 s <= 30 s
	//
	// Loading the AWS configuration and the role's credentials comes first and
	// makes no call of ours (a Lambda role's credentials are in the
	// environment); should it ever be slow, blog.Exchange still cuts the call
	// blog.Reserve before the invocation's deadline, so the function returns a
	// typed error rather than ending in Sandbox.Timedout.
	requestTimeout = 20 * time.Second
)

// fromEnv builds the handler from the function's environment; loadAWS is
// called on the first invocation for the role's credentials and region. An
// invalid setting does not stop the process: every invocation then fails
// with Misconfigured, which the workflow can catch and report.
func fromEnv(getenv func(string) string, loadAWS func(context.Context) (aws.Config, error)) *handler {
	env := envconfig.New(getenv)
	h := &handler{
		client:   &http.Client{Timeout: requestTimeout},
		signer:   v4.NewSigner(),
		now:      time.Now,
		loadAWS:  loadAWS,
		region:   env.String("OPENSEARCH_REGION", ""),
		endpoint: endpoint(env),
		index:    index(env),
	}
	h.misconfigured = env.Err()
	return h
}

// endpoint returns the domain's base URL, or "" when none is set: a stack
// deployed without a domain skips indexing. CloudFormation gives a domain's
// endpoint as a bare host name, which is reached over https.
func endpoint(env *envconfig.Reader) string {
	const setting = "OPENSEARCH_ENDPOINT"
	raw := strings.TrimSpace(env.String(setting, ""))
	if raw == "" {
		return "" // not configured: every post is skipped
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := envconfig.BaseURL(setting, raw)
	env.Add(err)
	return u
}

// index checks an index name against OpenSearch's rules, so a typo is
// reported as the deployment's fault rather than as a rejected post.
func index(env *envconfig.Reader) string {
	name := env.String("OPENSEARCH_INDEX", defaultIndex)
	bad := name != strings.ToLower(name) ||
		strings.ContainsAny(name, ` "*\<|,>/?#:`) ||
		strings.ContainsAny(name[:1], "_-+") ||
		name == "." || name == ".." || len(name) > 255
	if bad {
		env.Add(&envconfig.Misconfigured{Setting: "OPENSEARCH_INDEX", Reason: fmt.Sprintf("%q is not a valid index name", name)})
		return ""
	}
	return name
}
