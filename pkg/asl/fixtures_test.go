package asl_test

import (
	"github.com/stepforge/stepforge/pkg/asl"
)

// The machines the project declares, written as a workflow would write them.
// They are fixtures for every test here; the real ones move to workflows/.

// lambdaRetry retries the Lambda service's transient failures, as every
// lambda:invoke Task does.
func lambdaRetry() asl.Retrier {
	return asl.Retrier{
		ErrorEquals:     asl.LambdaTransientErrors(),
		IntervalSeconds: asl.Int(1),
		MaxAttempts:     asl.Int(3),
		BackoffRate:     asl.Float(2),
		JitterStrategy:  asl.JitterFull,
	}
}

// invoke is the Parameters of a JSONPath lambda:invoke Task.
func invoke(functionArn string) asl.Object {
	return asl.Object{"FunctionName": asl.Sub(functionArn), "Payload.$": "$"}
}

func uploadAlarm() *asl.StateMachine {
	return &asl.StateMachine{
		Comment: "Processes an upload and raises the alarm when that fails.",
		StartAt: "ProcessUpload",
		States: asl.States{
			&asl.Task{
				Name:           "ProcessUpload",
				Resource:       asl.LambdaInvoke,
				Parameters:     invoke("ProcessUploadArn"),
				OutputPath:     "$.Payload",
				TimeoutSeconds: asl.Int(60),
				Retry:          []asl.Retrier{lambdaRetry()},
				Catch: []asl.Catcher{{
					ErrorEquals: []string{asl.ErrorAll},
					ResultPath:  "$.error",
					Next:        "SendAlarm",
				}},
				End: true,
			},
			&asl.Task{
				Name:     "SendAlarm",
				Resource: asl.SNSPublish,
				Parameters: asl.Object{
					"TopicArn":  asl.Sub("AlarmTopicArn"),
					"Message.$": "$.error.Cause",
				},
				Next: "UploadFailed",
			},
			&asl.Fail{Name: "UploadFailed", Error: "UploadFailed", Cause: "Processing the upload failed; the alarm was sent."},
		},
	}
}

func pizza() *asl.StateMachine {
	return &asl.StateMachine{
		Comment: "Checks an order and refuses pineapple.",
		StartAt: "CheckPizza",
		States: asl.States{
			&asl.Task{
				Name:           "CheckPizza",
				Resource:       asl.LambdaInvoke,
				Parameters:     invoke("PizzaCheckerArn"),
				OutputPath:     "$.Payload",
				TimeoutSeconds: asl.Int(10),
				Retry:          []asl.Retrier{lambdaRetry()},
				Next:           "ContainsPineapple",
			},
			&asl.Choice{
				Name: "ContainsPineapple",
				Choices: []asl.ChoiceRule{
					asl.BooleanEquals("$.containsPineapple", true).Then("RefuseOrder"),
				},
				Default: "MakePizza",
			},
			&asl.Fail{Name: "RefuseOrder", Error: "Failed To Make Pizza", Cause: "They asked for Pineapple"},
			&asl.Succeed{Name: "MakePizza"},
		},
	}
}

// publishBranch publishes to one platform; a failure becomes a result of
// its own so the other platforms' results survive.
func publishBranch(platform, task, failed string) asl.Branch {
	return asl.Branch{
		StartAt: task,
		States: asl.States{
			&asl.Task{
				Name:       task,
				Resource:   asl.LambdaInvoke,
				Parameters: invoke(task + "Arn"),
				ResultSelector: asl.Object{
					"platform":  platform,
					"published": true,
					"url.$":     "$.Payload.url",
				},
				TimeoutSeconds: asl.Int(120),
				Retry: []asl.Retrier{
					{
						ErrorEquals:     []string{"RateLimited", "PlatformUnavailable"},
						IntervalSeconds: asl.Int(30),
						MaxAttempts:     asl.Int(4),
						BackoffRate:     asl.Float(2),
						MaxDelaySeconds: asl.Int(300),
						JitterStrategy:  asl.JitterFull,
					},
					lambdaRetry(),
				},
				Catch: []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, ResultPath: "$.error", Next: failed}},
				End:   true,
			},
			&asl.Pass{
				Name: failed,
				Parameters: asl.Object{
					"platform":  platform,
					"published": false,
					"error.$":   "$.error.Error",
					"cause.$":   "$.error.Cause",
				},
				End: true,
			},
		},
	}
}

func blogPublishing() *asl.StateMachine {
	return &asl.StateMachine{
		Comment: "Publishes a post on every platform at once.",
		StartAt: "PublishEverywhere",
		States: asl.States{
			&asl.Parallel{
				Name: "PublishEverywhere",
				Branches: []asl.Branch{
					publishBranch("medium", "PublishMedium", "MediumFailed"),
					publishBranch("devto", "PublishDevto", "DevtoFailed"),
					publishBranch("hashnode", "PublishHashnode", "HashnodeFailed"),
					publishBranch("opensearch", "IndexOpenSearch", "OpenSearchFailed"),
				},
				ResultPath: "$.results",
				Next:       "Published",
			},
			&asl.Succeed{Name: "Published", OutputPath: "$.results"},
		},
	}
}

// retryOn500 calls an API until it stops answering 500, three attempts at
// most, counting them in the payload with States.MathAdd.
func retryOn500() *asl.StateMachine {
	return &asl.StateMachine{
		Comment: "Retries a call answered with HTTP 500, waiting 10 seconds between attempts.",
		StartAt: "Start",
		States: asl.States{
			&asl.Pass{
				Name:       "Start",
				Parameters: asl.Object{"event.$": "$", "attempts": 1},
				Next:       "CallApi",
			},
			&asl.Task{
				Name:           "CallApi",
				Resource:       asl.LambdaInvoke,
				Parameters:     asl.Object{"FunctionName": asl.Sub("CallApiArn"), "Payload.$": "$.event"},
				ResultSelector: asl.Object{"statusCode.$": "$.Payload.statusCode", "body.$": "$.Payload.body"},
				ResultPath:     "$.response",
				TimeoutSeconds: asl.Int(30),
				Retry:          []asl.Retrier{lambdaRetry()},
				Next:           "CheckStatus",
			},
			&asl.Choice{
				Name: "CheckStatus",
				Choices: []asl.ChoiceRule{
					asl.And(
						asl.NumericEquals("$.response.statusCode", 500),
						asl.NumericLessThan("$.attempts", 3),
					).Then("CountAttempt"),
					asl.NumericEquals("$.response.statusCode", 500).Then("GiveUp"),
				},
				Default: "Done",
			},
			&asl.Pass{
				Name:       "CountAttempt",
				Parameters: asl.Object{"event.$": "$.event", "attempts.$": "States.MathAdd($.attempts, 1)"},
				Next:       "WaitBeforeRetry",
			},
			&asl.Wait{Name: "WaitBeforeRetry", Seconds: asl.Int(10), Next: "CallApi"},
			&asl.Fail{
				Name:      "GiveUp",
				Error:     "ServerError",
				CausePath: "States.Format('The API answered 500 on each of {} attempts', $.attempts)",
			},
			&asl.Succeed{Name: "Done", OutputPath: "$.response"},
		},
	}
}

// retryOn500JSONata is retryOn500 in JSONata: the counter is a variable, so
// the Wait can send the original event on unchanged.
func retryOn500JSONata() *asl.StateMachine {
	return &asl.StateMachine{
		Comment:       "Retries a call answered with HTTP 500, counting attempts in a variable.",
		QueryLanguage: asl.JSONata,
		StartAt:       "Start",
		States: asl.States{
			&asl.Pass{Name: "Start", Assign: asl.Object{"attempts": 0, "event": "{% $states.input %}"}, Next: "CallApi"},
			&asl.Task{
				Name:     "CallApi",
				Resource: asl.LambdaInvoke,
				Arguments: asl.Object{
					"FunctionName": asl.Sub("CallApiArn"),
					"Payload":      "{% $event %}",
				},
				Output:         "{% $states.result.Payload %}",
				Assign:         asl.Object{"attempts": "{% $attempts + 1 %}"},
				TimeoutSeconds: asl.Int(30),
				Retry:          []asl.Retrier{lambdaRetry()},
				Next:           "CheckStatus",
			},
			&asl.Choice{
				Name: "CheckStatus",
				Choices: []asl.ChoiceRule{
					asl.Condition("{% $states.input.statusCode = 500 and $attempts < 3 %}").Then("WaitBeforeRetry"),
					asl.Condition("{% $states.input.statusCode = 500 %}").Then("GiveUp"),
				},
				Default: "Done",
			},
			&asl.Wait{Name: "WaitBeforeRetry", Seconds: asl.Int(10), Output: "{% $event %}", Next: "CallApi"},
			&asl.Fail{
				Name:  "GiveUp",
				Error: "ServerError",
				Cause: "{% 'The API answered 500 on each of ' & $string($attempts) & ' attempts' %}",
			},
			&asl.Succeed{Name: "Done"},
		},
	}
}

func expressWebhook() *asl.StateMachine {
	return &asl.StateMachine{
		Comment: "Logs a webhook's payload.",
		StartAt: "PrintPayload",
		States: asl.States{
			&asl.Task{
				Name:           "PrintPayload",
				Resource:       asl.LambdaInvoke,
				Parameters:     invoke("PrintPayloadArn"),
				OutputPath:     "$.Payload",
				TimeoutSeconds: asl.Int(10),
				Retry:          []asl.Retrier{lambdaRetry()},
				Next:           "SuccessState",
			},
			&asl.Pass{Name: "SuccessState", End: true},
		},
	}
}
