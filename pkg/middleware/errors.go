package middleware

import (
	"errors"
	"fmt"
	"reflect"
)

// HandlerPanicType is the error type reported when the function panics.
const HandlerPanicType = "HandlerPanic"

// MalformedInput reports an event payload that is not valid JSON for the
// handler's input type.
type MalformedInput struct{ Err error }

func (e *MalformedInput) Error() string { return "malformed input: " + e.Err.Error() }
func (e *MalformedInput) Unwrap() error { return e.Err }

// InvalidInput reports an input whose Validate method failed with an error
// that carries no type name of its own.
type InvalidInput struct{ Err error }

func (e *InvalidInput) Error() string { return "invalid input: " + e.Err.Error() }
func (e *InvalidInput) Unwrap() error { return e.Err }

// UnencodableOutput reports a result that encoding/json cannot marshal.
type UnencodableOutput struct{ Err error }

func (e *UnencodableOutput) Error() string { return "cannot encode output: " + e.Err.Error() }
func (e *UnencodableOutput) Unwrap() error { return e.Err }

// HandlerPanic reports a panic recovered from the function.
type HandlerPanic struct{ Value any }

func (e *HandlerPanic) Error() string { return fmt.Sprintf("handler panicked: %v", e.Value) }

// ErrorType returns the name a state machine sees as the error of err: the
// type name of the first error in its chain that is not a plain wrapper made
// by fmt.Errorf or errors.Join. So fmt.Errorf("read: %w", &NotText{}) is
// reported as "NotText", not as "wrapError".
func ErrorType(err error) string {
	for err != nil {
		t := reflect.TypeOf(err)
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if !isPlainWrapper(t) {
			return t.Name()
		}
		next := errors.Unwrap(err)
		if next == nil {
			if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
				next = j.Unwrap()[0]
			}
		}
		if next == nil {
			return "Error"
		}
		err = next
	}
	return ""
}

// isPlainWrapper reports whether t is one of the standard library's anonymous
// error carriers, whose type names mean nothing to a Catch.
func isPlainWrapper(t reflect.Type) bool {
	switch t.PkgPath() {
	case "errors", "fmt":
		return true
	}
	return t.Name() == ""
}

// asInvalid keeps a validation error that has a type name of its own
// somewhere in its chain and labels any other as InvalidInput.
func asInvalid(err error) error {
	if ErrorType(err) == "Error" {
		return &InvalidInput{Err: err}
	}
	return err
}
