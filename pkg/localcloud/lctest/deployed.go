package lctest

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/awsconfig"
	"github.com/stepforge/stepforge/pkg/build"
)

// HostZips builds every handler of the module at root for this machine
// into out and packs each bootstrap into a zip, returning each zip's path
// by handler. The zips are stored rather than deflated: deflating nine
// 20 MB binaries under the race detector costs minutes, and the local
// cloud reads either.
func HostZips(root, out string) (map[string]string, error) {
	arts, err := build.Build(context.Background(), build.Options{Root: root, Out: filepath.Join(out, "bin"),
		GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, BinariesOnly: true})
	if err != nil {
		return nil, err
	}
	zips := map[string]string{}
	for _, a := range arts {
		bin, err := os.ReadFile(a.Binary)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Store, ExternalAttrs: 0o755 << 16, CreatorVersion: 3 << 8})
		if err == nil {
			_, err = w.Write(bin)
		}
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			return nil, err
		}
		path := filepath.Join(out, a.Name+".zip")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return nil, err
		}
		zips[a.Name] = path
	}
	return zips, nil
}

// StepFunctions is a Step Functions client that keeps StartSyncExecution
// on the configured endpoint (awsconfig.DisableHostPrefix: the SDK would
// send it to "sync-127.0.0.1").
func StepFunctions(cfg aws.Config) *sfn.Client {
	return sfn.NewFromConfig(cfg, sfn.WithAPIOptions(awsconfig.DisableHostPrefix))
}

// PhysicalIDs maps a deployed stack's logical ids to physical ids.
func PhysicalIDs(t testing.TB, cfg aws.Config, stack string) map[string]string {
	t.Helper()
	out, err := cloudformation.NewFromConfig(cfg).DescribeStackResources(context.Background(),
		&cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
	require.NoError(t, err)
	ids := map[string]string{}
	for _, r := range out.StackResources {
		ids[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	return ids
}

// WaitForExecution polls an execution until it has ended, or within has
// passed, and returns what DescribeExecution last said.
func WaitForExecution(t testing.TB, client *sfn.Client, arn string, within time.Duration) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out, err := client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		require.NoError(t, err)
		if out.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}
