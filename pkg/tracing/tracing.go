// Package tracing holds the X-Ray SDK's process-wide settings, so the
// handler middleware and the AWS client constructor apply the same ones:
// the SDK's own diagnostics go to slog at debug level, and work done outside
// a traced invocation (tests, local tools, an invocation without a trace
// header) is not reported as an error. AWS_XRAY_CONTEXT_MISSING still wins
// when it is set.
package tracing

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-xray-sdk-go/v2/strategy/ctxmissing"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/aws/aws-xray-sdk-go/v2/xraylog"
)

var once sync.Once

// Configure applies the settings; calls after the first do nothing.
func Configure() {
	once.Do(func() {
		xray.SetLogger(slogAdapter{})
		_ = xray.Configure(xray.Config{ContextMissingStrategy: ctxmissing.NewDefaultIgnoreErrorStrategy()})
	})
}

// slogAdapter passes the SDK's warnings and errors to slog at debug level:
// they describe the tracer, not the function, and must not break JSON logs.
type slogAdapter struct{}

func (slogAdapter) Log(level xraylog.LogLevel, msg fmt.Stringer) {
	if level < xraylog.LogLevelWarn {
		return
	}
	slog.Debug("xray", "detail", msg.String())
}
