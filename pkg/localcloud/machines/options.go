package machines

import (
	"context"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud/traces"
	"github.com/stepforge/stepforge/pkg/states"
)

// LambdaInvoker runs a Lambda function synchronously for a Task state.
// out is the function's response; fnErr is set when the function itself
// failed (its errorType and errorMessage); err is a Lambda API error, an
// *localcloud.Error such as TooManyRequestsException or
// ResourceNotFoundException.
type LambdaInvoker interface {
	InvokeFunction(ctx context.Context, region, function string, payload []byte, traceHeader string) (out []byte, fnErr *FunctionError, err error)
}

// FunctionError is a function's error as Lambda reports it.
type FunctionError struct {
	Type, Message string
}

// Publisher publishes an SNS message for arn:aws:states:::sns:publish.
type Publisher interface {
	Publish(ctx context.Context, region, topicARN, message, subject string, attributes map[string]MessageAttribute) (messageID string, err error)
}

// MessageAttribute is an SNS message attribute.
type MessageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// Authorizer checks that a state machine's role may do action on
// resource; a non-nil error is the denial, its message AWS's cause.
type Authorizer interface {
	Authorize(ctx context.Context, roleARN, action, resource string) error
}

// LogLine is one CloudWatch Logs event.
type LogLine struct {
	Time    time.Time
	Message string
}

// LogSink receives a state machine's execution log records: CloudWatch
// Logs' log group and stream, created when missing.
type LogSink interface {
	Append(ctx context.Context, group, stream string, lines []LogLine) error
}

// Tracer receives the X-Ray segments Step Functions writes for a traced
// execution.
type Tracer interface {
	PutSegment(ctx context.Context, seg traces.Segment) error
}

// Option configures New.
type Option func(*Service)

// WithLambda sets how Task states invoke Lambda functions.
func WithLambda(l LambdaInvoker) Option { return func(s *Service) { s.lambda = l } }

// WithPublisher sets how Task states publish to SNS.
func WithPublisher(p Publisher) Option { return func(s *Service) { s.publisher = p } }

// WithAuthorizer sets the check of a machine's role before each task;
// without one every task is allowed.
func WithAuthorizer(a Authorizer) Option { return func(s *Service) { s.authorizer = a } }

// WithLogSink sets where machines with a LoggingConfiguration log.
func WithLogSink(l LogSink) Option { return func(s *Service) { s.logs = l } }

// WithTracer sets where traced executions write their segments.
func WithTracer(t Tracer) Option { return func(s *Service) { s.tracer = t } }

// WithMockConfig reads Step Functions Local's mock configuration file at
// path (the assembler passes $SFN_MOCK_CONFIG): a state machine ARN ending
// in "#<TestCase>" then runs that test case's mocked responses.
func WithMockConfig(path string) Option { return func(s *Service) { s.mockPath = path } }

// WithClock sets the executions' clock (a states.VirtualClock in tests).
func WithClock(c states.Clock) Option { return func(s *Service) { s.clock = c } }

// WithTimeScale runs executions in real time with every wait (Wait
// states, retry intervals, timeouts) multiplied by scale: 0.001 makes a
// 10 s Wait take 10 ms.
func WithTimeScale(scale float64) Option {
	return func(s *Service) { s.clock = states.NewScaledClock(scale) }
}
