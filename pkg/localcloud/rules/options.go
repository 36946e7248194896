package rules

import (
	"context"
	"log/slog"
	"time"
)

// StepFunctions starts executions for state machine targets.
type StepFunctions interface {
	StartExecution(ctx context.Context, region, machineARN, input string) error
}

// Lambda invokes function targets asynchronously (InvocationType Event).
type Lambda interface {
	InvokeAsync(ctx context.Context, region, functionARN string, payload []byte) error
}

// LambdaPermissions is what a Lambda may also implement: whether the
// function's resource policy lets principal invoke it for sourceARN, as
// EventBridge needs (lambda:AddPermission for events.amazonaws.com).
// Without it every invocation is allowed.
type LambdaPermissions interface {
	AllowsInvoke(ctx context.Context, region, functionARN, principal, sourceARN string) (bool, error)
}

// SNS publishes to topic targets.
type SNS interface {
	Publish(ctx context.Context, region, topicARN, message string) error
}

// Authorizer decides whether the role a target names may take action on
// resource; an error (an AccessDenied) refuses.
type Authorizer interface {
	Authorize(ctx context.Context, roleARN, action, resource string) error
}

// Option configures a Service.
type Option func(*Service)

// WithStepFunctions delivers to state machine targets through sfn.
func WithStepFunctions(sfn StepFunctions) Option { return func(s *Service) { s.sfn = sfn } }

// WithLambda delivers to function targets through fn.
func WithLambda(fn Lambda) Option { return func(s *Service) { s.lambda = fn } }

// WithSNS delivers to topic targets through sns.
func WithSNS(sns SNS) Option { return func(s *Service) { s.sns = sns } }

// WithAuthorizer checks each target's RoleArn with a; without one every
// role may do everything.
func WithAuthorizer(a Authorizer) Option { return func(s *Service) { s.authz = a } }

// WithTimeScale multiplies the delays between delivery retries (0.001
// makes a minute 60 ms); the maximum event age is measured in the same
// scaled time. Values <= 0 are ignored.
func WithTimeScale(scale float64) Option {
	return func(s *Service) {
		if scale > 0 {
			s.scale = scale
		}
	}
}

// WithLogger logs deliveries that fail and events that are dropped.
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) {
		if l != nil {
			s.log = l
		}
	}
}

// scaled turns a delay of EventBridge's time into the local cloud's.
func (s *Service) scaled(d time.Duration) time.Duration { return time.Duration(float64(d) * s.scale) }
