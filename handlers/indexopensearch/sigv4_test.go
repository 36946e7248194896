package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog/blogtest"
)

var authorization = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/es/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// assertSigned checks r's Signature Version 4 the way the domain does: it
// rebuilds the request from what arrived, keeping only the headers the
// Authorization header says were signed, signs it again with creds and
// compares the two signatures.
func assertSigned(t *testing.T, r blogtest.Request, creds aws.Credentials, region string) {
	t.Helper()
	auth := r.Header.Get("Authorization")
	m := authorization.FindStringSubmatch(auth)
	require.NotNil(t, m, "Authorization header %q is not SigV4 for es", auth)
	assert.Equal(t, creds.AccessKeyID, m[1])
	assert.Equal(t, region, m[3])
	signed := strings.Split(m[4], ";")
	for _, h := range []string{"host", "x-amz-date", "x-amz-content-sha256", "content-type"} {
		assert.Contains(t, signed, h)
	}

	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	require.NoError(t, err, "X-Amz-Date")
	assert.Equal(t, at.Format("20060102"), m[2], "credential scope date")
	sum := sha256.Sum256(r.Body)
	payloadHash := hex.EncodeToString(sum[:])
	assert.Equal(t, payloadHash, r.Header.Get("X-Amz-Content-Sha256"))

	method, uri, _ := strings.Cut(r.Target, " ")
	again, err := http.NewRequest(method, "http://"+r.Host+uri, bytes.NewReader(r.Body))
	require.NoError(t, err)
	for _, h := range signed {
		if h != "host" && h != "content-length" {
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, again, payloadHash, "es", region, at))
	assert.Equal(t, again.Header.Get("Authorization"), auth, "signature differs from one computed over the received request")
}
