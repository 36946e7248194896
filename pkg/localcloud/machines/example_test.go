package machines_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
)

// An Express machine run synchronously, its Lambda task answered by Go
// code standing in for the Lambda service.
func ExampleService_StartSyncExecution() {
	dir, _ := os.MkdirTemp("", "machines")
	defer os.RemoveAll(dir)
	store, _ := localcloud.OpenStore(filepath.Join(dir, "state.db"))
	defer store.Close()
	svc := machines.New(store, machines.WithLambda(invoker(func(context.Context, string, string, []byte, string) ([]byte, *machines.FunctionError, error) {
		return []byte(`{"greeting":"hello"}`), nil, nil
	})))
	defer svc.Close()

	ctx := context.Background()
	sm, _ := svc.Create(ctx, "", machines.CreateInput{Name: "Greeter", Type: machines.Express,
		RoleArn: "arn:aws:iam::123456789012:role/greeter",
		Definition: `{"StartAt":"Greet","States":{"Greet":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
			"Parameters":{"FunctionName":"Greet","Payload.$":"$"},"OutputPath":"$.Payload","End":true}}}`})
	res, err := svc.StartSyncExecution(ctx, machines.StartInput{StateMachineArn: sm.ARN})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, *res.Output, res.BilledDuration, res.BilledMemoryMB)
	// Output: SUCCEEDED {"greeting":"hello"} 100ms 64
}
