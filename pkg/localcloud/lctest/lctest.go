// Package lctest starts local cloud services in-process for tests and
// gives the real SDK's configuration for them.
package lctest

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Config is an SDK configuration for the local cloud at endpoint, with
// static credentials (the local cloud accepts any) and no retries, so a
// test sees each answer as it was given.
func Config(endpoint string) aws.Config {
	return aws.Config{
		Region:       localcloud.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
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
