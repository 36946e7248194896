package cloud

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// StartForTest runs a local cloud in-process on a random loopback port,
// its state in a fresh temporary folder, until the test ends; it returns
// the SDK configuration for it (static credentials, no retries).
func StartForTest(t testing.TB) (aws.Config, *Cloud) {
	t.Helper()
	return StartForTestIn(t, t.TempDir())
}

// StartForTestIn is StartForTest with the state in dir, so that a test can
// stop a local cloud (Cloud.Close) and start another on the same state.
func StartForTestIn(t testing.TB, dir string) (aws.Config, *Cloud) {
	t.Helper()
	c, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(c.Handler())
	c.SetEndpoint(hs.URL)
	closed := false
	t.Cleanup(func() {
		hs.Close()
		if !closed {
			_ = c.Close()
		}
	})
	c.onClose = func() { closed = true; hs.Close() }
	return lctest.Config(hs.URL), c
}
