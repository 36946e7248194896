package integration

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/gen"
	"github.com/stepforge/stepforge/pkg/deploy"
	"github.com/stepforge/stepforge/pkg/localcloud/cloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/standin"
	"github.com/stepforge/stepforge/workflows"
)

// serveChild is the test binary as a local cloud process of its own
// (INTEGRATION_SERVE=<dir>), so a test can SIGKILL it.
func serveChild(dir string) int {
	scale, _ := strconv.ParseFloat(os.Getenv("INTEGRATION_TIME_SCALE"), 64)
	c, err := cloud.Open(cloud.Options{Dir: dir, TimeScale: scale, XRayAddr: "127.0.0.1:0"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	_ = c.Serve(context.Background(), "127.0.0.1:0", func(a net.Addr) { fmt.Println("READY", a) })
	return 0
}

func startChild(t *testing.T, dir, scale string) (*exec.Cmd, string) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "INTEGRATION_SERVE="+dir, "INTEGRATION_TIME_SCALE="+scale)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "READY ")
	require.True(t, ok, line)
	return cmd, "http://" + addr
}

func TestAKillDuringRetryOn500sWaitStillEndsTheExecution(t *testing.T) {
	localOnly(t, "a local cloud to kill")
	ctx := context.Background()
	dir := t.TempDir()
	// A 10 s Wait takes 2 s: time enough to see it begin, and kill.
	cmd, endpoint := startChild(t, dir, "0.2")
	status, err := standin.Start(standin.Ports{})
	require.NoError(t, err)
	defer status.Close()
	status.Status.Fail(2)
	cfg := lctest.Config(endpoint)
	stacks, err := gen.Synth(filepath.Join(dir, "synth"), workflows.All())
	require.NoError(t, err)
	zips := sys.zips
	var retry deploy.Stack
	for _, st := range stacks {
		if st.Workflow.Name == "retry-on-500" {
			retry = deploy.Stack{Name: st.Workflow.Name, Template: st.Template}
			for _, fn := range st.Workflow.Functions {
				retry.Assets = append(retry.Assets, deploy.Asset{Parameter: gen.CodeKeyParameter(fn), Path: zips[fn.Handler]})
			}
		}
	}
	rep, err := deploy.Deploy(ctx, deploy.Options{Config: cfg, Stacks: []deploy.Stack{retry}, Environment: "integration", Out: io.Discard,
		OutputsDir: filepath.Join(dir, "outputs"), Getenv: func(k string) string {
			if k == "STEPFORGE_PARAM_StatusUrl" {
				return status.URLs.Status + "/status"
			}
			return ""
		}})
	require.NoError(t, err)
	client := sfn.NewFromConfig(cfg)
	start, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(rep.Stacks[0].Outputs["RetryOn500StateMachineArn"]),
		Input: aws.String(`{"orderId":"killed"}`)})
	require.NoError(t, err)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "the execution never reached its Wait")
		h, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, ReverseOrder: true, MaxResults: 1})
		require.NoError(t, err)
		if len(h.Events) > 0 && h.Events[0].Type == sfntypes.HistoryEventTypeWaitStateEntered {
			break
		}
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()

	_, endpoint = startChild(t, dir, "0.001")
	done := lctest.WaitForExecution(t, sfn.NewFromConfig(lctest.Config(endpoint)), aws.ToString(start.ExecutionArn), time.Minute)
	require.Equal(t, sfntypes.ExecutionStatusSucceeded, done.Status, "%s: %s", aws.ToString(done.Error), aws.ToString(done.Cause))
	assert.Len(t, status.Status.Requests(), 3, "500, 500, 200 across the kill")
}
