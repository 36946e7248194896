package states

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// taskEvents records one task attempt as AWS does for its kind of
// resource: a service integration ("arn:aws:states:::lambda:invoke",
// "arn:aws:states:::sns:publish") as Task* events, a Lambda function ARN
// given directly as Resource as LambdaFunction* events.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
type taskEvents interface {
	scheduled(th *thread, params string, timeout, heartbeat int)
	started(th *thread)
	succeeded(th *thread, output string)
	failed(th *thread, e *Error)
	timedOut(th *thread, e *Error)
}

func eventsFor(resource, region string) taskEvents {
	if isFunctionARN(resource) {
		return lambdaEvents{arn: resource}
	}
	typ, res := resourceParts(resource)
	return serviceEvents{typ: typ, res: res, region: region}
}

// isFunctionARN reports whether resource names a Lambda function itself
// (arn:aws:lambda:region:account:function:name[:qualifier]).
func isFunctionARN(resource string) bool {
	return strings.HasPrefix(resource, "arn:aws:lambda:") && strings.Contains(resource, ":function:")
}

type serviceEvents struct{ typ, res, region string }

func (s serviceEvents) scheduled(th *thread, params string, timeout, heartbeat int) {
	th.emit(types.HistoryEventTypeTaskScheduled, func(ev *types.HistoryEvent) {
		d := &types.TaskScheduledEventDetails{
			Parameters: th.h.str(params), Region: th.h.str(s.region),
			Resource: th.h.str(s.res), ResourceType: th.h.str(s.typ),
		}
		if timeout > 0 {
			d.TimeoutInSeconds = aws.Int64(int64(timeout))
		}
		if heartbeat > 0 {
			d.HeartbeatInSeconds = aws.Int64(int64(heartbeat))
		}
		ev.TaskScheduledEventDetails = d
	})
}

func (s serviceEvents) started(th *thread) {
	th.emit(types.HistoryEventTypeTaskStarted, func(ev *types.HistoryEvent) {
		ev.TaskStartedEventDetails = &types.TaskStartedEventDetails{Resource: th.h.str(s.res), ResourceType: th.h.str(s.typ)}
	})
}

func (s serviceEvents) succeeded(th *thread, output string) {
	th.emit(types.HistoryEventTypeTaskSucceeded, func(ev *types.HistoryEvent) {
		ev.TaskSucceededEventDetails = &types.TaskSucceededEventDetails{
			Resource: th.h.str(s.res), ResourceType: th.h.str(s.typ), Output: th.h.str(output), OutputDetails: dataDetails(),
		}
	})
}

func (s serviceEvents) failed(th *thread, e *Error) {
	th.emit(types.HistoryEventTypeTaskFailed, func(ev *types.HistoryEvent) {
		ev.TaskFailedEventDetails = &types.TaskFailedEventDetails{
			Resource: th.h.str(s.res), ResourceType: th.h.str(s.typ), Error: th.h.str(e.Name), Cause: th.h.str(e.Cause),
		}
	})
}

func (s serviceEvents) timedOut(th *thread, e *Error) {
	th.emit(types.HistoryEventTypeTaskTimedOut, func(ev *types.HistoryEvent) {
		ev.TaskTimedOutEventDetails = &types.TaskTimedOutEventDetails{
			Resource: th.h.str(s.res), ResourceType: th.h.str(s.typ), Error: th.h.str(e.Name), Cause: optString(e.Cause),
		}
	})
}

// submitted records that a callback task's request was accepted, with
// what the service answered; the task's result comes with its token.
func (s serviceEvents) submitted(th *thread, output string) {
	th.emit(types.HistoryEventTypeTaskSubmitted, func(ev *types.HistoryEvent) {
		ev.TaskSubmittedEventDetails = &types.TaskSubmittedEventDetails{
			Resource: th.h.str(s.res), ResourceType: th.h.str(s.typ), Output: th.h.str(output), OutputDetails: dataDetails(),
		}
	})
}

type lambdaEvents struct{ arn string }

func (l lambdaEvents) scheduled(th *thread, params string, timeout, _ int) {
	th.emit(types.HistoryEventTypeLambdaFunctionScheduled, func(ev *types.HistoryEvent) {
		d := &types.LambdaFunctionScheduledEventDetails{Resource: th.h.str(l.arn), Input: th.h.str(params), InputDetails: dataDetails()}
		if timeout > 0 {
			d.TimeoutInSeconds = aws.Int64(int64(timeout))
		}
		ev.LambdaFunctionScheduledEventDetails = d
	})
}

func (l lambdaEvents) started(th *thread) { th.emit(types.HistoryEventTypeLambdaFunctionStarted, nil) }

func (l lambdaEvents) succeeded(th *thread, output string) {
	th.emit(types.HistoryEventTypeLambdaFunctionSucceeded, func(ev *types.HistoryEvent) {
		ev.LambdaFunctionSucceededEventDetails = &types.LambdaFunctionSucceededEventDetails{Output: th.h.str(output), OutputDetails: dataDetails()}
	})
}

func (l lambdaEvents) failed(th *thread, e *Error) {
	th.emit(types.HistoryEventTypeLambdaFunctionFailed, func(ev *types.HistoryEvent) {
		ev.LambdaFunctionFailedEventDetails = &types.LambdaFunctionFailedEventDetails{Error: th.h.str(e.Name), Cause: th.h.str(e.Cause)}
	})
}

func (l lambdaEvents) timedOut(th *thread, e *Error) {
	th.emit(types.HistoryEventTypeLambdaFunctionTimedOut, func(ev *types.HistoryEvent) {
		ev.LambdaFunctionTimedOutEventDetails = &types.LambdaFunctionTimedOutEventDetails{Error: th.h.str(e.Name), Cause: th.h.str(e.Cause)}
	})
}
