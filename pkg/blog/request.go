package blog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// NewJSONRequest builds a request to url with body, when not nil, encoded as
// by EncodeJSON followed by a newline, and Content-Type set to match.
func NewJSONRequest(ctx context.Context, method, url string, body any) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		var buf bytes.Buffer
		if err := encode(&buf, body); err != nil {
			return nil, fmt.Errorf("encode the request body: %w", err)
		}
		r = &buf
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return nil, fmt.Errorf("build the request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// EncodeJSON returns v as compact JSON with <, > and & left as they are: a
// Markdown body is full of them, and escaping each one costs five bytes of
// a size limit and the readability of every console that shows it.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := encode(&buf, v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encode writes v and the newline json.Encoder ends it with.
func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
