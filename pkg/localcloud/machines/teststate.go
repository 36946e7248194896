package machines

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/states"
)

// TestStateInput is TestState's input.
type TestStateInput struct {
	Definition      string `json:"definition"`
	RoleArn         string `json:"roleArn"`
	Input           string `json:"input"`
	InspectionLevel string `json:"inspectionLevel"`
	RevealSecrets   bool   `json:"revealSecrets"`
	StateName       string `json:"stateName"`
	Variables       string `json:"variables"`
	Context         string `json:"context"`
	Mock            *struct {
		Result      *string `json:"result"`
		ErrorOutput *struct {
			Error string `json:"error"`
			Cause string `json:"cause"`
		} `json:"errorOutput"`
		FieldValidationMode string `json:"fieldValidationMode"`
	} `json:"mock"`
	StateConfiguration *struct {
		RetrierRetryCount int `json:"retrierRetryCount"`
	} `json:"stateConfiguration"`
}

// TestStateOutput is TestState's answer.
type TestStateOutput struct {
	Status         string            `json:"status"`
	Output         *string           `json:"output,omitempty"`
	Error          string            `json:"error,omitempty"`
	Cause          string            `json:"cause,omitempty"`
	NextState      string            `json:"nextState,omitempty"`
	InspectionData map[string]string `json:"inspectionData,omitempty"`
}

// TestState runs one state on its own, as the TestState API does: the
// definition is a state (or a whole machine, with stateName), its task
// reaches the local services with roleArn's permissions unless mocked.
func (s *Service) TestState(ctx context.Context, in TestStateInput) (TestStateOutput, error) {
	if err := required("definition", in.Definition); err != nil {
		return TestStateOutput{}, err
	}
	levels := []string{"INFO", "DEBUG", "TRACE"}
	if in.InspectionLevel != "" && !slices.Contains(levels, in.InspectionLevel) {
		return TestStateOutput{}, enumError("inspectionLevel", in.InspectionLevel, levels...)
	}
	if in.RoleArn != "" {
		if err := checkRoleArn(in.RoleArn); err != nil {
			return TestStateOutput{}, err
		}
	}
	opts := []states.Option{states.WithTasks(taskRouter{s}), states.WithClock(s.clock), states.WithTokenBroker(s.runner.broker)}
	if in.RoleArn != "" {
		opts = append(opts, states.WithRoleArn(in.RoleArn))
	}
	var m *states.Machine
	var err error
	var probe map[string]json.RawMessage
	if json.Unmarshal([]byte(in.Definition), &probe) != nil {
		return TestStateOutput{}, &localcloud.Error{Code: "InvalidDefinition", Message: "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: the definition is not a JSON object'"}
	}
	if _, whole := probe["States"]; whole {
		if in.StateName == "" {
			return TestStateOutput{}, validation("stateName is required when the definition is a state machine")
		}
		def, perr := asl.Parse([]byte(in.Definition))
		if perr != nil {
			return TestStateOutput{}, &localcloud.Error{Code: "InvalidDefinition", Message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: " + perr.Error() + "'"}
		}
		m, err = states.New(def, opts...)
	} else {
		m, err = states.SingleState([]byte(in.Definition), opts...)
	}
	if err != nil {
		return TestStateOutput{}, &localcloud.Error{Code: "InvalidDefinition", Message: "Invalid State Machine Definition: '" + strings.TrimPrefix(err.Error(), "states: ") + "'"}
	}
	req := states.TestStateInput{StateName: in.StateName, Input: []byte(in.Input), Variables: []byte(in.Variables), Context: []byte(in.Context)}
	if in.StateConfiguration != nil {
		req.RetrierRetryCount = in.StateConfiguration.RetrierRetryCount
	}
	if in.Mock != nil {
		mk := &states.TestStateMock{}
		switch {
		case in.Mock.Result != nil:
			mk.Result = json.RawMessage(*in.Mock.Result)
		case in.Mock.ErrorOutput != nil:
			mk.Error, mk.Cause = in.Mock.ErrorOutput.Error, in.Mock.ErrorOutput.Cause
		default:
			return TestStateOutput{}, validation("mock must have a result or an errorOutput")
		}
		req.Mock = mk
	}
	info := &execInfo{rec: Execution{RoleArn: in.RoleArn}, region: localcloud.Region, taskSegments: map[string]string{}}
	res, err := m.TestState(context.WithValue(ctx, execKey{}, info), req)
	if err != nil {
		return TestStateOutput{}, validation(strings.TrimPrefix(err.Error(), "states: "))
	}
	out := TestStateOutput{Status: res.Status, Error: res.Error, Cause: res.Cause, NextState: res.NextState}
	if res.Output != nil {
		o := string(res.Output)
		out.Output = &o
	}
	if in.InspectionLevel == "DEBUG" || in.InspectionLevel == "TRACE" {
		out.InspectionData = map[string]string{}
		for k, v := range res.Inspection {
			out.InspectionData[k] = string(bytes.TrimSpace(v))
		}
	}
	return out, nil
}
