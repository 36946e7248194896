package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// StackError is a stack operation that did not succeed: the stack's final
// status, the first resource that failed and why, and what to do next.
type StackError struct {
	Stack    string
	Status   string
	Resource string // logical id of the first resource that failed, if any
	Reason   string
	Next     string
}

func (e *StackError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s: %s", e.Stack, e.Status)
	switch {
	case e.Resource != "":
		fmt.Fprintf(&b, ": %s failed: %s", e.Resource, e.Reason)
	case e.Reason != "":
		fmt.Fprintf(&b, ": %s", e.Reason)
	}
	if e.Next != "" {
		fmt.Fprintf(&b, "; next: %s", e.Next)
	}
	return b.String()
}

// firstFailure is the earliest *_FAILED event among events (oldest first).
func firstFailure(events []types.StackEvent) (types.StackEvent, bool) {
	for _, e := range events {
		if strings.HasSuffix(string(e.ResourceStatus), "_FAILED") {
			return e, true
		}
	}
	return types.StackEvent{}, false
}

// failure builds the error of an operation on stack that ended in status.
func failure(stack, status string, events []types.StackEvent) *StackError {
	err := &StackError{Stack: stack, Status: status, Next: nextStep(stack, status)}
	if e, ok := firstFailure(events); ok {
		err.Resource = aws.ToString(e.LogicalResourceId)
		err.Reason = oneLine(aws.ToString(e.ResourceStatusReason))
	}
	return err
}

// nextStep says what to do about a stack left in status.
func nextStep(stack, status string) string {
	switch status {
	case "ROLLBACK_COMPLETE":
		return "the stack was never created; fix the cause and deploy again: the next deploy deletes it and creates it anew"
	case "ROLLBACK_FAILED":
		return fmt.Sprintf("delete the stack (aws cloudformation delete-stack --stack-name %s), fix the cause, then deploy again", stack)
	case "UPDATE_ROLLBACK_COMPLETE":
		return "the stack is back as it was before this deploy; fix the cause and deploy again"
	case "UPDATE_ROLLBACK_FAILED":
		return fmt.Sprintf("the rollback itself failed: fix what blocks it, run `aws cloudformation continue-update-rollback --stack-name %s` (with --resources-to-skip for resources that cannot roll back), wait for UPDATE_ROLLBACK_COMPLETE, then deploy again", stack)
	case "DELETE_FAILED":
		return fmt.Sprintf("fix the cause and destroy again, or keep what cannot be deleted: aws cloudformation delete-stack --stack-name %s --retain-resources <LogicalId>", stack)
	case "CREATE_FAILED", "UPDATE_FAILED", "IMPORT_ROLLBACK_FAILED":
		return "fix the cause and deploy again"
	}
	return "fix the cause and deploy again"
}

func outputsOf(s *types.Stack) map[string]string {
	out := map[string]string{}
	for _, o := range s.Outputs {
		out[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return out
}

// outputsText renders a stack's outputs as a table.
func outputsText(stack string, outputs map[string]string) string {
	if len(outputs) == 0 {
		return fmt.Sprintf("stack %s: no outputs", stack)
	}
	var w strings.Builder
	keys := make([]string, 0, len(outputs))
	for k := range outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(&w, "stack %s outputs:\n", stack)
	tw := tabwriter.NewWriter(&w, 0, 0, 2, ' ', 0)
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%s\n", k, outputs[k])
	}
	tw.Flush()
	return strings.TrimSuffix(w.String(), "\n")
}

// failureText tells the user what failed and what to do about it.
func failureText(e *StackError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s failed: %s\n", e.Stack, e.Status)
	if e.Resource != "" {
		fmt.Fprintf(&b, "  first failure: %s: %s\n", e.Resource, e.Reason)
	} else if e.Reason != "" {
		fmt.Fprintf(&b, "  reason: %s\n", e.Reason)
	}
	if e.Next != "" {
		fmt.Fprintf(&b, "  next: %s\n", e.Next)
	}
	return b.String()
}

// saveOutputs writes <dir>/<stack>.json: the outputs as one JSON object.
func saveOutputs(dir, stack string, outputs map[string]string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write outputs of %s: %w", stack, err)
	}
	data, err := json.MarshalIndent(outputs, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, stack+".json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("write outputs of %s: %w", stack, err)
	}
	return path, nil
}

// Outputs returns a deployed stack's outputs by key.
func Outputs(ctx context.Context, cfg aws.Config, stack string) (map[string]string, error) {
	s, err := describeStack(ctx, cloudformation.NewFromConfig(cfg), stack)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("stack %s does not exist", stack)
	}
	return outputsOf(s), nil
}
