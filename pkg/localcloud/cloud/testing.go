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
// Time runs a thousand times faster (TimeScale 0.001: a 10 s Wait takes
// 10 ms) and the X-Ray daemon takes a free port.
func StartForTestIn(t testing.TB, dir string) (aws.Config, *Cloud) {
	t.Helper()
	return StartForTestWith(t, Options{Dir: dir, TimeScale: 0.001})
}

// StartForTestWith is StartForTest with the given options; Dir defaults
// to a temporary folder and XRayAddr to a free port.
func StartForTestWith(t testing.TB, o Options) (aws.Config, *Cloud) {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	if o.XRayAddr == "" {
		o.XRayAddr = "127.0.0.1:0"
	}
	c, err := Open(o)
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
