package traces

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"syscall"
)

// DaemonAddr is where the X-Ray SDKs send segments by default
// (AWS_XRAY_DAEMON_ADDRESS unset): the X-Ray daemon's UDP port.
const DaemonAddr = "127.0.0.1:2000"

// maxDatagram is the largest datagram the daemon protocol carries.
const maxDatagram = 64 * 1024

// ListenUDP receives the X-Ray daemon protocol on addr (DaemonAddr when
// empty; "127.0.0.1:0" picks a free port) until ctx ends, and returns the
// address it listens on. Each datagram is a header line,
// {"format": "json", "version": 1}, then one segment document; a
// datagram that is not is counted (Malformed) and logged, never fatal.
func (s *Service) ListenUDP(ctx context.Context, addr string) (net.Addr, error) {
	if addr == "" {
		addr = DaemonAddr
	}
	var lc net.ListenConfig
	conn, err := lc.ListenPacket(ctx, "udp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("traces: the X-Ray daemon address %s is in use (an X-Ray daemon or another local cloud?); choose another one: %w", addr, err)
	}
	if err != nil {
		return nil, fmt.Errorf("traces: X-Ray daemon listener on %s: %w", addr, err)
	}
	go func() {
		<-ctx.Done()
		_ = conn.Close()
	}()
	go s.serveUDP(ctx, conn)
	return conn.LocalAddr(), nil
}

func (s *Service) serveUDP(ctx context.Context, conn net.PacketConn) {
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			s.logger.Printf("traces: X-Ray daemon listener: %v", err)
			continue
		}
		if err := s.datagram(ctx, buf[:n]); err != nil {
			s.malformed.Add(1)
			s.logger.Printf("traces: X-Ray daemon: a datagram from %s was dropped: %v", from, err)
		}
		s.received.Add(1)
	}
}

// daemonHeader is the daemon protocol's first line.
type daemonHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

func (s *Service) datagram(ctx context.Context, b []byte) error {
	head, doc, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return errors.New(`no header line ({"format": "json", "version": 1})`)
	}
	var h daemonHeader
	if err := json.Unmarshal(head, &h); err != nil || h.Format != "json" || h.Version != 1 {
		return fmt.Errorf(`the header is %q, not {"format": "json", "version": 1}`, head)
	}
	u, err := s.PutTraceSegments(ctx, []string{string(doc)})
	if err != nil {
		return err
	}
	if len(u) > 0 {
		return fmt.Errorf("%s: %s", u[0].ErrorCode, u[0].Message)
	}
	return nil
}

// Received is how many datagrams the daemon listener has handled,
// stored or dropped.
func (s *Service) Received() int64 { return s.received.Load() }

// Malformed is how many datagrams the daemon listener dropped.
func (s *Service) Malformed() int64 { return s.malformed.Load() }
