package middleware

import (
	"context"
	"log/slog"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// recovered turns a panic into a HandlerPanic error and logs its stack, so the
// runtime reports a typed error instead of exiting the process.
func (h *Handler[In, Out]) recovered(ctx context.Context, r any) error {
	err := &HandlerPanic{Value: r}
	h.log.LogAttrs(ctx, slog.LevelError, "invocation panicked",
		slog.String("errorType", HandlerPanicType),
		slog.String("error", err.Error()),
		slog.String("stack", string(debug.Stack())))
	return messages.InvokeResponse_Error{Type: HandlerPanicType, Message: err.Error()}
}
