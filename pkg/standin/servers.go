package standin

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Ports are the loopback ports Start listens on; a zero port is picked by
// the system, as tests want.
type Ports struct {
	Sanity, Medium, Devto, Hashnode, OpenSearch, Status int
}

// DefaultPorts are the fixed ports of `go run mage.go up`, the ones
// workflows/params/local.json points the functions at.
var DefaultPorts = Ports{Sanity: 8601, Medium: 8602, Devto: 8603, Hashnode: 8604, OpenSearch: 8605, Status: 8500}

// URLs are the stand-ins' base URLs, as the functions' *_API_URL settings
// take them (the status checker GETs StatusURL's path, any path will do).
type URLs struct {
	Sanity, Medium, Devto, Hashnode, OpenSearch, Status string
}

// Servers is every stand-in, listening on loopback.
type Servers struct {
	Sanity     *Sanity
	Medium     *Medium
	Devto      *Devto
	Hashnode   *Hashnode
	OpenSearch *OpenSearch
	Status     *Status
	URLs       URLs

	servers []*http.Server
}

// Start starts every stand-in on 127.0.0.1 at ports; Close stops them.
func Start(ports Ports) (*Servers, error) {
	s := &Servers{Sanity: &Sanity{}, Medium: &Medium{}, Devto: &Devto{}, Hashnode: &Hashnode{}, OpenSearch: &OpenSearch{}, Status: &Status{}}
	for _, st := range []struct {
		port int
		h    http.Handler
		url  *string
	}{
		{ports.Sanity, s.Sanity, &s.URLs.Sanity},
		{ports.Medium, s.Medium, &s.URLs.Medium},
		{ports.Devto, s.Devto, &s.URLs.Devto},
		{ports.Hashnode, s.Hashnode, &s.URLs.Hashnode},
		{ports.OpenSearch, s.OpenSearch, &s.URLs.OpenSearch},
		{ports.Status, s.Status, &s.URLs.Status},
	} {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", st.port))
		if err != nil {
			return nil, errors.Join(fmt.Errorf("start stand-in: %w", err), s.Close())
		}
		srv := &http.Server{Handler: st.h, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		*st.url = "http://" + l.Addr().String()
		go func() { _ = srv.Serve(l) }()
	}
	return s, nil
}

// Close stops every stand-in.
func (s *Servers) Close() error {
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Close())
	}
	return errors.Join(errs...)
}
