package main

import (
	"path/filepath"
	"testing"

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

	firstPage   = "GET /articles/me/all?page=1&per_page=1000"
	createRoute = "POST /articles"
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
			post: "post.json",
			replies: map[string]blogtest.Reply{
				firstPage:   {Status: 200, File: "articles-none-matching.json"},
				createRoute: {Status: 201, File: "created.json"},
			},
			calls:  []string{firstPage, createRoute},
			golden: "golden/article.json",
			want: blog.Result{
				Platform: "devto",
				ID:       "1520931",
				URL:      "https://dev.to/sandeepyaramchitti/automating-aws-step-functions-programmatically-initiating-workflows-for-seamless-orchestration-4b2e",
			},
		},
		{
			name:     "updates the article an earlier attempt published instead of duplicating it",
			pageSize: 2,
			post:     "post.json",
			replies: map[string]blogtest.Reply{
				"GET /articles/me/all?page=1&per_page=2": {Status: 200, File: "articles-none-matching.json"},
				"GET /articles/me/all?page=2&per_page=2": {Status: 200, File: "articles-page2-matching.json"},
				"PUT /articles/1520931":                  {Status: 200, File: "updated.json"},
			},
			calls:  []string{"GET /articles/me/all?page=1&per_page=2", "GET /articles/me/all?page=2&per_page=2", "PUT /articles/1520931"},
			golden: "golden/article.json",
			want: blog.Result{
				Platform: "devto",
				ID:       "1520931",
				URL:      "https://dev.to/sandeepyaramchitti/automating-aws-step-functions-programmatically-initiating-workflows-for-seamless-orchestration-4b2e",
			},
		},
		{
			name:    "saves a draft without lookup for a post without canonical URL",
			env:     map[string]string{"DEVTO_PUBLISHED": "false"},
			post:    "post-minimal.json",
			replies: map[string]blogtest.Reply{createRoute: {Status: 201, File: "created-draft.json"}},
			calls:   []string{createRoute},
			golden:  "golden/article-minimal-draft.json",
			want: blog.Result{
				Platform: "devto",
				ID:       "1533407",
				URL:      "https://dev.to/sandeepyaramchitti/notes-on-step-functions-retries-temp-slug-2291044",
			},
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

func TestDevToFailuresReachTheWorkflowTyped(t *testing.T) {
	listed := blogtest.Reply{Status: 200, File: "articles-none-matching.json"}
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
			replies:        map[string]blogtest.Reply{firstPage: listed, createRoute: {Status: 429, File: "error-429.json", Header: map[string]string{"Retry-After": "30"}}},
			wantType:       "RateLimited",
			wantMessage:    "retry after 30s",
			wantSecretRead: 1,
		},
		{
			name:           "server error is retryable",
			replies:        map[string]blogtest.Reply{firstPage: listed, createRoute: {Status: 500, File: "error-500.json"}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "Internal Server Error",
			wantSecretRead: 1,
		},
		{
			name:           "maintenance page during the lookup is retryable",
			replies:        map[string]blogtest.Reply{firstPage: {Status: 503, File: "error-503.html", Header: map[string]string{"Content-Type": "text/html"}}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "HTTP 503",
			wantSecretRead: 1,
		},
		{
			name:           "refused key during the lookup is permanent and the secret is read again",
			replies:        map[string]blogtest.Reply{firstPage: {Status: 401, File: "error-401.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "unauthorized",
			wantSecretRead: 2,
		},
		{
			name:           "refused key on create is permanent and the secret is read again",
			replies:        map[string]blogtest.Reply{firstPage: listed, createRoute: {Status: 401, File: "error-401.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "unauthorized",
			wantSecretRead: 2,
		},
		{
			name:           "unprocessable article is permanent with Dev.to's reason",
			replies:        map[string]blogtest.Reply{firstPage: listed, createRoute: {Status: 422, File: "error-422.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "Unprocessable Entity: Canonical url has already been taken",
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
				_, fail, logs = invoke(t, h, blogtest.ReadFile(t, "post.json"))
				blogtest.AssertFailed(t, fail, logs, tt.wantType, tt.wantMessage, apiKey)
			}
			assert.Equal(t, tt.wantSecretRead, store.Reads())
		})
	}
}

func TestNothingIsSentToDevToWhenTheCallCannotSucceed(t *testing.T) {
	post := string(blogtest.ReadFile(t, "post.json"))
	tests := []struct {
		name     string
		secret   string
		env      map[string]string
		payload  string
		wantType string
	}{
		{name: "post without a body", secret: secret, payload: `{"id":"p1","title":"Hello","body":""}`, wantType: "InvalidPost"},
		{name: "secret missing", payload: post, wantType: "Unavailable"},
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
