// Package lctest starts local cloud services in-process for tests and
// gives the real SDK's configuration for them.
package lctest

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

// AWSCommand is the AWS CLI (`aws`, from the machine image) with args,
// pointed at nothing but its arguments say: local credentials and region,
// no pager, no retries, and no user configuration or credential files,
// so a developer's own AWS setup cannot leak into a test.
func AWSCommand(args ...string) *exec.Cmd {
	cmd := exec.Command("aws", args...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "AWS_DEFAULT_REGION="+localcloud.Region,
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
	return cmd
}

// RequireAWSCLI skips the test when the AWS CLI is not on PATH.
func RequireAWSCLI(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH")
	}
}

// TemplateProperties reads a generated template's resource properties,
// resolved the simple way a test needs: pseudo parameters substituted,
// a Ref or Fn::GetAtt replaced by a stand-in string.
func TemplateProperties(t testing.TB, file, logicalID string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(TestdataDir(t), file))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tmpl struct {
		Resources map[string]struct {
			Properties map[string]any
		}
	}
	if err := dec.Decode(&tmpl); err != nil {
		t.Fatal(err)
	}
	res, ok := tmpl.Resources[logicalID]
	if !ok {
		t.Fatalf("%s has no %s", file, logicalID)
	}
	return resolveForTest(res.Properties).(map[string]any)
}

func resolveForTest(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if s, ok := x["Fn::Sub"].(string); ok {
				return strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::AccountId}", "123456789012",
					"${AWS::Region}", "us-east-1", "${AWS::StackName}", "test-stack").Replace(s)
			}
			if r, ok := x["Ref"].(string); ok {
				return "ref-" + r
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok {
				return "arn:aws:logs:us-east-1:123456789012:log-group:" + ga[0].(string)
			}
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolveForTest(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolveForTest(e)
		}
		return out
	}
	return v
}

// TestdataDir is the generator's committed templates folder
// (gen/testdata), found from the test's working directory upwards.
func TestdataDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "gen", "testdata")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// AWSResult is one AWS CLI run's combined output and error.
type AWSResult struct {
	Out []byte
	Err error
}

// AWSParallel runs AWS CLI commands (JSON output) against endpoint side
// by side, since each CLI start takes a while, and returns their results
// in order.
func AWSParallel(endpoint string, commands ...[]string) []AWSResult {
	res := make([]AWSResult, len(commands))
	var wg sync.WaitGroup
	for i, args := range commands {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := AWSCommand(append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
			res[i].Out, res[i].Err = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	return res
}
