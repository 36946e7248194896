package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
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
	secretID      = "stepforge/hashnode"
	token         = "8c1e0f5a-3d47-4b92-a6e1-7f20c9d84b3e"
	publicationID = "6471d2c5f1a8b0e93c4d2a17"
	secret        = `{"HASHNODE_TOKEN":"` + token + `","HASHNODE_PUBLICATION_ID":"` + publicationID + `"}`

	// Every operation goes to the endpoint itself; hashnodeFake routes them
	// to these targets by operation name, and FindPosts by its cursor.
	findPost       = "POST /FindPost"
	findPostsFirst = "POST /FindPosts"
	findPostsNext  = "POST /FindPosts?after=64a0c1e27d3b5f9a8e6c4d20"
	publishPost    = "POST /PublishPost"
	updatePost     = "POST /UpdatePost"
)

// setup returns a handler configured like the deployed function but talking
// to the fake Hashnode at apiURL and to Secrets Manager holding secret, with
// a fixed cache key so that requests match their golden files.
func setup(apiURL, secret string, env map[string]string) (*handler, *blogtest.SecretStore) {
	store := blogtest.NewSecretStore(secretID, secret)
	getenv := envconfig.Map(map[string]string{"HASHNODE_API_URL": apiURL, "HASHNODE_SECRET_ID": secretID}, env)
	h := fromEnv(getenv, store.Cache())
	h.newCacheKey = func() string { return "test-cache-key" }
	return h, store
}

// invoke runs h as the Lambda runtime runs the deployed function.
func invoke(t *testing.T, h *handler, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	return blogtest.Invoke(t, h.handle, "publishhashnode", payload)
}

// lambdaContext carries a deadline as short as the test can afford: just
// over the reserve blog.Exchange keeps, so a hanging call is cut short fast.
func lambdaContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), blog.Reserve+1500*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

func TestPublishesThePostOnceOnHashnode(t *testing.T) {
	post := blog.Result{Platform: "hashnode", ID: "6495648d1c0a2b7e9f3d4c51", URL: "https://blog.cloudysky.link/automating-aws-step-functions"}
	with := func(r blog.Result, action string) blog.Result { r.Action = action; return r }
	tests := []struct {
		name    string
		post    string
		replies map[string]blogtest.Reply
		// golden maps a target to the golden file its request must match.
		golden   map[string]string
		want     blog.Result
		wantLogs string
	}{
		{
			name: "a post the publication has no copy of is created under its slug with subtitle, tags, cover and original URL",
			post: "post.handmade.json",
			replies: map[string]blogtest.Reply{
				findPost:       {Status: 200, File: "no-post-by-slug.handmade.json"},
				findPostsFirst: {Status: 200, File: "posts-none.handmade.json"},
				publishPost:    {Status: 200, File: "published.handmade.json"},
			},
			golden: map[string]string{
				findPost:       "golden/find-post.json",
				findPostsFirst: "golden/find-posts.json",
				publishPost:    "golden/publish-post.json",
			},
			want:     with(post, blog.ActionCreated),
			wantLogs: "published on Hashnode",
		},
		{
			name: "a post without canonical URL is looked up by the slug made from its title only, and sent without what it lacks",
			post: "post-minimal.handmade.json",
			replies: map[string]blogtest.Reply{
				findPost:    {Status: 200, File: "no-post-by-slug.handmade.json"},
				publishPost: {Status: 200, File: "published-minimal.handmade.json"},
			},
			golden: map[string]string{
				findPost:    "golden/find-post-minimal.json",
				publishPost: "golden/publish-post-minimal.json",
			},
			want:     blog.Result{Platform: "hashnode", ID: "649f7a2e3b8c1d0e5f6a7b82", URL: "https://blog.cloudysky.link/notes-on-step-functions-retries", Action: blog.ActionCreated},
			wantLogs: "published on Hashnode",
		},
		{
			name: "a redelivered webhook finds a copy written after the post's last edit and leaves it alone",
			post: "post.handmade.json",
			replies: map[string]blogtest.Reply{
				findPost: {Status: 200, File: "found-current.handmade.json"},
			},
			want:     with(post, blog.ActionUnchanged),
			wantLogs: "already up to date on Hashnode",
		},
		{
			name: "an edit updates the copy written before it, keeping the copy's slug",
			post: "post.handmade.json",
			replies: map[string]blogtest.Reply{
				findPost:   {Status: 200, File: "found-stale.handmade.json"},
				updatePost: {Status: 200, File: "updated.handmade.json"},
			},
			golden:   map[string]string{updatePost: "golden/update-post.json"},
			want:     with(post, blog.ActionUpdated),
			wantLogs: "updated on Hashnode",
		},
		{
			name: "a copy under another slug is found on a later page by its canonical URL and updated",
			post: "post.handmade.json",
			replies: map[string]blogtest.Reply{
				findPost:       {Status: 200, File: "no-post-by-slug.handmade.json"},
				findPostsFirst: {Status: 200, File: "posts-page-1.handmade.json"},
				findPostsNext:  {Status: 200, File: "posts-page-2.handmade.json"},
				updatePost:     {Status: 200, File: "updated-legacy.handmade.json"},
			},
			golden: map[string]string{findPostsNext: "golden/find-posts-next.json"},
			want: blog.Result{Platform: "hashnode", ID: "6495648d1c0a2b7e9f3d4c51", Action: blog.ActionUpdated,
				URL: "https://blog.cloudysky.link/automating-aws-step-functions-programmatically-initiating-workflows-for-seamless-orchestration"},
			wantLogs: "updated on Hashnode",
		},
		{
			name: "a post under the slug with another canonical URL is not taken for ours, and the search stops after two pages",
			post: "post.handmade.json",
			replies: map[string]blogtest.Reply{
				findPost:       {Status: 200, File: "found-someone-elses.handmade.json"},
				findPostsFirst: {Status: 200, File: "posts-page-1.handmade.json"},
				findPostsNext:  {Status: 200, File: "posts-page-2-none.handmade.json"},
				publishPost:    {Status: 200, File: "published.handmade.json"},
			},
			want:     with(post, blog.ActionCreated),
			wantLogs: "published on Hashnode",
		},
		{
			name: "a created post with errors beside it is still created, so a retry cannot duplicate it",
			post: "post.handmade.json",
			replies: map[string]blogtest.Reply{
				findPost:       {Status: 200, File: "no-post-by-slug.handmade.json"},
				findPostsFirst: {Status: 200, File: "posts-none.handmade.json"},
				publishPost:    {Status: 200, File: "published-with-errors.handmade.json"},
			},
			want:     with(post, blog.ActionCreated),
			wantLogs: "Hashnode wrote the post but reported errors",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hashnode := newHashnode(t, tt.replies)
			h, _ := setup(hashnode.URL, secret, nil)

			got, fail, logs := invoke(t, h, blogtest.ReadFile(t, tt.post))

			require.Nil(t, fail, "%+v", fail)
			assert.Equal(t, tt.want, got)
			reqs := hashnode.Requests()
			// Each reply is used once and no other request is sent: any
			// extra (a second publish) fails the Replay.
			require.Len(t, reqs, len(tt.replies), "%v", hashnode.Targets())
			for _, r := range reqs {
				assert.Equal(t, token, r.Header.Get("Authorization"))
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
				if g, ok := tt.golden[r.Target]; ok {
					golden.AssertJSON(t, filepath.Join("testdata", g), r.Body)
				}
			}
			assert.Contains(t, logs, tt.wantLogs)
			assert.NotContains(t, logs, token)
		})
	}
}

func TestHashnodeFailuresReachTheWorkflowTyped(t *testing.T) {
	none := map[string]blogtest.Reply{
		findPost:       {Status: 200, File: "no-post-by-slug.handmade.json"},
		findPostsFirst: {Status: 200, File: "posts-none.handmade.json"},
	}
	and := func(replies map[string]blogtest.Reply, target string, r blogtest.Reply) map[string]blogtest.Reply {
		out := map[string]blogtest.Reply{target: r}
		for k, v := range replies {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name           string
		replies        map[string]blogtest.Reply // nil: Hashnode refuses connections
		wantType       string
		wantMessage    string
		wantSecretRead int // Secrets Manager reads after two invocations
	}{
		{
			name:           "unauthenticated is permanent and the secret is read again",
			replies:        map[string]blogtest.Reply{findPost: {Status: 200, File: "error-unauthenticated.handmade.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "UNAUTHENTICATED: Invalid or missing Personal Access Token.",
			wantSecretRead: 2,
		},
		{
			name:           "a publication without the Pro plan is permanent and the secret is read again",
			replies:        map[string]blogtest.Reply{findPost: {Status: 200, File: "error-forbidden-pro-plan.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "FORBIDDEN: Publication does not have an active Pro plan.",
			wantSecretRead: 2,
		},
		{
			name:           "a publication that does not exist is permanent",
			replies:        map[string]blogtest.Reply{findPost: {Status: 200, File: "no-publication.handmade.json"}},
			wantType:       "PlatformRejected",
			wantMessage:    "publication " + publicationID + " does not exist",
			wantSecretRead: 1,
		},
		{
			name:           "bad user input is permanent with Hashnode's reason",
			replies:        and(none, publishPost, blogtest.Reply{Status: 200, File: "error-bad-user-input.handmade.json"}),
			wantType:       "PlatformRejected",
			wantMessage:    "BAD_USER_INPUT: A post can have at most 15 tags.",
			wantSecretRead: 1,
		},
		{
			name: "a post gone between lookup and update is permanent",
			replies: map[string]blogtest.Reply{
				findPost:   {Status: 200, File: "found-stale.handmade.json"},
				updatePost: {Status: 200, File: "error-not-found.json"},
			},
			wantType:       "PlatformRejected",
			wantMessage:    "NOT_FOUND: Post not found",
			wantSecretRead: 1,
		},
		{
			name:           "a query failing validation with HTTP 400 is permanent, never retried",
			replies:        and(none, publishPost, blogtest.Reply{Status: 400, File: "error-validation-failed.handmade.json"}),
			wantType:       "PlatformRejected",
			wantMessage:    `GRAPHQL_VALIDATION_FAILED: Field "coverImageOptions" is not defined by type "PublishPostInput".`,
			wantSecretRead: 1,
		},
		{
			name:           "an internal error while publishing is retryable",
			replies:        and(none, publishPost, blogtest.Reply{Status: 200, File: "error-internal.handmade.json"}),
			wantType:       "PlatformUnavailable",
			wantMessage:    "INTERNAL_SERVER_ERROR: Unexpected error.",
			wantSecretRead: 1,
		},
		{
			name:           "an internal error while looking is retryable, and nothing is published on a guess",
			replies:        map[string]blogtest.Reply{findPost: {Status: 200, File: "error-internal.handmade.json"}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "INTERNAL_SERVER_ERROR: Unexpected error.",
			wantSecretRead: 1,
		},
		{
			name:           "a gateway error page is retryable",
			replies:        and(none, publishPost, blogtest.Reply{Status: 502, File: "error-502.handmade.html", Header: map[string]string{"Content-Type": "text/html"}}),
			wantType:       "PlatformUnavailable",
			wantMessage:    "HTTP 502",
			wantSecretRead: 1,
		},
		{
			name:           "HTTP 503 without a body is retryable",
			replies:        map[string]blogtest.Reply{findPost: {Status: 503}},
			wantType:       "PlatformUnavailable",
			wantMessage:    "HTTP 503",
			wantSecretRead: 1,
		},
		{
			name:           "an endpoint that moved is permanent and says where to",
			replies:        map[string]blogtest.Reply{findPost: {Status: 301, Header: map[string]string{"Location": "https://hashnode.com/announcements/graphql-api"}}},
			wantType:       "PlatformRejected",
			wantMessage:    `redirects to "https://hashnode.com/announcements/graphql-api"`,
			wantSecretRead: 1,
		},
		{
			name:           "unreachable Hashnode is retryable",
			wantType:       "PlatformUnavailable",
			wantMessage:    "unreachable",
			wantSecretRead: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiURL := blogtest.RefusedURL(t)
			if tt.replies != nil {
				apiURL = newHashnode(t, tt.replies).URL
			}
			h, store := setup(apiURL, secret, nil)

			var fail *messages.InvokeResponse_Error
			var logs string
			for range 2 {
				_, fail, logs = invoke(t, h, blogtest.ReadFile(t, "post.handmade.json"))
				blogtest.AssertFailed(t, fail, logs, tt.wantType, tt.wantMessage, token)
			}
			assert.Equal(t, tt.wantSecretRead, store.Reads())
		})
	}
}

func TestAHangingHashnodeIsReportedRetryableBeforeTheDeadline(t *testing.T) {
	hang := blogtest.Reply{Status: 200, File: "published.handmade.json", Delay: time.Minute}
	tests := []struct {
		name    string
		replies map[string]blogtest.Reply
	}{
		{name: "while looking for the post", replies: map[string]blogtest.Reply{findPost: hang}},
		{name: "while publishing it", replies: map[string]blogtest.Reply{
			findPost:       {Status: 200, File: "no-post-by-slug.handmade.json"},
			findPostsFirst: {Status: 200, File: "posts-none.handmade.json"},
			publishPost:    hang,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := setup(newHashnode(t, tt.replies).URL, secret, nil)
			ctx := lambdaContext(t)

			_, fail, logs := blogtest.InvokeContext(t, ctx, h.handle, "publishhashnode", blogtest.ReadFile(t, "post.handmade.json"))

			blogtest.AssertFailed(t, fail, logs, "PlatformUnavailable", "time budget", token)
			assert.NoError(t, ctx.Err(), "the function ran into its own deadline")
		})
	}
}

func TestARetryAfterAnUnansweredPublishFindsThePostInsteadOfPublishingAgain(t *testing.T) {
	hashnode := newHashnode(t, map[string]blogtest.Reply{
		findPost:       {Status: 200, File: "no-post-by-slug.handmade.json"},
		findPostsFirst: {Status: 200, File: "posts-none.handmade.json"},
		publishPost:    {Status: 200, File: "published.handmade.json", Delay: time.Minute},
	})
	h, _ := setup(hashnode.URL, secret, nil)
	h.newCacheKey = nil // the deployed function's own keys
	payload := blogtest.ReadFile(t, "post.handmade.json")

	_, fail, logs := blogtest.InvokeContext(t, lambdaContext(t), h.handle, "publishhashnode", payload)
	blogtest.AssertFailed(t, fail, logs, "PlatformUnavailable", "", token)
	first := cacheKeyOf(t, hashnode.Requests()[0])

	// The publish went through on Hashnode's side: its copy is there now.
	hashnode.serve(map[string]blogtest.Reply{findPost: {Status: 200, File: "found-current.handmade.json"}})
	got, fail, _ := invoke(t, h, payload)

	require.Nil(t, fail, "%+v", fail)
	assert.Equal(t, blog.ActionUnchanged, got.Action)
	assert.Equal(t, "6495648d1c0a2b7e9f3d4c51", got.ID)
	assert.Equal(t, []string{findPost}, hashnode.Targets(), "the retry published again")
	second := cacheKeyOf(t, hashnode.Requests()[0])
	assert.NotEqual(t, first, second, "the retry's lookup could be answered from a cache filled before the publish")
}

// cacheKeyOf returns the cacheKey variable of a lookup.
func cacheKeyOf(t *testing.T, r blogtest.Request) string {
	t.Helper()
	var op struct {
		Variables struct {
			CacheKey string `json:"cacheKey"`
		} `json:"variables"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &op))
	require.NotEmpty(t, op.Variables.CacheKey)
	return op.Variables.CacheKey
}

func TestAMissingSecretSkipsHashnode(t *testing.T) {
	hashnode := newHashnode(t, nil)
	h, _ := setup(hashnode.URL, "", nil)

	got, fail, _ := invoke(t, h, blogtest.ReadFile(t, "post.handmade.json"))

	require.Nil(t, fail, "%+v", fail)
	assert.True(t, got.Skipped)
	assert.Equal(t, blog.ActionSkipped, got.Action)
	assert.Contains(t, got.Reason, secretID)
	assert.Empty(t, hashnode.Targets())
}

func TestNothingIsSentToHashnodeWhenTheCallCannotSucceed(t *testing.T) {
	post := string(blogtest.ReadFile(t, "post.handmade.json"))
	var huge blog.Post
	require.NoError(t, json.Unmarshal([]byte(post), &huge))
	huge.Body = strings.Repeat("Step Functions retry what is transient. ", 2600) // ~101 KB
	hugePost, err := json.Marshal(huge)
	require.NoError(t, err)
	none := map[string]blogtest.Reply{
		findPost:       {Status: 200, File: "no-post-by-slug.handmade.json"},
		findPostsFirst: {Status: 200, File: "posts-none.handmade.json"},
	}
	tests := []struct {
		name     string
		secret   string
		env      map[string]string
		payload  string
		replies  map[string]blogtest.Reply // what may be asked before giving up
		wantType string
	}{
		{name: "post without an id", secret: secret, payload: `{"title":"Hello","body":"World"}`, wantType: "InvalidPost"},
		{name: "secret that is not JSON", secret: token, payload: post, wantType: "Malformed"},
		{name: "secret without a token", secret: `{"HASHNODE_PUBLICATION_ID":"` + publicationID + `"}`, payload: post, wantType: "Malformed"},
		{name: "secret without a publication", secret: `{"HASHNODE_TOKEN":"` + token + `"}`, payload: post, wantType: "Malformed"},
		{name: "no secret id", secret: secret, env: map[string]string{"HASHNODE_SECRET_ID": ""}, payload: post, wantType: "Misconfigured"},
		{name: "API URL that is not a URL", secret: secret, env: map[string]string{"HASHNODE_API_URL": "gql.hashnode.com"}, payload: post, wantType: "Misconfigured"},
		{name: "post over Hashnode's 100 KB request limit is not published", secret: secret, payload: string(hugePost), replies: none, wantType: "InvalidPost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hashnode := newHashnode(t, tt.replies)
			h, _ := setup(hashnode.URL, tt.secret, tt.env)

			_, fail, logs := invoke(t, h, []byte(tt.payload))

			blogtest.AssertFailed(t, fail, logs, tt.wantType, "", token)
			assert.NotContains(t, hashnode.Targets(), publishPost)
			assert.Len(t, hashnode.Targets(), len(tt.replies))
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
	})
	assert.Equal(t, []tag{
		{Slug: "step-functions", Name: "Step Functions"},
		{Slug: "aws-lambda", Name: "AWS Lambda"},
		{Slug: "go", Name: "go"},
		{Slug: "serverless", Name: "Serverless"},
	}, got)
}

func TestTagsStopAtHashnodesLimitOf15(t *testing.T) {
	var cats []blog.Category
	for _, s := range strings.Fields("a b c d e f g h i j k l m n o p q") {
		cats = append(cats, blog.Category{Title: strings.ToUpper(s), Slug: s})
	}
	got := tags(cats)
	require.Len(t, got, 15)
	assert.Equal(t, tag{Slug: "o", Name: "O"}, got[14])
}

func TestTheEndpointIsHashnodesCurrentOne(t *testing.T) {
	h := fromEnv(envconfig.Map(map[string]string{"HASHNODE_SECRET_ID": secretID}), blogtest.NewSecretStore(secretID, secret).Cache())
	require.NoError(t, h.misconfigured)
	assert.Equal(t, "https://gql-beta.hashnode.com", h.apiURL)
}
