package traces

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// ListenTCP serves the X-Ray daemon's TCP proxy on addr (DaemonAddr when
// empty) until ctx ends: the unsigned POST /GetSamplingRules and POST
// /SamplingTargets that the X-Ray SDKs' centralized sampling sends to the
// daemon's address. Without it an SDK outside Lambda falls back to its
// local rules (one request a second, 5% of the rest); with it, it gets
// the Default rule, which samples everything.
func (s *Service) ListenTCP(ctx context.Context, addr string) (net.Addr, error) {
	if addr == "" {
		addr = DaemonAddr
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("traces: the X-Ray daemon address %s (TCP) is in use (an X-Ray daemon or another local cloud?); choose another one: %w", addr, err)
	}
	if err != nil {
		return nil, fmt.Errorf("traces: X-Ray daemon proxy on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.SamplingProxy(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() { _ = srv.Serve(l) }()
	return l.Addr(), nil
}

// SamplingProxy is the daemon's TCP proxy as a handler, for a server
// that has a listener of its own.
func (s *Service) SamplingProxy() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /GetSamplingRules", func(w http.ResponseWriter, r *http.Request) {
		writeProxy(w, s.GetSamplingRules(r.Context(), ""))
	})
	mux.HandleFunc("POST /SamplingTargets", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ SamplingStatisticsDocuments []SamplingStatistics }
		if err := json.NewDecoder(io.LimitReader(r.Body, maxDatagram)).Decode(&req); err != nil {
			http.Error(w, `{"__type":"InvalidRequestException","message":"the body is not a GetSamplingTargets request"}`, http.StatusBadRequest)
			return
		}
		writeProxy(w, s.GetSamplingTargets(r.Context(), req.SamplingStatisticsDocuments))
	})
	return mux
}

func writeProxy(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
