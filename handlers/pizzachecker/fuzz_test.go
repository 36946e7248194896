package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/stepforge/stepforge/pkg/middleware"
)

// FuzzDecode feeds arbitrary payloads through the wrapped handler: whatever
// arrives, the function answers with a verdict or with one of the two errors
// the state machine is written to catch, and never panics.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"flavour":"pepperoni"}`,
		`{"flavour":" PINE apple "}`,
		`{"flavour":"Hawaiian BBQ","size":"large"}`,
		`{"flavour":"pine\u200bapple"}`,
		`{"flavour":null}`,
		`{"flavour":""}`,
		`{"flavour":42}`,
		`{}`,
		`[]`,
		`null`,
		`"pineapple"`,
		`{"flavour":"\xff\xfe"}`,
		`{"flavour":"pepperoni"`,
		``,
	} {
		f.Add([]byte(seed))
	}
	h := &handler{}
	wrapped := middleware.Wrap(h.handle, middleware.WithOutput(io.Discard), middleware.WithFunctionName("fuzz"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := wrapped.Invoke(context.Background(), payload)
		if err != nil {
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an InvokeResponse_Error", err)
			}
			if ie.Type != "MalformedInput" && ie.Type != "InvalidOrder" {
				t.Fatalf("payload %q: unexpected error type %q: %s", payload, ie.Type, ie.Message)
			}
			return
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.DisallowUnknownFields()
		var v struct {
			ContainsPineapple *bool `json:"containsPineapple"`
		}
		if err := dec.Decode(&v); err != nil || v.ContainsPineapple == nil || dec.More() {
			t.Fatalf("payload %q: output %q is not {\"containsPineapple\":bool}", payload, out)
		}
	})
}
