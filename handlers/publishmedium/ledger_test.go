package main

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/blog/blogtest"
	"github.com/stepforge/stepforge/pkg/s3test"
)

// The ledger's protocol: claim before posting, record what Medium created,
// release a claim when Medium certainly created nothing, keep it when nobody
// can tell.

func deleteInput(key string) *s3.DeleteObjectInput {
	return &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
}

func TestTwoInvocationsRacingForAPostPublishItOnce(t *testing.T) {
	medium := blogtest.NewReplay(t, map[string]blogtest.Reply{createAsSecret: createdReply})
	ledger := s3test.NewServer(t)
	a := setupWith(t, ledger, medium.URL, secretWithAuthor, nil)
	b := setupWith(t, ledger, medium.URL, secretWithAuthor, nil)

	// Both read the ledger before either claims, so both try to claim; the
	// winner's record of the post is held back until the loser has
	// answered, so that the loser finds the claim still pending.
	var mu sync.Mutex
	reads := 0
	bothRead := make(chan struct{})
	loserDone := make(chan struct{})
	var closeLoser sync.Once
	ledger.Intercept(func(ctx context.Context, r s3test.Request) {
		switch {
		case r.Method == "GET":
			mu.Lock()
			reads++
			n := reads
			mu.Unlock()
			if n == 2 {
				close(bothRead)
			}
			if n <= 2 {
				select {
				case <-bothRead:
				case <-time.After(5 * time.Second):
					t.Error("the second invocation never read the ledger")
				}
			}
		case r.Method == "PUT" && r.Header.Get("If-None-Match") == "":
			select {
			case <-loserDone:
			case <-time.After(5 * time.Second):
				t.Error("the losing invocation never answered")
			}
		}
	})

	type outcome struct {
		res  blog.Result
		fail *messages.InvokeResponse_Error
	}
	results := make(chan outcome, 2)
	for _, s := range []stack{a, b} {
		go func() {
			res, fail, _ := invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))
			if fail != nil {
				closeLoser.Do(func() { close(loserDone) })
			}
			results <- outcome{res, fail}
		}()
	}
	var won, lost []outcome
	for range 2 {
		o := <-results
		if o.fail == nil {
			won = append(won, o)
		} else {
			lost = append(lost, o)
		}
	}

	require.Len(t, won, 1)
	require.Len(t, lost, 1)
	assert.Equal(t, blog.ActionCreated, won[0].res.Action)
	assert.Equal(t, "PublishInProgress", lost[0].fail.Type, lost[0].fail.Message)
	assert.Contains(t, lost[0].fail.Message, "s3://"+bucket+"/"+ledgerKey)
	assert.Equal(t, []string{createAsSecret}, medium.Targets(), "one POST")
	assert.Equal(t, statePublished, ledgerRecord(t, ledger, ledgerKey).State)

	// The workflow's retry of the loser finds the post published.
	res, fail, _ := invoke(t, b.h, blogtest.ReadFile(t, "post.handmade.json"))
	require.Nil(t, fail)
	assert.Equal(t, blog.ActionUnchanged, res.Action)
	assert.Equal(t, "e6f36a", res.ID)
}

func TestAClaimWhoseAnswerWasLostIsRecognisedAsOwn(t *testing.T) {
	// S3 applies the claim but its answer never arrives, so the SDK's retry
	// of the conditional put meets the claim it made itself.
	medium := blogtest.NewReplay(t, map[string]blogtest.Reply{createAsSecret: createdReply})
	ledger := s3test.NewServer(t)
	s := setupWith(t, ledger, medium.URL, secretWithAuthor, nil)
	var claim []byte
	ledger.Intercept(func(_ context.Context, r s3test.Request) {
		if r.Method == "PUT" && r.Header.Get("If-None-Match") == "*" && claim == nil {
			claim = r.Body
			ledger.Put(bucket, ledgerKey, r.Body)
		}
	})

	got, fail, _ := invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))

	require.Nil(t, fail)
	assert.Equal(t, blog.ActionCreated, got.Action)
	assert.Equal(t, []string{"GET " + ledgerPath, "PUT " + ledgerPath, "GET " + ledgerPath, "PUT " + ledgerPath}, ledger.Targets())
	assert.Equal(t, []string{createAsSecret}, medium.Targets())
}

func TestAnUnknownOutcomeKeepsTheClaimAndStopsFurtherPosts(t *testing.T) {
	tests := []struct {
		name     string
		reply    blogtest.Reply
		deadline time.Duration // 0: none
		wantWhy  string
	}{
		{
			name:     "no answer before the time budget ran out",
			reply:    blogtest.Reply{Status: 201, File: "created.json", Delay: 20 * time.Second},
			deadline: blog.Reserve + 1500*time.Millisecond,
			wantWhy:  "time budget",
		},
		{
			name:    "server error after the post was sent",
			reply:   blogtest.Reply{Status: 500, File: "error-500.handmade.json"},
			wantWhy: "HTTP 500",
		},
		{
			name:    "maintenance page after the post was sent",
			reply:   blogtest.Reply{Status: 503, File: "error-503.handmade.html", Header: map[string]string{"Content-Type": "text/html"}},
			wantWhy: "HTTP 503",
		},
		{
			name:    "created without a readable reply",
			reply:   blogtest.Reply{Status: 201, File: "error-503.handmade.html", Header: map[string]string{"Content-Type": "text/html"}},
			wantWhy: "Medium answered HTTP 201, so the post was probably created",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // one case waits out a short deadline
			medium := blogtest.NewReplay(t, map[string]blogtest.Reply{createAsSecret: tt.reply})
			s := setup(t, medium.URL, secretWithAuthor, nil)

			var fail *messages.InvokeResponse_Error
			var logs string
			if tt.deadline > 0 {
				_, fail, logs = invokeWithin(t, tt.deadline, s.h, blogtest.ReadFile(t, "post.handmade.json"))
			} else {
				_, fail, logs = invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))
			}

			blogtest.AssertFailed(t, fail, logs, "PublishOutcomeUnknown", tt.wantWhy, token)
			assert.NotContains(t, blog.RetryableErrors(), fail.Type)
			assert.Contains(t, fail.Message, "aws s3 rm s3://"+bucket+"/"+ledgerKey)
			assert.Contains(t, fail.Message, `"url":"https://medium.com/..."`)
			rec := ledgerRecord(t, s.ledger, ledgerKey)
			require.NotNil(t, rec, "the claim is kept")
			assert.Equal(t, statePending, rec.State)
			assert.Contains(t, rec.Note, "Nobody knows whether Medium created this post")

			// Every later invocation stops too, without posting again.
			_, fail, logs = invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))
			blogtest.AssertFailed(t, fail, logs, "PublishOutcomeUnknown", "aws s3 rm s3://"+bucket+"/"+ledgerKey, token)
			assert.Equal(t, []string{createAsSecret}, medium.Targets(), "one POST only")
		})
	}
}

func TestAnUnknownOutcomeIsResolvedByEditingTheLedger(t *testing.T) {
	medium := blogtest.NewReplay(t, map[string]blogtest.Reply{createAsSecret: {Status: 502, File: "error-500.handmade.json"}})
	s := setup(t, medium.URL, secretWithAuthor, nil)
	_, fail, _ := invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))
	require.NotNil(t, fail)
	require.Equal(t, "PublishOutcomeUnknown", fail.Type)

	t.Run("the post was on Medium: its URL is put in the record", func(t *testing.T) {
		for _, fix := range []string{
			"https://medium.com/@majelbstoat/liverpool-fc-e6f36a\n",
			`{"state":"published","url":"https://medium.com/@majelbstoat/liverpool-fc-e6f36a"}`,
			`{"state":"pending","url":"https://medium.com/p/e6f36a"}`,
		} {
			s.ledger.Put(bucket, ledgerKey, []byte(fix))
			got, fail, _ := invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))
			require.Nil(t, fail, fix)
			assert.Equal(t, blog.ActionUnchanged, got.Action, fix)
			assert.Equal(t, "e6f36a", got.ID, "the id is read from the URL: %s", fix)
		}
		assert.Equal(t, []string{createAsSecret}, medium.Targets())
	})
	t.Run("the post was not on Medium: the record is deleted", func(t *testing.T) {
		republish := blogtest.NewReplay(t, map[string]blogtest.Reply{createAsSecret: createdReply})
		again := setupWith(t, s.ledger, republish.URL, secretWithAuthor, nil)
		_, err := s.ledger.Client().DeleteObject(context.Background(), deleteInput(ledgerKey))
		require.NoError(t, err)

		got, fail, _ := invoke(t, again.h, blogtest.ReadFile(t, "post.handmade.json"))
		require.Nil(t, fail)
		assert.Equal(t, blog.ActionCreated, got.Action)
		assert.Equal(t, []string{createAsSecret}, republish.Targets())
	})
}

func TestTheClaimIsReleasedWhenMediumCertainlyCreatedNothing(t *testing.T) {
	tests := []struct {
		name           string
		reply          *blogtest.Reply // nil: Medium refuses the connection
		wantType       string
		wantMessage    string
		wantSecretRead int // Secrets Manager reads after two invocations
	}{
		{
			name:           "refused connection is retryable",
			wantType:       "PlatformUnavailable",
			wantMessage:    "unreachable",
			wantSecretRead: 1,
		},
		{
			name:           "rate limit with Retry-After is retryable",
			reply:          &blogtest.Reply{Status: 429, File: "error-429.handmade.json", Header: map[string]string{"Retry-After": "30"}},
			wantType:       "RateLimited",
			wantMessage:    "retry after 30s",
			wantSecretRead: 1,
		},
		{
			name:           "refused token is permanent and the secret is read again",
			reply:          &blogtest.Reply{Status: 401, File: "error-401.handmade.json"},
			wantType:       "PlatformRejected",
			wantMessage:    "Token was invalid.",
			wantSecretRead: 2,
		},
		{
			name:           "invalid article is permanent with Medium's reason",
			reply:          &blogtest.Reply{Status: 400, File: "error-400.handmade.json"},
			wantType:       "PlatformRejected",
			wantMessage:    "Required fields were invalid, not specified.",
			wantSecretRead: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiURL := blogtest.RefusedURL(t)
			var medium *blogtest.Replay
			if tt.reply != nil {
				medium = blogtest.NewReplay(t, map[string]blogtest.Reply{createAsSecret: *tt.reply})
				apiURL = medium.URL
			}
			s := setup(t, apiURL, secretWithAuthor, nil)

			for range 2 { // the claim released, the second attempt posts again
				_, fail, logs := invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))
				blogtest.AssertFailed(t, fail, logs, tt.wantType, tt.wantMessage, token)
				assert.Nil(t, ledgerRecord(t, s.ledger, ledgerKey), "the claim is released")
			}
			assert.Equal(t, []string{"GET " + ledgerPath, "PUT " + ledgerPath, "DELETE " + ledgerPath}, s.ledger.Targets()[:3])
			if medium != nil {
				assert.Equal(t, []string{createAsSecret, createAsSecret}, medium.Targets())
			}
			assert.Equal(t, tt.wantSecretRead, s.store.Reads())
		})
	}
}

func TestLedgerFailuresAreTyped(t *testing.T) {
	tests := []struct {
		name        string
		prepare     func(*s3test.Server)
		reply       *blogtest.Reply
		wantType    string
		wantMessage string
		wantPosts   int
	}{
		{
			name:        "S3 slowing down on the read is retryable",
			prepare:     func(s *s3test.Server) { s.Fail("GET", 1, s3test.SlowDown) },
			wantType:    "LedgerUnavailable",
			wantMessage: "nothing was sent to Medium",
		},
		{
			name:        "S3 unavailable on the claim is retryable",
			prepare:     func(s *s3test.Server) { s.Fail("PUT", 1, s3test.ServiceUnavailable) },
			wantType:    "LedgerUnavailable",
			wantMessage: "Service is unable to handle request.",
		},
		{
			name:        "a conflicting write on the claim is retryable",
			prepare:     func(s *s3test.Server) { s.Fail("PUT", 1, s3test.ConditionalRequestConflict) },
			wantType:    "PublishInProgress",
			wantMessage: "retry after",
		},
		{
			name:        "access denied names the permissions",
			prepare:     func(s *s3test.Server) { s.Fail("GET", 1, s3test.AccessDenied) },
			wantType:    "LedgerFailed",
			wantMessage: "s3:GetObject, s3:PutObject or s3:DeleteObject",
		},
		{
			name:        "a missing bucket names the setting",
			prepare:     func(s *s3test.Server) { s.Fail("GET", 1, s3test.NoSuchBucket) },
			wantType:    "LedgerFailed",
			wantMessage: "MEDIUM_LEDGER_BUCKET",
		},
		{
			name:        "a record this function did not write",
			prepare:     func(s *s3test.Server) { s.Put(bucket, ledgerKey, []byte("published, I think")) },
			wantType:    "LedgerFailed",
			wantMessage: "not one this function wrote",
		},
		{
			name: "a claim that cannot be released after a rate limit says how to release it",
			prepare: func(s *s3test.Server) {
				s.Fail("DELETE", 1, s3test.InternalError)
			},
			reply:       &blogtest.Reply{Status: 429, File: "error-429.handmade.json"},
			wantType:    "LedgerFailed",
			wantMessage: "Medium created nothing (create the Medium post: medium rate-limited the request), but the claim could not be deleted",
			wantPosts:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]blogtest.Reply{}
			if tt.reply != nil {
				replies[createAsSecret] = *tt.reply
			}
			medium := blogtest.NewReplay(t, replies)
			s := setup(t, medium.URL, secretWithAuthor, nil)
			tt.prepare(s.ledger)

			_, fail, logs := invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))

			blogtest.AssertFailed(t, fail, logs, tt.wantType, tt.wantMessage, token)
			assert.Contains(t, fail.Message, "s3://"+bucket+"/"+ledgerKey)
			assert.Len(t, medium.Targets(), tt.wantPosts)
		})
	}
}

func TestARecordThatCannotBeWrittenAfterPublishingIsReported(t *testing.T) {
	medium := blogtest.NewReplay(t, map[string]blogtest.Reply{createAsSecret: createdReply})
	s := setup(t, medium.URL, secretWithAuthor, nil)
	s.ledger.FailAfter("PUT", 1, 1, s3test.InternalError) // the claim passes, the record fails

	got, fail, logs := invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))

	require.Nil(t, fail, "the post is on Medium: the step succeeded")
	assert.Equal(t, blog.ActionCreated, got.Action)
	assert.Equal(t, "e6f36a", got.ID)
	assert.Contains(t, got.Reason, `put {"state":"published","url":"https://medium.com/@majelbstoat/liverpool-fc-e6f36a"} in it`)
	assert.Contains(t, logs, "published on Medium but the ledger was not updated")
	assert.Equal(t, statePending, ledgerRecord(t, s.ledger, ledgerKey).State)

	// The claim outlives this invocation; once its time is up the next run
	// stops rather than posting a duplicate.
	_, fail, logs = invokeAfterHold(t, s)
	blogtest.AssertFailed(t, fail, logs, "PublishOutcomeUnknown", "aws s3 rm", token)
	assert.Equal(t, []string{createAsSecret}, medium.Targets())
}

// invokeAfterHold invokes s once the claim in its ledger has run out, as a
// later run would.
func invokeAfterHold(t *testing.T, s stack) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	rec := ledgerRecord(t, s.ledger, ledgerKey)
	require.NotNil(t, rec)
	past := time.Now().Add(-time.Minute).UTC()
	rec.HoldUntil = &past
	b, err := json.Marshal(rec)
	require.NoError(t, err)
	s.ledger.Put(bucket, ledgerKey, b)
	return invoke(t, s.h, blogtest.ReadFile(t, "post.handmade.json"))
}

func TestTheLedgerKeyEscapesThePostID(t *testing.T) {
	l := &ledger{bucket: bucket, prefix: "medium/"}
	assert.Equal(t, "medium/drafts.p1%2Fv2%3F.json", l.key("drafts.p1/v2?"))
	assert.Equal(t, "s3://"+bucket+"/medium/p1.json", l.location("p1"))

	medium := blogtest.NewReplay(t, map[string]blogtest.Reply{createAsSecret: createdReply})
	s := setup(t, medium.URL, secretWithAuthor, nil)
	_, fail, _ := invoke(t, s.h, []byte(`{"id":"drafts.p1/v2?","title":"T","body":"B"}`))
	require.Nil(t, fail)
	_, ok := s.ledger.Object(bucket, "medium/drafts.p1%2Fv2%3F.json")
	assert.True(t, ok, "stored under %v", s.ledger.Targets())
}

func TestLedgerRecordsAreReadAsWrittenOrAsFixedByHand(t *testing.T) {
	tests := []struct {
		name          string
		body          string
		wantPublished bool
		wantID        string
		wantErr       string
	}{
		{"published record", `{"state":"published","mediumId":"e6f36a","url":"https://medium.com/@x/t-e6f36a"}`, true, "e6f36a", ""},
		{"pending record", `{"state":"pending","claim":"c"}`, false, "", ""},
		{"pending record given a URL by hand", `{"state":"pending","url":"https://medium.com/@x/t-0a1b2c3d4e5f"}`, true, "0a1b2c3d4e5f", ""},
		{"bare URL", "  https://medium.com/p/0a1b2c3d4e5f\n", true, "0a1b2c3d4e5f", ""},
		{"URL without an id", "https://medium.com/@x", true, "", ""},
		{"unknown state", `{"state":"done"}`, false, "", `state is "done"`},
		{"not JSON", "done", false, "", "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseRecord([]byte(tt.body))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantPublished, r.published())
			assert.Equal(t, tt.wantID, r.MediumID)
		})
	}
}
