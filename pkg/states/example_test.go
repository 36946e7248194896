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

// A callback task: the task hands its token to a worker, which completes
// it later through the broker shared by the service's machines, knowing
// nothing but the token.
func ExampleTokenBroker() {
	def, _ := asl.Parse([]byte(`{
		"StartAt": "Approve",
		"States": {
			"Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
				"Parameters": {"QueueUrl": "approvals", "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
				"HeartbeatSeconds": 3600, "End": true}
		}
	}`))
	broker := states.NewTokenBroker()
	queue := make(chan string, 1)
	send := states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) {
		queue <- r.TaskToken
		return map[string]any{"MessageId": "1"}, nil
	})
	go func() {
		token := <-queue
		_ = broker.SendTaskHeartbeat(token)
		_ = broker.SendTaskSuccess(token, []byte(`{"approved":true}`))
	}()
	m, _ := states.New(def, states.WithTasks(send), states.WithTokenBroker(broker),
		states.WithClock(states.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))))
	ex, _ := m.Run(context.Background(), nil)
	fmt.Println(ex.Status, string(ex.Output))
	for _, ev := range ex.History[2:6] {
		fmt.Println(ev.Type)
	}
	// Output:
	// SUCCEEDED {"approved":true}
	// TaskScheduled
	// TaskStarted
	// TaskSubmitted
	// TaskSucceeded
}

// An execution failed because its payment service was down; once the
// service is back, Redrive goes on from the failed state: the Pass before
// it does not run again, and the history tells of the redrive.
func ExampleMachine_Redrive() {
	def, _ := asl.Parse([]byte(`{
		"StartAt": "Order",
		"States": {
			"Order": {"Type": "Pass", "Result": {"pizza": "margherita"}, "Next": "Pay"},
			"Pay": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}
		}
	}`))
	down := true
	pay := states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) {
		if down {
			return nil, &states.Error{Name: "Payments.Unavailable", Cause: "try later"}
		}
		return map[string]any{"paid": r.Parameters}, nil
	})
	m, _ := states.New(def, states.WithTasks(pay),
		states.WithClock(states.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))))
	failed, _ := m.Run(context.Background(), nil, states.WithExecutionName("order-1"))
	fmt.Println(failed.Status, failed.Error)

	down = false
	ex, _ := m.Redrive(context.Background(), failed.History, states.WithExecutionName("order-1"))
	fmt.Println(ex.Status, string(ex.Output), "redrives:", ex.RedriveCount)
	for _, ev := range ex.History[len(failed.History):] {
		fmt.Println(ev.Id, ev.Type, "after", ev.PreviousEventId)
	}
	_, err := m.Redrive(context.Background(), ex.History, states.WithExecutionName("order-1"))
	fmt.Println(err)
	// Output:
	// FAILED Payments.Unavailable
	// SUCCEEDED {"paid":{"pizza":"margherita"}} redrives: 1
	// 9 ExecutionRedriven after 8
	// 10 TaskStateEntered after 9
	// 11 TaskScheduled after 10
	// 12 TaskStarted after 11
	// 13 TaskSucceeded after 12
	// 14 TaskStateExited after 13
	// 15 ExecutionSucceeded after 14
	// Execution is SUCCEEDED and cannot be redriven
}
