package states

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// LambdaFunc adapts a Lambda handler to Tasks as the optimised integration
// arn:aws:states:::lambda:invoke runs it: the function receives the request's
// Payload, and the task's result is AWS's envelope
//
//	{"ExecutedVersion":"$LATEST","Payload":...,"SdkHttpMetadata":{...},
//	 "SdkResponseMetadata":{...},"StatusCode":200}
//
// A returned error is a function error: the task fails with the error's
// type name (what aws-lambda-go reports as errorType; an error with a
// StatesError or ErrorType method names itself) and the cause is the JSON
// {"errorMessage":...,"errorType":...}, as AWS reports a handled error.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
type LambdaFunc func(ctx context.Context, payload any) (any, error)

// Run invokes f with the Payload of t.Parameters. When the Task's Resource
// is the function's own ARN (the older form), f gets the whole payload and
// its result is the task's result, with no envelope.
func (f LambdaFunc) Run(ctx context.Context, t TaskRequest) (any, error) {
	payload := t.Parameters
	direct := isFunctionARN(t.Resource)
	if p, ok := t.Parameters.(map[string]any); ok && !direct {
		payload = p["Payload"]
	}
	out, err := f(ctx, payload)
	if err != nil {
		return nil, lambdaError(err)
	}
	out, err = normalize(out)
	if err != nil {
		return nil, &Error{Name: "Lambda.Unknown", Cause: err.Error()}
	}
	if direct {
		return out, nil
	}
	return map[string]any{
		"ExecutedVersion":     "$LATEST",
		"Payload":             out,
		"SdkHttpMetadata":     sdkHTTPMetadata,
		"SdkResponseMetadata": sdkResponseMetadata,
		"StatusCode":          json.Number("200"),
	}, nil
}

// The envelope's fixed parts, shared by every result: values in the
// executor are never mutated (ResultPath copies what it changes).
var (
	sdkHTTPMetadata = map[string]any{
		"AllHttpHeaders": map[string]any{
			"X-Amz-Executed-Version": []any{"$LATEST"},
			"Content-Type":           []any{"application/json"},
		},
		"HttpHeaders": map[string]any{
			"X-Amz-Executed-Version": "$LATEST",
			"Content-Type":           "application/json",
		},
		"HttpStatusCode": json.Number("200"),
	}
	sdkResponseMetadata = map[string]any{"RequestId": "00000000-0000-0000-0000-000000000000"}
)

// LambdaError is a function error as Lambda reports it.
type LambdaError struct {
	Type, Message string
}

func (e *LambdaError) Error() string { return e.Type + ": " + e.Message }

// StatesError names the error by its errorType; the cause is the function's
// error envelope as JSON.
func (e *LambdaError) StatesError() (name, cause string) {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{e.Message, e.Type})
	return e.Type, string(b)
}

// lambdaError names a handler's error as aws-lambda-go does: by the Go type
// name of the error (without package and pointer), unless it says otherwise.
func lambdaError(err error) error {
	var le *LambdaError
	if errors.As(err, &le) {
		return le
	}
	var typed interface{ ErrorType() string }
	if errors.As(err, &typed) {
		return &LambdaError{Type: typed.ErrorType(), Message: err.Error()}
	}
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := t.Name()
	if name == "" {
		name = fmt.Sprintf("%T", err)
	}
	return &LambdaError{Type: name, Message: err.Error()}
}
