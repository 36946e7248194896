package machines

import (
	"context"
	"errors"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/states"
)

// Express billing, as StartSyncExecution's billingDetails report it:
// duration rounded up to 100 ms, 64 MB of memory.
const (
	billedIncrement = 100 * time.Millisecond
	billedMemoryMB  = 64
)

// SyncResult is StartSyncExecution's outcome: the ended execution and
// what it is billed.
type SyncResult struct {
	Execution
	BilledDuration time.Duration
	BilledMemoryMB int
}

// StartSyncExecution runs an Express execution to its end and returns it:
// status SUCCEEDED, FAILED or TIMED_OUT. A Standard machine is
// StateMachineTypeNotSupported.
func (s *Service) StartSyncExecution(ctx context.Context, in StartInput) (SyncResult, error) {
	rec, err := s.prepare(ctx, in)
	if err != nil {
		return SyncResult{}, err
	}
	if rec.Type != Express {
		return SyncResult{}, typeNotSupported()
	}
	a := s.runner.launch(rec, nil, false)
	select {
	case <-a.done:
	case <-ctx.Done():
		a.cancel()
		<-a.done
		return SyncResult{}, ctx.Err()
	}
	if a.result.Status == "" || a.result.Status == StatusRunning {
		// The service closed under it.
		return SyncResult{}, &localcloud.Error{Code: "ServiceUnavailable", Message: "the local cloud is shutting down", Status: 503, Server: true}
	}
	out := SyncResult{Execution: a.result, BilledMemoryMB: billedMemoryMB}
	d := out.StopDate.Sub(out.StartDate)
	out.BilledDuration = max(billedIncrement, (d+billedIncrement-1)/billedIncrement*billedIncrement)
	return out, nil
}

// RedriveExecution runs a FAILED, TIMED_OUT or ABORTED Standard execution
// again from where it stopped, as AWS's RedriveExecution does, and returns
// the redrive's date.
func (s *Service) RedriveExecution(ctx context.Context, arn string) (time.Time, error) {
	rec, err := s.DescribeExecution(ctx, arn)
	if err != nil {
		return time.Time{}, err
	}
	history, err := s.history(arn)
	if err != nil {
		return time.Time{}, err
	}
	if err := states.Redrivable(history, s.clock.Now()); err != nil {
		var nr *states.NotRedrivableError
		if errors.As(err, &nr) {
			return time.Time{}, notRedrivable(arn, nr.Reason)
		}
		return time.Time{}, err
	}
	now := s.clock.Now().UTC()
	rec.Status, rec.Output, rec.Error, rec.Cause, rec.StopDate = StatusRunning, nil, "", "", time.Time{}
	rec.RedriveCount++
	rec.RedriveDate = now
	err = s.store.Update(func(tx *localcloud.Tx) error {
		var cur Execution
		if _, err := tx.Get(execTable, arn, &cur); err != nil {
			return err
		}
		if cur.Status == StatusRunning {
			return notRedrivable(arn, "Execution is RUNNING and cannot be redriven")
		}
		return tx.Put(execTable, arn, rec)
	})
	if err != nil {
		return time.Time{}, err
	}
	s.runner.launch(rec, history, true)
	return now, nil
}

func notRedrivable(arn, why string) error {
	return &localcloud.Error{Code: "ExecutionNotRedrivable", Message: "Execution not redrivable: '" + arn + "': " + why}
}

// MachineForExecution is the state machine an execution ran: the
// definition and revision it started with.
func (s *Service) MachineForExecution(ctx context.Context, arn string) (StateMachine, error) {
	rec, err := s.DescribeExecution(ctx, arn)
	if err != nil {
		return StateMachine{}, err
	}
	sm := StateMachine{ARN: rec.MachineARN, Name: machineName(rec.MachineARN), Definition: rec.Definition, RoleArn: rec.RoleArn,
		Type: rec.Type, Logging: rec.Logging, Tracing: rec.Tracing, RevisionID: rec.RevisionID,
		Encryption: EncryptionConfiguration{Type: "AWS_OWNED_KEY"}}
	if cur, err := s.Get(ctx, rec.MachineARN); err == nil {
		sm.CreationDate, sm.UpdateDate, sm.Encryption = cur.CreationDate, cur.UpdateDate, cur.Encryption
	}
	if sm.UpdateDate.IsZero() {
		sm.UpdateDate = sm.CreationDate
	}
	return sm, nil
}
