// Package middleware wraps a typed Lambda handler function with what every
// stepforge function needs: JSON input decoding and validation, structured
// logs, X-Ray subsegments, Embedded Metric Format metrics, panic recovery and
// error type names a state machine's Retry and Catch can match.
package middleware

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Validator is implemented by input types that check themselves after
// decoding. An error of a named type (such as InvalidOrder) is reported under
// that name; any other error is reported as InvalidInput.
type Validator interface {
	Validate() error
}

// Handler runs a typed function as a Lambda handler. It implements
// lambda.Handler, so it can be passed to lambda.Start or invoked directly.
type Handler[In, Out any] struct {
	fn      func(context.Context, In) (Out, error)
	name    string
	log     *logger
	metrics *metrics
	now     func() time.Time
	warm    atomic.Bool
}

// Option configures a Handler.
type Option func(*options)

type options struct {
	name      string
	writer    io.Writer
	namespace string
	now       func() time.Time
}

// WithFunctionName sets the function name used in logs, metrics and traces.
// It defaults to AWS_LAMBDA_FUNCTION_NAME.
func WithFunctionName(name string) Option { return func(o *options) { o.name = name } }

// WithOutput sends log and metric lines to w instead of standard output.
func WithOutput(w io.Writer) Option { return func(o *options) { o.writer = w } }

// WithNamespace sets the CloudWatch metric namespace; the default is "stepforge".
func WithNamespace(ns string) Option { return func(o *options) { o.namespace = ns } }

// withClock replaces the clock, so tests can pin durations and timestamps.
func withClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Wrap returns a Handler that runs fn with the middleware around it.
func Wrap[In, Out any](fn func(context.Context, In) (Out, error), opts ...Option) *Handler[In, Out] {
	o := options{name: lambdacontext.FunctionName, namespace: "stepforge", now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.writer == nil {
		o.writer = os.Stdout
	}
	out := newLineWriter(o.writer)
	return &Handler[In, Out]{
		fn:      fn,
		name:    o.name,
		log:     newLogger(out, o.name),
		metrics: newMetrics(out, o.namespace, o.name),
		now:     o.now,
	}
}

// Start runs fn as this process's Lambda function; it does not return.
func Start[In, Out any](fn func(context.Context, In) (Out, error), opts ...Option) {
	h := Wrap(fn, opts...)
	lambda.Start(h)
}

// Invoke decodes payload, runs the function and encodes its result. Errors are
// returned as messages.InvokeResponse_Error carrying the error's type name.
func (h *Handler[In, Out]) Invoke(ctx context.Context, payload []byte) (result []byte, err error) {
	start := h.now()
	cold := !h.warm.Swap(true)
	inv := &invocation{log: h.log, cold: cold, function: h.name}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		inv.requestID = lc.AwsRequestID
	}
	header, _ := ctx.Value(traceHeaderKey).(string)
	inv.traceID = traceRoot(header)
	ctx = context.WithValue(ctx, invocationKey{}, inv)

	ctx, seg := beginTrace(ctx, header, h.name, cold)
	var typ string
	defer func() {
		if r := recover(); r != nil {
			err = h.recovered(ctx, r)
			typ = HandlerPanicType
			result = nil
		}
		endTrace(seg, typ, err)
		h.metrics.record(start, h.now().Sub(start), cold, typ)
	}()

	result, err = h.run(ctx, payload)
	if err != nil {
		typ = ErrorType(err)
		h.log.failed(ctx, typ, err)
		return nil, messages.InvokeResponse_Error{Type: typ, Message: err.Error()}
	}
	return result, nil
}

func (h *Handler[In, Out]) run(ctx context.Context, payload []byte) ([]byte, error) {
	var in In
	if err := json.Unmarshal(payload, &in); err != nil {
		return nil, &MalformedInput{Err: err}
	}
	if v, ok := any(&in).(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, asInvalid(err)
		}
	}
	out, err := h.fn(ctx, in)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, &UnencodableOutput{Err: err}
	}
	return b, nil
}
