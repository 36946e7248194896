package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func resourceChange(action types.ChangeAction, id, typ string, replacement types.Replacement) types.Change {
	return types.Change{Type: types.ChangeTypeResource, ResourceChange: &types.ResourceChange{
		Action: action, LogicalResourceId: aws.String(id), ResourceType: aws.String(typ), Replacement: replacement,
	}}
}

var sampleChanges = []types.Change{
	resourceChange(types.ChangeActionAdd, "CheckPizzaFunction", "AWS::Lambda::Function", ""),
	resourceChange(types.ChangeActionModify, "PizzaStateMachine", "AWS::StepFunctions::StateMachine", types.ReplacementFalse),
	resourceChange(types.ChangeActionModify, "UploadsBucket", "AWS::S3::Bucket", types.ReplacementTrue),
	resourceChange(types.ChangeActionModify, "PizzaHttpApi", "AWS::ApiGatewayV2::Api", types.ReplacementConditional),
	resourceChange(types.ChangeActionRemove, "OldTopic", "AWS::SNS::Topic", ""),
}

func TestChangeTableHasOneRowPerChangeAndMarksTheDestructive(t *testing.T) {
	rows := changeRows(sampleChanges)
	require.Len(t, rows, 5)
	assert.Equal(t, Change{Action: "modify", LogicalID: "UploadsBucket", Type: "AWS::S3::Bucket", Replacement: "True"}, rows[2])

	text := changesText("pizza", rows)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	require.Len(t, lines, 7, text)
	assert.Equal(t, "stack pizza: 5 change(s)", lines[0])
	assert.Regexp(t, `^  Action\s+LogicalId\s+Type\s+Replacement`, lines[1])
	assert.Regexp(t, `^  add\s+CheckPizzaFunction\s+AWS::Lambda::Function\s+N/A\s*$`, lines[2])
	assert.Regexp(t, `^  modify\s+PizzaStateMachine\s+AWS::StepFunctions::StateMachine\s+False\s*$`, lines[3])
	assert.Regexp(t, `^  modify\s+UploadsBucket\s+AWS::S3::Bucket\s+True\s+destructive$`, lines[4])
	assert.Regexp(t, `^  modify\s+PizzaHttpApi\s+AWS::ApiGatewayV2::Api\s+Conditional\s*$`, lines[5])
	assert.Regexp(t, `^  remove\s+OldTopic\s+AWS::SNS::Topic\s+N/A\s+destructive$`, lines[6])
	// The columns line up.
	assert.Equal(t, strings.Index(lines[1], "LogicalId"), strings.Index(lines[6], "OldTopic"))
}

func TestDestructiveChangesNeedApproval(t *testing.T) {
	rows := changeRows(sampleChanges)
	var asked []string
	var lastPrompt string
	yes := func(p string) bool { asked, lastPrompt = append(asked, p), p; return true }
	no := func(p string) bool { asked = append(asked, p); return false }
	cases := []struct {
		name    string
		opts    Options
		rows    []Change
		ok      bool
		prompts int
	}{
		{"safe changes go ahead", Options{}, rows[:2], true, 0},
		{"no terminal, no approval: stop", Options{Confirm: yes}, rows, false, 0},
		{"Approve", Options{Approve: true}, rows, true, 0},
		{"STEPFORGE_APPROVE=1", Options{Getenv: env(map[string]string{"STEPFORGE_APPROVE": "1"})}, rows, true, 0},
		{"confirmed at the terminal", Options{Terminal: true, Confirm: yes}, rows, true, 1},
		{"declined at the terminal", Options{Terminal: true, Confirm: no}, rows, false, 1},
		{"terminal without a prompt func", Options{Terminal: true}, rows, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			asked = nil
			var out strings.Builder
			c.opts.Out = &out
			r := newRun(c.opts)
			err := r.approve("stack pizza", c.rows)
			assert.Len(t, asked, c.prompts)
			if c.ok {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrNotApproved)
			assert.Contains(t, err.Error(), "replace UploadsBucket (AWS::S3::Bucket), remove OldTopic (AWS::SNS::Topic)")
			if c.prompts == 0 {
				assert.Contains(t, err.Error(), "STEPFORGE_APPROVE=1")
			}
		})
	}
	assert.Equal(t, "stack pizza: replace UploadsBucket (AWS::S3::Bucket), remove OldTopic (AWS::SNS::Topic). Go ahead?", lastPrompt)
}

func event(id, logical, typ string, status types.ResourceStatus, reason string, at time.Time) types.StackEvent {
	e := types.StackEvent{EventId: aws.String(id), LogicalResourceId: aws.String(logical), ResourceType: aws.String(typ),
		ResourceStatus: status, Timestamp: aws.Time(at)}
	if reason != "" {
		e.ResourceStatusReason = aws.String(reason)
	}
	return e
}

var t0 = time.Date(2026, 12, 2, 1, 4, 5, 0, time.UTC)

func TestPlainProgressPrintsEveryEventAsALine(t *testing.T) {
	var out strings.Builder
	p := newPrinter(&out, false)
	p.Event("pizza", event("1", "CheckPizzaFunction", "AWS::Lambda::Function", types.ResourceStatusCreateInProgress, "", t0), 1200*time.Millisecond)
	p.Event("pizza", event("2", "CheckPizzaFunction", "AWS::Lambda::Function", types.ResourceStatusCreateFailed, "Resource handler returned message:\n  \"bad zip\"", t0.Add(time.Second)), 2500*time.Millisecond)
	p.Printf("stack pizza: done")
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^01:04:05  pizza\s+CheckPizzaFunction\s+AWS::Lambda::Function\s+CREATE_IN_PROGRESS\s+\(1.2s\)$`, lines[0])
	assert.Regexp(t, `^01:04:06  pizza\s+CheckPizzaFunction\s+AWS::Lambda::Function\s+CREATE_FAILED\s+Resource handler returned message: "bad zip"  \(2.5s\)$`, lines[1])
	assert.Equal(t, "stack pizza: done", lines[2])
	assert.NotContains(t, out.String(), "\x1b[", "no escape codes in a CI log")
}

func TestLiveProgressRedrawsOneLinePerResource(t *testing.T) {
	var out strings.Builder
	p := newPrinter(&out, true)
	p.Event("pizza", event("1", "Role", "AWS::IAM::Role", types.ResourceStatusCreateInProgress, "", t0), time.Second)
	first := out.String()
	assert.Equal(t, 1, strings.Count(first, "\n"))
	assert.NotContains(t, first, "\x1b[1A", "nothing to redraw yet")

	out.Reset()
	p.Event("pizza", event("2", "Fn", "AWS::Lambda::Function", types.ResourceStatusCreateInProgress, "", t0), time.Second)
	assert.True(t, strings.HasPrefix(out.String(), "\x1b[1A\x1b[J"), "moves up over the region and clears it: %q", out.String())
	assert.Equal(t, 2, strings.Count(out.String(), "\n"), "then draws both rows")

	out.Reset()
	p.Event("pizza", event("3", "Role", "AWS::IAM::Role", types.ResourceStatusCreateComplete, "", t0), 2*time.Second)
	s := out.String()
	assert.True(t, strings.HasPrefix(s, "\x1b[2A\x1b[J"))
	assert.Equal(t, 2, strings.Count(s, "\n"), "still one row per resource")
	assert.Contains(t, s, "\x1b[32m") // complete is green
	assert.Less(t, strings.Index(s, "Role"), strings.Index(s, "Fn"), "rows keep their order")

	out.Reset()
	p.Printf("stack pizza: note")
	s = out.String()
	assert.True(t, strings.HasPrefix(s, "\x1b[2A\x1b[Jstack pizza: note\n"), "a message prints above the region: %q", s)

	out.Reset()
	p.Event("pizza", event("4", "Fn", "AWS::Lambda::Function", types.ResourceStatusCreateFailed, strings.Repeat("why ", 80), t0), 3*time.Second)
	s = out.String()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	require.Len(t, lines, 3, "a failure is kept whole above the region")
	assert.Contains(t, lines[0], strings.Repeat("why ", 79))
	assert.LessOrEqual(t, len([]rune(lines[2])), liveWidth+20, "live rows do not wrap")

	p.Done()
	out.Reset()
	p.Printf("after")
	assert.Equal(t, "after\n", out.String(), "a finished region stays on screen")
}

func TestPrinterSerializesParallelStacks(t *testing.T) {
	var out safeBuilder
	p := newPrinter(&out, false)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				p.Event("stack"+string(rune('a'+i)), event("x", "R", "AWS::S3::Bucket", types.ResourceStatusCreateComplete, "", t0), time.Duration(j))
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	assert.Len(t, lines, 400)
	for _, l := range lines {
		assert.Regexp(t, `^01:04:05  stack[a-h]\s+R\s+AWS::S3::Bucket\s+CREATE_COMPLETE\s+\(0s\)$`, l)
	}
}

type safeBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *safeBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestFailureNamesTheEarliestFailedResource(t *testing.T) {
	events := []types.StackEvent{
		event("1", "pizza", "AWS::CloudFormation::Stack", types.ResourceStatusUpdateInProgress, "User Initiated", t0),
		event("2", "Fn", "AWS::Lambda::Function", types.ResourceStatusUpdateFailed, "Resource handler returned message: \"Error occurred while GetObject. S3 Error Code: NoSuchKey\"", t0),
		event("3", "Api", "AWS::ApiGatewayV2::Api", types.ResourceStatusUpdateFailed, "Resource update cancelled", t0),
		event("4", "pizza", "AWS::CloudFormation::Stack", types.ResourceStatusUpdateRollbackInProgress, "The following resource(s) failed to update: [Fn].", t0),
	}
	err := failure("pizza", "UPDATE_ROLLBACK_FAILED", events)
	assert.Equal(t, "Fn", err.Resource)
	assert.Contains(t, err.Reason, "NoSuchKey")
	assert.Contains(t, err.Next, "aws cloudformation continue-update-rollback --stack-name pizza")
	assert.Contains(t, err.Error(), "stack pizza: UPDATE_ROLLBACK_FAILED: Fn failed: Resource handler returned message:")
	text := failureText(err)
	assert.Contains(t, text, "first failure: Fn: ")
	assert.Contains(t, text, "next: the rollback itself failed")

	assert.Contains(t, nextStep("pizza", "ROLLBACK_COMPLETE"), "deletes it and creates it anew")
	assert.Contains(t, nextStep("pizza", "DELETE_FAILED"), "--retain-resources")
	none := failure("pizza", "UPDATE_ROLLBACK_COMPLETE", events[:1])
	assert.Empty(t, none.Resource)
	assert.Equal(t, "stack pizza: UPDATE_ROLLBACK_COMPLETE; next: the stack is back as it was before this deploy; fix the cause and deploy again", none.Error())
}

func TestOutputsAreATableAndAFile(t *testing.T) {
	outputs := map[string]string{"PizzaStateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Pizza", "Url": "https://x"}
	text := outputsText("pizza", outputs)
	assert.Equal(t, "stack pizza outputs:\n  PizzaStateMachineArn  arn:aws:states:us-east-1:123456789012:stateMachine:Pizza\n  Url                   https://x", text)
	dir := filepath.Join(t.TempDir(), "build", "outputs")
	path, err := saveOutputs(dir, "pizza", outputs)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "pizza.json"), path)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var got map[string]string
	require.NoError(t, json.Unmarshal(data, &got))
	assert.Equal(t, outputs, got)
}
