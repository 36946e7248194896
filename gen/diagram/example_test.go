package diagram_test

import (
	"fmt"

	"github.com/stepforge/stepforge/gen/diagram"
	"github.com/stepforge/stepforge/pkg/asl"
)

// A machine that calls an API again, after a pause, while it answers 500.
func ExampleMermaid() {
	m := &asl.StateMachine{
		StartAt: "CallApi",
		States: asl.States{
			&asl.Task{
				Name:     "CallApi",
				Resource: asl.LambdaInvoke,
				Retry:    []asl.Retrier{{ErrorEquals: asl.LambdaTransientErrors(), MaxAttempts: asl.Int(3)}},
				Catch:    []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, Next: "Failed"}},
				Next:     "Is500",
			},
			&asl.Choice{
				Name:    "Is500",
				Choices: []asl.ChoiceRule{asl.NumericEquals("$.statusCode", 500).Then("Pause")},
				Default: "Done",
			},
			&asl.Wait{Name: "Pause", Seconds: asl.Int(10), Next: "CallApi"},
			&asl.Fail{Name: "Failed", Error: "CallFailed"},
			&asl.Succeed{Name: "Done"},
		},
	}
	chart, err := diagram.Mermaid(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(chart)
	// Output:
	// flowchart TD
	//     start(("Start")):::terminal
	//     CallApi["CallApi<br/>Lambda invoke<br/>retry: Lambda transient ×3"]
	//     Is500{"Is500"}
	//     Pause("Pause<br/>wait 10s")
	//     Failed(["Failed<br/>CallFailed"]):::fail
	//     Done(["Done"]):::succeed
	//     finish(("End")):::terminal
	//     start --> CallApi
	//     CallApi --> Is500
	//     CallApi -.->|"any error"| Failed
	//     Is500 -->|"$.statusCode == 500"| Pause
	//     Is500 -->|"default"| Done
	//     Pause --> CallApi
	//     Done --> finish
	//     classDef terminal fill:#24292f,stroke:#24292f,color:#ffffff
	//     classDef succeed fill:#dafbe1,stroke:#1a7f37,color:#116329
	//     classDef fail fill:#ffebe9,stroke:#cf222e,color:#a40e26
}
