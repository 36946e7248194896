package cloud_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
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
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// TestMain lets the test binary serve as a local cloud process of its
// own (LOCALCLOUD_TEST_SERVE=<dir>), so that a test can SIGKILL it.
func TestMain(m *testing.M) {
	if dir := os.Getenv("LOCALCLOUD_TEST_SERVE"); dir != "" {
		scale, _ := strconv.ParseFloat(os.Getenv("LOCALCLOUD_TEST_TIME_SCALE"), 64)
		c, err := cloud.Open(cloud.Options{Dir: dir, TimeScale: scale, XRayAddr: "127.0.0.1:0"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		_ = c.Serve(context.Background(), "127.0.0.1:0", func(a net.Addr) { fmt.Println("READY", a) })
		os.Exit(0)
	}
	code := m.Run()
	if shared.close != nil {
		shared.close()
	}
	os.Exit(code)
}

// serveProcess starts the local cloud as a child process on dir and
// returns its endpoint.
func serveProcess(t testing.TB, dir string, env ...string) (*exec.Cmd, string) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "LOCALCLOUD_TEST_SERVE="+dir), env...)
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

// TestAKillDuringCreateIsRolledBackOnRestart kills the local cloud
// (SIGKILL) while it creates the blog-publishing stack, starts it again on
// the same state, and checks that the store is intact and the interrupted
// creation is rolled back as CloudFormation rolls back one it could not
// finish, leaving no resource behind.
func TestAKillDuringCreateIsRolledBackOnRestart(t *testing.T) {
	dir := t.TempDir()
	cmd, endpoint := serveProcess(t, dir)
	cfg := lctest.Config(endpoint)
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("artifacts")})
	require.NoError(t, err)
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("code.zip"), Body: bytes.NewReader(bootstrapZip(t))})
	require.NoError(t, err)
	body, err := os.ReadFile("../../../gen/testdata/blog-publishing.template.json")
	require.NoError(t, err)
	cfn := cloudformation.NewFromConfig(cfg)
	_, err = cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("blog"), TemplateBody: aws.String(string(body)),
		Parameters: templateParameters(t, body, "artifacts", "code.zip"), Capabilities: []types.Capability{types.CapabilityCapabilityNamedIam}})
	require.NoError(t, err)
	// Kill once some resources are made and before the stack is complete.
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := cfn.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("blog")})
		require.NoError(t, err)
		done := 0
		for _, r := range res.StackResourceSummaries {
			if r.ResourceStatus == types.ResourceStatusCreateComplete {
				done++
			}
		}
		if done >= 3 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the stack made no progress")
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()

	// The store first, on its own: a check in a read transaction while the
	// resumed operation writes would see pages freed after its snapshot.
	st0, err := localcloud.OpenStore(filepath.Join(dir, "state.db"))
	require.NoError(t, err)
	require.NoError(t, st0.Check(), "a kill leaves the store consistent")
	require.NoError(t, st0.Close())
	cfg2, c := cloud.StartForTestIn(t, dir)
	c.CloudFormation.Wait()
	cfn = cloudformation.NewFromConfig(cfg2)
	out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("blog")})
	require.NoError(t, err)
	st := out.Stacks[0]
	if st.StackStatus == types.StackStatusCreateComplete {
		t.Skip("the stack completed before the kill landed")
	}
	assert.Equal(t, types.StackStatusRollbackComplete, st.StackStatus)
	evs, err := cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("blog")})
	require.NoError(t, err)
	var reason string
	for _, e := range evs.StackEvents {
		if aws.ToString(e.ResourceType) == "AWS::CloudFormation::Stack" && e.ResourceStatus == types.ResourceStatusRollbackInProgress {
			reason = aws.ToString(e.ResourceStatusReason)
		}
	}
	assert.Contains(t, reason, "The local cloud stopped while the operation was in progress")
	res, err := cfn.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("blog")})
	require.NoError(t, err)
	assert.Empty(t, res.StackResourceSummaries, "the rollback deleted every resource it had made")
	// Every role and function the stack had recorded as made is gone. (One
	// a service made in the instant before the kill, which the engine had
	// not yet recorded, would be left: see the package notes.)
	made := map[string]string{}
	for _, e := range evs.StackEvents {
		if e.ResourceStatus == types.ResourceStatusCreateComplete && aws.ToString(e.PhysicalResourceId) != "" {
			made[aws.ToString(e.PhysicalResourceId)] = aws.ToString(e.ResourceType)
		}
	}
	require.NotEmpty(t, made)
	iamc, lam := iam.NewFromConfig(cfg2), lambda.NewFromConfig(cfg2)
	for id, typ := range made {
		switch typ {
		case "AWS::IAM::Role":
			_, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(id)})
			assert.ErrorContains(t, err, "NoSuchEntity", id)
		case "AWS::Lambda::Function":
			_, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(id)})
			assert.ErrorContains(t, err, "ResourceNotFoundException", id)
		}
	}
}

// TestAKilledExecutionResumesFromItsHistory kills the local cloud
// (SIGKILL) while retry-on-500 waits between two status checks, starts it
// again on the same state, and checks that the execution goes on from
// where its history stopped and ends as it would have: the wait is not
// started again, the status is asked exactly three times, and the history
// is one unbroken list.
func TestAKilledExecutionResumesFromItsHistory(t *testing.T) {
	dir := t.TempDir()
	// A 10 s Wait takes 2 s: time enough to see it begin and kill.
	cmd, endpoint := serveProcess(t, dir, "LOCALCLOUD_TEST_TIME_SCALE=0.2")
	cfg := lctest.Config(endpoint)
	status := newScriptedStatus()
	t.Cleanup(status.Close)
	wf := deployWorkflows(t, cfg, map[string]string{"StatusUrl": status.URL}, "retry-on-500")
	status.fails.Store(2)
	ctx := context.Background()
	client := lctest.StepFunctions(cfg)
	start, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(wf["retry-on-500"]["RetryOn500StateMachineArn"]),
		Input: aws.String(`{"orderId":"A-1001"}`)})
	require.NoError(t, err)
	deadline := time.Now().Add(time.Minute)
	for waiting := false; !waiting; {
		require.True(t, time.Now().Before(deadline), "the execution never reached its Wait")
		h, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, ReverseOrder: true, MaxResults: 1})
		require.NoError(t, err)
		waiting = len(h.Events) > 0 && h.Events[0].Type == sfntypes.HistoryEventTypeWaitStateEntered
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	require.Equal(t, int32(1), status.calls.Load(), "killed during the first wait")

	cfg2, _ := cloud.StartForTestIn(t, dir)
	client = lctest.StepFunctions(cfg2)
	done := lctest.WaitForExecution(t, client, aws.ToString(start.ExecutionArn), time.Minute)
	require.Equal(t, sfntypes.ExecutionStatusSucceeded, done.Status, "%s: %s", aws.ToString(done.Error), aws.ToString(done.Cause))
	assert.Equal(t, int32(3), status.calls.Load(), "500, 500, 200: nothing asked twice, nothing skipped")
	var events []sfntypes.HistoryEvent
	p := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		events = append(events, page.Events...)
	}
	waits := 0
	for i, e := range events {
		assert.Equal(t, int64(i+1), e.Id, "one history, numbered without a gap")
		if e.Type == sfntypes.HistoryEventTypeWaitStateEntered {
			waits++
		}
	}
	assert.Equal(t, 2, waits)
	assert.Equal(t, sfntypes.HistoryEventTypeExecutionSucceeded, events[len(events)-1].Type)
}
