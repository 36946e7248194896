package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/s3test"
)

// newFakeS3 returns an S3 endpoint replaying the S3 REST replies stored in
// testdata/s3: replies.handmade.json maps each object path ("/bucket/key")
// to the reply a GET of it gets, and names the reply to a GET of any other
// key. The replies are hand-made, shaped as the S3 API reference documents
// GetObject and its errors (testdata/s3/SOURCES.md), and stored as they
// would go over the wire, except that a body is stored decoded; one marked
// chunked is sent chunked.
func newFakeS3(t *testing.T) *s3test.Server {
	t.Helper()
	var routes struct {
		Default string            `json:"default"`
		Objects map[string]string `json:"objects"`
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "s3", "replies.handmade.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &routes))

	fake := s3test.NewServer(t)
	for path, name := range routes.Objects {
		fake.Answer(http.MethodGet+" "+path, s3test.ReadReply(t, filepath.Join("testdata", "s3", name)))
	}
	fake.AnswerMissing(s3test.ReadReply(t, filepath.Join("testdata", "s3", routes.Default)))
	return fake
}
