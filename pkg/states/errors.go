package states

import (
	"errors"
	"fmt"
)

// Error is an error a state machine can see: Name is what Retry and Catch
// match (ErrorEquals), Cause the text AWS reports beside it.
type Error struct {
	Name, Cause string
}

func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// StatesError returns the error's name and cause.
func (e *Error) StatesError() (name, cause string) { return e.Name, e.Cause }

// statesError is what every package of the executor returns for an error
// the state machine sees; a task's failure implements it too.
type statesError interface {
	StatesError() (name, cause string)
}

// Error names the runtime raises.
const (
	errRuntime               = "States.Runtime"
	errAll                   = "States.ALL"
	errTaskFailed            = "States.TaskFailed"
	errTimeout               = "States.Timeout"
	errNoChoiceMatched       = "States.NoChoiceMatched"
	errDataLimitExceeded     = "States.DataLimitExceeded"
	errResultPathMatch       = "States.ResultPathMatchFailure"
	errParameterPathFailure  = "States.ParameterPathFailure"
	errHeartbeatTimeout      = "States.HeartbeatTimeout"
	errIntrinsicFailure      = "States.IntrinsicFailure"
	errExceedToleratedFailed = "States.ExceedToleratedFailureThreshold"
)

// asStatesError turns any error into the (name, cause) a Catch sees: an
// error of ours or a task's keeps its name; anything else is a task failure
// named States.TaskFailed, as AWS reports an integration's unnamed error.
func asStatesError(err error) *Error {
	var se statesError
	if errors.As(err, &se) {
		n, c := se.StatesError()
		return &Error{Name: n, Cause: c}
	}
	return &Error{Name: errTaskFailed, Cause: err.Error()}
}

func runtimeErr(format string, args ...any) *Error {
	return &Error{Name: errRuntime, Cause: fmt.Sprintf(format, args...)}
}

// UnsupportedError is what New returns for a definition that uses something
// this executor does not run yet: it names the state and the field, so that
// nothing is silently run differently from AWS.
type UnsupportedError struct {
	State  string // "" for the machine itself
	Field  string
	Reason string
}

func (e *UnsupportedError) Error() string {
	if e.State == "" {
		return fmt.Sprintf("states: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("states: state %q: %s: %s", e.State, e.Field, e.Reason)
}

// InputError is what Run returns when the execution's input is not JSON: AWS
// rejects such a StartExecution call before any execution exists.
type InputError struct {
	Err error
}

func (e *InputError) Error() string { return "states: execution input: " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }
