// Package expresswebhook declares the express webhook workflow (seed 004): a
// REST API POST starts an Express state machine through a direct AWS
// integration with states:StartExecution (no Lambda in between) and answers
// at once; the machine logs the payload and succeeds.
package expresswebhook

import (
	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/workflow"
)

// Workflow returns the declaration.
func Workflow() *workflow.Workflow {
	printer := &workflow.Function{
		Name:        "PrintPayload",
		Handler:     "payloadprinter",
		Description: "Logs the webhook payload as structured JSON and hands it on.",
		Timeout:     30e9,
	}
	run := workflow.Invoke("PrintPayload", printer)
	run.Comment = "For the demo"
	run.Next = "SuccessState"
	machine := &workflow.StateMachine{
		Name: "Webhook",
		Type: workflow.Express,
		Definition: &asl.StateMachine{
			Comment: "Logs a webhook payload.",
			StartAt: "PrintPayload",
			States:  asl.States{run, &asl.Pass{Name: "SuccessState", End: true}},
		},
		// Payloads come from the public REST API: the log records each step
		// but not the payload; the printer logs it with secrets redacted.
		Logging: &workflow.Logging{Level: "ALL", RetentionDays: 14},
		Tracing: true,
	}
	return &workflow.Workflow{
		Name:        "express-webhook",
		Title:       "Express webhook",
		Description: "A REST API POST starts an Express state machine through a direct StartExecution integration and answers at once; the machine logs the payload.",
		Seed:        "004-apigw-express-webhook",
		Functions:   []*workflow.Function{printer},
		Machines:    []*workflow.StateMachine{machine},
		RestAPIs: []*workflow.RestAPI{{
			Name:  "Webhook",
			Stage: "main",
			Routes: []workflow.RestRoute{{
				Method:  "POST",
				Path:    "/",
				Machine: machine,
				Responses: map[int]string{
					200: `{"status": "webhook submitted"}`,
					500: `{"status": "webhook failed"}`,
				},
			}},
		}},
	}
}
