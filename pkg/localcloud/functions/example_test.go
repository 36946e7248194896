package functions_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/functions"
)

// The data plane runs a function's real bootstrap: Invoke from Go (a Step
// Functions task does so) answers as Lambda's Invoke does.
func ExampleService_Invoke() {
	store, err := localcloud.OpenStore("build/local/state.db")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	svc := functions.New(store, nil,
		functions.WithMaxProcesses(2),
		functions.WithIdleTimeout(time.Minute),
	)
	defer svc.Close()
	svc.SetCodeEndpoint("http://127.0.0.1:4566") // the functions' AWS_ENDPOINT_URL too

	out, err := svc.Invoke(context.Background(), localcloud.Region, functions.InvokeInput{
		FunctionName: "check-pizza",
		Payload:      []byte(`{"flavour":"pepperoni"}`),
	})
	if err != nil {
		log.Fatal(err) // Lambda refused: not found, throttled, too large
	}
	if out.FunctionError != "" {
		fmt.Println("the function failed:", string(out.Payload))
		return
	}
	fmt.Println(string(out.Payload))
}
