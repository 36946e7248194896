package asl_test

import (
	"github.com/stepforge/stepforge/pkg/asl"
)

// Machines that exercise the rest of the language: Map in both modes, every
// choice operator, Wait forms and the JSONPath extras.

func inlineMap() *asl.StateMachine {
	return &asl.StateMachine{
		StartAt: "ResizeAll",
		States: asl.States{
			&asl.Map{
				Name:           "ResizeAll",
				ItemsPath:      "$.images",
				ItemSelector:   asl.Object{"key.$": "$$.Map.Item.Value.key", "index.$": "$$.Map.Item.Index", "bucket.$": "$.bucket"},
				MaxConcurrency: asl.Int(0),
				ItemProcessor: &asl.ItemProcessor{
					ProcessorConfig: asl.ProcessorConfig{Mode: asl.Inline},
					StartAt:         "Resize",
					States: asl.States{
						&asl.Task{
							Name:       "Resize",
							Resource:   asl.LambdaInvoke,
							Parameters: invoke("ResizeArn"),
							OutputPath: "$.Payload",
							Retry:      []asl.Retrier{lambdaRetry()},
							End:        true,
						},
					},
				},
				ResultPath: "$.resized",
				Next:       "Legacy",
			},
			&asl.Map{
				Name:      "Legacy",
				InputPath: "$.resized",
				Iterator: &asl.Branch{
					StartAt: "Echo",
					States:  asl.States{&asl.Pass{Name: "Echo", End: true}},
				},
				ResultPath: asl.NullPath,
				End:        true,
			},
		},
	}
}

func distributedMap() *asl.StateMachine {
	return &asl.StateMachine{
		StartAt: "ProcessCSV",
		States: asl.States{
			&asl.Map{
				Name: "ProcessCSV",
				ItemReader: &asl.ItemReader{
					Resource: "arn:aws:states:::s3:getObject",
					ReaderConfig: &asl.ReaderConfig{
						InputType:         "CSV",
						CSVHeaderLocation: "FIRST_ROW",
						MaxItems:          asl.Int(1000),
					},
					Parameters: asl.Object{"Bucket": asl.Sub("DataBucket"), "Key.$": "$.key"},
				},
				ItemBatcher: &asl.ItemBatcher{
					MaxItemsPerBatch:      asl.Int(100),
					MaxInputBytesPerBatch: asl.Int(65536),
					BatchInput:            asl.Object{"runId.$": "$$.Execution.Id"},
				},
				ItemProcessor: &asl.ItemProcessor{
					ProcessorConfig: asl.ProcessorConfig{Mode: asl.Distributed, ExecutionType: asl.Express},
					StartAt:         "ProcessBatch",
					States: asl.States{
						&asl.Task{
							Name:           "ProcessBatch",
							Resource:       asl.LambdaInvoke,
							Parameters:     invoke("ProcessBatchArn"),
							TimeoutSeconds: asl.Int(60),
							Retry:          []asl.Retrier{lambdaRetry()},
							End:            true,
						},
					},
				},
				MaxConcurrency:             asl.Int(50),
				ToleratedFailurePercentage: asl.Float(5),
				Label:                      "ProcessCSV",
				ResultWriter: &asl.ResultWriter{
					Resource:   "arn:aws:states:::s3:putObject",
					Parameters: asl.Object{"Bucket": asl.Sub("ResultsBucket"), "Prefix": "runs"},
				},
				ResultPath: asl.NullPath,
				End:        true,
			},
		},
	}
}

// allChoiceOperators routes on every JSONPath comparison operator.
func allChoiceOperators() *asl.StateMachine {
	rules := []asl.ChoiceRule{
		asl.StringEquals("$.s", "a"), asl.StringEqualsPath("$.s", "$.t"),
		asl.StringLessThan("$.s", "b"), asl.StringLessThanPath("$.s", "$.t"),
		asl.StringGreaterThan("$.s", "c"), asl.StringGreaterThanPath("$.s", "$.t"),
		asl.StringLessThanEquals("$.s", "d"), asl.StringLessThanEqualsPath("$.s", "$.t"),
		asl.StringGreaterThanEquals("$.s", "e"), asl.StringGreaterThanEqualsPath("$.s", "$.t"),
		asl.StringMatches("$.s", "log-*.txt"),
		asl.NumericEquals("$.n", 0), asl.NumericEqualsPath("$.n", "$.m"),
		asl.NumericLessThan("$.n", 1.5), asl.NumericLessThanPath("$.n", "$.m"),
		asl.NumericGreaterThan("$.n", -2), asl.NumericGreaterThanPath("$.n", "$.m"),
		asl.NumericLessThanEquals("$.n", 3), asl.NumericLessThanEqualsPath("$.n", "$.m"),
		asl.NumericGreaterThanEquals("$.n", 4), asl.NumericGreaterThanEqualsPath("$.n", "$.m"),
		asl.BooleanEquals("$.b", false), asl.BooleanEqualsPath("$.b", "$.c"),
		asl.TimestampEquals("$.ts", "2026-01-02T15:04:05Z"), asl.TimestampEqualsPath("$.ts", "$.tt"),
		asl.TimestampLessThan("$.ts", "2026-01-02T15:04:05Z"), asl.TimestampLessThanPath("$.ts", "$.tt"),
		asl.TimestampGreaterThan("$.ts", "2026-01-02T15:04:05+02:00"), asl.TimestampGreaterThanPath("$.ts", "$.tt"),
		asl.TimestampLessThanEquals("$.ts", "2026-01-02T15:04:05.123Z"), asl.TimestampLessThanEqualsPath("$.ts", "$.tt"),
		asl.TimestampGreaterThanEquals("$.ts", "2026-01-02T15:04:05Z"), asl.TimestampGreaterThanEqualsPath("$.ts", "$.tt"),
		asl.IsNull("$.x", true), asl.IsPresent("$.x", false), asl.IsNumeric("$.x", true),
		asl.IsString("$.x", true), asl.IsBoolean("$.x", false), asl.IsTimestamp("$.x", true),
		asl.Or(asl.StringEquals("$.s", "z"), asl.Not(asl.IsPresent("$.s", true))),
	}
	for i := range rules {
		rules[i] = rules[i].Then("Matched")
	}
	rules[0].Assign = asl.Object{"matchedOn": "StringEquals", "value.$": "$.s"}
	return &asl.StateMachine{
		StartAt: "Route",
		States: asl.States{
			&asl.Choice{Name: "Route", InputPath: "$.detail", Choices: rules, Default: "Unmatched"},
			&asl.Wait{Name: "Matched", TimestampPath: "$.until", Next: "Later"},
			&asl.Wait{Name: "Later", Timestamp: "2026-01-02T15:04:05Z", Next: "Done"},
			&asl.Wait{Name: "Unmatched", SecondsPath: "$.delay", OutputPath: asl.NullPath, Next: "Done"},
			&asl.Succeed{Name: "Done"},
		},
	}
}

// jsonPathExtras uses the rarer JSONPath features: context object,
// intrinsics in several fields, filters, Result, heartbeat, credentials and
// a per-state JSONata Task in a JSONPath machine.
func jsonPathExtras() *asl.StateMachine {
	return &asl.StateMachine{
		Comment:        "Rarer JSONPath features.",
		Version:        "1.0",
		TimeoutSeconds: asl.Int(3600),
		StartAt:        "Seed",
		States: asl.States{
			&asl.Pass{
				Name:       "Seed",
				Result:     asl.Object{"ids": []any{3, 1, 3}, "name": "stepforge"},
				ResultPath: "$.seed",
				Assign:     asl.Object{"startedAt.$": "$$.Execution.StartTime"},
				Next:       "Shape",
			},
			&asl.Pass{
				Name: "Shape",
				Parameters: asl.Object{
					"unique.$":   "States.ArrayUnique($.seed.ids)",
					"id.$":       "States.UUID()",
					"greeting.$": "States.Format('Hello, {}! \\{not a hole\\}', $.seed.name)",
					"parts.$":    "States.StringSplit('a,b', ',')",
					"range.$":    "States.ArrayRange(1, 9, 2)",
					"firstBig.$": "$.seed.ids[?(@ > 2)]",
					"nested": asl.Object{
						"json.$": "States.JsonToString(States.Array($.seed.ids, 'x', true, null))",
						"when.$": "$startedAt",
					},
				},
				Next: "Work",
			},
			&asl.Task{
				Name:               "Work",
				Resource:           "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
				Credentials:        asl.Object{"RoleArn": asl.Sub("WorkerRoleArn")},
				Parameters:         asl.Object{"QueueUrl": asl.Sub("QueueUrl"), "MessageBody": asl.Object{"token.$": "$$.Task.Token"}},
				TimeoutSecondsPath: "$.timeout",
				HeartbeatSeconds:   asl.Int(60),
				ResultPath:         "$.work['result']",
				Retry:              []asl.Retrier{{ErrorEquals: []string{asl.ErrorTimeout}, MaxAttempts: asl.Int(0)}, {ErrorEquals: []string{asl.ErrorAll}, BackoffRate: asl.Float(1)}},
				Catch:              []asl.Catcher{{ErrorEquals: []string{"States.HeartbeatTimeout"}, ResultPath: asl.NullPath, Next: "Summarise"}},
				Next:               "Summarise",
			},
			&asl.Task{
				Name:          "Summarise",
				QueryLanguage: asl.JSONata,
				Resource:      asl.Sub("SummariseFunctionArn"),
				Arguments:     "{% $states.input %}",
				Output:        asl.Object{"total": "{% $count($states.result.items) %}", "kind": "summary"},
				Catch:         []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, Output: "{% $states.errorOutput %}", Next: "Failed"}},
				End:           true,
			},
			&asl.Fail{Name: "Failed", ErrorPath: "$.Error", Cause: "see the execution history"},
		},
	}
}

// jsonataMap is a distributed Map written in JSONata.
func jsonataMap() *asl.StateMachine {
	return &asl.StateMachine{
		QueryLanguage: asl.JSONata,
		StartAt:       "Fan",
		States: asl.States{
			&asl.Map{
				Name:         "Fan",
				Items:        "{% $states.input.orders %}",
				ItemSelector: asl.Object{"order": "{% $states.context.Map.Item.Value %}"},
				ItemProcessor: &asl.ItemProcessor{
					ProcessorConfig: asl.ProcessorConfig{Mode: asl.Distributed, ExecutionType: asl.Standard},
					StartAt:         "Handle",
					States: asl.States{
						&asl.Task{
							Name:               "Handle",
							Resource:           asl.LambdaInvoke,
							Arguments:          asl.Object{"FunctionName": asl.Sub("HandleArn"), "Payload": "{% $states.input %}"},
							TimeoutSecondsExpr: "{% $states.input.order.timeout %}",
							End:                true,
						},
					},
				},
				MaxConcurrencyExpr:    "{% $states.input.parallelism %}",
				ToleratedFailureCount: asl.Int(0),
				ResultWriter:          &asl.ResultWriter{WriterConfig: &asl.WriterConfig{OutputType: "JSON", Transformation: "FLATTEN"}},
				Output:                "{% $states.result %}",
				Next:                  "Pause",
			},
			&asl.Wait{Name: "Pause", SecondsExpr: "{% 5 * 2 %}", Next: "Finish"},
			&asl.Succeed{Name: "Finish", Output: "{% $states.input %}"},
		},
	}
}

// fixture is a named machine that Validate accepts.
type fixture struct {
	name    string
	machine *asl.StateMachine
}

func validMachines() []fixture {
	return []fixture{
		{"upload-alarm", uploadAlarm()},
		{"pizza", pizza()},
		{"blog-publishing", blogPublishing()},
		{"retry-on-500", retryOn500()},
		{"retry-on-500-jsonata", retryOn500JSONata()},
		{"express-webhook", expressWebhook()},
		{"inline-map", inlineMap()},
		{"distributed-map", distributedMap()},
		{"choice-operators", allChoiceOperators()},
		{"jsonpath-extras", jsonPathExtras()},
		{"jsonata-map", jsonataMap()},
	}
}
