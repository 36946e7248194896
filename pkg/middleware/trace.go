package middleware

import (
	"context"
	"strings"

	"github.com/aws/aws-xray-sdk-go/v2/xray"

	"github.com/stepforge/stepforge/pkg/tracing"
)

// traceHeaderKey is the context key under which aws-lambda-go stores the
// invocation's X-Ray trace header.
const traceHeaderKey = "x-amzn-trace-id"

// beginTrace opens the invocation's subsegment. With no trace header (tests,
// local runs, tracing off) it does nothing, so tracing never becomes an error.
func beginTrace(ctx context.Context, header, name string, cold bool) (context.Context, *xray.Segment) {
	if header == "" || xray.SdkDisabled() {
		return ctx, nil
	}
	tracing.Configure()
	if name == "" {
		name = "handler"
	}
	ctx, seg := xray.BeginSubsegment(ctx, name)
	if seg != nil {
		_ = seg.AddAnnotation("ColdStart", cold)
	}
	return ctx, seg
}

func endTrace(seg *xray.Segment, errorType string, err error) {
	if seg == nil {
		return
	}
	if errorType != "" {
		_ = seg.AddAnnotation("Outcome", "error")
		_ = seg.AddAnnotation("ErrorType", errorType)
	} else {
		_ = seg.AddAnnotation("Outcome", "success")
	}
	seg.Close(err)
}

// traceRoot returns the Root field of an X-Ray trace header, the trace id
// CloudWatch and X-Ray show.
func traceRoot(header string) string {
	for header != "" {
		var field string
		field, header, _ = strings.Cut(header, ";")
		if v, ok := strings.CutPrefix(field, "Root="); ok {
			return v
		}
	}
	return ""
}
