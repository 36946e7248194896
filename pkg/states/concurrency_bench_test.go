package states_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
	"github.com/stepforge/stepforge/workflows/pizza"
)

// BenchmarkConcurrentPizzas runs 1,000 pizza executions at once, each
// waiting in its task until all 1,000 are running, and reports executions
// per second; any execution that does not come back SUCCEEDED fails it.
func BenchmarkConcurrentPizzas(b *testing.B) {
	const n = 1000
	def := generated(b, pizza.Workflow(), "Pizza")
	input := []byte(`{"flavour":"margherita"}`)
	var total time.Duration
	for b.Loop() {
		var running sync.WaitGroup
		running.Add(n)
		all := make(chan struct{})
		go func() { running.Wait(); close(all) }()
		m, err := states.New(def,
			states.WithTasks(states.Router{asl.LambdaInvoke: states.LambdaFunc(func(ctx context.Context, p any) (any, error) {
				running.Done()
				<-all // every execution is in flight before any finishes
				return checkPizza(ctx, p)
			})}),
			states.WithClock(states.NewVirtualClock(epoch)),
		)
		require.NoError(b, err)
		var ok atomic.Int64
		var done sync.WaitGroup
		start := time.Now()
		for i := range n {
			done.Add(1)
			go func() {
				defer done.Done()
				ex, err := m.Run(context.Background(), input, states.WithExecutionName(fmt.Sprintf("e%d", i)))
				if err == nil && ex.Status == states.StatusSucceeded {
					ok.Add(1)
				}
			}()
		}
		done.Wait()
		total += time.Since(start)
		if got := ok.Load(); got != n {
			b.Fatalf("%d of %d executions succeeded: %d lost", got, n, n-got)
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "executions/s")
}

// BenchmarkHistoryMemory keeps the histories of 1,000 pizza executions and
// reports the heap they hold per history event.
func BenchmarkHistoryMemory(b *testing.B) {
	def := generated(b, pizza.Workflow(), "Pizza")
	m, err := states.New(def,
		states.WithTasks(states.Router{asl.LambdaInvoke: states.LambdaFunc(checkPizza)}),
		states.WithClock(states.NewVirtualClock(epoch)),
	)
	require.NoError(b, err)
	input := []byte(`{"flavour":"margherita"}`)
	var perEvent float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		kept := make([]*states.Execution, 1000)
		events := 0
		for i := range kept {
			ex, err := m.Run(context.Background(), input, states.WithExecutionName(fmt.Sprintf("e%d", i)))
			require.NoError(b, err)
			ex.Output = nil // count the history, not the output
			kept[i] = ex
			events += len(ex.History)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perEvent = float64(after.HeapAlloc-before.HeapAlloc) / float64(events)
		runtime.KeepAlive(kept)
	}
	b.ReportMetric(perEvent, "B/event")
}
