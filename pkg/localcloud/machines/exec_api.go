package machines

import (
	"context"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// dataDetails is inputDetails and outputDetails, with the __type AWS's
// StartSyncExecution answer carries.
type dataDetails struct {
	Type     string `json:"__type,omitempty"`
	Included bool   `json:"included"`
}

type describeExecutionOutput struct {
	ExecutionArn        string           `json:"executionArn"`
	StateMachineArn     string           `json:"stateMachineArn"`
	Name                string           `json:"name"`
	Status              string           `json:"status"`
	StartDate           localcloud.Time  `json:"startDate"`
	StopDate            *localcloud.Time `json:"stopDate,omitempty"`
	Input               *string          `json:"input,omitempty"`
	InputDetails        dataDetails      `json:"inputDetails"`
	Output              *string          `json:"output,omitempty"`
	OutputDetails       *dataDetails     `json:"outputDetails,omitempty"`
	Error               string           `json:"error,omitempty"`
	Cause               string           `json:"cause,omitempty"`
	TraceHeader         string           `json:"traceHeader,omitempty"`
	RedriveCount        *int             `json:"redriveCount,omitempty"`
	RedriveDate         *localcloud.Time `json:"redriveDate,omitempty"`
	RedriveStatus       string           `json:"redriveStatus,omitempty"`
	RedriveStatusReason string           `json:"redriveStatusReason,omitempty"`
	BillingDetails      *billingDetails  `json:"billingDetails,omitempty"`
}

type billingDetails struct {
	BilledMemoryUsedInMB         int   `json:"billedMemoryUsedInMB"`
	BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
}

// describe is rec in DescribeExecution's shape; metadataOnly leaves the
// input and output out.
func describe(rec Execution, metadataOnly bool) describeExecutionOutput {
	out := describeExecutionOutput{
		ExecutionArn: rec.ARN, StateMachineArn: rec.MachineARN, Name: rec.Name, Status: rec.Status,
		StartDate: localcloud.Time(rec.StartDate), Error: rec.Error, Cause: rec.Cause, TraceHeader: rec.TraceHeader,
		InputDetails: dataDetails{Included: !metadataOnly},
	}
	if !metadataOnly {
		in := rec.Input
		out.Input, out.Output = &in, rec.Output
	}
	if !rec.StopDate.IsZero() {
		t := localcloud.Time(rec.StopDate)
		out.StopDate = &t
		out.OutputDetails = &dataDetails{Included: !metadataOnly}
	}
	if rec.Type == Standard {
		n := rec.RedriveCount
		out.RedriveCount = &n
		switch rec.Status {
		case StatusRunning:
			out.RedriveStatus, out.RedriveStatusReason = "NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven"
		case "SUCCEEDED":
			out.RedriveStatus, out.RedriveStatusReason = "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven"
		default:
			out.RedriveStatus = "REDRIVABLE"
		}
		if !rec.RedriveDate.IsZero() {
			t := localcloud.Time(rec.RedriveDate)
			out.RedriveDate = &t
		}
	}
	return out
}

type executionListItem struct {
	ExecutionArn    string           `json:"executionArn"`
	StateMachineArn string           `json:"stateMachineArn"`
	Name            string           `json:"name"`
	Status          string           `json:"status"`
	StartDate       localcloud.Time  `json:"startDate"`
	StopDate        *localcloud.Time `json:"stopDate,omitempty"`
	RedriveCount    int              `json:"redriveCount"`
	RedriveDate     *localcloud.Time `json:"redriveDate,omitempty"`
}

// callExecution runs the execution operations: the data plane.
func (s *Service) callExecution(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	var req struct {
		StateMachineArn      string  `json:"stateMachineArn"`
		ExecutionArn         string  `json:"executionArn"`
		Name                 string  `json:"name"`
		Input                *string `json:"input"`
		TraceHeader          string  `json:"traceHeader"`
		IncludedData         string  `json:"includedData"`
		StatusFilter         string  `json:"statusFilter"`
		RedriveFilter        string  `json:"redriveFilter"`
		MapRunArn            string  `json:"mapRunArn"`
		MaxResults           int     `json:"maxResults"`
		NextToken            string  `json:"nextToken"`
		ReverseOrder         bool    `json:"reverseOrder"`
		IncludeExecutionData *bool   `json:"includeExecutionData"`
		Error                string  `json:"error"`
		Cause                string  `json:"cause"`
		TaskToken            string  `json:"taskToken"`
		Output               *string `json:"output"`
	}
	if op == "TestState" {
		var t TestStateInput
		if err := in.Decode(&t); err != nil {
			return nil, err
		}
		return s.TestState(ctx, t)
	}
	if err := in.Decode(&req); err != nil {
		return nil, err
	}
	if req.IncludedData != "" && req.IncludedData != "ALL_DATA" && req.IncludedData != "METADATA_ONLY" {
		return nil, enumError("includedData", req.IncludedData, "ALL_DATA", "METADATA_ONLY")
	}
	metadataOnly := req.IncludedData == "METADATA_ONLY"
	start := StartInput{StateMachineArn: req.StateMachineArn, Name: req.Name, Input: req.Input, TraceHeader: req.TraceHeader}
	switch op {
	case "StartExecution":
		rec, err := s.StartExecution(ctx, start)
		if err != nil {
			return nil, err
		}
		return struct {
			ExecutionArn string          `json:"executionArn"`
			StartDate    localcloud.Time `json:"startDate"`
		}{rec.ARN, localcloud.Time(rec.StartDate)}, nil
	case "StartSyncExecution":
		res, err := s.StartSyncExecution(ctx, start)
		if err != nil {
			return nil, err
		}
		out := describe(res.Execution, metadataOnly)
		out.RedriveCount, out.RedriveStatus, out.RedriveStatusReason = nil, "", ""
		const cw = "com.amazonaws.swf.base.model#CloudWatchEventsExecutionDataDetails"
		out.InputDetails.Type = cw
		out.OutputDetails = &dataDetails{Type: cw, Included: !metadataOnly}
		out.BillingDetails = &billingDetails{BilledMemoryUsedInMB: res.BilledMemoryMB, BilledDurationInMilliseconds: res.BilledDuration.Milliseconds()}
		return out, nil
	case "DescribeExecution":
		rec, err := s.DescribeExecution(ctx, req.ExecutionArn)
		if err != nil {
			return nil, err
		}
		return describe(rec, metadataOnly), nil
	case "ListExecutions":
		if req.MapRunArn != "" {
			return nil, &localcloud.Error{Code: "ResourceNotFound", Message: "Resource not found: '" + req.MapRunArn + "'"}
		}
		page, err := s.ListExecutions(ctx, req.StateMachineArn, req.StatusFilter, req.RedriveFilter, req.MaxResults, req.NextToken)
		if err != nil {
			return nil, err
		}
		items := make([]executionListItem, len(page.Executions))
		for i, rec := range page.Executions {
			items[i] = executionListItem{ExecutionArn: rec.ARN, StateMachineArn: rec.MachineARN, Name: rec.Name, Status: rec.Status,
				StartDate: localcloud.Time(rec.StartDate), StopDate: optTime(rec.StopDate), RedriveCount: rec.RedriveCount, RedriveDate: optTime(rec.RedriveDate)}
		}
		return struct {
			Executions []executionListItem `json:"executions"`
			NextToken  string              `json:"nextToken,omitempty"`
		}{items, page.NextToken}, nil
	case "GetExecutionHistory":
		return s.GetExecutionHistory(ctx, req.ExecutionArn, req.MaxResults, req.NextToken, req.ReverseOrder, req.IncludeExecutionData)
	case "StopExecution":
		at, err := s.StopExecution(ctx, req.ExecutionArn, req.Error, req.Cause)
		if err != nil {
			return nil, err
		}
		return struct {
			StopDate localcloud.Time `json:"stopDate"`
		}{localcloud.Time(at)}, nil
	case "RedriveExecution":
		at, err := s.RedriveExecution(ctx, req.ExecutionArn)
		if err != nil {
			return nil, err
		}
		return struct {
			RedriveDate localcloud.Time `json:"redriveDate"`
		}{localcloud.Time(at)}, nil
	case "DescribeStateMachineForExecution":
		sm, err := s.MachineForExecution(ctx, req.ExecutionArn)
		if err != nil {
			return nil, err
		}
		def := sm.Definition
		if metadataOnly {
			def = "{}"
		}
		return struct {
			StateMachineArn         string                  `json:"stateMachineArn"`
			Name                    string                  `json:"name"`
			Definition              string                  `json:"definition"`
			RoleArn                 string                  `json:"roleArn"`
			UpdateDate              localcloud.Time         `json:"updateDate"`
			LoggingConfiguration    LoggingConfiguration    `json:"loggingConfiguration"`
			TracingConfiguration    TracingConfiguration    `json:"tracingConfiguration"`
			RevisionID              string                  `json:"revisionId,omitempty"`
			EncryptionConfiguration EncryptionConfiguration `json:"encryptionConfiguration"`
		}{sm.ARN, sm.Name, def, sm.RoleArn, localcloud.Time(sm.UpdateDate), sm.Logging, sm.Tracing, sm.RevisionID, sm.Encryption}, nil
	case "SendTaskSuccess":
		out := ""
		if req.Output != nil {
			out = *req.Output
		}
		return struct{}{}, s.SendTaskSuccess(ctx, req.TaskToken, out)
	case "SendTaskFailure":
		return struct{}{}, s.SendTaskFailure(ctx, req.TaskToken, req.Error, req.Cause)
	case "SendTaskHeartbeat":
		return struct{}{}, s.SendTaskHeartbeat(ctx, req.TaskToken)
	}
	return nil, localcloud.ErrUnknownOperation
}

func optTime(t time.Time) *localcloud.Time {
	if t.IsZero() {
		return nil
	}
	lt := localcloud.Time(t)
	return &lt
}

// Authorization names the IAM action of an operation ("states:<Op>") and
// the state machine or execution it acts on; "*" where AWS has no
// resource (the task token calls, TestState, ListStateMachines).
func (s *Service) Authorization(op string, in *localcloud.Request) (string, []string) {
	var req struct {
		StateMachineArn string `json:"stateMachineArn"`
		ExecutionArn    string `json:"executionArn"`
		ResourceArn     string `json:"resourceArn"`
		Name            string `json:"name"`
	}
	_ = in.Decode(&req)
	action := "states:" + op
	res := "*"
	switch op {
	case "CreateStateMachine":
		res = ARN(in.Region, req.Name)
	case "StartExecution", "StartSyncExecution", "ListExecutions", "DescribeStateMachine", "UpdateStateMachine", "DeleteStateMachine":
		res, _, _ = strings.Cut(req.StateMachineArn, "#")
	case "DescribeExecution", "GetExecutionHistory", "StopExecution", "RedriveExecution", "DescribeStateMachineForExecution":
		res = req.ExecutionArn
	case "TagResource", "UntagResource", "ListTagsForResource":
		res = req.ResourceArn
	}
	if res == "" {
		res = "*"
	}
	return action, []string{res}
}
