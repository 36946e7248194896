package integration

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"
)

// localhostTransport dials every *.localhost name at 127.0.0.1, as RFC
// 6761 has it and as curl and browsers do, so the tests use the APIs'
// URLs exactly as the stack outputs print them.
func localhostTransport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 1000
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err == nil && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, addr)
	}
	return t
}
