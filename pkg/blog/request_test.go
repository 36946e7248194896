package blog

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONRequestsKeepMarkdownReadable(t *testing.T) {
	body := map[string]string{"body": "a <b> & c"}

	req, err := NewJSONRequest(context.Background(), http.MethodPost, "https://api.example/posts", body)
	require.NoError(t, err)
	sent, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, "{\"body\":\"a <b> & c\"}\n", string(sent))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))

	enc, err := EncodeJSON(body)
	require.NoError(t, err)
	assert.Equal(t, `{"body":"a <b> & c"}`, string(enc))
}

func TestJSONRequestWithoutBodyHasNoContentType(t *testing.T) {
	req, err := NewJSONRequest(context.Background(), http.MethodGet, "https://api.example/me", nil)
	require.NoError(t, err)
	assert.Nil(t, req.Body)
	assert.Empty(t, req.Header.Get("Content-Type"))
}

func TestJSONRequestReportsWhatCannotBeSent(t *testing.T) {
	_, err := NewJSONRequest(context.Background(), http.MethodPost, "https://api.example", func() {})
	assert.ErrorContains(t, err, "encode the request body")
	_, err = NewJSONRequest(context.Background(), "bad method", "https://api.example", nil)
	assert.ErrorContains(t, err, "build the request")
}

func TestRetryAfterReadsSecondsAndDates(t *testing.T) {
	tests := []struct {
		name, header string
		want         time.Duration
	}{
		{"none", "", 0},
		{"seconds", "30", 30 * time.Second},
		{"negative", "-3", 0},
		{"past date", "Wed, 21 Oct 2015 07:28:00 GMT", 0},
		{"garbage", "soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, RetryAfter(tt.header))
		})
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	assert.InDelta(t, time.Hour.Seconds(), RetryAfter(future).Seconds(), 5)
}
