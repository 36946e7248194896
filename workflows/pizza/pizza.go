// Package pizza declares the pizza workflow (seed 001): an HTTP API POST runs
// an Express state machine synchronously; the pizza checker flags pineapple
// and the machine fails with "Failed To Make Pizza" / "They asked for
// Pineapple". The caller receives the whole sync-execution result.
package pizza

import (
	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/workflow"
)

// Workflow returns the declaration.
func Workflow() *workflow.Workflow {
	check := &workflow.Function{
		Name:        "CheckPizza",
		Handler:     "pizzachecker",
		Description: "Reports whether an order's flavour contains pineapple.",
		Timeout:     5e9,
	}
	run := workflow.Invoke("CheckPizza", check)
	run.Next = "ContainsPineapple"
	machine := &workflow.StateMachine{
		Name: "Pizza",
		Type: workflow.Express,
		Definition: &asl.StateMachine{
			Comment: "Checks an order and refuses pineapple.",
			StartAt: "CheckPizza",
			States: asl.States{
				run,
				&asl.Choice{
					Name:    "ContainsPineapple",
					Choices: []asl.ChoiceRule{asl.BooleanEquals("$.containsPineapple", true).Then("RefuseOrder")},
					Default: "MakePizza",
				},
				&asl.Fail{Name: "RefuseOrder", Error: "Failed To Make Pizza", Cause: "They asked for Pineapple"},
				&asl.Succeed{Name: "MakePizza"},
			},
		},
		// Orders come from the public HTTP API: the log records each step
		// but not the order itself (the caller gets the result in the reply).
		Logging: &workflow.Logging{Level: "ALL", RetentionDays: 14},
		Tracing: true,
	}
	return &workflow.Workflow{
		Name:        "pizza",
		Title:       "Pizza",
		Description: "An HTTP API POST runs an Express state machine synchronously and answers with the sync-execution result; pineapple fails the order.",
		Seed:        "001-pizza-state-machine",
		Functions:   []*workflow.Function{check},
		Machines:    []*workflow.StateMachine{machine},
		HTTPAPIs:    []*workflow.HTTPAPI{{Name: "Pizza", Routes: []workflow.HTTPRoute{{Method: "POST", Path: "/pizza", Machine: machine}}}},
	}
}
