package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/blog/blogtest"
	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/golden"
	"github.com/stepforge/stepforge/pkg/s3test"
)

const (
	secretID = "stepforge/medium"
	token    = "2a7c1f9e4b8d3c6a5f0e1d2c3b4a59687f6e5d4c3b2a1908f7e6d5c4b3a2918f7"
	// authorID is the user of Medium's GET /me example (me.json).
	authorID = "5303d74c64f66366f00cb9b2a94f3251bf5"
	// secretAuthorID is the author a secret names.
	secretAuthorID = "1f86fc5f5e3a4d1b0c9e2a7d6b4f8e31a"

	bucket = "stepforge-blog-ledger"
	postID = "7f3c2a9e-51b4-4d0e-9a61-2c8e4b7d1f05" // post.handmade.json
	// ledgerKey is post.handmade.json's record under the default prefix.
	ledgerKey  = "medium/" + postID + ".json"
	ledgerPath = "/" + bucket + "/" + ledgerKey

	createAsMe     = "POST /users/" + authorID + "/posts"
	createAsSecret = "POST /users/" + secretAuthorID + "/posts"
)

var (
	secretWithoutAuthor = `{"MEDIUM_TOKEN":"` + token + `"}`
	secretWithAuthor    = `{"MEDIUM_TOKEN":"` + token + `","MEDIUM_AUTHOR_ID":"` + secretAuthorID + `"}`

	me = blogtest.Reply{Status: 200, File: "me.json"}
	// created is Medium's example reply to a create (created.json).
	createdReply = blogtest.Reply{Status: 201, File: "created.json"}
)

// stack is a handler configured like the deployed function, talking to a
// fake Medium, Secrets Manager holding a secret, and a fake S3 holding the
// ledger.
type stack struct {
	h      *handler
	store  *blogtest.SecretStore
	ledger *s3test.Server
}

// setup returns a stack whose Medium is at apiURL and whose ledger is a new
// fake S3.
func setup(t *testing.T, apiURL, secret string, env map[string]string) stack {
	t.Helper()
	return setupWith(t, s3test.NewServer(t), apiURL, secret, env)
}

// setupWith is setup with the ledger in ledger, which several stacks can
// share as the invocations of one function share its bucket.
func setupWith(t *testing.T, ledger *s3test.Server, apiURL, secret string, env map[string]string) stack {
	t.Helper()
	store := blogtest.NewSecretStore(secretID, secret)
	getenv := envconfig.Map(map[string]string{
		"MEDIUM_API_URL":       apiURL,
		"MEDIUM_SECRET_ID":     secretID,
		"MEDIUM_LEDGER_BUCKET": bucket,
	}, env)
	load := func(context.Context) (aws.Config, error) { return ledger.Config(), nil }
	return stack{h: fromEnv(getenv, store.Cache(), load), store: store, ledger: ledger}
}

// invoke runs h as the Lambda runtime runs the deployed function.
func invoke(t *testing.T, h *handler, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	return blogtest.Invoke(t, h.handle, "publishmedium", payload)
}

// invokeWithin invokes h with a Lambda deadline d away and checks that it
// answered before that deadline, as the function must to report its error.
func invokeWithin(t *testing.T, d time.Duration, h *handler, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	res, fail, logs := blogtest.InvokeContext(t, ctx, h.handle, "publishmedium", payload)
	assert.NoError(t, ctx.Err(), "the invocation ran into its deadline: the Lambda would end in Sandbox.Timedout")
	return res, fail, logs
}

// ledgerRecord returns the ledger's record for key, or nil.
func ledgerRecord(t *testing.T, s *s3test.Server, key string) *record {
	t.Helper()
	b, ok := s.Object(bucket, key)
	if !ok {
		return nil
	}
	var r record
	require.NoError(t, json.Unmarshal(b, &r), "ledger object %s: %s", key, b)
	return &r
}

func TestPublishesThePostOnMediumAndRemembersIt(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		env     map[string]string
		post    string
		key     string
		replies map[string]blogtest.Reply
		golden  string
		want    blog.Result
	}{
		{
			name:    "looks up the author when the secret names none",
			secret:  secretWithoutAuthor,
			post:    "post.handmade.json",
			key:     ledgerKey,
			replies: map[string]blogtest.Reply{"GET /me": me, createAsMe: createdReply},
			golden:  "golden/create-post.json",
			want: blog.Result{Platform: "medium", ID: "e6f36a", URL: "https://medium.com/@majelbstoat/liverpool-fc-e6f36a",
				Action: blog.ActionCreated},
		},
		{
			name:   "publishes under the secret's author as a draft without what the post lacks",
			secret: secretWithAuthor,
			env:    map[string]string{"MEDIUM_PUBLISH_STATUS": "draft", "MEDIUM_LEDGER_PREFIX": "blog/medium-ledger/"},
			post:   "post-minimal.handmade.json",
			key:    "blog/medium-ledger/c41d9b20-0a7e-4f51-8d3b-6e2f90a1b7c4.json",
			replies: map[string]blogtest.Reply{
				createAsSecret: {Status: 201, File: "created-draft.handmade.json"},
			},
			golden: "golden/create-minimal-draft.json",
			want: blog.Result{Platform: "medium", ID: "a90b3c7d1e22", URL: "https://medium.com/@sandeepyaramchitti/notes-on-step-functions-retries-a90b3c7d1e22",
				Action: blog.ActionCreated},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			medium := blogtest.NewReplay(t, tt.replies)
			s := setup(t, medium.URL, tt.secret, tt.env)
			before := time.Now().UTC()

			got, fail, logs := invoke(t, s.h, blogtest.ReadFile(t, tt.post))

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

			path := "/" + bucket + "/" + tt.key
			assert.Equal(t, []string{"GET " + path, "PUT " + path, "PUT " + path}, s.ledger.Targets(),
				"read, claim, record")
			assert.Equal(t, "*", s.ledger.Requests()[1].Header.Get("If-None-Match"), "the claim is a conditional put")
			rec := ledgerRecord(t, s.ledger, tt.key)
			require.NotNil(t, rec)
			assert.Equal(t, statePublished, rec.State)
			assert.Equal(t, tt.want.ID, rec.MediumID)
			assert.Equal(t, tt.want.URL, rec.URL)
			require.NotNil(t, rec.PublishedAt)
			assert.False(t, rec.PublishedAt.Before(before.Truncate(time.Second)))
			var post blog.Post
			require.NoError(t, json.Unmarshal(blogtest.ReadFile(t, tt.post), &post))
			require.NotNil(t, rec.PostUpdatedAt)
			assert.True(t, post.UpdatedAt.Equal(*rec.PostUpdatedAt))
			assert.Empty(t, rec.Claim, "a published record holds no claim")
		})
	}
}

func TestAPublishedPostIsNeverPostedAgain(t *testing.T) {
	medium := blogtest.NewReplay(t, map[string]blogtest.Reply{"GET /me": me, createAsMe: createdReply})
	ledger := s3test.NewServer(t)
	first := setupWith(t, ledger, medium.URL, secretWithoutAuthor, nil)
	_, fail, _ := invoke(t, first.h, blogtest.ReadFile(t, "post.handmade.json"))
	require.Nil(t, fail)
	require.Equal(t, []string{"GET /me", createAsMe}, medium.Targets())

	t.Run("a redelivered webhook in a new process", func(t *testing.T) {
		cold := setupWith(t, ledger, medium.URL, secretWithoutAuthor, nil)
		got, fail, logs := invoke(t, cold.h, blogtest.ReadFile(t, "post.handmade.json"))

		require.Nil(t, fail)
		assert.Equal(t, blog.ActionUnchanged, got.Action)
		assert.Equal(t, "e6f36a", got.ID)
		assert.Equal(t, "https://medium.com/@majelbstoat/liverpool-fc-e6f36a", got.URL)
		assert.Contains(t, got.Reason, "Medium's API cannot update a post")
		assert.Contains(t, logs, "already published on Medium")
		assert.Equal(t, []string{"GET /me", createAsMe}, medium.Targets(), "Medium was not called, not even for the author")
	})
	t.Run("an edit in Sanity is reported as not reaching Medium", func(t *testing.T) {
		var post map[string]any
		require.NoError(t, json.Unmarshal(blogtest.ReadFile(t, "post.handmade.json"), &post))
		post["updatedAt"] = "2023-07-02T11:00:00Z"
		post["body"] = "A corrected body."
		edited, err := json.Marshal(post)
		require.NoError(t, err)

		got, fail, logs := invoke(t, first.h, edited)

		require.Nil(t, fail)
		assert.Equal(t, blog.ActionUnchanged, got.Action)
		assert.Equal(t, "e6f36a", got.ID)
		assert.Contains(t, got.Reason, "the edit of 2023-07-02T11:00:00Z is not: Medium's API cannot update a post, so edit it on Medium by hand (https://medium.com/@majelbstoat/liverpool-fc-e6f36a)")
		assert.Contains(t, logs, "edit not published on Medium")
		assert.Contains(t, logs, `"level":"WARN"`)
		assert.Equal(t, []string{"GET /me", createAsMe}, medium.Targets())
	})
}

func TestAFailedAuthorLookupClaimsNothing(t *testing.T) {
	tests := []struct {
		name           string
		refused        bool
		reply          blogtest.Reply
		wantType       string
		wantMessage    string
		wantSecretRead int
	}{
		{name: "refused author lookup is permanent and the secret is read again", reply: blogtest.Reply{Status: 401, File: "error-401.handmade.json"},
			wantType: "PlatformRejected", wantMessage: "Token was invalid.", wantSecretRead: 2},
		{name: "unreachable Medium is retryable", refused: true,
			wantType: "PlatformUnavailable", wantMessage: "unreachable", wantSecretRead: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiURL := blogtest.RefusedURL(t)
			if !tt.refused {
				apiURL = blogtest.NewReplay(t, map[string]blogtest.Reply{"GET /me": tt.reply}).URL
			}
			s := setup(t, apiURL, secretWithoutAuthor, nil)
			for range 2 {
				_, fail, logs := invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))
				blogtest.AssertFailed(t, fail, logs, tt.wantType, tt.wantMessage, token)
			}
			assert.Equal(t, []string{"GET " + ledgerPath, "GET " + ledgerPath}, s.ledger.Targets(), "read, never claimed")
			assert.Equal(t, tt.wantSecretRead, s.store.Reads())
		})
	}
}

func TestAShortDeadlineEndsInATypedRetryableError(t *testing.T) {
	tests := []struct {
		name     string
		medium   map[string]blogtest.Reply
		hangS3   bool
		wantType string
	}{
		{
			name:     "Medium hangs on the author lookup",
			medium:   map[string]blogtest.Reply{"GET /me": {Status: 200, File: "me.json", Delay: 20 * time.Second}},
			wantType: "PlatformUnavailable",
		},
		{
			name:     "S3 hangs on the ledger read",
			hangS3:   true,
			wantType: "LedgerUnavailable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits out a short deadline
			medium := blogtest.NewReplay(t, tt.medium)
			s := setup(t, medium.URL, secretWithoutAuthor, nil)
			if tt.hangS3 {
				s.ledger.Intercept(func(ctx context.Context, _ s3test.Request) {
					select {
					case <-ctx.Done():
					case <-time.After(20 * time.Second):
					}
				})
			}

			_, fail, logs := invokeWithin(t, blog.Reserve+1500*time.Millisecond, s.h, blogtest.ReadFile(t, "post.handmade.json"))

			blogtest.AssertFailed(t, fail, logs, tt.wantType, "", token)
			assert.Contains(t, retryable(), fail.Type)
			assert.Nil(t, ledgerRecord(t, s.ledger, ledgerKey), "nothing claimed")
		})
	}
}

// retryable names the errors worth retrying: the blog package's and the
// ledger's.
func retryable() []string {
	return append(blog.RetryableErrors(), "LedgerUnavailable", "PublishInProgress")
}

func TestNothingIsSentWhenTheCallCannotSucceed(t *testing.T) {
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
			name:     "secret that is not JSON",
			secret:   "MEDIUM_TOKEN=" + token,
			payload:  string(blogtest.ReadFile(t, "post.handmade.json")),
			wantType: "Malformed",
		},
		{
			name:     "secret without a token",
			secret:   `{"MEDIUM_AUTHOR_ID":"` + secretAuthorID + `"}`,
			payload:  string(blogtest.ReadFile(t, "post.handmade.json")),
			wantType: "Malformed",
		},
		{
			name:     "unknown publish status",
			secret:   secretWithAuthor,
			env:      map[string]string{"MEDIUM_PUBLISH_STATUS": "Published"},
			payload:  string(blogtest.ReadFile(t, "post.handmade.json")),
			wantType: "Misconfigured",
		},
		{
			name:     "no secret id",
			secret:   secretWithAuthor,
			env:      map[string]string{"MEDIUM_SECRET_ID": ""},
			payload:  string(blogtest.ReadFile(t, "post.handmade.json")),
			wantType: "Misconfigured",
		},
		{
			name:     "API URL that is not a URL",
			secret:   secretWithAuthor,
			env:      map[string]string{"MEDIUM_API_URL": "api.medium.com/v1"},
			payload:  string(blogtest.ReadFile(t, "post.handmade.json")),
			wantType: "Misconfigured",
		},
		{
			name:     "no ledger bucket",
			secret:   secretWithAuthor,
			env:      map[string]string{"MEDIUM_LEDGER_BUCKET": ""},
			payload:  string(blogtest.ReadFile(t, "post.handmade.json")),
			wantType: "Misconfigured",
		},
		{
			name:     "ledger bucket given as a URL",
			secret:   secretWithAuthor,
			env:      map[string]string{"MEDIUM_LEDGER_BUCKET": "s3://" + bucket},
			payload:  string(blogtest.ReadFile(t, "post.handmade.json")),
			wantType: "Misconfigured",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			medium := blogtest.NewReplay(t, nil)
			s := setup(t, medium.URL, tt.secret, tt.env)

			_, fail, logs := invoke(t, s.h, []byte(tt.payload))

			blogtest.AssertFailed(t, fail, logs, tt.wantType, "", token)
			assert.Empty(t, medium.Targets())
			assert.Empty(t, s.ledger.Targets())
		})
	}
}

func TestAMissingSecretSkipsMediumWithoutTouchingTheLedger(t *testing.T) {
	medium := blogtest.NewReplay(t, nil)
	s := setup(t, medium.URL, "", nil)

	got, fail, _ := invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))

	require.Nil(t, fail)
	assert.Equal(t, blog.Result{Platform: "medium", Action: blog.ActionSkipped, Skipped: true,
		Reason: `Medium is not configured: secret "stepforge/medium" does not exist; create it to publish to Medium`}, got)
	assert.Empty(t, medium.Targets())
	assert.Empty(t, s.ledger.Targets())
}

func TestWarmInvocationsReuseTheAuthorLookedUp(t *testing.T) {
	medium := blogtest.NewReplay(t, map[string]blogtest.Reply{"GET /me": me, createAsMe: createdReply})
	s := setup(t, medium.URL, secretWithoutAuthor, nil)

	for _, post := range []string{"post.handmade.json", "post-minimal.handmade.json"} {
		_, fail, _ := invoke(t, s.h, blogtest.ReadFile(t, post))
		require.Nil(t, fail)
	}

	assert.Equal(t, []string{"GET /me", createAsMe, createAsMe}, medium.Targets())
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
