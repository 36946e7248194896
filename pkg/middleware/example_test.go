package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/stepforge/stepforge/pkg/middleware"
)

type order struct {
	Flavour string `json:"flavour"`
}

// InvalidOrder is the error a state machine's Catch would match by name.
type InvalidOrder struct{ Reason string }

func (e *InvalidOrder) Error() string { return e.Reason }

func (o *order) Validate() error {
	if strings.TrimSpace(o.Flavour) == "" {
		return &InvalidOrder{Reason: "flavour is required"}
	}
	return nil
}

type verdict struct {
	ContainsPineapple bool `json:"containsPineapple"`
}

func check(_ context.Context, o order) (verdict, error) {
	return verdict{ContainsPineapple: strings.Contains(strings.ToLower(o.Flavour), "pineapple")}, nil
}

// A handler is a typed function; Wrap gives it decoding, validation, logs,
// metrics, tracing and typed errors. In main.go, middleware.Start(check)
// runs it as the process's Lambda function.
func ExampleWrap() {
	h := middleware.Wrap(check, middleware.WithOutput(io.Discard), middleware.WithFunctionName("pizza"))

	out, err := h.Invoke(context.Background(), []byte(`{"flavour":"Pineapple"}`))
	fmt.Println(string(out), err)

	// Errors reach the runtime as the reply Step Functions sees: the Go type
	// name as errorType, the message as errorMessage.
	var reply messages.InvokeResponse_Error
	_, err = h.Invoke(context.Background(), []byte(`{"flavour":" "}`))
	if errors.As(err, &reply) {
		fmt.Println(reply.Type, reply.Message)
	}
	_, err = h.Invoke(context.Background(), []byte(`{"flavour":`))
	if errors.As(err, &reply) {
		fmt.Println(reply.Type)
	}
	// Output:
	// {"containsPineapple":true} <nil>
	// InvalidOrder flavour is required
	// MalformedInput
}
