package middleware

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"unicode/utf8"
)

// invocation is what the middleware knows about the call in progress; log
// records made with its context carry these fields.
type invocation struct {
	log       *logger
	function  string
	requestID string
	traceID   string
	cold      bool
}

type invocationKey struct{}

// Logger returns the structured logger of the invocation in ctx, or
// slog.Default outside one. Records logged with ctx (InfoContext and the like)
// carry the request id, trace id, function name and cold-start flag.
func Logger(ctx context.Context) *slog.Logger {
	if inv, ok := ctx.Value(invocationKey{}).(*invocation); ok {
		return inv.log.Logger
	}
	return slog.Default()
}

// NewLogger returns a JSON logger writing to w in the shape Lambda's JSON log
// format expects, with secret-looking attributes redacted and the
// invocation's fields added from the context of each record.
func NewLogger(w io.Writer) *slog.Logger {
	return newLogger(newLineWriter(w), lambdaFunctionName()).Logger
}

type logger struct{ *slog.Logger }

func newLogger(w io.Writer, function string) *logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: levelFromEnv(), ReplaceAttr: replaceAttr})
	var attrs []slog.Attr
	if function != "" {
		attrs = append(attrs, slog.String("function", function))
	}
	return &logger{slog.New(contextHandler{h.WithAttrs(attrs)})}
}

func (l *logger) failed(ctx context.Context, typ string, err error) {
	l.LogAttrs(ctx, slog.LevelError, "invocation failed", slog.String("errorType", typ), slog.String("error", err.Error()))
}

// contextHandler adds the invocation's fields to each record.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if inv, ok := ctx.Value(invocationKey{}).(*invocation); ok {
		if inv.requestID != "" {
			r.AddAttrs(slog.String("requestId", inv.requestID))
		}
		if inv.traceID != "" {
			r.AddAttrs(slog.String("traceId", inv.traceID))
		}
		r.AddAttrs(slog.Bool("coldStart", inv.cold))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// Redacted is what a secret-looking attribute is logged as.
const Redacted = "[REDACTED]"

// secretKeys are the name fragments whose values are never logged.
var secretKeys = []string{
	"secret", "password", "passwd", "token", "authorization", "apikey", "api-key", "api_key",
	"signature", "cookie", "credential", "privatekey", "private_key", "private-key",
}

func replaceAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 {
		switch a.Key {
		case slog.TimeKey:
			a.Key = "timestamp"
			return a
		case slog.MessageKey:
			a.Key = "message"
			return a
		case slog.LevelKey:
			return a
		}
	}
	if LooksSecret(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	return a
}

// LooksSecret reports whether a key (a log attribute, a JSON field name)
// names a value that must not be logged, such as "apiKey" or "X-Signature".
// The match ignores case.
func LooksSecret(key string) bool {
	if !isASCII(key) {
		// Some non-ASCII letters lower-case to ASCII ones (the Kelvin sign to
		// k); the allocation-free match below compares bytes.
		key = strings.ToLower(key)
	}
	for _, frag := range secretKeys {
		if containsFold(key, frag) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains the lower-case ASCII sub, ignoring
// case, without allocating.
func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

// levelFromEnv honours the application log level Lambda passes to the runtime.
func levelFromEnv() slog.Level {
	v := os.Getenv("AWS_LAMBDA_LOG_LEVEL")
	if v == "" {
		v = os.Getenv("LOG_LEVEL")
	}
	switch strings.ToUpper(v) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// lambdaLogLevel is the application log level Lambda filters on, one of
// the names it accepts (TRACE, DEBUG, INFO, WARN, ERROR, FATAL); INFO, as
// Lambda assumes, when none or an unknown one is set.
func lambdaLogLevel() string {
	v := strings.ToUpper(os.Getenv("AWS_LAMBDA_LOG_LEVEL"))
	switch v {
	case "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL":
		return v
	}
	return "INFO"
}

func lambdaFunctionName() string { return os.Getenv("AWS_LAMBDA_FUNCTION_NAME") }

// lineWriter serialises whole lines from the logger and the metrics writer.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func newLineWriter(w io.Writer) *lineWriter {
	if lw, ok := w.(*lineWriter); ok {
		return lw
	}
	return &lineWriter{w: w}
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
