package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/golden"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/middleware/middlewaretest"
)

// invoke runs payload through the handler wrapped in the middleware and
// returns the response, the error a state machine would see (zero on
// success) and the "payload received" log line, decoded.
func invoke(t *testing.T, h *handler, payload []byte) ([]byte, messages.InvokeResponse_Error, map[string]json.RawMessage) {
	t.Helper()
	out, ie, logs := middlewaretest.Invoke(t, h.handle, "payloadprinter", payload)
	return out, ie, payloadLine(t, logs)
}

// payloadLine returns the log record the handler wrote, or nil if there is none.
func payloadLine(t *testing.T, logs string) map[string]json.RawMessage {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line), "log line %q is not JSON", sc.Text())
		if string(line["message"]) == `"payload received"` {
			return line
		}
	}
	return nil
}

func TestThePayloadIsHandedOnUnchanged(t *testing.T) {
	for _, event := range []string{"webhook.handmade.json", "webhook-with-secrets.handmade.json", "array.handmade.json", "string.handmade.json", "number.handmade.json", "null.handmade.json"} {
		t.Run(event, func(t *testing.T) {
			in := middlewaretest.Event(t, event)
			out, ierr, _ := invoke(t, &handler{}, in)
			require.Empty(t, ierr.Type, "unexpected error: %s", ierr.Message)
			// The middleware re-encodes the value, so insignificant
			// whitespace goes and <, > and & come back \u-escaped: the same
			// JSON, which is what a state machine compares.
			assert.JSONEq(t, string(in), string(out))
		})
	}
}

func TestThePayloadIsLoggedAsJSONNotAsAString(t *testing.T) {
	in := middlewaretest.Event(t, "webhook.handmade.json")
	_, _, line := invoke(t, &handler{}, in)
	require.NotNil(t, line, "no payload line logged")

	raw := bytes.TrimSpace(line["payload"])
	require.NotEmpty(t, raw)
	assert.Equal(t, byte('{'), raw[0], "payload logged as %s, not as an object", raw)
	assert.JSONEq(t, string(in), string(raw))
	assert.Equal(t, `"INFO"`, string(line["level"]))
	assert.Equal(t, `"payloadprinter"`, string(line["function"]))
	assert.JSONEq(t, strconv.Itoa(len(bytes.TrimSpace(in))), string(line["payloadBytes"]))
}

func TestSecretLookingFieldsAreRedactedInTheLogOnly(t *testing.T) {
	in := middlewaretest.Event(t, "webhook-with-secrets.handmade.json")
	out, ierr, line := invoke(t, &handler{}, in)
	require.Empty(t, ierr.Type)
	require.NotNil(t, line)

	logged := string(line["payload"])
	for _, secret := range []string{"eyJhbGciOiJIUzI1NiJ9", "sha256=6b0d1e7f0c2a", "ghs_16C7e42F", "hunter2", "AKIAIOSFODNN7EXAMPLE"} {
		assert.NotContains(t, logged, secret)
		assert.Contains(t, string(out), secret, "the output must keep what the log hides")
	}
	var p struct {
		Headers map[string]string `json:"headers"`
		Body    struct {
			Action string           `json:"action"`
			Users  []map[string]any `json:"users"`
		} `json:"body"`
	}
	require.NoError(t, json.Unmarshal(line["payload"], &p))
	assert.Equal(t, middleware.Redacted, p.Headers["Authorization"])
	assert.Equal(t, middleware.Redacted, p.Headers["X-Hub-Signature-256"])
	assert.Equal(t, "application/json", p.Headers["Content-Type"])
	assert.Equal(t, "opened", p.Body.Action)
	require.Len(t, p.Body.Users, 2)
	assert.Equal(t, "ada", p.Body.Users[0]["login"])
	assert.Equal(t, middleware.Redacted, p.Body.Users[0]["password"])
	assert.Equal(t, middleware.Redacted, p.Body.Users[1]["apiKey"])
}

func TestALargePayloadIsLoggedBySizeOnly(t *testing.T) {
	in := middlewaretest.Event(t, "webhook.handmade.json")
	out, ierr, line := invoke(t, &handler{maxLogged: 64}, in)
	require.Empty(t, ierr.Type)
	require.NotNil(t, line)

	assert.NotContains(t, line, "payload")
	assert.JSONEq(t, `"larger than the log limit"`, string(line["payloadOmitted"]))
	assert.JSONEq(t, strconv.Itoa(len(bytes.TrimSpace(in))), string(line["payloadBytes"]))
	assert.JSONEq(t, string(in), string(out))
}

func TestAnUnparseablePayloadIsMalformedInput(t *testing.T) {
	out, ierr, line := invoke(t, &handler{}, middlewaretest.Event(t, "malformed.handmade.json"))
	assert.Nil(t, out)
	assert.Equal(t, "MalformedInput", ierr.Type)
	assert.Nil(t, line, "nothing is printed for a payload that never reached the handler")
}

func TestRedactKeepsOrderAndValues(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"scalars", `[1, -2.5e3, "x", true, false, null]`, `[1,-2.5e3,"x",true,false,null]`},
		{"key order", `{"b": 1, "a": 2, "c": {"z": 0, "y": []}}`, `{"b":1,"a":2,"c":{"z":0,"y":[]}}`},
		{"big number", `123456789012345678901234567890`, `123456789012345678901234567890`},
		{"escapes", `{"s": "line\nbreak \"quoted\" \u00e9"}`, `{"s":"line\nbreak \"quoted\" é"}`},
		{"secret key any case", `{"ClientSecret": "x", "TOKEN": [1], "name": "n"}`, `{"ClientSecret":"[REDACTED]","TOKEN":"[REDACTED]","name":"n"}`},
		{"secret deep in arrays", `[[{"password": {"a": 1}}]]`, `[[{"password":"[REDACTED]"}]]`},
		{"empty containers", `{"a": {}, "b": []}`, `{"a":{},"b":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := redact([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestRedactRejectsWhatIsNotOneJSONValue(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a" 1}`, `[1 2]`, `{"a":1]`, `1 2`, `nul`} {
		t.Run(in, func(t *testing.T) {
			_, err := redact([]byte(in))
			assert.Error(t, err)
		})
	}
}

func TestHandleLogsAnInvalidPayloadWithoutFailing(t *testing.T) {
	in := json.RawMessage(`{"a":`)
	out, err := (&handler{}).handle(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, in, out)
}

// TestFixtureEventsMatchTheirGoldenFiles pins, for every hand-made event in
// testdata, the response the Runtime API would carry and the payload as it is
// logged.
func TestFixtureEventsMatchTheirGoldenFiles(t *testing.T) {
	for _, name := range middlewaretest.Events(t) {
		t.Run(name, func(t *testing.T) {
			out, ierr, line := invoke(t, &handler{}, middlewaretest.Event(t, name))
			seen := struct {
				Response      json.RawMessage `json:"response"`
				LoggedPayload json.RawMessage `json:"loggedPayload,omitempty"`
			}{Response: middlewaretest.Response(t, out, ierr), LoggedPayload: line["payload"]}
			got, err := json.MarshalIndent(seen, "", "  ")
			require.NoError(t, err)
			golden.Assert(t, goldenPath(name), append(got, '\n'))
		})
	}
}

// goldenPath names the golden file of fixture testdata/name after the case
// alone: ".handmade" says where the input comes from, not what the function
// answers, so it is dropped with the extension.
func goldenPath(name string) string {
	return filepath.Join("testdata", "golden", strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".handmade")+".golden")
}
