package states

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// maxPayload is the largest input, output or result AWS lets a state pass:
// 256 KiB of UTF-8 JSON.
// https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
const maxPayload = 256 * 1024

// decodeJSON reads a JSON document as the shared value model: json.Number
// for numbers, never float64.
func decodeJSON(b []byte) (any, error) {
	return fastDecode(b)
}

// encodeJSON writes v compactly without HTML escaping, as AWS writes
// payloads into the history.
func encodeJSON(v any) (string, error) {
	// Most payloads fit the stack buffer; the string is the one copy.
	var stack [512]byte
	b, err := appendJSON(stack[:0], v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// encodeReflect is encodeJSON through encoding/json, for values outside the
// shared value model.
func encodeReflect(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// mustEncode is encodeJSON for values the executor built itself from the
// shared value model, which always encode.
func mustEncode(v any) string {
	s, err := encodeJSON(v)
	if err != nil {
		return fmt.Sprintf("%q", err.Error())
	}
	return s
}

// normalize turns what a task returned into the shared value model. Values
// already in it pass through; anything else (structs, float64, typed maps)
// round-trips through encoding/json.
func normalize(v any) (any, error) {
	if plain(v) {
		return v, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("task result is not JSON: %w", err)
	}
	return decodeJSON(b)
}

func plain(v any) bool {
	switch x := v.(type) {
	case nil, string, bool, json.Number:
		return true
	case map[string]any:
		for _, e := range x {
			if !plain(e) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range x {
			if !plain(e) {
				return false
			}
		}
		return true
	}
	return false
}

// checkSize fails with States.DataLimitExceeded when v's JSON is over the
// payload limit; what names what was too large (e.g. "the state's output").
func checkSize(v any, what string) (string, error) {
	s, err := encodeJSON(v)
	if err != nil {
		return "", runtimeErr("%s is not JSON: %v", what, err)
	}
	if len(s) > maxPayload {
		return "", &Error{Name: errDataLimitExceeded, Cause: fmt.Sprintf("%s has a size of %d bytes, over the limit of %d bytes", what, len(s), maxPayload)}
	}
	return s, nil
}
