package traceview_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
	"github.com/stepforge/stepforge/pkg/traceview"
)

// A Lambda function's segment, recorded in a local cloud's X-Ray, printed
// as `mage traces` prints it.
func ExamplePrint() {
	dir, err := os.MkdirTemp("", "traceview")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	store, err := localcloud.OpenStore(filepath.Join(dir, "state.db"))
	if err != nil {
		panic(err)
	}
	defer store.Close()
	svc := traces.New(store)
	server := httptest.NewServer(localcloud.New(nil, svc))
	defer server.Close()

	start := time.Now().Add(-time.Second)
	err = svc.PutSegment(context.Background(), traces.Segment{
		Name: "pizza-CheckPizza", ID: "d000000000000001", TraceID: "1-5f000000-0123456789abcdef01234567", Origin: "AWS::Lambda::Function",
		StartTime: traces.Seconds(start), EndTime: traces.Seconds(start.Add(9 * time.Millisecond)),
		Subsegments: []traces.Segment{{Name: "Invocation", ID: "d000000000000002",
			StartTime: traces.Seconds(start.Add(time.Millisecond)), EndTime: traces.Seconds(start.Add(8 * time.Millisecond)),
			Error: true, Cause: &traces.Cause{Exceptions: []traces.Exception{{Message: "pineapple is not a topping"}}}}},
	})
	if err != nil {
		panic(err)
	}

	client := xray.NewFromConfig(lctest.Config(server.URL))
	if err := traceview.Print(context.Background(), client, traceview.Options{Out: os.Stdout}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1-5f000000-0123456789abcdef01234567  pizza-CheckPizza  9 ms
	// └─ pizza-CheckPizza  AWS::Lambda::Function  9 ms
	//    └─ Invocation  7 ms  error: pineapple is not a topping
}
