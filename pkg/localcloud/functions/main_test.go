package functions_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/build"
	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/functions"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// The executables the data plane tests run, built once per test run for
// this machine: the test function (testdata/fn), the same for another CPU,
// and the pizza workflow's real pizzachecker.
var fnBinary, foreignBinary, pizzaBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "functions-test")
	if err != nil {
		panic(err)
	}
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	fnBinary = filepath.Join(dir, "fn", "bootstrap")
	foreignBinary = filepath.Join(dir, "foreign", "bootstrap")
	var wg sync.WaitGroup
	errs := make([]error, 3)
	goBuild := func(i int, out, goos, goarch string) {
		defer wg.Done()
		cmd := exec.Command("go", "build", "-tags", build.Tags, "-ldflags=-s -w", "-o", out, "./testdata/fn")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		if b, err := cmd.CombinedOutput(); err != nil {
			errs[i] = fmt.Errorf("build %s: %v\n%s", out, err, b)
		}
	}
	wg.Add(3)
	go goBuild(0, fnBinary, runtime.GOOS, runtime.GOARCH)
	go goBuild(1, foreignBinary, "linux", other)
	go func() {
		defer wg.Done()
		// Binaries only, zipped below without compression: deflating a
		// 20 MB binary in a race-instrumented test costs seconds.
		arts, err := build.Build(context.Background(), build.Options{Root: "../../..", Out: filepath.Join(dir, "handlers"),
			GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Handlers: []string{"pizzachecker"}, BinariesOnly: true})
		if err == nil {
			pizzaBinary = arts[0].Binary
		}
		errs[2] = err
	}()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			_ = os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var zipCache sync.Map // binary path + extra -> zip bytes

// zipOf is a deployment package holding binary as bootstrap, plus extra
// files, stored without compression to keep the tests fast.
func zipOf(t testing.TB, binary string, extra map[string]string) []byte {
	t.Helper()
	key := fmt.Sprint(binary, extra)
	if z, ok := zipCache.Load(key); ok {
		return z.([]byte)
	}
	bin, err := os.ReadFile(binary)
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Store})
	require.NoError(t, err)
	_, err = w.Write(bin)
	require.NoError(t, err)
	for name, content := range extra {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		require.NoError(t, err)
		_, err = w.Write([]byte(content))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	zipCache.Store(key, buf.Bytes())
	return buf.Bytes()
}

// cloud is the Lambda service served on loopback with its SDK client.
type cloud struct {
	svc      *functions.Service
	client   *lambda.Client
	endpoint string
	store    *localcloud.Store
}

// startCloud serves a Lambda service on a fresh store (or the one at
// storePath) until the test ends.
func startCloud(t testing.TB, storePath string, opts ...functions.Option) *cloud {
	t.Helper()
	if storePath == "" {
		storePath = filepath.Join(t.TempDir(), "state.db")
	}
	st, err := localcloud.OpenStore(storePath)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	opts = append([]functions.Option{functions.WithWorkDir(t.TempDir())}, opts...)
	svc := functions.New(st, nil, opts...)
	t.Cleanup(func() { _ = svc.Close() })
	cfg, _, hs := lctest.Start(t, svc)
	svc.SetCodeEndpoint(hs.URL)
	return &cloud{svc: svc, client: lambda.NewFromConfig(cfg), endpoint: hs.URL, store: st}
}

// create makes a function from zipped with the given changes to the
// request. It calls the Go API: the SDK's CreateFunction is tested in
// api_test.go, and base64 JSON of megabytes is slow under the race detector.
func (c *cloud) create(t testing.TB, name string, zipped []byte, change ...func(*functions.CreateFunctionInput)) {
	t.Helper()
	in := &functions.CreateFunctionInput{FunctionName: name, Runtime: "provided.al2023", Handler: "bootstrap", Role: role,
		Code: &functions.FunctionCode{ZipFile: zipped}}
	for _, f := range change {
		f(in)
	}
	_, err := c.svc.CreateFunction(context.Background(), in)
	require.NoError(t, err)
}

// invoke calls Invoke through the SDK.
func (c *cloud) invoke(t testing.TB, name, payload string, change ...func(*lambda.InvokeInput)) (*lambda.InvokeOutput, error) {
	t.Helper()
	in := &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)}
	for _, f := range change {
		f(in)
	}
	return c.client.Invoke(context.Background(), in)
}
