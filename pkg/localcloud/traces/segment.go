package traces

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Segment is an X-Ray segment document, as the SDKs send it to the daemon
// and PutTraceSegments takes it: a segment (ParentID empty, or set for a
// segment continuing an upstream trace), or an independent subsegment
// (Type "subsegment", ParentID the segment it belongs to). Times are
// seconds since the epoch.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
type Segment struct {
	Name        string         `json:"name"`
	ID          string         `json:"id"`
	TraceID     string         `json:"trace_id,omitempty"`
	ParentID    string         `json:"parent_id,omitempty"`
	Type        string         `json:"type,omitempty"`
	StartTime   float64        `json:"start_time"`
	EndTime     float64        `json:"end_time,omitempty"`
	InProgress  bool           `json:"in_progress,omitempty"`
	Origin      string         `json:"origin,omitempty"`
	Namespace   string         `json:"namespace,omitempty"`
	ResourceARN string         `json:"resource_arn,omitempty"`
	Error       bool           `json:"error,omitempty"`
	Fault       bool           `json:"fault,omitempty"`
	Throttle    bool           `json:"throttle,omitempty"`
	Cause       *Cause         `json:"cause,omitempty"`
	HTTP        *HTTP          `json:"http,omitempty"`
	AWS         map[string]any `json:"aws,omitempty"`
	Annotations map[string]any `json:"annotations,omitempty"`
	Metadata    map[string]any `json:"metadata,omitempty"`
	Subsegments []Segment      `json:"subsegments,omitempty"`
}

// Cause is why a segment recorded an error or fault. A document may give
// instead the 16-digit id of an exception recorded elsewhere in the trace
// (ExceptionID), as the segment document format allows.
type Cause struct {
	WorkingDirectory string      `json:"working_directory,omitempty"`
	Exceptions       []Exception `json:"exceptions,omitempty"`
	ExceptionID      string      `json:"-"`
}

// UnmarshalJSON reads a cause object or an exception id.
func (c *Cause) UnmarshalJSON(b []byte) error {
	var id string
	if err := json.Unmarshal(b, &id); err == nil {
		*c = Cause{ExceptionID: id}
		return nil
	}
	type plain Cause
	return json.Unmarshal(b, (*plain)(c))
}

// MarshalJSON writes the exception id when that is all c holds.
func (c Cause) MarshalJSON() ([]byte, error) {
	if c.ExceptionID != "" && c.WorkingDirectory == "" && len(c.Exceptions) == 0 {
		return json.Marshal(c.ExceptionID)
	}
	type plain Cause
	return json.Marshal(plain(c))
}

// Exception is one error of a Cause.
type Exception struct {
	ID      string `json:"id,omitempty"`
	Message string `json:"message,omitempty"`
	Type    string `json:"type,omitempty"`
	Remote  bool   `json:"remote,omitempty"`
}

// HTTP is a segment's request and response.
type HTTP struct {
	Request  *HTTPRequest  `json:"request,omitempty"`
	Response *HTTPResponse `json:"response,omitempty"`
}

// HTTPRequest is the request a segment served or made.
type HTTPRequest struct {
	Method    string `json:"method,omitempty"`
	URL       string `json:"url,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	ClientIP  string `json:"client_ip,omitempty"`
}

// HTTPResponse is the answer to a segment's request.
type HTTPResponse struct {
	Status        int `json:"status,omitempty"`
	ContentLength int `json:"content_length,omitempty"`
}

// Seconds is t as a segment's time: seconds since the epoch.
func Seconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// NewTraceID is a trace id as X-Ray forms it: 1-<8 hex digits of the
// start time in seconds>-<24 random hex digits>.
func NewTraceID(start time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("1-%08x-%s", start.Unix(), hex.EncodeToString(b[:]))
}

// NewSegmentID is a segment id: 16 random hex digits.
func NewSegmentID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Header is the X-Amzn-Trace-Id header (and _X_AMZN_TRACE_ID, and the
// Runtime API's Lambda-Runtime-Trace-Id): Root=<trace id>;Parent=<segment
// id>;Sampled=<0|1>.
type Header struct {
	Root, Parent string
	// Sampled is "1", "0" or "" (the caller left the decision to the receiver).
	Sampled string
}

// ParseHeader reads a trace header; fields it does not know are ignored.
func ParseHeader(s string) Header {
	var h Header
	for _, part := range strings.Split(s, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			h.Root = v
		case "Parent":
			h.Parent = v
		case "Sampled":
			h.Sampled = v
		}
	}
	return h
}

// String formats h as the header's value.
func (h Header) String() string {
	s := "Root=" + h.Root
	if h.Parent != "" {
		s += ";Parent=" + h.Parent
	}
	if h.Sampled != "" {
		s += ";Sampled=" + h.Sampled
	}
	return s
}
