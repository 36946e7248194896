package machines

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/stepforge/stepforge/pkg/states"
)

// startChild runs arn:aws:states:::states:startExecution and its .sync
// and .sync:2 forms: a child execution in this service. The .sync forms
// record the child's ARN with states.Submit, so a parent resumed after a
// restart waits for that child rather than starting another.
func (tr taskRouter) startChild(ctx context.Context, info *execInfo, t states.TaskRequest, pattern string) (any, error) {
	var arn string
	if t.Submitted != nil {
		var sub struct{ ExecutionArn string }
		if err := json.Unmarshal(t.Submitted, &sub); err != nil || sub.ExecutionArn == "" {
			return nil, &states.Error{Name: "States.Runtime", Cause: "the recorded submission names no execution"}
		}
		arn = sub.ExecutionArn
	} else {
		p, _ := t.Parameters.(map[string]any)
		machine, _ := p["StateMachineArn"].(string)
		name, _ := p["Name"].(string)
		var input *string
		switch in := p["Input"].(type) {
		case nil:
		case string:
			input = &in
		default:
			b, err := json.Marshal(in)
			if err != nil {
				return nil, err
			}
			s := string(b)
			input = &s
		}
		if err := tr.authorize(ctx, info, "states:StartExecution", machine); err != nil {
			return nil, &states.Error{Name: "StepFunctions.AccessDeniedException", Cause: withRequestID(err, "StepFunctions", http.StatusBadRequest)}
		}
		rec, err := tr.s.StartExecution(ctx, StartInput{StateMachineArn: machine, Name: name, Input: input, TraceHeader: childTrace(info, t)})
		if err != nil {
			return nil, sfnAPIError(err)
		}
		started := map[string]any{"ExecutionArn": rec.ARN, "StartDate": millis(rec.StartDate)}
		if pattern == "" {
			return started, nil
		}
		if err := states.Submit(ctx, started); err != nil {
			return nil, err
		}
		arn = rec.ARN
	}
	rec, err := tr.s.runner.wait(ctx, arn)
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"ExecutionArn": rec.ARN, "Name": rec.Name, "StateMachineArn": rec.MachineARN, "Status": rec.Status,
		"StartDate": millis(rec.StartDate), "StopDate": millis(rec.StopDate),
		"Input": rec.Input, "InputDetails": map[string]any{"Included": true},
	}
	if rec.Output != nil {
		out["Output"], out["OutputDetails"] = *rec.Output, map[string]any{"Included": true}
	}
	if rec.Error != "" {
		out["Error"] = rec.Error
	}
	if rec.Cause != "" {
		out["Cause"] = rec.Cause
	}
	if pattern == ".sync:2" {
		if v, err := decode([]byte(rec.Input)); err == nil {
			out["Input"] = v
		}
		if rec.Output != nil {
			if v, err := decode([]byte(*rec.Output)); err == nil {
				out["Output"] = v
			}
		}
	}
	if rec.Status != states.StatusSucceeded {
		b, _ := json.Marshal(out)
		return nil, &states.Error{Name: "States.TaskFailed", Cause: string(b)}
	}
	return out, nil
}

// sfnAPIError names a StartExecution error as the integration does.
func sfnAPIError(err error) error {
	name, cause := "StepFunctions.SdkClientException", err.Error()
	if le := asLocal(err); le != nil {
		name = "StepFunctions." + le.Code + "Exception"
		cause = withRequestID(err, "StepFunctions", http.StatusBadRequest)
	}
	return &states.Error{Name: name, Cause: cause}
}

func childTrace(info *execInfo, t states.TaskRequest) string {
	if info == nil {
		return ""
	}
	return info.taskTrace(t.StateName, t.Attempt)
}

// millis is t as the integrations' JSON gives a date: epoch milliseconds.
func millis(t time.Time) json.Number {
	return json.Number(strconv.FormatInt(t.UnixMilli(), 10))
}
