package states_test

import (
	"context"
	"fmt"
	"time"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

// A machine with a Lambda task and a Wait, run with an in-memory function
// and virtual time: the Wait costs nothing, and the clock says how long it
// would have taken.
func Example() {
	def, _ := asl.Parse([]byte(`{
		"StartAt": "Greet",
		"States": {
			"Greet": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
				"Parameters": {"FunctionName": "greeter", "Payload.$": "$"},
				"ResultSelector": {"greeting.$": "$.Payload"}, "ResultPath": "$.result", "Next": "Pause"},
			"Pause": {"Type": "Wait", "Seconds": 3600, "End": true}
		}
	}`))
	greeter := states.LambdaFunc(func(_ context.Context, payload any) (any, error) {
		return "Hello, " + payload.(map[string]any)["name"].(string), nil
	})
	clock := states.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m, _ := states.New(def, states.WithTasks(states.Router{asl.LambdaInvoke: greeter}), states.WithClock(clock))
	ex, _ := m.Run(context.Background(), []byte(`{"name":"Ada"}`))
	fmt.Println(ex.Status, string(ex.Output))
	fmt.Println(len(ex.History), "events,", ex.StopDate.Sub(ex.StartDate), "of virtual time")
	// Output:
	// SUCCEEDED {"name":"Ada","result":{"greeting":"Hello, Ada"}}
	// 9 events, 1h0m0s of virtual time
}
