package jsonpath

// Error is a failure a state machine can see: Name is AWS's error name
// ("States.Runtime", "States.ResultPathMatchFailure") and Cause its message,
// so Retry and Catch match it as they would on AWS.
type Error struct {
	Name, Cause string
}

func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// StatesError returns the error name and cause the executor reports.
func (e *Error) StatesError() (name, cause string) { return e.Name, e.Cause }

const (
	errRuntime            = "States.Runtime"
	errResultPathMismatch = "States.ResultPathMatchFailure"
)
