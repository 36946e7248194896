package intrinsic

// ErrIntrinsicFailure is the error name AWS gives a failing intrinsic
// function ("States.IntrinsicFailure" in the Step Functions error list).
const ErrIntrinsicFailure = "States.IntrinsicFailure"

// Error is a failure a state machine can see and match in Retry and Catch:
// Name is the AWS error name, Cause the human-readable explanation.
type Error struct {
	Name, Cause string
}

func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// StatesError reports the error name and cause, so that the executor can
// match any package's errors with one interface.
func (e *Error) StatesError() (name, cause string) { return e.Name, e.Cause }

// failure builds the States.IntrinsicFailure error the call fn raises.
func failure(fn, cause string) *Error {
	if fn != "" {
		cause = fn + ": " + cause
	}
	return &Error{Name: ErrIntrinsicFailure, Cause: cause}
}
