package logview

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ANSI escapes for Options.Color.
const (
	dim   = "\x1b[2m"
	red   = "\x1b[31m"
	yello = "\x1b[33m"
	reset = "\x1b[0m"
)

type formatter struct {
	o Options
}

// write prints one event.
func (f *formatter) write(stream string, ts int64, message string) error {
	message = strings.TrimRight(message, "\r\n")
	if f.o.JSON {
		return f.writeJSON(message)
	}
	var b strings.Builder
	b.WriteString(time.UnixMilli(ts).In(f.o.Location).Format("15:04:05.000"))
	b.WriteByte(' ')
	b.WriteString(shortStream(stream))
	b.WriteByte(' ')
	switch fields, ok := objectFields(message); {
	case ok:
		f.readable(&b, fields)
	case isPlatformLine(message) && f.o.Color:
		b.WriteString(dim + message + reset)
	default:
		b.WriteString(message)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(f.o.Out, b.String())
	return err
}

func (f *formatter) writeJSON(message string) error {
	var out bytes.Buffer
	if json.Valid([]byte(message)) && json.Indent(&out, []byte(message), "", "  ") == nil {
		out.WriteByte('\n')
		_, err := f.o.Out.Write(out.Bytes())
		return err
	}
	_, err := io.WriteString(f.o.Out, message+"\n")
	return err
}

// readable writes an slog JSON line as "LEVEL msg key=val ...".
func (f *formatter) readable(b *strings.Builder, fields []kv) {
	var level, msg string
	var rest []kv
	// slog writes msg; Lambda's own JSON log format writes message; the
	// records of Lambda's platform and of Step Functions name themselves
	// by type.
	has := map[string]bool{}
	for _, kv := range fields {
		has[kv.key] = true
	}
	msgKey := "message"
	switch {
	case has["msg"]:
		msgKey = "msg"
	case !has["message"] && has["type"]:
		msgKey = "type"
	}
	for _, kv := range fields {
		switch kv.key {
		case "level":
			level = unquote(kv.raw)
		case msgKey:
			msg = unquote(kv.raw)
		case "time":
		default:
			rest = append(rest, kv)
		}
	}
	lv := level
	if lv == "" {
		lv = "-"
	}
	lv += strings.Repeat(" ", max(0, 5-len(lv)))
	if f.o.Color {
		switch level {
		case "ERROR":
			lv = red + lv + reset
		case "WARN":
			lv = yello + lv + reset
		}
	}
	b.WriteString(lv)
	b.WriteByte(' ')
	b.WriteString(msg)
	for _, kv := range flatten("", rest) {
		b.WriteByte(' ')
		b.WriteString(kv.key)
		b.WriteByte('=')
		b.WriteString(kv.val)
	}
}

// kv is one member of a JSON object, in the order it was written.
type kv struct {
	key string
	raw json.RawMessage
}

// objectFields reads a JSON object's members in order; ok is false for
// anything that is not one JSON object.
func objectFields(message string) ([]kv, bool) {
	if !strings.HasPrefix(strings.TrimSpace(message), "{") {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(message))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var out []kv
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		out = append(out, kv{key, raw})
	}
	if _, err := dec.Token(); err != nil || dec.More() {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return out, true
}

type pair struct{ key, val string }

// flatten writes nested objects as dotted keys, as slog's text handler
// writes groups.
func flatten(prefix string, fields []kv) []pair {
	var out []pair
	for _, f := range fields {
		key := prefix + f.key
		if nested, ok := objectFields(string(f.raw)); ok && len(nested) > 0 {
			out = append(out, flatten(key+".", nested)...)
			continue
		}
		out = append(out, pair{key, textValue(f.raw)})
	}
	return out
}

// textValue is a JSON value as key=value shows it: strings bare unless
// they need quoting, anything else compact JSON.
func textValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '=' || !unicode.IsPrint(r) }) {
			return strconv.Quote(s)
		}
		return s
	}
	var out bytes.Buffer
	if json.Compact(&out, raw) == nil {
		return out.String()
	}
	return string(raw)
}

func unquote(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// isPlatformLine is true for the lines Lambda writes itself around each
// invocation.
func isPlatformLine(m string) bool {
	for _, p := range []string{"START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_START ", "INIT_REPORT "} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// shortStream is the tail of a stream name that tells streams apart:
// Lambda's "2026/12/02/[$LATEST]3f2a…" gives "3f2a…" (first 8), Step
// Functions' ".../exec-id" its last part.
func shortStream(name string) string {
	if i := strings.LastIndexAny(name, "/]"); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	if len(name) > 8 {
		name = name[:8]
	}
	return name + strings.Repeat(" ", 8-len(name))
}
