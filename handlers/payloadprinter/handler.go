package main

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/stepforge/stepforge/pkg/middleware"
)

// defaultMaxLogged bounds the logged payload well below CloudWatch Logs' 256 KB
// event limit, past which Lambda would cut the line and break its JSON.
const defaultMaxLogged = 64 << 10

type handler struct {
	// maxLogged is the largest payload, in bytes once redacted, that is
	// logged in full; zero means defaultMaxLogged.
	maxLogged int
}

func (h *handler) handle(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
	log := middleware.Logger(ctx)
	size := slog.Int("payloadBytes", len(payload))
	logged, err := redact(payload)
	switch {
	case err != nil:
		// Only a caller bypassing the middleware's decoding gets here; the
		// payload still goes on, as it came.
		log.WarnContext(ctx, "payload received", size, slog.String("payloadOmitted", "not valid JSON: "+err.Error()))
	case len(logged) > h.limit():
		log.InfoContext(ctx, "payload received", size, slog.String("payloadOmitted", "larger than the log limit"))
	default:
		log.InfoContext(ctx, "payload received", size, slog.Any("payload", logged))
	}
	return payload, nil
}

func (h *handler) limit() int {
	if h.maxLogged > 0 {
		return h.maxLogged
	}
	return defaultMaxLogged
}
