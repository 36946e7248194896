package workflow_test

import (
	"fmt"
	"strings"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/workflow"
)

// Invoke names the function it calls; the generator turns the placeholder
// into the function's ARN and the state machine role's only
// lambda:InvokeFunction grant.
func ExampleInvoke() {
	check := &workflow.Function{Name: "CheckPizza", Handler: "pizzachecker", Timeout: 5e9}
	task := workflow.Invoke("CheckPizza", check)
	task.End = true
	m := &asl.StateMachine{StartAt: "CheckPizza", States: asl.States{task}}
	out, _ := m.MarshalIndent("", "  ")
	fmt.Println(strings.TrimSpace(string(out)))
	fmt.Println(m.Placeholders(), m.Validate())
	// Output:
	// {
	//   "StartAt": "CheckPizza",
	//   "States": {
	//     "CheckPizza": {
	//       "Type": "Task",
	//       "Resource": "arn:aws:states:::lambda:invoke",
	//       "Parameters": {
	//         "FunctionName": "${CheckPizzaFunctionArn}",
	//         "Payload.$": "$"
	//       },
	//       "OutputPath": "$.Payload",
	//       "TimeoutSeconds": 10,
	//       "Retry": [
	//         {
	//           "ErrorEquals": [
	//             "Lambda.ServiceException",
	//             "Lambda.AWSLambdaException",
	//             "Lambda.SdkClientException",
	//             "Lambda.TooManyRequestsException"
	//           ],
	//           "IntervalSeconds": 1,
	//           "MaxAttempts": 3,
	//           "BackoffRate": 2,
	//           "JitterStrategy": "FULL"
	//         }
	//       ],
	//       "End": true
	//     }
	//   }
	// }
	// [CheckPizzaFunctionArn] <nil>
}
