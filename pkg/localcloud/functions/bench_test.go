package functions_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stepforge/stepforge/pkg/localcloud/functions"
)

// reportLatencies reports the median and 99th percentile of durations.
func reportLatencies(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	ms := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(0.5), "ms-p50")
	b.ReportMetric(ms(0.99), "ms-p99")
}

// BenchmarkInvokeWarm is one synchronous Invoke through the SDK and the
// local cloud's HTTP API to a warm process of the test function.
func BenchmarkInvokeWarm(b *testing.B) {
	c := startCloud(b, "")
	c.create(b, "fn", zipOf(b, fnBinary, nil))
	if _, err := c.invoke(b, "fn", `{}`); err != nil { // the cold start
		b.Fatal(err)
	}
	var d []time.Duration
	for b.Loop() {
		start := time.Now()
		out, err := c.invoke(b, "fn", `{"print":"warm"}`)
		d = append(d, time.Since(start))
		if err != nil || out.FunctionError != nil {
			b.Fatal(err, aws.ToString(out.FunctionError))
		}
	}
	reportLatencies(b, d)
}

// BenchmarkInvokeCold is a synchronous Invoke that starts a new process:
// each round changes the function's configuration, which retires the
// warm one, as an update does in Lambda.
func BenchmarkInvokeCold(b *testing.B) {
	c := startCloud(b, "")
	c.create(b, "fn", zipOf(b, fnBinary, nil))
	if _, err := c.invoke(b, "fn", `{}`); err != nil { // extracts the code once
		b.Fatal(err)
	}
	var d []time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		desc := aws.String("round " + time.Duration(n).String())
		if _, err := c.svc.UpdateFunctionConfiguration(b.Context(), &functions.UpdateFunctionConfigurationInput{FunctionName: "fn", Description: desc}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		out, err := c.invoke(b, "fn", `{}`)
		d = append(d, time.Since(start))
		if err != nil || out.FunctionError != nil {
			b.Fatal(err)
		}
	}
	reportLatencies(b, d)
}
