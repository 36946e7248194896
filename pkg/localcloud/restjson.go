package localcloud

//go:generate go run ./internal/routegen

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Route is one REST operation: its method, URI pattern ("{Label}" a path
// segment, "{Label+}" the rest of the path, "?k=v" a query it needs), name
// and success status, as the service model gives them (routes_gen.go).
type Route struct {
	Method, URI, Op string
	Status          int
}

// RESTJSON is the restJson1 protocol of a service whose operations are
// routes (e.g. LambdaRoutes). A request no route matches gets
// UnknownOperationException naming its method and path.
func RESTJSON(service string, routes []Route) Protocol {
	p := &restJSONProtocol{service: service}
	for _, r := range routes {
		path, query, _ := strings.Cut(r.URI, "?")
		cr := compiledRoute{Route: r, segments: strings.Split(strings.Trim(path, "/"), "/")}
		if query != "" {
			cr.query, _ = url.ParseQuery(query)
		}
		p.routes = append(p.routes, cr)
	}
	return p
}

type restJSONProtocol struct {
	service string
	routes  []compiledRoute
}

type compiledRoute struct {
	Route
	segments []string
	query    url.Values
}

// match returns the route's labels when path and query fit it.
func (c *compiledRoute) match(method string, segs []string, q url.Values) (map[string]string, bool) {
	if c.Method != method {
		return nil, false
	}
	for k, v := range c.query {
		if q.Get(k) != v[0] && !(v[0] == "" && q.Has(k)) {
			return nil, false
		}
	}
	labels := map[string]string{}
	for i, s := range c.segments {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}") {
			if i >= len(segs) {
				return nil, false
			}
			labels[s[1:len(s)-2]] = strings.Join(segs[i:], "/")
			return labels, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if segs[i] == "" {
				return nil, false
			}
			labels[s[1:len(s)-1]] = segs[i]
			continue
		}
		if s != segs[i] {
			return nil, false
		}
	}
	return labels, len(segs) == len(c.segments)
}

func (p *restJSONProtocol) decode(r *http.Request) (string, *Request, error) {
	raw := r.URL.EscapedPath()
	segs := strings.Split(strings.Trim(raw, "/"), "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	q := r.URL.Query()
	var found *compiledRoute
	var labels map[string]string
	// A route that needs a query parameter wins over one that does not.
	for i := range p.routes {
		c := &p.routes[i]
		if l, ok := c.match(r.Method, segs, q); ok && (found == nil || len(c.query) > len(found.query)) {
			found, labels = c, l
		}
	}
	if found == nil {
		return "", nil, &Error{Code: "UnknownOperationException", Status: http.StatusNotFound,
			Message: fmt.Sprintf("the local cloud has no %s operation for %s %s", p.service, r.Method, r.URL.Path)}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return found.Op, nil, &Error{Code: "SerializationException", Status: http.StatusBadRequest, Message: "reading the request body: " + err.Error()}
	}
	if len(body) > maxBody {
		return found.Op, nil, &Error{Code: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge, Message: "the request body is over 16 MiB"}
	}
	return found.Op, &Request{Body: body, Header: r.Header, Labels: labels, Query: q, status: found.Status}, nil
}

// RESTResult lets a REST-JSON operation set its status and headers;
// Body, when not nil, is encoded as JSON, or written as is when it is
// []byte.
type RESTResult struct {
	Status int
	Header http.Header
	Body   any
}

func (p *restJSONProtocol) writeResult(w http.ResponseWriter, id, op string, in *Request, out any) {
	status := http.StatusOK
	if in != nil && in.status != 0 {
		status = in.status
	}
	if rr, ok := out.(*RESTResult); ok {
		for k, v := range rr.Header {
			w.Header()[k] = v
		}
		if rr.Status != 0 {
			status = rr.Status
		}
		out = rr.Body
	}
	var b []byte
	switch v := out.(type) {
	case nil:
		if status != http.StatusNoContent {
			b = []byte("{}")
		}
	case []byte:
		b = v
	case json.RawMessage:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			p.writeError(w, id, op, &Error{Code: "ServiceException", Status: http.StatusInternalServerError, Server: true, Message: "encoding the response: " + err.Error()})
			return
		}
	}
	if b != nil && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (p *restJSONProtocol) writeError(w http.ResponseWriter, id, op string, err error) {
	e := asError(err, op, func(op string) *Error {
		return &Error{Code: "UnknownOperationException", Status: http.StatusNotFound,
			Message: fmt.Sprintf("the local cloud does not implement %s %s", p.service, op)}
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	typ := "User"
	if e.Server {
		typ = "Service"
	}
	b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message, "Type": typ})
	_, _ = w.Write(b)
}

// Time is a timestamp as the JSON protocols send it: seconds since the
// epoch, with milliseconds.
type Time time.Time

// MarshalJSON writes the epoch seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(fmt.Sprintf("%d.%03d", ms/1000, ms%1000)), nil
}

// UnmarshalJSON reads epoch seconds (or an RFC 3339 string).
func (t *Time) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*t = Time(time.UnixMilli(int64(f * 1000)).UTC())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	*t = Time(v)
	return err
}

// ISOTime is a timestamp some REST-JSON services (Lambda's
// LastModified) send as an ISO 8601 string: 2006-01-02T15:04:05.000+0000.
func ISOTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }
