package workflow

import (
	"time"

	"github.com/stepforge/stepforge/pkg/asl"
)

// Placeholder is the DefinitionSubstitutions key under which a state
// machine definition refers to a declaration's ARN: its logical id + "Arn".
func Placeholder(logicalID string) string { return logicalID + "Arn" }

// LambdaRetry retries the errors the Lambda integration raises for failures
// worth retrying: three attempts, doubling from one second, with full jitter.
func LambdaRetry() asl.Retrier {
	return asl.Retrier{
		ErrorEquals:     asl.LambdaTransientErrors(),
		IntervalSeconds: asl.Int(1),
		MaxAttempts:     asl.Int(3),
		BackoffRate:     asl.Float(2),
		JitterStrategy:  asl.JitterFull,
	}
}

// Invoke is a Task named name that invokes fn with the state's input
// through the optimised Lambda integration, hands on the function's result
// (OutputPath $.Payload), retries Lambda's transient errors, and times out a
// little after the function itself would. Set Next, End, Catch or more Retry
// on the result.
func Invoke(name string, fn *Function) *asl.Task {
	return &asl.Task{
		Name:           name,
		Resource:       asl.LambdaInvoke,
		Parameters:     asl.Object{"FunctionName": asl.Sub(Placeholder(fn.LogicalID())), "Payload.$": "$"},
		OutputPath:     "$.Payload",
		TimeoutSeconds: asl.Int(taskTimeout(fn)),
		Retry:          []asl.Retrier{LambdaRetry()},
	}
}

// taskTimeout gives the task five seconds beyond the function's own timeout,
// so a function timeout is reported as Lambda's error, not States.Timeout.
func taskTimeout(fn *Function) int {
	t := fn.Timeout
	if t <= 0 {
		t = DefaultTimeout
	}
	return int(t/time.Second) + 5
}

// Publish is a Task named name that publishes the string at messagePath to
// topic.
func Publish(name string, topic *Topic, messagePath asl.Path) *asl.Task {
	return &asl.Task{
		Name:           name,
		Resource:       asl.SNSPublish,
		Parameters:     asl.Object{"TopicArn": asl.Sub(Placeholder(topic.LogicalID())), "Message.$": string(messagePath)},
		TimeoutSeconds: asl.Int(30),
	}
}

// Defaults for functions that leave these unset.
const (
	DefaultMemoryMB         = 128
	DefaultTimeout          = 10 * time.Second
	DefaultLogRetentionDays = 30
)
