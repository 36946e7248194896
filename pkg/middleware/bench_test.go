package middleware

import (
	"context"
	"encoding/json"
	"io"
	"testing"
)

var benchPayload = []byte(`{"flavour":"pineapple"}`)

// BenchmarkBare is the baseline: decoding, calling and encoding by hand, the
// least any handler does.
func BenchmarkBare(b *testing.B) {
	ctx := lambdaCtx("r1")
	b.ReportAllocs()
	for b.Loop() {
		var o order
		if err := jsonUnmarshal(benchPayload, &o); err != nil {
			b.Fatal(err)
		}
		out, _ := check(ctx, o)
		if _, err := jsonMarshal(out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMiddleware is one invocation through the middleware with tracing
// off (no trace header), logs and metrics written to io.Discard.
func BenchmarkMiddleware(b *testing.B) {
	h := Wrap(check, WithOutput(io.Discard), WithFunctionName("pizza"))
	ctx := lambdaCtx("r1")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMiddlewareTraced is the same with a sampled trace header, so a
// subsegment is built and sent to the (absent) daemon over UDP.
func BenchmarkMiddlewareTraced(b *testing.B) {
	h := Wrap(check, WithOutput(io.Discard), WithFunctionName("pizza"))
	ctx := context.WithValue(lambdaCtx("r1"), traceHeaderKey, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMiddlewareError is a failing invocation: an error log line and a
// two-directive metric line.
func BenchmarkMiddlewareError(b *testing.B) {
	h := Wrap(check, WithOutput(io.Discard), WithFunctionName("pizza"))
	ctx := lambdaCtx("r1")
	payload := []byte(`{"flavour":"dough"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err == nil {
			b.Fatal("want error")
		}
	}
}

var (
	jsonUnmarshal = json.Unmarshal
	jsonMarshal   = json.Marshal
)
