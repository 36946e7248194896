package middleware

import (
	"io"
	"strconv"
	"sync"
	"time"
)

// metrics writes one CloudWatch Embedded Metric Format line per invocation:
// Invocations, Errors, ColdStarts and Duration by function, and Errors by
// function and error type when the call failed. CloudWatch Logs turns the
// line into metrics; nothing is sent from the function.
//
// The line carries a "level" equal to the function's application log level:
// Lambda's log-level filtering treats a JSON line without one as INFO and
// would drop every metric once the level is raised to WARN or above, while a
// line at the configured level always passes.
type metrics struct {
	mu        sync.Mutex
	w         io.Writer
	buf       []byte
	namespace string
	function  string
	level     string
}

func newMetrics(w io.Writer, namespace, function string) *metrics {
	return &metrics{w: w, namespace: namespace, function: function, level: lambdaLogLevel(), buf: make([]byte, 0, 768)}
}

func (m *metrics) record(at time.Time, d time.Duration, cold bool, errorType string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.buf[:0]
	b = append(b, `{"level":`...)
	b = appendJSONString(b, m.level)
	b = append(b, `,"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendJSONString(b, m.namespace)
	b = append(b, `,"Dimensions":[["FunctionName"]],"Metrics":[{"Name":"Invocations","Unit":"Count"},{"Name":"Errors","Unit":"Count"},{"Name":"ColdStarts","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"}]}`...)
	if errorType != "" {
		b = append(b, `,{"Namespace":`...)
		b = appendJSONString(b, m.namespace)
		b = append(b, `,"Dimensions":[["FunctionName","ErrorType"]],"Metrics":[{"Name":"Errors","Unit":"Count"}]}`...)
	}
	b = append(b, `]},"FunctionName":`...)
	b = appendJSONString(b, m.function)
	if errorType != "" {
		b = append(b, `,"ErrorType":`...)
		b = appendJSONString(b, errorType)
		b = append(b, `,"Invocations":1,"Errors":1`...)
	} else {
		b = append(b, `,"Invocations":1,"Errors":0`...)
	}
	if cold {
		b = append(b, `,"ColdStarts":1`...)
	} else {
		b = append(b, `,"ColdStarts":0`...)
	}
	b = append(b, `,"Duration":`...)
	b = strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', -1, 64)
	b = append(b, "}\n"...)
	m.buf = b
	_, _ = m.w.Write(b)
}

// appendJSONString appends s as a JSON string. Names here are function names
// and Go type names, but escaping keeps any value from breaking the line.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
