package s3test

import (
	"bufio"
	"bytes"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Reply is an HTTP reply as it went over the wire, for Answer.
type Reply struct {
	Status int
	Header http.Header
	// Body is stored decoded; a Reply whose Header says
	// "Transfer-Encoding: chunked" is sent chunked, without Content-Length.
	Body []byte
}

// ReadReply reads a reply stored in a file as it went over the wire: status
// line, headers, blank line, body. Line ends may be CRLF or, after a
// checkout that converted them, LF.
func ReadReply(t testing.TB, path string) Reply {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		head, body, ok = bytes.Cut(raw, []byte("\n\n"))
	}
	require.True(t, ok, "reply %s has no blank line after its headers", path)
	// head shares raw's array: appending to it in place would overwrite
	// the start of an LF-ended body.
	head = append(append([]byte(nil), head...), "\r\n\r\n"...)
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(head)))
	statusLine, err := tp.ReadLine()
	require.NoError(t, err)
	_, rest, _ := strings.Cut(statusLine, " ")
	require.GreaterOrEqual(t, len(rest), 3, "reply %s: bad status line %q", path, statusLine)
	code, err := strconv.Atoi(rest[:3])
	require.NoError(t, err, "reply %s: bad status line %q", path, statusLine)
	header, err := tp.ReadMIMEHeader()
	require.NoError(t, err)
	return Reply{Status: code, Header: http.Header(header), Body: body}
}

func (rep Reply) write(w http.ResponseWriter) {
	chunked := rep.Header.Get("Transfer-Encoding") == "chunked"
	for k, vs := range rep.Header {
		if k != "Transfer-Encoding" && k != "Content-Length" {
			w.Header()[k] = vs
		}
	}
	if !chunked {
		w.Header().Set("Content-Length", strconv.Itoa(len(rep.Body)))
	}
	w.WriteHeader(rep.Status)
	if chunked {
		// Flushing the header before any body makes net/http chunk it.
		w.(http.Flusher).Flush()
	}
	_, _ = w.Write(rep.Body)
}
