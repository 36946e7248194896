package states

import (
	"context"
	"strings"
)

// Tasks runs the work of Task states. Run returns the task's result as a
// JSON value (map[string]any, []any, string, json.Number, bool, nil, or any
// value encoding/json can marshal); an error implementing
// StatesError() (name, cause) fails the task with that name, any other
// error fails it as States.TaskFailed.
type Tasks interface {
	Run(ctx context.Context, t TaskRequest) (any, error)
}

// TaskRequest is one attempt of a Task state.
type TaskRequest struct {
	// Resource is the state's Resource ARN, e.g. "arn:aws:states:::lambda:invoke".
	Resource string
	// Parameters is the state's evaluated payload (Parameters after InputPath,
	// or the effective input when there are no Parameters).
	Parameters any
	// StateName names the Task state.
	StateName string
	// Attempt counts from 0: the number of retries before this one.
	Attempt int
	// Timeout and Heartbeat are the state's TimeoutSeconds and
	// HeartbeatSeconds, or what their Path forms selected (0 when not set);
	// the executor enforces Timeout itself, and Heartbeat for a callback
	// task.
	Timeout, Heartbeat int
	// TaskToken is the task token of a .waitForTaskToken task ($$.Task.Token),
	// "" for any other. Run returning means the request was accepted; the
	// state then waits until the token is completed through the machine's
	// TokenBroker (BrokerFrom(ctx) in Run).
	TaskToken string
	// Sync is true for the .sync integration pattern (".sync", ".sync:2"):
	// Run returns when the job it starts has ended, with the job's result,
	// and may record the job's start with Submit.
	Sync bool
	// Submitted is, for a .sync task of a resumed execution, what Submit
	// recorded before the interruption: Run waits for that job.
	Submitted []byte
}

// TaskFunc adapts a function to Tasks.
type TaskFunc func(ctx context.Context, t TaskRequest) (any, error)

// Run calls f.
func (f TaskFunc) Run(ctx context.Context, t TaskRequest) (any, error) { return f(ctx, t) }

// Router sends each request to the Tasks registered for its Resource; a
// resource with none fails the task, as AWS fails a task whose resource
// does not exist.
type Router map[string]Tasks

// Run dispatches t by its Resource. For lambda:invoke the key may also be
// the request's FunctionName, so each function of a machine can have its
// own fake.
func (r Router) Run(ctx context.Context, t TaskRequest) (any, error) {
	if p, ok := t.Parameters.(map[string]any); ok && isLambdaInvoke(t.Resource) {
		if fn, ok := p["FunctionName"].(string); ok {
			if h, ok := r[fn]; ok {
				return h.Run(ctx, t)
			}
		}
	}
	if h, ok := r[t.Resource]; ok {
		return h.Run(ctx, t)
	}
	return nil, &Error{Name: errTaskFailed, Cause: "no task handler for resource " + t.Resource}
}

// isCallback reports whether resource uses the .waitForTaskToken
// integration pattern.
func isCallback(resource string) bool { return strings.HasSuffix(resource, ".waitForTaskToken") }

// isSync reports whether resource uses the .sync integration pattern
// (".sync", or a versioned ".sync:2").
func isSync(resource string) bool {
	i := strings.LastIndex(resource, ".sync")
	return i >= 0 && (i+5 == len(resource) || resource[i+5] == ':')
}

func isLambdaInvoke(resource string) bool {
	return strings.HasPrefix(resource, "arn:aws:states:::lambda:invoke")
}

// resourceParts splits a Resource ARN as the history's TaskScheduled event
// reports it: "arn:aws:states:::lambda:invoke" is resourceType "lambda",
// resource "invoke"; "arn:aws:states:::sns:publish" is "sns", "publish".
// Any other ARN is reported whole.
func resourceParts(arn string) (resourceType, resource string) {
	const prefix = "arn:aws:states:::"
	if rest, ok := strings.CutPrefix(arn, prefix); ok {
		if typ, res, ok := strings.Cut(rest, ":"); ok {
			return typ, res
		}
	}
	if strings.HasPrefix(arn, "arn:aws:lambda:") {
		return "lambda", arn
	}
	return "", arn
}
