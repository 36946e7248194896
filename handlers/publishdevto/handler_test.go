package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/blog/blogtest"
	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/golden"
)

const (
	secretID = "stepforge/devto"
	apiKey   = "Xq4vNw8ZpT2rYbK7mC9dLf3H"
	secret   = `{"DEVTO_API_KEY":"` + apiKey + `"}`

	firstPage   = "GET /articles/me/all?page=1&per_page=50"
	createRoute = "POST /articles"
	updateRoute = "PUT /articles/1520931"

	articleURL = "https://dev.to/sandeepyaramchitti/automating-aws-step-functions-programmatically-initiating-workflows-for-seamless-orchestration-4b2e"
	draftURL   = "https://dev.to/sandeepyaramchitti/notes-on-step-functions-retries-temp-slug-2291044"
)

// setup returns a handler configured like the deployed function but talking
// to the fake Dev.to at apiURL and to Secrets Manager holding secret.
func setup(apiURL, secret string, env map[string]string) (*handler, *blogtest.SecretStore) {
	store := blogtest.NewSecretStore(secretID, secret)
	getenv := envconfig.Map(map[string]string{"DEVTO_API_URL": apiURL, "DEVTO_SECRET_ID": secretID}, env)
	return fromEnv(getenv, store.Cache()), store
}

// invoke runs h as the Lambda runtime runs the deployed function.
func invoke(t *testing.T, h *handler, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	return blogtest.Invoke(t, h.handle, "publishdevto", payload)
}

func TestPublishesThePostOnDevToOnce(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		pageSize int
		post     string
		replies  map[string]blogtest.Reply
		calls    []string
		golden   string
		want     blog.Result
	}{
		{
			name: "creates an article when none carries the canonical URL",
			post: "post.handmade.json",
			replies: map[string]blogtest.Reply{
				firstPage:   {Status: 200, File: "articles-none-matching.handmade.json"},
				createRoute: {Status: 201, File: "created.handmade.json"},
			},
			calls:  []string{firstPage, createRoute},
			golden: "golden/article.json",
			want:   blog.Result{Platform: "devto", ID: "1520931", URL: articleURL, Action: blog.ActionCreated},
		},
		{
			name: "creates an article on an account without any",
			post: "post.handmade.json",
			replies: map[string]blogtest.Reply{
				firstPage:   {Status: 200, File: "articles-empty.json"},
				createRoute: {Status: 201, File: "created.handmade.json"},
			},
			calls:  []string{firstPage, createRoute},
			golden: "golden/article.json",
			want:   blog.Result{Platform: "devto", ID: "1520931", URL: articleURL, Action: blog.ActionCreated},
		},
		{
			name:     "updates the article an earlier attempt published instead of duplicating it",
			pageSize: 2,
			post:     "post.handmade.json",
			replies: map[string]blogtest.Reply{
				"GET /articles/me/all?page=1&per_page=2": {Status: 200, File: "articles-none-matching.handmade.json"},
				"GET /articles/me/all?page=2&per_page=2": {Status: 200, File: "articles-page2-matching.handmade.json"},
				updateRoute:                              {Status: 200, File: "updated.handmade.json"},
			},
			calls:  []string{"GET /articles/me/all?page=1&per_page=2", "GET /articles/me/all?page=2&per_page=2", updateRoute},
			golden: "golden/article.json",
			want:   blog.Result{Platform: "devto", ID: "1520931", URL: articleURL, Action: blog.ActionUpdated},
		},
		{
			name:    "a post without canonical URL is looked up by title and body, then saved as a draft",
			env:     map[string]string{"DEVTO_PUBLISHED": "false"},
			post:    "post-minimal.handmade.json",
			replies: map[string]blogtest.Reply{firstPage: {Status: 200, File: "articles-none-matching.handmade.json"}, createRoute: {Status: 201, File: "created-draft.handmade.json"}},
			calls:   []string{firstPage, createRoute},
			golden:  "golden/article-minimal-draft.json",
			want:    blog.Result{Platform: "devto", ID: "1533407", URL: draftURL, Action: blog.ActionCreated},
		},
		{
			name:    "the draft an earlier attempt saved of a post without canonical URL is updated",
			env:     map[string]string{"DEVTO_PUBLISHED": "false"},
			post:    "post-minimal.handmade.json",
			replies: map[string]blogtest.Reply{firstPage: {Status: 200, File: "articles-draft-matching.handmade.json"}, "PUT /articles/1533407": {Status: 200, File: "updated-draft.handmade.json"}},
			calls:   []string{firstPage, "PUT /articles/1533407"},
			golden:  "golden/article-minimal-draft.json",
			want:    blog.Result{Platform: "devto", ID: "1533407", URL: draftURL, Action: blog.ActionUpdated},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devto := blogtest.NewReplay(t, tt.replies)
			h, _ := setup(devto.URL, secret, tt.env)
			if tt.pageSize > 0 {
				h.pageSize = tt.pageSize
			}

			got, fail, logs := invoke(t, h, blogtest.ReadFile(t, tt.post))

			require.Nil(t, fail)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.calls, devto.Targets())
			reqs := devto.Requests()
			for _, r := range reqs {
				assert.Equal(t, apiKey, r.Header.Get("api-key"), r.Target)
				assert.Equal(t, "application/vnd.forem.api-v1+json", r.Header.Get("Accept"), r.Target)
			}
			save := reqs[len(reqs)-1]
			assert.Equal(t, "application/json", save.Header.Get("Content-Type"))
			golden.AssertJSON(t, filepath.Join("testdata", tt.golden), save.Body)
			assert.Contains(t, logs, "published on Dev.to")
			assert.NotContains(t, logs, apiKey)
		})
	}
}

// A client timeout leaves the article in one of two states: not created, or
// created without our knowing. The retry must not create a second one.
func TestARetryAfterAClientTimeoutUpdatesWhatTheFirstAttemptCreated(t *testing.T) {
	// First attempt: the lookup finds nothing, and Dev.to creates the article
	// but answers too late; the function gives up before the deadline.
	before := blogtest.NewReplay(t, map[string]blogtest.Reply{
		firstPage:   {Status: 200, File: "articles-none-matching.handmade.json"},
		createRoute: {Status: 201, File: "created.handmade.json", Delay: time.Minute},
	})
	first, _ := setup(before.URL, secret, nil)
	ctx, cancel := context.WithTimeout(context.Background(), blog.Reserve+1500*time.Millisecond)
	defer cancel()
	_, fail, logs := blogtest.InvokeContext(t, ctx, first.handle, "publishdevto", blogtest.ReadFile(t, "post.handmade.json"))
	blogtest.AssertFailed(t, fail, logs, "PlatformUnavailable", "time budget", apiKey)
	assert.Equal(t, []string{firstPage, createRoute}, before.Targets())

	// The retry: the article is now listed (published, so after the drafts,
	// newest first) and is updated.
	after := blogtest.NewReplay(t, map[string]blogtest.Reply{
		firstPage:   {Status: 200, File: "articles-after-timeout.handmade.json"},
		updateRoute: {Status: 200, File: "updated.handmade.json"},
	})
	retry, _ := setup(after.URL, secret, nil)
	got, fail, _ := invoke(t, retry, blogtest.ReadFile(t, "post.handmade.json"))

	require.Nil(t, fail)
	assert.Equal(t, blog.Result{Platform: "devto", ID: "1520931", URL: articleURL, Action: blog.ActionUpdated}, got)
	assert.Equal(t, []string{firstPage, updateRoute}, after.Targets(), "the retry created nothing")
}

func TestTheLookupStopsAtItsPageBoundAndCreates(t *testing.T) {
	full := blogtest.Reply{Status: 200, File: "articles-none-matching.handmade.json"} // 2 articles: a full page of 2
	page := func(n string) string { return "GET /articles/me/all?page=" + n + "&per_page=2" }
	devto := blogtest.NewReplay(t, map[string]blogtest.Reply{
		page("1"): full, page("2"): full, page("3"): full, page("4"): full,
		createRoute: {Status: 201, File: "created.handmade.json"},
	})
	h, _ := setup(devto.URL, secret, nil)
	h.pageSize, h.maxPages = 2, 3

	got, fail, logs := invoke(t, h, blogtest.ReadFile(t, "post.handmade.json"))

	require.Nil(t, fail)
	assert.Equal(t, blog.ActionCreated, got.Action)
	assert.Equal(t, []string{page("1"), page("2"), page("3"), createRoute}, devto.Targets(), "no page past the bound is read")
	assert.Contains(t, logs, "stopped looking for an earlier Dev.to article")
}

func TestTheDeployedLookupFitsTheTimeBudget(t *testing.T) {
	h, _ := setup("https://dev.to/api", secret, nil)
	calls := h.maxPages + 1 // the lookup's pages, then one create or update
	assert.Equal(t, 50, h.pageSize)
	assert.Equal(t, requestTimeout, h.client.Timeout)
	assert.LessOrEqual(t, time.Duration(calls)*h.client.Timeout+blog.Reserve, 30*time.Second,
		"%d calls of %s each and the %s reserve do not fit the 30 s Lambda timeout", calls, h.client.Timeout, blog.Reserve)
}

func TestAHangingDevToIsReportedBeforeTheDeadline(t *testing.T) {
	tests := []struct {
		name    string
		replies map[string]blogtest.Reply
	}{
		{"during the lookup", map[string]blogtest.Reply{firstPage: {Status: 200, File: "articles-none-matching.handmade.json", Delay: time.Minute}}},
		{"during the create", map[string]blogtest.Reply{
			firstPage:   {Status: 200, File: "articles-none-matching.handmade.json"},
			createRoute: {Status: 201, File: "created.handmade.json", Delay: time.Minute},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits out most of its short deadline
			devto := blogtest.NewReplay(t, tt.replies)
			h, _ := setup(devto.URL, secret, nil)
			ctx, cancel := context.WithTimeout(context.Background(), blog.Reserve+1500*time.Millisecond)
			defer cancel()

			_, fail, logs := blogtest.InvokeContext(t, ctx, h.handle, "publishdevto", blogtest.ReadFile(t, "post.handmade.json"))

			blogtest.AssertFailed(t, fail, logs, "PlatformUnavailable", "time budget", apiKey)
			assert.Contains(t, blog.RetryableErrors(), fail.Type)
			assert.NoError(t, ctx.Err(), "the invocation's own deadline passed before the error came back")
		})
	}
}

func TestAMissingSecretSkipsDevTo(t *testing.T) {
	devto := blogtest.NewReplay(t, nil)
	h, _ := setup(devto.URL, "", nil)

	got, fail, _ := invoke(t, h, blogtest.ReadFile(t, "post.handmade.json"))

	require.Nil(t, fail, "a platform the user has not configured is not a failure")
	assert.Equal(t, blog.Result{Platform: "devto", Action: blog.ActionSkipped, Skipped: true,
		Reason: `Dev.to is not configured: secret "stepforge/devto" does not exist; create it to publish to Dev.to`}, got)
	assert.Empty(t, devto.Targets())
}

func TestDevToFailuresReachTheWorkflowTyped(t *testing.T) {
	listed := blogtest.Reply{Status: 200, File: "articles-none-matching.handmade.json"}
	tests := []struct {
		name           string
		replies        map[string]blogtest.Reply
		refused        bool
		wantType       string
		wantMessage    string
		wantSecretRead int // Secrets Manager reads after two invocations
	}{
		{
			name:           "rate limit with Retry-After is retryable",
			replies:        map[string]blogtest.Reply{firstPage: listed, createRoute: {Status: 429, File: "error-429.handmade.json", Header: map[string]string{"Retry-After": "30"}}},
			wantType:       "RateLimited",
			wantMessage:    "retry after 30s",
			wantSecretRead: 1,
		},
		{
			name:           "server error page is retryable",
			replies:        map[string]blogtest.Reply{firstPage: listed, createRoute: {Status: 500, File: "error-500.handmade.html", Header: map[string]string{"Content-Type": "text/html"}}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "HTTP 500",
			wantSecretRead: 1,
		},
		{
			name:           "overload page during the lookup is retryable",
			replies:        map[string]blogtest.Reply{firstPage: {Status: 503, File: "error-503.handmade.html", Header: map[string]string{"Content-Type": "text/html"}}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "HTTP 503",
			wantSecretRead: 1,
		},
		{
			name:           "refused key during the lookup is permanent and the secret is read again",
			replies:        map[string]blogtest.Reply{firstPage: {Status: 401, File: "error-401.handmade.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "unauthorized",
			wantSecretRead: 2,
		},
		{
			name:           "refused key on create is permanent and the secret is read again",
			replies:        map[string]blogtest.Reply{firstPage: listed, createRoute: {Status: 401, File: "error-401.handmade.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "unauthorized",
			wantSecretRead: 2,
		},
		{
			name:           "unprocessable article is permanent with Dev.to's reason",
			replies:        map[string]blogtest.Reply{firstPage: listed, createRoute: {Status: 422, File: "error-422.handmade.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "Canonical url has already been taken",
			wantSecretRead: 1,
		},
		{
			name:           "unreachable Dev.to is retryable",
			refused:        true,
			wantType:       "PlatformUnavailable",
			wantMessage:    "unreachable",
			wantSecretRead: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiURL := blogtest.RefusedURL(t)
			if !tt.refused {
				apiURL = blogtest.NewReplay(t, tt.replies).URL
			}
			h, store := setup(apiURL, secret, nil)

			var fail *messages.InvokeResponse_Error
			var logs string
			for range 2 {
				_, fail, logs = invoke(t, h, blogtest.ReadFile(t, "post.handmade.json"))
				blogtest.AssertFailed(t, fail, logs, tt.wantType, tt.wantMessage, apiKey)
			}
			assert.Equal(t, tt.wantSecretRead, store.Reads())
		})
	}
}

func TestNothingIsSentToDevToWhenTheCallCannotSucceed(t *testing.T) {
	post := string(blogtest.ReadFile(t, "post.handmade.json"))
	tests := []struct {
		name     string
		secret   string
		env      map[string]string
		payload  string
		wantType string
	}{
		{name: "post without a body", secret: secret, payload: `{"id":"p1","title":"Hello","body":""}`, wantType: "InvalidPost"},
		{name: "secret that is not JSON", secret: "DEVTO_API_KEY=" + apiKey, payload: post, wantType: "Malformed"},
		{name: "secret without an API key", secret: `{"api_key":"` + apiKey + `"}`, payload: post, wantType: "Malformed"},
		{name: "published flag that is not a boolean", secret: secret, env: map[string]string{"DEVTO_PUBLISHED": "yes"}, payload: post, wantType: "Misconfigured"},
		{name: "no secret id", secret: secret, env: map[string]string{"DEVTO_SECRET_ID": ""}, payload: post, wantType: "Misconfigured"},
		{name: "API URL that is not a URL", secret: secret, env: map[string]string{"DEVTO_API_URL": "dev.to/api"}, payload: post, wantType: "Misconfigured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devto := blogtest.NewReplay(t, nil)
			h, _ := setup(devto.URL, tt.secret, tt.env)

			_, fail, logs := invoke(t, h, []byte(tt.payload))

			blogtest.AssertFailed(t, fail, logs, tt.wantType, "", apiKey)
			assert.Empty(t, devto.Targets())
		})
	}
}
