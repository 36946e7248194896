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
	secretID      = "stepforge/hashnode"
	token         = "8c1e0f5a-3d47-4b92-a6e1-7f20c9d84b3e"
	publicationID = "6471d2c5f1a8b0e93c4d2a17"
	secret        = `{"HASHNODE_TOKEN":"` + token + `","HASHNODE_PUBLICATION_ID":"` + publicationID + `"}`

	// The GraphQL endpoint is the API URL itself.
	publishRoute = "POST /"
)

// setup returns a handler configured like the deployed function but talking
// to the fake Hashnode at apiURL and to Secrets Manager holding secret.
func setup(apiURL, secret string, env map[string]string) (*handler, *blogtest.SecretStore) {
	store := blogtest.NewSecretStore(secretID, secret)
	getenv := envconfig.Map(map[string]string{"HASHNODE_API_URL": apiURL, "HASHNODE_SECRET_ID": secretID}, env)
	return fromEnv(getenv, store.Cache()), store
}

// invoke runs h as the Lambda runtime runs the deployed function.
func invoke(t *testing.T, h *handler, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	return blogtest.Invoke(t, h.handle, "publishhashnode", payload)
}

func TestPublishesThePostOnHashnode(t *testing.T) {
	full := blog.Result{
		Platform: "hashnode",
		ID:       "6495648d1c0a2b7e9f3d4c51",
		URL:      "https://blog.cloudysky.link/automating-aws-step-functions-programmatically-initiating-workflows-for-seamless-orchestration",
	}
	tests := []struct {
		name     string
		post     string
		reply    blogtest.Reply
		golden   string
		want     blog.Result
		wantLogs string
	}{
		{
			name:     "sends subtitle, tags, cover image and original URL",
			post:     "post.json",
			reply:    blogtest.Reply{Status: 200, File: "published.json"},
			golden:   "golden/publish-post.json",
			want:     full,
			wantLogs: "published on Hashnode",
		},
		{
			name:     "leaves out what the post lacks",
			post:     "post-minimal.json",
			reply:    blogtest.Reply{Status: 200, File: "published-minimal.json"},
			golden:   "golden/publish-post-minimal.json",
			want:     blog.Result{Platform: "hashnode", ID: "649f7a2e3b8c1d0e5f6a7b82", URL: "https://blog.cloudysky.link/notes-on-step-functions-retries"},
			wantLogs: "published on Hashnode",
		},
		{
			name:     "a published post with errors beside it is still published, so a retry cannot duplicate it",
			post:     "post.json",
			reply:    blogtest.Reply{Status: 200, File: "published-with-errors.json"},
			golden:   "golden/publish-post.json",
			want:     full,
			wantLogs: "Could not notify followers",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hashnode := blogtest.NewReplay(t, map[string]blogtest.Reply{publishRoute: tt.reply})
			h, _ := setup(hashnode.URL, secret, nil)

			got, fail, logs := invoke(t, h, blogtest.ReadFile(t, tt.post))

			require.Nil(t, fail)
			assert.Equal(t, tt.want, got)
			reqs := hashnode.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, token, reqs[0].Header.Get("Authorization"))
			assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
			golden.AssertJSON(t, filepath.Join("testdata", tt.golden), reqs[0].Body)
			assert.Contains(t, logs, tt.wantLogs)
			assert.NotContains(t, logs, token)
		})
	}
}

func TestHashnodeFailuresReachTheWorkflowTyped(t *testing.T) {
	tests := []struct {
		name           string
		reply          blogtest.Reply
		refused        bool
		wantType       string
		wantMessage    string
		wantSecretRead int // Secrets Manager reads after two invocations
	}{
		{
			name:           "unauthenticated with HTTP 200 is permanent and the secret is read again",
			reply:          blogtest.Reply{Status: 200, File: "error-unauthenticated.json"},
			wantType:       "PlatformRejected",
			wantMessage:    "UNAUTHENTICATED: You must be authenticated.",
			wantSecretRead: 2,
		},
		{
			name:           "forbidden publication is permanent and the secret is read again",
			reply:          blogtest.Reply{Status: 200, File: "error-forbidden.json"},
			wantType:       "PlatformRejected",
			wantMessage:    "FORBIDDEN: You are not allowed to publish posts in this publication.",
			wantSecretRead: 2,
		},
		{
			name:           "HTTP 401 is permanent and the secret is read again",
			reply:          blogtest.Reply{Status: 401, File: "error-401.json"},
			wantType:       "PlatformRejected",
			wantMessage:    "HTTP 401",
			wantSecretRead: 2,
		},
		{
			name:           "bad user input is permanent with Hashnode's reason",
			reply:          blogtest.Reply{Status: 200, File: "error-bad-user-input.json"},
			wantType:       "PlatformRejected",
			wantMessage:    "BAD_USER_INPUT: Invalid tags: a post can have at most 5 tags.",
			wantSecretRead: 1,
		},
		{
			name:           "query validation failure with HTTP 400 is permanent",
			reply:          blogtest.Reply{Status: 400, File: "error-validation-failed.json"},
			wantType:       "PlatformRejected",
			wantMessage:    `Field "publicationId" of required type "ObjectId!" was not provided.`,
			wantSecretRead: 1,
		},
		{
			name:           "internal server error with HTTP 200 is retryable",
			reply:          blogtest.Reply{Status: 200, File: "error-internal.json"},
			wantType:       "PlatformUnavailable",
			wantMessage:    "INTERNAL_SERVER_ERROR: Unexpected error.",
			wantSecretRead: 1,
		},
		{
			name:           "rate limit with HTTP 429 and Retry-After is retryable",
			reply:          blogtest.Reply{Status: 429, File: "error-429.json", Header: map[string]string{"Retry-After": "30"}},
			wantType:       "RateLimited",
			wantMessage:    "retry after 30s",
			wantSecretRead: 1,
		},
		{
			name:           "rate limit code with HTTP 200 is retryable",
			reply:          blogtest.Reply{Status: 200, File: "error-429.json", Header: map[string]string{"Retry-After": "12"}},
			wantType:       "RateLimited",
			wantMessage:    "retry after 12s",
			wantSecretRead: 1,
		},
		{
			name:           "HTTP 503 is retryable",
			reply:          blogtest.Reply{Status: 503, File: "error-503.json"},
			wantType:       "PlatformUnavailable",
			wantMessage:    "Service Unavailable",
			wantSecretRead: 1,
		},
		{
			name:           "gateway error page is retryable",
			reply:          blogtest.Reply{Status: 502, File: "error-502.html", Header: map[string]string{"Content-Type": "text/html"}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "HTTP 502",
			wantSecretRead: 1,
		},
		{
			name:           "unreachable Hashnode is retryable",
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
				apiURL = blogtest.NewReplay(t, map[string]blogtest.Reply{publishRoute: tt.reply}).URL
			}
			h, store := setup(apiURL, secret, nil)

			var fail *messages.InvokeResponse_Error
			var logs string
			for range 2 {
				_, fail, logs = invoke(t, h, blogtest.ReadFile(t, "post.json"))
				blogtest.AssertFailed(t, fail, logs, tt.wantType, tt.wantMessage, token)
			}
			assert.Equal(t, tt.wantSecretRead, store.Reads())
		})
	}
}

func TestNothingIsSentToHashnodeWhenTheCallCannotSucceed(t *testing.T) {
	post := string(blogtest.ReadFile(t, "post.json"))
	tests := []struct {
		name     string
		secret   string
		env      map[string]string
		payload  string
		wantType string
	}{
		{name: "post without an id", secret: secret, payload: `{"title":"Hello","body":"World"}`, wantType: "InvalidPost"},
		{name: "secret missing", payload: post, wantType: "Unavailable"},
		{name: "secret that is not JSON", secret: token, payload: post, wantType: "Malformed"},
		{name: "secret without a token", secret: `{"HASHNODE_PUBLICATION_ID":"` + publicationID + `"}`, payload: post, wantType: "Malformed"},
		{name: "secret without a publication", secret: `{"HASHNODE_TOKEN":"` + token + `"}`, payload: post, wantType: "Malformed"},
		{name: "no secret id", secret: secret, env: map[string]string{"HASHNODE_SECRET_ID": ""}, payload: post, wantType: "Misconfigured"},
		{name: "API URL that is not a URL", secret: secret, env: map[string]string{"HASHNODE_API_URL": "gql.hashnode.com"}, payload: post, wantType: "Misconfigured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hashnode := blogtest.NewReplay(t, nil)
			h, _ := setup(hashnode.URL, tt.secret, tt.env)

			_, fail, logs := invoke(t, h, []byte(tt.payload))

			blogtest.AssertFailed(t, fail, logs, tt.wantType, "", token)
			assert.Empty(t, hashnode.Targets())
		})
	}
}

func TestTagsKeepHashnodeSlugs(t *testing.T) {
	got := tags([]blog.Category{
		{Title: "Step Functions", Slug: "step-functions"},
		{Title: "AWS Lambda"},
		{Title: "Step functions", Slug: "Step_Functions"},
		{Title: "", Slug: "go"},
		{Title: "  ", Slug: ""},
		{Title: "Serverless", Slug: "serverless"},
		{Title: "AWS", Slug: "aws"},
		{Title: "DevOps", Slug: "devops"},
	})
	assert.Equal(t, []tag{
		{Slug: "step-functions", Name: "Step Functions"},
		{Slug: "aws-lambda", Name: "AWS Lambda"},
		{Slug: "go", Name: "go"},
		{Slug: "serverless", Name: "Serverless"},
		{Slug: "aws", Name: "AWS"},
	}, got)
}
