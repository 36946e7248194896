package main

import (
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
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
func setup(apiURL, secret string, env map[string]string) (*handler, *secretStore) {
	store := &secretStore{values: map[string]string{}}
	if secret != "" {
		store.values[secretID] = secret
	}
	vars := map[string]string{"DEVTO_API_URL": apiURL, "DEVTO_SECRET_ID": secretID}
	for k, v := range env {
		vars[k] = v
	}
	return fromEnv(func(k string) string { return vars[k] }, newCache(store)), store
}

func TestPublishesThePostOnDevToOnce(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		pageSize int
		post     string
		replies  map[string]reply
		calls    []string
		golden   string
		want     blog.Result
	}{
		{
			name: "creates an article when none carries the canonical URL",
			post: "post.json",
			replies: map[string]reply{
				firstPage:   {status: 200, file: "articles-none-matching.json"},
				createRoute: {status: 201, file: "created.json"},
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
			replies: map[string]reply{
				"GET /articles/me/all?page=1&per_page=2": {status: 200, file: "articles-none-matching.json"},
				"GET /articles/me/all?page=2&per_page=2": {status: 200, file: "articles-page2-matching.json"},
				"PUT /articles/1520931":                  {status: 200, file: "updated.json"},
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
			replies: map[string]reply{createRoute: {status: 201, file: "created-draft.json"}},
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
			devto := newReplay(t, tt.replies)
			h, _ := setup(devto.URL, secret, tt.env)
			if tt.pageSize > 0 {
				h.pageSize = tt.pageSize
			}

			got, fail, logs := invoke(t, h, readFile(t, tt.post))

			require.Nil(t, fail)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.calls, devto.targets())
			reqs := devto.requests()
			for _, r := range reqs {
				assert.Equal(t, apiKey, r.header.Get("api-key"), r.target)
				assert.Equal(t, "application/vnd.forem.api-v1+json", r.header.Get("Accept"), r.target)
			}
			save := reqs[len(reqs)-1]
			assert.Equal(t, "application/json", save.header.Get("Content-Type"))
			assertGolden(t, tt.golden, save.body)
			assert.Contains(t, logs, "published on Dev.to")
			assert.NotContains(t, logs, apiKey)
		})
	}
}

func TestDevToFailuresReachTheWorkflowTyped(t *testing.T) {
	listed := reply{status: 200, file: "articles-none-matching.json"}
	tests := []struct {
		name           string
		replies        map[string]reply
		refused        bool
		wantType       string
		wantMessage    string
		wantSecretRead int // Secrets Manager reads after two invocations
	}{
		{
			name:           "rate limit with Retry-After is retryable",
			replies:        map[string]reply{firstPage: listed, createRoute: {status: 429, file: "error-429.json", header: map[string]string{"Retry-After": "30"}}},
			wantType:       "RateLimited",
			wantMessage:    "retry after 30s",
			wantSecretRead: 1,
		},
		{
			name:           "server error is retryable",
			replies:        map[string]reply{firstPage: listed, createRoute: {status: 500, file: "error-500.json"}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "Internal Server Error",
			wantSecretRead: 1,
		},
		{
			name:           "maintenance page during the lookup is retryable",
			replies:        map[string]reply{firstPage: {status: 503, file: "error-503.html", header: map[string]string{"Content-Type": "text/html"}}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "HTTP 503",
			wantSecretRead: 1,
		},
		{
			name:           "refused key during the lookup is permanent and the secret is read again",
			replies:        map[string]reply{firstPage: {status: 401, file: "error-401.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "unauthorized",
			wantSecretRead: 2,
		},
		{
			name:           "refused key on create is permanent and the secret is read again",
			replies:        map[string]reply{firstPage: listed, createRoute: {status: 401, file: "error-401.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "unauthorized",
			wantSecretRead: 2,
		},
		{
			name:           "unprocessable article is permanent with Dev.to's reason",
			replies:        map[string]reply{firstPage: listed, createRoute: {status: 422, file: "error-422.json"}},
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
			apiURL := refusedURL(t)
			if !tt.refused {
				apiURL = newReplay(t, tt.replies).URL
			}
			h, store := setup(apiURL, secret, nil)

			var fail *messages.InvokeResponse_Error
			var logs string
			for range 2 {
				_, fail, logs = invoke(t, h, readFile(t, "post.json"))
				require.NotNil(t, fail)
				assert.Equal(t, tt.wantType, fail.Type)
				assert.Contains(t, fail.Message, tt.wantMessage)
				assert.NotContains(t, logs, apiKey)
				assert.NotContains(t, fail.Message, apiKey)
			}
			assert.Equal(t, tt.wantSecretRead, store.readCount())
		})
	}
}

func TestNothingIsSentToDevToWhenTheCallCannotSucceed(t *testing.T) {
	post := string(readFile(t, "post.json"))
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
			devto := newReplay(t, nil)
			h, _ := setup(devto.URL, tt.secret, tt.env)

			_, fail, logs := invoke(t, h, []byte(tt.payload))

			require.NotNil(t, fail)
			assert.Equal(t, tt.wantType, fail.Type, fail.Message)
			assert.Empty(t, devto.targets())
			assert.NotContains(t, logs, apiKey)
			assert.NotContains(t, fail.Message, apiKey)
		})
	}
}
