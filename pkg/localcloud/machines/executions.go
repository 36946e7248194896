package machines

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
)

// The execution tables: records by execution ARN, history events by
// execution ARN and zero-padded event id, and the service's own keys.
const (
	execTable  = "states.executions"
	eventTable = "states.events"
	metaTable  = "states.meta"
)

// StatusRunning is a started execution's status until it ends.
const StatusRunning = "RUNNING"

// maxInput is the largest execution input AWS accepts, in bytes.
const maxInput = 262144

// Execution is an execution as DescribeExecution gives it, with what the
// store keeps to run it again after a restart: the definition and
// revision it started with.
type Execution struct {
	ARN          string               `json:"executionArn"`
	MachineARN   string               `json:"stateMachineArn"`
	Name         string               `json:"name"`
	Type         string               `json:"type"`
	Status       string               `json:"status"`
	Input        string               `json:"input"`
	Output       *string              `json:"output,omitempty"`
	Error        string               `json:"error,omitempty"`
	Cause        string               `json:"cause,omitempty"`
	StartDate    time.Time            `json:"startDate"`
	StopDate     time.Time            `json:"stopDate,omitzero"`
	TraceHeader  string               `json:"traceHeader,omitempty"`
	Definition   string               `json:"definition"`
	RevisionID   string               `json:"revisionId,omitempty"`
	RoleArn      string               `json:"roleArn"`
	Logging      LoggingConfiguration `json:"loggingConfiguration"`
	Tracing      TracingConfiguration `json:"tracingConfiguration"`
	TestCase     string               `json:"testCase,omitempty"`
	RedriveCount int                  `json:"redriveCount,omitempty"`
	RedriveDate  time.Time            `json:"redriveDate,omitzero"`
}

// StartInput is StartExecution's and StartSyncExecution's input.
type StartInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Input           *string `json:"input"`
	TraceHeader     string  `json:"traceHeader"`
}

// StartExecution starts an execution of a state machine and returns it
// RUNNING. A Standard execution with the name of one still RUNNING with
// the same input is that execution (AWS's idempotency); any other reuse of
// a name is ExecutionAlreadyExists.
func (s *Service) StartExecution(ctx context.Context, in StartInput) (Execution, error) {
	rec, err := s.prepare(ctx, in)
	if err != nil {
		return Execution{}, err
	}
	if rec.Type == Express {
		s.runner.launch(rec, nil, false)
		return rec, nil
	}
	started := true
	err = s.store.Update(func(tx *localcloud.Tx) error {
		var old Execution
		found, err := tx.Get(execTable, rec.ARN, &old)
		if err != nil {
			return err
		}
		if found {
			if old.Status == StatusRunning && old.Input == rec.Input {
				rec, started = old, false
				return nil
			}
			return &localcloud.Error{Code: "ExecutionAlreadyExists", Message: "Execution Already Exists: '" + rec.ARN + "'"}
		}
		return tx.Put(execTable, rec.ARN, rec)
	})
	if err != nil {
		return Execution{}, err
	}
	if started {
		s.runner.launch(rec, nil, false)
	}
	return rec, nil
}

// prepare checks a start request and gives the execution's record.
func (s *Service) prepare(ctx context.Context, in StartInput) (Execution, error) {
	if err := required("stateMachineArn", in.StateMachineArn); err != nil {
		return Execution{}, err
	}
	machineARN, testCase, _ := strings.Cut(in.StateMachineArn, "#")
	sm, err := s.Get(ctx, machineARN)
	if err != nil {
		return Execution{}, err
	}
	if testCase != "" {
		if err := s.runner.checkTestCase(sm.Name, testCase); err != nil {
			return Execution{}, err
		}
	}
	name := in.Name
	if name == "" {
		name = localcloud.NewID()
	}
	if err := checkName(name); err != nil {
		return Execution{}, err
	}
	input := "{}"
	if in.Input != nil {
		input = *in.Input
	}
	if len(input) > maxInput {
		return Execution{}, validation(fmt.Sprintf("Value '%.32s...' at 'input' failed to satisfy constraint: Member must have length less than or equal to %d", input, maxInput))
	}
	var v any
	if err := json.Unmarshal([]byte(input), &v); err != nil {
		return Execution{}, &localcloud.Error{Code: "InvalidExecutionInput", Message: "Invalid State Machine Execution Input: '" + err.Error() + "'"}
	}
	if len(in.TraceHeader) > 256 {
		return Execution{}, validation("Value at 'traceHeader' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	now := s.clock.Now().UTC()
	trace := in.TraceHeader
	if trace == "" {
		sampled := "0"
		if sm.Tracing.Enabled {
			sampled = "1"
		}
		trace = "Root=" + traces.NewTraceID(now) + ";Sampled=" + sampled
	}
	region := arnRegion(sm.ARN)
	arn := "arn:aws:states:" + region + ":" + localcloud.Account + ":execution:" + sm.Name + ":" + name
	if sm.Type == Express {
		arn = "arn:aws:states:" + region + ":" + localcloud.Account + ":express:" + sm.Name + ":" + name + ":" + localcloud.NewID()
	}
	return Execution{
		ARN: arn, MachineARN: sm.ARN, Name: name, Type: sm.Type, Status: StatusRunning, Input: input,
		StartDate: now, TraceHeader: trace, Definition: sm.Definition, RevisionID: sm.RevisionID,
		RoleArn: sm.RoleArn, Logging: sm.Logging, Tracing: sm.Tracing, TestCase: testCase,
	}, nil
}

// DescribeExecution returns a Standard execution.
func (s *Service) DescribeExecution(_ context.Context, arn string) (Execution, error) {
	if err := checkExecutionArn(arn); err != nil {
		return Execution{}, err
	}
	var rec Execution
	err := s.store.View(func(tx *localcloud.Tx) error {
		found, err := tx.Get(execTable, arn, &rec)
		if err == nil && !found {
			err = executionDoesNotExist(arn)
		}
		return err
	})
	return rec, err
}

// ExecutionPage is one page of ListExecutions.
type ExecutionPage struct {
	Executions []Execution
	NextToken  string
}

// ListExecutions lists a Standard machine's executions, newest first,
// those with status (when given) only, maxResults (1-1000, 0 meaning 100)
// at a time from nextToken. redriven is "", REDRIVEN or NOT_REDRIVEN.
func (s *Service) ListExecutions(ctx context.Context, machineARN, status, redriven string, maxResults int, nextToken string) (ExecutionPage, error) {
	if err := required("stateMachineArn", machineARN); err != nil {
		return ExecutionPage{}, err
	}
	if maxResults < 0 || maxResults > 1000 {
		return ExecutionPage{}, validation(fmt.Sprintf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000", maxResults))
	}
	if maxResults == 0 {
		maxResults = 100
	}
	statuses := []string{StatusRunning, "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"}
	if status != "" && !slices.Contains(statuses, status) {
		return ExecutionPage{}, enumError("statusFilter", status, statuses...)
	}
	if redriven != "" && redriven != "REDRIVEN" && redriven != "NOT_REDRIVEN" {
		return ExecutionPage{}, enumError("redriveFilter", redriven, "REDRIVEN", "NOT_REDRIVEN")
	}
	sm, err := s.Get(ctx, machineARN)
	if err != nil {
		return ExecutionPage{}, err
	}
	if sm.Type == Express {
		return ExecutionPage{}, typeNotSupported()
	}
	var all []Execution
	prefix := "arn:aws:states:" + arnRegion(sm.ARN) + ":" + localcloud.Account + ":execution:" + sm.Name + ":"
	err = s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(execTable, prefix, func(_ string, raw []byte) error {
			var rec Execution
			if err := json.Unmarshal(raw, &rec); err != nil {
				return err
			}
			if (status == "" || rec.Status == status) && (redriven == "" || (redriven == "REDRIVEN") == (rec.RedriveCount > 0)) {
				all = append(all, rec)
			}
			return nil
		})
	})
	if err != nil {
		return ExecutionPage{}, err
	}
	sortNewestFirst(all)
	start := 0
	if nextToken != "" {
		start = -1
		for i, rec := range all {
			if pageToken(rec) == nextToken {
				start = i
			}
		}
		if start < 0 {
			return ExecutionPage{}, &localcloud.Error{Code: "InvalidToken", Message: "Invalid Token: '" + nextToken + "'"}
		}
	}
	page := ExecutionPage{Executions: all[start:]}
	if len(page.Executions) > maxResults {
		page.NextToken = pageToken(page.Executions[maxResults])
		page.Executions = page.Executions[:maxResults]
	}
	return page, nil
}

// StopExecution aborts a running Standard execution, recording
// ExecutionAborted with error and cause; stopping one that has ended
// changes nothing and answers its stop date.
func (s *Service) StopExecution(ctx context.Context, arn, errName, cause string) (time.Time, error) {
	if len(errName) > 256 {
		return time.Time{}, validation("Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	if len(cause) > 32768 {
		return time.Time{}, validation("Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768")
	}
	rec, err := s.DescribeExecution(ctx, arn)
	if err != nil {
		return time.Time{}, err
	}
	if rec.Status != StatusRunning {
		return rec.StopDate, nil
	}
	if s.runner.stop(arn, errName, cause) {
		rec, err = s.DescribeExecution(ctx, arn)
		return rec.StopDate, err
	}
	// Not running in this process (Start was not called): end it in the store.
	return s.runner.abortStored(rec, errName, cause)
}

func checkExecutionArn(arn string) error {
	if err := required("executionArn", arn); err != nil {
		return err
	}
	parts, err := parseArn(arn)
	if err != nil {
		return err
	}
	if parts[2] != "states" {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource service is invalid: " + parts[2] + "'"}
	}
	typ, rest, _ := strings.Cut(parts[5], ":")
	if typ != "execution" {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource type not valid in this context: " + typ + "'"}
	}
	if m, n, ok := strings.Cut(rest, ":"); !ok || m == "" || n == "" {
		return &localcloud.Error{Code: "InvalidArn", Message: "Invalid Arn: 'Resource name not valid: " + arn + "'"}
	}
	return nil
}

// arnRegion is the region of an ARN.
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 4 || parts[3] == "" {
		return localcloud.Region
	}
	return parts[3]
}

func executionDoesNotExist(arn string) error {
	return &localcloud.Error{Code: "ExecutionDoesNotExist", Message: "Execution Does Not Exist: '" + arn + "'"}
}

func typeNotSupported() error {
	return &localcloud.Error{Code: "StateMachineTypeNotSupported", Message: "This operation is not supported by this type of state machine"}
}
