// Package lctest starts local cloud services in-process for tests and
// gives the real SDK's configuration for them.
package lctest

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Config is an SDK configuration for the local cloud at endpoint, with
// static credentials (the local cloud accepts any). It retries nothing the
// local cloud answered, so a test sees each answer as it was given, but
// it does retry a connection error: Go's HTTP transport can close a
// keep-alive connection under a response being read when its write loop
// races the end of the request (net.ErrClosed, "use of closed network
// connection", seen here on busy machines; aws-sdk-go-v2#2737, which the
// SDK's standard retryer retries since v1.33).
func Config(endpoint string) aws.Config {
	return aws.Config{
		Region:       localcloud.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.Retryables = []retry.IsErrorRetryable{retry.NoRetryCanceledError{}, retry.RetryableConnectionError{}}
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// Start serves the given services on a random loopback port until the
// test ends and returns the SDK configuration for them and the server.
func Start(t testing.TB, services ...localcloud.Service) (aws.Config, *localcloud.Server, *httptest.Server) {
	t.Helper()
	srv := localcloud.New(nil, services...)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return Config(hs.URL), srv, hs
}

// Store opens a fresh store in the test's temporary folder.
func Store(t testing.TB) *localcloud.Store {
	t.Helper()
	st, err := localcloud.OpenStore(t.TempDir() + "/state.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
