package asl_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stepforge/stepforge/pkg/asl"
)

// A Task that calls a function until it stops answering HTTP 500.
func ExampleStateMachine_MarshalIndent() {
	m := &asl.StateMachine{
		StartAt: "CallApi",
		States: asl.States{
			&asl.Task{
				Name:       "CallApi",
				Resource:   asl.LambdaInvoke,
				Parameters: asl.Object{"FunctionName": asl.Sub("CallApiArn"), "Payload.$": "$"},
				OutputPath: "$.Payload",
				Retry: []asl.Retrier{{
					ErrorEquals:    asl.LambdaTransientErrors()[:1],
					MaxAttempts:    asl.Int(3),
					BackoffRate:    asl.Float(2),
					JitterStrategy: asl.JitterFull,
				}},
				TimeoutSeconds: asl.Int(30),
				Catch:          []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, ResultPath: "$.error", Next: "Failed"}},
				Next:           "Is500",
			},
			&asl.Choice{
				Name:    "Is500",
				Choices: []asl.ChoiceRule{asl.NumericEquals("$.statusCode", 500).Then("Wait10")},
				Default: "Done",
			},
			&asl.Wait{Name: "Wait10", Seconds: asl.Int(10), OutputPath: "$.event", Next: "CallApi"},
			&asl.Fail{Name: "Failed", Error: "CallFailed"},
			&asl.Succeed{Name: "Done"},
		},
	}
	if err := m.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	out, err := m.MarshalIndent("", "  ")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// {
	//   "StartAt": "CallApi",
	//   "States": {
	//     "CallApi": {
	//       "Type": "Task",
	//       "Resource": "arn:aws:states:::lambda:invoke",
	//       "Parameters": {
	//         "FunctionName": "${CallApiArn}",
	//         "Payload.$": "$"
	//       },
	//       "OutputPath": "$.Payload",
	//       "TimeoutSeconds": 30,
	//       "Retry": [
	//         {
	//           "ErrorEquals": [
	//             "Lambda.ServiceException"
	//           ],
	//           "MaxAttempts": 3,
	//           "BackoffRate": 2,
	//           "JitterStrategy": "FULL"
	//         }
	//       ],
	//       "Catch": [
	//         {
	//           "ErrorEquals": [
	//             "States.ALL"
	//           ],
	//           "ResultPath": "$.error",
	//           "Next": "Failed"
	//         }
	//       ],
	//       "Next": "Is500"
	//     },
	//     "Is500": {
	//       "Type": "Choice",
	//       "Choices": [
	//         {
	//           "Variable": "$.statusCode",
	//           "NumericEquals": 500,
	//           "Next": "Wait10"
	//         }
	//       ],
	//       "Default": "Done"
	//     },
	//     "Wait10": {
	//       "Type": "Wait",
	//       "Seconds": 10,
	//       "OutputPath": "$.event",
	//       "Next": "CallApi"
	//     },
	//     "Failed": {
	//       "Type": "Fail",
	//       "Error": "CallFailed"
	//     },
	//     "Done": {
	//       "Type": "Succeed"
	//     }
	//   }
	// }
}

func ExampleStateMachine_Validate() {
	m := &asl.StateMachine{
		StartAt: "Check",
		States: asl.States{
			&asl.Task{Name: "Check", Resource: asl.LambdaInvoke, InputPath: "detail", Next: "Route"},
			&asl.Choice{Name: "Route", Choices: []asl.ChoiceRule{asl.StringEquals("$.kind", "a")}},
		},
	}
	err := m.Validate()
	var invalid *asl.ValidationError
	if errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// States.Check: InputPath "detail" is not a valid path: must start with "$"
	// States.Route.Choices[0]: a rule in Choices needs Next
	// States: no state reachable from StartAt ends the execution: add End: true, a Succeed or a Fail
}

func ExampleStateMachine_Placeholders() {
	m := &asl.StateMachine{
		StartAt: "Notify",
		States: asl.States{
			&asl.Task{
				Name:       "Notify",
				Resource:   asl.SNSPublish,
				Parameters: asl.Object{"TopicArn": asl.Sub("AlarmTopicArn"), "Message.$": "$.error.Cause"},
				End:        true,
			},
		},
	}
	fmt.Println(m.Placeholders())
	// Output: [AlarmTopicArn]
}

// Walk reaches the Tasks nested in branches, which is where a generator
// finds the resources a state machine's role must be allowed to call.
func ExampleStateMachine_Walk() {
	m := &asl.StateMachine{
		StartAt: "Both",
		States: asl.States{
			&asl.Parallel{
				Name: "Both",
				Branches: []asl.Branch{
					{StartAt: "Left", States: asl.States{&asl.Task{Name: "Left", Resource: asl.LambdaInvoke, End: true}}},
					{StartAt: "Right", States: asl.States{&asl.Task{Name: "Right", Resource: asl.SNSPublish, End: true}}},
				},
				End: true,
			},
		},
	}
	m.Walk(func(path, name string, s asl.State) {
		if task, ok := s.(*asl.Task); ok {
			fmt.Println(path, task.Resource)
		}
	})
	// Output:
	// States.Both.Branches[0].States.Left arn:aws:states:::lambda:invoke
	// States.Both.Branches[1].States.Right arn:aws:states:::sns:publish
}

func ExampleParse() {
	m, err := asl.Parse([]byte(`{
		"StartAt": "Hello",
		"States": {"Hello": {"Type": "Pass", "Result": "world", "End": true}}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.States[0].StateName(), m.States[0].(*asl.Pass).Result, m.Validate())
	// Output: Hello world <nil>
}

// JSONata Choice rules are Conditions; Then sets where they lead.
func ExampleCondition() {
	rule := asl.Condition("{% $states.input.statusCode = 500 %}").Then("Retry")
	out, _ := json.Marshal(rule)
	fmt.Println(string(out))
	// Output: {"Condition":"{% $states.input.statusCode = 500 %}","Next":"Retry"}
}

func ExampleAnd() {
	rule := asl.And(
		asl.NumericEquals("$.statusCode", 500),
		asl.NumericLessThan("$.attempts", 3),
	).Then("WaitAndRetry")
	out, _ := json.Marshal(rule)
	fmt.Println(string(out))
	// Output: {"And":[{"Variable":"$.statusCode","NumericEquals":500},{"Variable":"$.attempts","NumericLessThan":3}],"Next":"WaitAndRetry"}
}
