package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog/blogtest"
)

// The credentials of AWS's Signature Version 4 examples and test suite.
const (
	exampleAccessKey = "AKIDEXAMPLE"
	exampleSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

// TestTheSignatureIsTheOneBotocoreComputes pins the handler's signature to
// one computed by a second implementation of Signature Version 4: botocore's
// SigV4Auth, run at development time by testdata/sigv4-expected.handmade.py
// (its docstring says how) on the request below, its output committed as
// testdata/sigv4-expected.handmade.json. Fixed: credentials, clock (setup's
// indexedAt), region, host (a domain endpoint, reached through a dialer that
// connects to the fake domain), post and therefore body, which must arrive
// byte for byte as testdata/sigv4-body.handmade.json, the body botocore
// signed. If the document's encoding changes on purpose, regenerate both.
func TestTheSignatureIsTheOneBotocoreComputes(t *testing.T) {
	var want struct {
		Host              string `json:"host"`
		Target            string `json:"target"`
		XAmzDate          string `json:"x_amz_date"`
		XAmzContentSHA256 string `json:"x_amz_content_sha256"`
		Authorization     string `json:"authorization"`
	}
	require.NoError(t, json.Unmarshal(blogtest.ReadFile(t, "sigv4-expected.handmade.json"), &want))
	domain := blogtest.NewReplay(t, map[string]blogtest.Reply{want.Target: {Status: 201, File: "created-odd-id.handmade.json"}})
	h := setup("https://"+want.Host, nil, func(context.Context) (aws.Config, error) {
		return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider(exampleAccessKey, exampleSecretKey, sessionToken)}, nil
	})
	h.client = dialing(t, domain.URL)

	_, fail, _ := invoke(t, h, blogtest.ReadFile(t, "post-odd-id.handmade.json"))

	require.Nil(t, fail)
	reqs := domain.Requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	assert.Equal(t, want.Target, got.Target)
	assert.Equal(t, want.Host, got.Host)
	require.Equal(t, string(blogtest.ReadFile(t, "sigv4-body.handmade.json")), string(got.Body),
		"the handler no longer sends the body botocore signed; regenerate the sigv4 fixtures")
	assert.Equal(t, want.XAmzDate, got.Header.Get("X-Amz-Date"))
	assert.Equal(t, want.XAmzContentSHA256, got.Header.Get("X-Amz-Content-Sha256"))
	assert.Equal(t, want.Authorization, got.Header.Get("Authorization"))
}

// dialing returns a client whose every https connection goes to the plain
// HTTP server at serverURL, whatever host the request names: the request
// keeps the domain's https endpoint and host name, which is signed, and
// reaches the test's server unchanged (a connection that is not TLS is
// spoken HTTP/1.1 over, as the Replay expects).
func dialing(t *testing.T, serverURL string) *http.Client {
	t.Helper()
	u, err := url.Parse(serverURL)
	require.NoError(t, err)
	return &http.Client{Timeout: requestTimeout, Transport: &http.Transport{
		DialTLSContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, u.Host)
		},
	}}
}

// TestTheSignerMatchesAWSTestSuiteVectors checks the signer the handler uses
// against vectors of AWS's Signature Version 4 test suite, as botocore
// carries it: boto/botocore tests/unit/auth/aws4_testsuite/<name>/<name>.authz
// (commit 0e6e2404b85dc336dd2889814e089bde7d1a4c55; the suite's NOTICE:
// "AWS Signature Version 4 Test Suite, Copyright 2019 Amazon.com").
func TestTheSignerMatchesAWSTestSuiteVectors(t *testing.T) {
	tests := []struct {
		name, target, authz string
	}{
		{
			name:   "get-vanilla",
			target: "/",
			authz:  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		{
			name:   "get-vanilla-query-order-key-case",
			target: "/?Param2=value2&Param1=value1",
			authz:  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		},
	}
	emptyBody := sha256.Sum256(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, "https://example.amazonaws.com"+tt.target, nil)
			require.NoError(t, err)
			at := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
			creds := aws.Credentials{AccessKeyID: exampleAccessKey, SecretAccessKey: exampleSecretKey}

			require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(emptyBody[:]), "service", "us-east-1", at))

			assert.Equal(t, "20150830T123600Z", req.Header.Get("X-Amz-Date"))
			assert.Equal(t, tt.authz, req.Header.Get("Authorization"))
		})
	}
}

var authorization = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/es/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// assertSigned checks that r arrived as it was signed: the Authorization
// header names the credentials, date and region, covers the headers the
// domain needs, and equals a signature computed over the request as it
// arrived. That signature comes from the same signer, so this catches a
// request changed after signing, not a wrong signer: the signer's
// correctness is pinned by TestTheSignatureIsTheOneBotocoreComputes and
// TestTheSignerMatchesAWSTestSuiteVectors.
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
