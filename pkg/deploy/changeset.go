package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
)

// describeStack returns the stack, or nil when there is none by that name.
func describeStack(ctx context.Context, cfn *cloudformation.Client, name string) (*types.Stack, error) {
	out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist") {
			return nil, nil
		}
		return nil, fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	return &out.Stacks[0], nil
}

func inProgress(status types.StackStatus) bool {
	return strings.HasSuffix(string(status), "_IN_PROGRESS") && status != types.StackStatusReviewInProgress
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// changeSetType readies the stack for a change set and says which kind it
// takes: CREATE for no stack (or one only reviewed so far), UPDATE otherwise.
// It waits out another operation, and deletes a stack whose creation failed
// unless only diffing (then the kind is empty: there is nothing to diff).
func (r *run) changeSetType(ctx context.Context, name string, diffOnly bool) (types.ChangeSetType, *types.Stack, error) {
	for {
		s, err := describeStack(ctx, r.cfn, name)
		if err != nil {
			return "", nil, err
		}
		if s == nil {
			return types.ChangeSetTypeCreate, nil, nil
		}
		switch status := s.StackStatus; {
		case status == types.StackStatusReviewInProgress:
			return types.ChangeSetTypeCreate, s, nil
		case inProgress(status):
			r.out.Printf("stack %s: %s: waiting for that operation to finish first", name, status)
			if err := r.settle(ctx, aws.ToString(s.StackId)); err != nil {
				return "", nil, err
			}
		case status == types.StackStatusRollbackComplete && diffOnly:
			r.out.Printf("stack %s: ROLLBACK_COMPLETE: its creation failed earlier; the next deploy deletes it and creates it anew, so every resource will be added", name)
			return "", s, nil
		case status == types.StackStatusRollbackComplete:
			r.out.Printf("stack %s: ROLLBACK_COMPLETE: its creation failed earlier and a stack in that state cannot be updated; deleting it to create it again", name)
			if err := r.deleteAndWait(ctx, name, s); err != nil {
				return "", nil, err
			}
		case status == types.StackStatusUpdateRollbackFailed, status == types.StackStatusRollbackFailed, status == types.StackStatusDeleteFailed:
			return "", nil, &StackError{Stack: name, Status: string(status), Reason: aws.ToString(s.StackStatusReason), Next: nextStep(name, string(status))}
		default:
			return types.ChangeSetTypeUpdate, s, nil
		}
	}
}

// settle polls until the stack's operation is over.
func (r *run) settle(ctx context.Context, stackID string) error {
	for {
		s, err := describeStack(ctx, r.cfn, stackID)
		if err != nil || s == nil || !inProgress(s.StackStatus) {
			return err
		}
		if err := sleep(ctx, r.opts.PollInterval); err != nil {
			return err
		}
	}
}

// deleteAndWait deletes the stack and shows its events until it is gone.
func (r *run) deleteAndWait(ctx context.Context, name string, s *types.Stack) error {
	id := aws.ToString(s.StackId)
	marker, err := r.latestEvent(ctx, id)
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := r.cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(id)}); err != nil {
		return fmt.Errorf("delete stack %s: %w", name, err)
	}
	final, events, err := r.watch(ctx, name, id, marker, start)
	if err != nil {
		return err
	}
	if final != string(types.StackStatusDeleteComplete) {
		return failure(name, final, events)
	}
	return nil
}

var changeSetSeq atomic.Int64

func changeSetName() string {
	return fmt.Sprintf("stepforge-%s-%d", time.Now().UTC().Format("20060102T150405Z"), changeSetSeq.Add(1))
}

// changeSet is one created change set and what it holds.
type changeSet struct {
	id, stackID string
	kind        types.ChangeSetType
	empty       bool
	rows        []Change
}

// createChangeSet makes a change set and waits for CloudFormation to work
// out its changes. An empty one is no error: its empty flag is set.
func (r *run) createChangeSet(ctx context.Context, in *cloudformation.CreateChangeSetInput) (*changeSet, error) {
	name := aws.ToString(in.StackName)
	out, err := r.cfn.CreateChangeSet(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("stack %s: create change set: %w", name, err)
	}
	cs := &changeSet{id: aws.ToString(out.Id), stackID: aws.ToString(out.StackId), kind: in.ChangeSetType}
	for {
		d, err := r.cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(cs.id), StackName: aws.String(cs.stackID)})
		if err != nil {
			return cs, fmt.Errorf("stack %s: describe change set: %w", name, err)
		}
		switch d.Status {
		case types.ChangeSetStatusCreateComplete:
			if d.ExecutionStatus != types.ExecutionStatusAvailable && d.ExecutionStatus != "" {
				break // still settling
			}
			rows := changeRows(d.Changes)
			for token := d.NextToken; token != nil; {
				page, err := r.cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(cs.id), StackName: aws.String(cs.stackID), NextToken: token})
				if err != nil {
					return cs, fmt.Errorf("stack %s: describe change set: %w", name, err)
				}
				rows = append(rows, changeRows(page.Changes)...)
				token = page.NextToken
			}
			cs.rows = rows
			return cs, nil
		case types.ChangeSetStatusFailed:
			reason := aws.ToString(d.StatusReason)
			if strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed") {
				cs.empty = true
				return cs, nil
			}
			return cs, fmt.Errorf("stack %s: change set failed: %s", name, reason)
		}
		if err := sleep(ctx, r.opts.PollInterval); err != nil {
			return cs, err
		}
	}
}

// discard deletes a change set that will not be executed and, when it was
// the one that brought a new stack into REVIEW_IN_PROGRESS, that stack too.
func (r *run) discard(ctx context.Context, cs *changeSet, existed bool) error {
	if cs == nil || cs.id == "" {
		return nil
	}
	if cs.kind == types.ChangeSetTypeCreate && !existed {
		if _, err := r.cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(cs.stackID)}); err != nil {
			return fmt.Errorf("delete the stack only reviewed so far: %w", err)
		}
		return r.settle(ctx, cs.stackID)
	}
	if _, err := r.cfn.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(cs.id), StackName: aws.String(cs.stackID)}); err != nil {
		return fmt.Errorf("delete change set: %w", err)
	}
	return nil
}

// latestEvent is the id of the stack's newest event, where watching for
// the next operation's events begins.
func (r *run) latestEvent(ctx context.Context, stackID string) (string, error) {
	out, err := r.cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stackID)})
	if err != nil {
		return "", fmt.Errorf("describe stack events: %w", err)
	}
	if len(out.StackEvents) == 0 {
		return "", nil
	}
	return aws.ToString(out.StackEvents[0].EventId), nil
}

// newEvents returns, oldest first, the events after the one with id since.
func (r *run) newEvents(ctx context.Context, stackID, since string) ([]types.StackEvent, error) {
	var fresh []types.StackEvent
	in := &cloudformation.DescribeStackEventsInput{StackName: aws.String(stackID)}
	for {
		out, err := r.cfn.DescribeStackEvents(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("describe stack events: %w", err)
		}
		for _, e := range out.StackEvents {
			if since != "" && aws.ToString(e.EventId) == since {
				return reverse(fresh), nil
			}
			fresh = append(fresh, e)
		}
		if out.NextToken == nil {
			return reverse(fresh), nil
		}
		in.NextToken = out.NextToken
	}
}

func reverse(events []types.StackEvent) []types.StackEvent {
	for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
		events[i], events[j] = events[j], events[i]
	}
	return events
}

// watchRetries is how many polls in a row may fail before watching gives
// up: the operation goes on in CloudFormation whether or not one poll
// reached it, so a network blip must not abandon a deploy.
const watchRetries = 5

// watch shows the stack's events after marker as they arrive, until its
// operation is over, and returns its final status and those events. A stack
// that no longer exists has been deleted.
func (r *run) watch(ctx context.Context, name, stackID, marker string, start time.Time) (string, []types.StackEvent, error) {
	var all []types.StackEvent
	failures := 0
	for {
		status, events, err := r.poll(ctx, stackID, marker)
		if err != nil {
			failures++
			if failures > watchRetries || ctx.Err() != nil {
				return "", all, err
			}
			if err := sleep(ctx, r.opts.PollInterval); err != nil {
				return "", all, err
			}
			continue
		}
		failures = 0
		for _, e := range events {
			r.out.Event(name, e, time.Since(start))
			marker = aws.ToString(e.EventId)
		}
		all = append(all, events...)
		if !inProgress(status) {
			return string(status), all, nil
		}
		if err := sleep(ctx, r.opts.PollInterval); err != nil {
			return "", all, err
		}
	}
}

// poll reads the stack's status, then the events after marker (in that
// order, so that a settled status comes with every event before it).
func (r *run) poll(ctx context.Context, stackID, marker string) (types.StackStatus, []types.StackEvent, error) {
	s, err := describeStack(ctx, r.cfn, stackID)
	if err != nil {
		return "", nil, err
	}
	if s == nil {
		return types.StackStatusDeleteComplete, nil, nil
	}
	events, err := r.newEvents(ctx, stackID, marker)
	return s.StackStatus, events, err
}
