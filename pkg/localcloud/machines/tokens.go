package machines

import (
	"context"
	"errors"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/states"
)

// SendTaskSuccess completes the callback task of token with output, a
// JSON document.
func (s *Service) SendTaskSuccess(_ context.Context, token, output string) error {
	if err := checkToken(token); err != nil {
		return err
	}
	if err := required("output", output); err != nil {
		return err
	}
	if len(output) > maxInput {
		return validation("Value at 'output' failed to satisfy constraint: Member must have length less than or equal to 262144")
	}
	return tokenError(s.runner.broker.SendTaskSuccess(token, []byte(output)))
}

// SendTaskFailure fails the callback task of token with error and cause.
func (s *Service) SendTaskFailure(_ context.Context, token, errName, cause string) error {
	if err := checkToken(token); err != nil {
		return err
	}
	if len(errName) > 256 {
		return validation("Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	if len(cause) > 32768 {
		return validation("Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768")
	}
	return tokenError(s.runner.broker.SendTaskFailure(token, errName, cause))
}

// SendTaskHeartbeat restarts the HeartbeatSeconds of the task of token.
func (s *Service) SendTaskHeartbeat(_ context.Context, token string) error {
	if err := checkToken(token); err != nil {
		return err
	}
	return tokenError(s.runner.broker.SendTaskHeartbeat(token))
}

func checkToken(token string) error {
	if err := required("taskToken", token); err != nil {
		return err
	}
	if len(token) > 2048 {
		return validation("Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	return nil
}

// tokenError is the broker's error as the API names it.
func tokenError(err error) error {
	var te *states.TokenError
	if err == nil || !errors.As(err, &te) {
		return err
	}
	msg := te.Message
	if msg == "" {
		switch te.Code {
		case "InvalidToken":
			msg = "Invalid Token: 'Invalid token'"
		case "TaskDoesNotExist":
			msg = "Task Does Not Exist"
		case "TaskTimedOut":
			msg = "Task Timed Out"
		case "InvalidOutput":
			msg = "Invalid Output: the output is not JSON"
		}
	}
	return &localcloud.Error{Code: te.Code, Message: msg}
}
