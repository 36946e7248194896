package cloud_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// The figures the data-plane issue asks for, through the real SDK against
// a local cloud with the five stacks deployed: the latency ones in-process,
// the load and memory one against a local cloud in a process of its own,
// as `go run mage.go serve` runs it, so that its memory is its own:
//
//	go test -run '^$' -bench . -benchtime 2000x ./pkg/localcloud/cloud/

// percentiles reports the p50 and p99 of ds in milliseconds.
func percentiles(b *testing.B, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

func BenchmarkInvokePizzaCheckerWarm(b *testing.B) {
	cfg, _, _, _ := sharedWorkflows(b)
	fn := lctest.PhysicalIDs(b, cfg, "pizza")["CheckPizzaFunction"]
	lam := lambda.NewFromConfig(cfg)
	ctx := context.Background()
	in := &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: []byte(`{"flavour":"pepperoni"}`)}
	if _, err := lam.Invoke(ctx, in); err != nil {
		b.Fatal(err)
	}
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		out, err := lam.Invoke(ctx, in)
		if err != nil || out.FunctionError != nil {
			b.Fatal(err, out)
		}
		ds = append(ds, time.Since(t0))
	}
	percentiles(b, ds)
}

// BenchmarkInvokePizzaCheckerCold changes the function's configuration
// before each invoke, which retires its warm processes, so every invoke
// starts one: process start, the runtime's init, the invoke.
func BenchmarkInvokePizzaCheckerCold(b *testing.B) {
	cfg, _, _, _ := sharedWorkflows(b)
	fn := lctest.PhysicalIDs(b, cfg, "pizza")["CheckPizzaFunction"]
	lam := lambda.NewFromConfig(cfg)
	ctx := context.Background()
	in := &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: []byte(`{"flavour":"pepperoni"}`)}
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		_, err := lam.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(fn),
			Environment: &lambdatypes.Environment{Variables: map[string]string{"BENCH_ROUND": strconv.Itoa(i)}}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		out, err := lam.Invoke(ctx, in)
		if err != nil || out.FunctionError != nil {
			b.Fatal(err, out)
		}
		ds = append(ds, time.Since(t0))
	}
	percentiles(b, ds)
}

// BenchmarkPizzaStartSyncExecution1000 runs the pizza machine, with its
// real function, from 1,000 concurrent callers, and checks that every
// execution answered once and correctly. It also reports the memory of
// the local cloud process (its anonymous memory: heap and stacks, not the
// store's file pages) and of its function processes, idle with the five
// stacks deployed and at the peak of the load.
func BenchmarkPizzaStartSyncExecution1000(b *testing.B) {
	cmd, endpoint := serveProcess(b, b.TempDir())
	cfg := lctest.Config(endpoint)
	wf := deployWorkflows(b, cfg, map[string]string{"StatusUrl": "http://127.0.0.1:9/status"})
	pid := cmd.Process.Pid
	client := lctest.StepFunctions(cfg)
	machine := wf["pizza"]["PizzaStateMachineArn"]
	ctx := context.Background()
	if _, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(machine), Input: aws.String(`{}`)}); err != nil {
		b.Fatal(err)
	}
	time.Sleep(time.Second) // let the deploy's garbage be collected
	idleSelf, idleFns := rssMB(pid)
	const callers = 1000
	ds := make([]time.Duration, b.N)
	arns := make([]string, b.N)
	var failed []string
	var mu sync.Mutex
	next := make(chan int, b.N)
	for i := 0; i < b.N; i++ {
		next <- i
	}
	close(next)
	var peakSelf, peakFns float64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				s, f := rssMB(pid)
				if s+f > peakSelf+peakFns {
					peakSelf, peakFns = s, f
				}
			}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < callers; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				out, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(machine), Input: aws.String(`{"flavour":"pepperoni"}`)})
				ds[i] = time.Since(t0)
				if err != nil || out.Status != sfntypes.SyncExecutionStatusSucceeded || aws.ToString(out.Output) != `{"containsPineapple":false}` {
					mu.Lock()
					failed = append(failed, describe(out, err))
					mu.Unlock()
					continue
				}
				arns[i] = aws.ToString(out.ExecutionArn)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(stop)
	<-sampled
	if len(failed) > 0 {
		b.Fatalf("%d of %d executions failed, e.g. %s", len(failed), b.N, failed[0])
	}
	seen := map[string]bool{}
	for _, a := range arns {
		if seen[a] {
			b.Fatalf("execution %s answered twice", a)
		}
		seen[a] = true
	}
	percentiles(b, ds)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "exec/s")
	b.ReportMetric(idleSelf, "idle-cloud-MB")
	b.ReportMetric(idleFns, "idle-functions-MB")
	b.ReportMetric(peakSelf, "load-cloud-MB")
	b.ReportMetric(peakFns, "load-functions-MB")
}

func describe(out *sfn.StartSyncExecutionOutput, err error) string {
	if err != nil {
		return err.Error()
	}
	return string(out.Status) + " " + aws.ToString(out.Error) + ": " + aws.ToString(out.Cause)
}

// rssMB is the anonymous resident memory of process pid and the resident
// memory of its child processes (the function processes), in MB, from
// /proc (0 elsewhere).
func rssMB(ppid int) (self, children float64) {
	self = procRSS(strconv.Itoa(ppid), "RssAnon:")
	pid := strconv.Itoa(ppid)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndex(s, ")")+1:])
		if len(fields) > 1 && fields[1] == pid {
			children += procRSS(filepath.Base(d), "VmRSS:")
		}
	}
	return self, children
}

func procRSS(pid, field string) float64 {
	status, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
