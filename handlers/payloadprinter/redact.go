package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/stepforge/stepforge/pkg/middleware"
)

// redact returns payload with the value of every secret-looking object key,
// at any depth, replaced by middleware.Redacted. Key order and every other
// value are kept as they came, so the log line reads like the payload.
func redact(payload []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(payload))
	if err := redactValue(dec, &out); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON value")
	}
	return out.Bytes(), nil
}

func redactValue(dec *json.Decoder, out *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		return redactContainer(dec, out, t)
	case string:
		writeString(out, t)
	case json.Number:
		out.WriteString(t.String())
	case bool:
		fmt.Fprint(out, t)
	case nil:
		out.WriteString("null")
	}
	return nil
}

func redactContainer(dec *json.Decoder, out *bytes.Buffer, open json.Delim) error {
	out.WriteByte(byte(open))
	for i := 0; dec.More(); i++ {
		if i > 0 {
			out.WriteByte(',')
		}
		if open == '[' {
			if err := redactValue(dec, out); err != nil {
				return err
			}
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string) // the decoder only yields strings as object keys
		writeString(out, key)
		out.WriteByte(':')
		// The middleware's own redaction sees only the top-level "payload"
		// attribute, while webhooks carry a signature or token at any depth.
		if middleware.LooksSecret(key) {
			var skipped json.RawMessage
			if err := dec.Decode(&skipped); err != nil {
				return err
			}
			writeString(out, middleware.Redacted)
			continue
		}
		if err := redactValue(dec, out); err != nil {
			return err
		}
	}
	end, err := dec.Token()
	if err != nil {
		return err
	}
	closing, ok := end.(json.Delim)
	if !ok {
		return fmt.Errorf("unexpected %v where %c should close", end, open)
	}
	out.WriteByte(byte(closing))
	return nil
}

func writeString(out *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	out.Write(b)
}
