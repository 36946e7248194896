package localcloud

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"
)

// LocalhostTransport is an HTTP transport that dials every *.localhost
// name at 127.0.0.1, as RFC 6761 reserves them and as curl and browsers
// resolve them, so that a Go client reaches an API at the URL the local
// cloud prints for it (http://<api id>.execute-api.localhost:4566/...)
// without a resolver that knows the name.
func LocalhostTransport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 100
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err == nil && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, addr)
	}
	return t
}
