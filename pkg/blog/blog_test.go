package blog

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/middleware"
)

func TestValidateNamesWhatIsMissing(t *testing.T) {
	tests := []struct {
		name string
		post Post
		want string
	}{
		{"no id", Post{Title: "t", Body: "b"}, "id is empty"},
		{"no title", Post{ID: "p1", Body: "b"}, "post p1 has no title"},
		{"blank body", Post{ID: "p1", Title: "t", Body: "  "}, "post p1 has no body"},
		{"complete", Post{ID: "p1", Title: "t", Body: "b"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.post.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			var ip *InvalidPost
			require.ErrorAs(t, err, &ip)
			assert.Equal(t, tt.want, ip.Reason)
		})
	}
}

func TestTagsAreNormalisedDedupedAndCapped(t *testing.T) {
	p := Post{Categories: []Category{
		{Title: "AWS Lambda", Slug: "aws-lambda"},
		{Title: "Go", Slug: ""},
		{Title: "AWS-Lambda", Slug: "AWS_Lambda"},
		{Title: "Step Functions", Slug: "step-functions"},
		{Title: "!!!"},
		{Title: "Serverless", Slug: "serverless"},
	}}
	assert.Equal(t, []string{"awslambda", "go", "stepfunctions"}, p.Tags(3))
	assert.Equal(t, []string{"awslambda", "go", "stepfunctions", "serverless"}, p.Tags(10))
}

func TestSendClassifiesReplies(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		check  func(t *testing.T, err error)
	}{
		{"2xx decodes", 201, nil, `{"id":"x"}`, func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"429 is RateLimited with Retry-After", 429, map[string]string{"Retry-After": "7"}, ``, func(t *testing.T, err error) {
			var e *RateLimited
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 7*time.Second, e.RetryAfter)
			assert.Contains(t, RetryableErrors(), middleware.ErrorType(err))
		}},
		{"503 is PlatformUnavailable", 503, nil, `{"message":"down for maintenance"}`, func(t *testing.T, err error) {
			var e *PlatformUnavailable
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 503, e.Status)
			assert.Equal(t, "down for maintenance", e.Reason)
			assert.Contains(t, RetryableErrors(), middleware.ErrorType(err))
		}},
		{"422 is PlatformRejected with the platform's reason", 422, nil, `{"error":"Canonical url has already been taken","status":422}`, func(t *testing.T, err error) {
			var e *PlatformRejected
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "Canonical url has already been taken", e.Reason)
			assert.NotContains(t, RetryableErrors(), middleware.ErrorType(err))
		}},
		{"GraphQL-style errors list", 400, nil, `{"errors":[{"message":"Token was invalid.","code":6003}]}`, func(t *testing.T, err error) {
			assert.Contains(t, err.Error(), "Token was invalid.")
		}},
		{"OpenSearch-style error object", 400, nil, `{"error":{"type":"mapper_parsing_exception","reason":"failed to parse"},"status":400}`, func(t *testing.T, err error) {
			assert.Contains(t, err.Error(), "mapper_parsing_exception failed to parse")
		}},
		{"a reply over the limit says so", 200, nil, `"` + strings.Repeat("x", maxReply) + `"`, func(t *testing.T, err error) {
			var e *PlatformUnavailable
			require.ErrorAs(t, err, &e)
			assert.Contains(t, e.Reason, "byte limit")
		}},
		{"2xx with unreadable JSON is PlatformUnavailable", 200, nil, `<html>`, func(t *testing.T, err error) {
			var e *PlatformUnavailable
			require.ErrorAs(t, err, &e)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{}`))
			require.NoError(t, err)
			var out map[string]any
			tt.check(t, Send(srv.Client(), "test", req, &out))
		})
	}
}

func TestSendReportsAnUnreachablePlatformAsRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	err = Send(http.DefaultClient, "test", req, nil)
	var e *PlatformUnavailable
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 0, e.Status)
	assert.Contains(t, err.Error(), "unreachable")
}

func TestSendKeepsTheReserveBeforeTheDeadline(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select { // a platform that does not answer in time
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer hang.Close()
	var sent atomic.Int32
	count := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	defer count.Close()

	t.Run("a hanging call is cut before the reserve with the deadline's context still live", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), Reserve+500*time.Millisecond)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, hang.URL, strings.NewReader(`{}`))
		require.NoError(t, err)
		err = Send(http.DefaultClient, "test", req, nil)
		var e *PlatformUnavailable
		require.ErrorAs(t, err, &e)
		assert.False(t, e.NotSent, "a request that was sent may have reached the platform")
		assert.Contains(t, e.Reason, "time budget")
		assert.NoError(t, ctx.Err(), "the invocation's own deadline passed: the reserve was not kept")
	})
	t.Run("no call starts inside the reserve", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), Reserve-time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, count.URL, strings.NewReader(`{}`))
		require.NoError(t, err)
		err = Send(http.DefaultClient, "test", req, nil)
		var e *PlatformUnavailable
		require.ErrorAs(t, err, &e)
		assert.True(t, e.NotSent)
		assert.Contains(t, e.Reason, "not sent")
		assert.Zero(t, sent.Load())
	})
	t.Run("a refused connection never reached the platform", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
		require.NoError(t, err)
		var e *PlatformUnavailable
		require.ErrorAs(t, Send(http.DefaultClient, "test", req, nil), &e)
		assert.True(t, e.NotSent)
	})
}
