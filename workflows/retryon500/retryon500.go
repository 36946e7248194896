// Package retryon500 declares the retry-on-500 workflow (seed 003): a
// function asks an endpoint for its status; while it answers 500 the machine
// waits ten seconds and asks again, else it succeeds. Unlike the seed's loop
// this one is bounded: after MaxAttempts answers of 500 it fails, naming the
// attempts, and an endpoint that does not answer at all is retried with
// backoff, then fails as EndpointUnreachable. Its execution logs are encrypted with a customer-managed key.
package retryon500

import (
	"strconv"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/workflow"
)

// MaxAttempts is how many times the endpoint is asked before giving up.
const MaxAttempts = 10

// An endpoint that gives no answer at all (EndpointUnreachable: DNS, refused,
// timeout) is asked again UnreachableRetries times, waiting 2 s, 4 s, 8 s, ...
// (full jitter, at most 60 s) before the execution fails as unreachable:
// about two minutes at most, beside the 10 s status loop.
const (
	UnreachableRetries = 6
	Unreachable        = "EndpointUnreachable"
)

// Workflow returns the declaration.
func Workflow() *workflow.Workflow {
	url := &workflow.Parameter{
		Name:           "StatusUrl",
		Description:    "The http(s) URL whose status the workflow checks.",
		AllowedPattern: `^https?://.+`,
	}
	key := &workflow.Key{Name: "Logs", Description: "Encrypts the retry-on-500 execution logs.", ForLogs: true}
	check := &workflow.Function{
		Name:        "CheckStatus",
		Handler:     "statuschecker",
		Description: "GETs the status URL and returns the status code beside its input.",
		Timeout:     10e9,
		Env:         map[string]workflow.Value{"STATUS_URL": workflow.Ref(url), "STATUS_TIMEOUT": workflow.Literal("5s")},
	}
	invoke := workflow.Invoke("LambdaInvoke", check)
	invoke.Retry = append(invoke.Retry, asl.Retrier{
		ErrorEquals:     []string{Unreachable},
		IntervalSeconds: asl.Int(2),
		MaxAttempts:     asl.Int(UnreachableRetries),
		BackoffRate:     asl.Float(2),
		MaxDelaySeconds: asl.Int(60),
		JitterStrategy:  asl.JitterFull,
	})
	invoke.Catch = []asl.Catcher{{ErrorEquals: []string{Unreachable}, ResultPath: "$.error", Next: "ReadUnreachable"}}
	invoke.Next = "CheckStatusCode"
	machine := &workflow.StateMachine{
		Name: "RetryOn500",
		Type: workflow.Standard,
		Definition: &asl.StateMachine{
			Comment: "Asks an endpoint for its status until it stops answering 500, waiting 10 s between attempts, at most 10 times.",
			StartAt: "FirstAttempt",
			States: asl.States{
				&asl.Pass{
					Name:       "FirstAttempt",
					Comment:    "The attempt counter travels beside the input, so the status check hands both back.",
					Parameters: asl.Object{"input.$": "$", "attempt": 1},
					Next:       "LambdaInvoke",
				},
				invoke,
				&asl.Choice{
					Name: "CheckStatusCode",
					Choices: []asl.ChoiceRule{
						asl.And(
							asl.NumericEquals("$.statusCode", 500),
							asl.NumericGreaterThanEquals("$.event.attempt", MaxAttempts),
						).Then("GiveUp"),
						asl.NumericEquals("$.statusCode", 500).Then("Wait"),
					},
					Default: "SuccessState",
				},
				&asl.Wait{Name: "Wait", Seconds: asl.Int(10), OutputPath: "$.event", Next: "NextAttempt"},
				&asl.Pass{
					Name:       "NextAttempt",
					Parameters: asl.Object{"input.$": "$.input", "attempt.$": "States.MathAdd($.attempt, 1)"},
					Next:       "LambdaInvoke",
				},
				&asl.Pass{
					Name:       "ReadUnreachable",
					Comment:    "The Cause is the function's error as JSON; its errorMessage names the endpoint and what failed.",
					Parameters: asl.Object{"error.$": "States.StringToJson($.error.Cause)"},
					Next:       "EndpointUnreachable",
				},
				&asl.Fail{
					Name:      "EndpointUnreachable",
					Error:     Unreachable,
					CausePath: asl.Path("States.Format('The endpoint stayed unreachable after {} retries: {}', " + strconv.Itoa(UnreachableRetries) + ", $.error.errorMessage)"),
				},
				&asl.Fail{
					Name:      "GiveUp",
					Error:     "StillFailing",
					CausePath: "States.Format('The endpoint answered 500 on all {} attempts', $.event.attempt)",
				},
				&asl.Succeed{Name: "SuccessState"},
			},
		},
		Logging: &workflow.Logging{Level: "ALL", IncludeExecutionData: true, RetentionDays: 30, Key: key},
		Tracing: true,
	}
	return &workflow.Workflow{
		Name:        "retry-on-500",
		Title:       "Retry on 500",
		Description: "A status check repeats every 10 s while the endpoint answers 500, up to 10 attempts; logs are encrypted with a customer-managed KMS key.",
		Seed:        "003-retry-on-500",
		Parameters:  []*workflow.Parameter{url},
		Keys:        []*workflow.Key{key},
		Functions:   []*workflow.Function{check},
		Machines:    []*workflow.StateMachine{machine},
	}
}
