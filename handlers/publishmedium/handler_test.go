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
	secretID = "stepforge/medium"
	token    = "2a7c1f9e4b8d3c6a5f0e1d2c3b4a59687f6e5d4c3b2a1908f7e6d5c4b3a2918f7"
	authorID = "1f86fc5f5e3a4d1b0c9e2a7d6b4f8e31a"
)

var (
	secretWithoutAuthor = `{"MEDIUM_TOKEN":"` + token + `"}`
	secretWithAuthor    = `{"MEDIUM_TOKEN":"` + token + `","MEDIUM_AUTHOR_ID":"5303d74c64f66366f00cb9b2a94f3251bf5"}`
)

// setup returns a handler configured like the deployed function but talking
// to the fake Medium at apiURL and to Secrets Manager holding secret.
func setup(apiURL, secret string, env map[string]string) (*handler, *blogtest.SecretStore) {
	store := blogtest.NewSecretStore(secretID, secret)
	getenv := envconfig.Map(map[string]string{"MEDIUM_API_URL": apiURL, "MEDIUM_SECRET_ID": secretID}, env)
	return fromEnv(getenv, store.Cache()), store
}

// invoke runs h as the Lambda runtime runs the deployed function.
func invoke(t *testing.T, h *handler, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	return blogtest.Invoke(t, h.handle, "publishmedium", payload)
}

func TestPublishesThePostOnMedium(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		env     map[string]string
		post    string
		replies map[string]blogtest.Reply
		golden  string
		want    blog.Result
	}{
		{
			name:   "looks up the author when the secret names none",
			secret: secretWithoutAuthor,
			post:   "post.json",
			replies: map[string]blogtest.Reply{
				"GET /me":                            {Status: 200, File: "me.json"},
				"POST /users/" + authorID + "/posts": {Status: 201, File: "created.json"},
			},
			golden: "golden/create-post.json",
			want: blog.Result{
				Platform: "medium",
				ID:       "e6f36a1b9c2d",
				URL:      "https://medium.com/@sandeepyaramchitti/automating-aws-step-functions-programmatically-initiating-workflows-for-seamless-orchestration-e6f36a1b9c2d",
			},
		},
		{
			name:   "publishes under the secret's author as a draft without what the post lacks",
			secret: secretWithAuthor,
			env:    map[string]string{"MEDIUM_PUBLISH_STATUS": "draft"},
			post:   "post-minimal.json",
			replies: map[string]blogtest.Reply{
				"POST /users/5303d74c64f66366f00cb9b2a94f3251bf5/posts": {Status: 201, File: "created-draft.json"},
			},
			golden: "golden/create-minimal-draft.json",
			want:   blog.Result{Platform: "medium", ID: "a90b3c7d1e22", URL: "https://medium.com/p/a90b3c7d1e22"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			medium := blogtest.NewReplay(t, tt.replies)
			h, _ := setup(medium.URL, tt.secret, tt.env)

			got, fail, logs := invoke(t, h, blogtest.ReadFile(t, tt.post))

			require.Nil(t, fail)
			assert.Equal(t, tt.want, got)
			reqs := medium.Requests()
			require.Len(t, reqs, len(tt.replies))
			for _, r := range reqs {
				assert.Equal(t, "Bearer "+token, r.Header.Get("Authorization"), r.Target)
				assert.Equal(t, "application/json", r.Header.Get("Accept"), r.Target)
			}
			create := reqs[len(reqs)-1]
			assert.Equal(t, "application/json", create.Header.Get("Content-Type"))
			golden.AssertJSON(t, filepath.Join("testdata", tt.golden), create.Body)
			assert.Contains(t, logs, "published on Medium")
			assert.NotContains(t, logs, token)
		})
	}
}

func TestWarmInvocationsReuseTheAuthorLookedUp(t *testing.T) {
	medium := blogtest.NewReplay(t, map[string]blogtest.Reply{
		"GET /me":                            {Status: 200, File: "me.json"},
		"POST /users/" + authorID + "/posts": {Status: 201, File: "created.json"},
	})
	h, _ := setup(medium.URL, secretWithoutAuthor, nil)

	for range 2 {
		_, fail, _ := invoke(t, h, blogtest.ReadFile(t, "post.json"))
		require.Nil(t, fail)
	}

	assert.Equal(t, []string{"GET /me", "POST /users/" + authorID + "/posts", "POST /users/" + authorID + "/posts"}, medium.Targets())
}

func TestMediumFailuresReachTheWorkflowTyped(t *testing.T) {
	const create = "POST /users/" + authorID + "/posts"
	me := blogtest.Reply{Status: 200, File: "me.json"}
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
			replies:        map[string]blogtest.Reply{"GET /me": me, create: {Status: 429, File: "error-429.json", Header: map[string]string{"Retry-After": "30"}}},
			wantType:       "RateLimited",
			wantMessage:    "retry after 30s",
			wantSecretRead: 1,
		},
		{
			name:           "server error is retryable",
			replies:        map[string]blogtest.Reply{"GET /me": me, create: {Status: 500, File: "error-500.json"}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "Something went wrong.",
			wantSecretRead: 1,
		},
		{
			name:           "maintenance page is retryable",
			replies:        map[string]blogtest.Reply{"GET /me": me, create: {Status: 503, File: "error-503.html", Header: map[string]string{"Content-Type": "text/html"}}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "HTTP 503",
			wantSecretRead: 1,
		},
		{
			name:           "refused token is permanent and the secret is read again",
			replies:        map[string]blogtest.Reply{"GET /me": me, create: {Status: 401, File: "error-401.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "Token was invalid.",
			wantSecretRead: 2,
		},
		{
			name:           "refused author lookup is permanent and the secret is read again",
			replies:        map[string]blogtest.Reply{"GET /me": {Status: 401, File: "error-401.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "Token was invalid.",
			wantSecretRead: 2,
		},
		{
			name:           "invalid article is permanent with Medium's reason",
			replies:        map[string]blogtest.Reply{"GET /me": me, create: {Status: 400, File: "error-400.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "Invalid field: canonicalUrl must be a valid URL.",
			wantSecretRead: 1,
		},
		{
			name:           "unreachable Medium is retryable",
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
			h, store := setup(apiURL, secretWithoutAuthor, nil)

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

func TestNothingIsSentToMediumWhenTheCallCannotSucceed(t *testing.T) {
	tests := []struct {
		name     string
		secret   string
		env      map[string]string
		payload  string
		wantType string
	}{
		{
			name:     "post without a title",
			secret:   secretWithAuthor,
			payload:  `{"id":"p1","title":" ","body":"Hello"}`,
			wantType: "InvalidPost",
		},
		{
			name:     "secret missing",
			payload:  string(blogtest.ReadFile(t, "post.json")),
			wantType: "Unavailable",
		},
		{
			name:     "secret that is not JSON",
			secret:   "MEDIUM_TOKEN=" + token,
			payload:  string(blogtest.ReadFile(t, "post.json")),
			wantType: "Malformed",
		},
		{
			name:     "secret without a token",
			secret:   `{"MEDIUM_AUTHOR_ID":"5303d74c64f66366f00cb9b2a94f3251bf5"}`,
			payload:  string(blogtest.ReadFile(t, "post.json")),
			wantType: "Malformed",
		},
		{
			name:     "unknown publish status",
			secret:   secretWithAuthor,
			env:      map[string]string{"MEDIUM_PUBLISH_STATUS": "Published"},
			payload:  string(blogtest.ReadFile(t, "post.json")),
			wantType: "Misconfigured",
		},
		{
			name:     "no secret id",
			secret:   secretWithAuthor,
			env:      map[string]string{"MEDIUM_SECRET_ID": ""},
			payload:  string(blogtest.ReadFile(t, "post.json")),
			wantType: "Misconfigured",
		},
		{
			name:     "API URL that is not a URL",
			secret:   secretWithAuthor,
			env:      map[string]string{"MEDIUM_API_URL": "api.medium.com/v1"},
			payload:  string(blogtest.ReadFile(t, "post.json")),
			wantType: "Misconfigured",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			medium := blogtest.NewReplay(t, nil)
			env := map[string]string{"MEDIUM_API_URL": medium.URL}
			for k, v := range tt.env {
				env[k] = v
			}
			h, _ := setup(medium.URL, tt.secret, env)

			_, fail, logs := invoke(t, h, []byte(tt.payload))

			blogtest.AssertFailed(t, fail, logs, tt.wantType, "", token)
			assert.Empty(t, medium.Targets())
		})
	}
}

func TestContentStartsWithTheTitleOnce(t *testing.T) {
	tests := []struct {
		name string
		post blog.Post
		want string
	}{
		{
			name: "adds the title and main image",
			post: blog.Post{Title: "Hello", Body: "Text.\n", MainImage: &blog.Image{URL: "https://img.example/a.png", Alt: "a [b]"}},
			want: "# Hello\n\n![a \\[b\\]](https://img.example/a.png)\n\nText.\n",
		},
		{
			name: "keeps a body that already opens with the title",
			post: blog.Post{Title: "Hello", Body: "\n# Hello\n\nText.\n"},
			want: "\n# Hello\n\nText.\n",
		},
		{
			name: "adds the title above a different heading",
			post: blog.Post{Title: "Hello", Body: "# Intro\n\nText.\n"},
			want: "# Hello\n\n# Intro\n\nText.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, content(tt.post))
		})
	}
}
