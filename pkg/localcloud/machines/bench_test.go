package machines_test

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
)

// BenchmarkStartSyncExecution runs the pizza machine (Express, a Go
// function as its Lambda) through the SDK over loopback HTTP with 1,000
// callers at once, and reports the latency percentiles and executions/s.
func BenchmarkStartSyncExecution(b *testing.B) {
	const callers = 1000
	svc := newService(b, lctest.Store(b), machines.WithLambda(invoker(checkPizza)))
	cfg, _, _ := lctest.Start(b, svc)
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns, tr.MaxIdleConnsPerHost = callers, callers
	})
	client := sfn.NewFromConfig(cfg, sfn.WithAPIOptions(noHostPrefix))
	arn := create(b, client, "Pizza", definition(b, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn}), types.StateMachineTypeExpress)
	input := aws.String(`{"flavour":"pepperoni"}`)

	latencies := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range min(callers, b.N) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				out, err := client.StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: &arn, Input: input})
				latencies[i] = time.Since(t0)
				if err != nil || out.Status != types.SyncExecutionStatusSucceeded {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d executions failed", n, b.N)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "executions/s")
}

// BenchmarkStandardExecution runs the pizza machine as a Standard
// execution through the service's Go API, every history event written to
// the store, 100 at a time, and reports executions/s.
func BenchmarkStandardExecution(b *testing.B) {
	const callers = 100
	svc := newService(b, lctest.Store(b), machines.WithLambda(invoker(checkPizza)))
	ctx := context.Background()
	sm, err := svc.Create(ctx, "", machines.CreateInput{Name: "Pizza", RoleArn: role,
		Definition: definition(b, "pizza.asl.json", map[string]string{"CheckPizzaFunctionArn": pizzaFn})})
	if err != nil {
		b.Fatal(err)
	}
	input := `{"flavour":"pepperoni"}`
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range min(callers, b.N) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				rec, err := svc.StartExecution(ctx, machines.StartInput{StateMachineArn: sm.ARN, Input: &input})
				if err != nil {
					b.Error(err)
					return
				}
				for {
					d, err := svc.DescribeExecution(ctx, rec.ARN)
					if err != nil || d.Status != machines.StatusRunning {
						break
					}
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "executions/s")
}
