package main

import (
	"bufio"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/golden"
	"github.com/stepforge/stepforge/pkg/middleware/middlewaretest"
)

// invoke runs payload through the handler wrapped in the middleware, as the
// Lambda runtime would, and returns the response body, the error the state
// machine would see (zero when the call succeeded) and the log output.
func invoke(t *testing.T, payload []byte) ([]byte, messages.InvokeResponse_Error, string) {
	t.Helper()
	h := &handler{}
	return middlewaretest.Invoke(t, h.handle, "pizzachecker", payload)
}

func TestPineappleAndHawaiianOrdersContainPineapple(t *testing.T) {
	tests := []struct {
		event string
		want  bool
	}{
		{"pepperoni.handmade.json", false},
		{"pineapple.handmade.json", true},
		{"hawaiian-bbq.handmade.json", true},
		{"spaced-pineapple.handmade.json", true},
		{"ham-and-pineapple.handmade.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			out, ierr, _ := invoke(t, middlewaretest.Event(t, tt.event))
			require.Empty(t, ierr.Type, "unexpected error: %s", ierr.Message)
			var v struct {
				ContainsPineapple *bool `json:"containsPineapple"`
			}
			require.NoError(t, json.Unmarshal(out, &v))
			require.NotNil(t, v.ContainsPineapple, "output %s lacks containsPineapple", out)
			assert.Equal(t, tt.want, *v.ContainsPineapple)
		})
	}
}

func TestOrdersWithoutAFlavourAreInvalidOrders(t *testing.T) {
	for _, event := range []string{"missing-flavour.handmade.json", "null-flavour.handmade.json", "blank-flavour.handmade.json"} {
		t.Run(event, func(t *testing.T) {
			out, ierr, _ := invoke(t, middlewaretest.Event(t, event))
			assert.Nil(t, out)
			assert.Equal(t, "InvalidOrder", ierr.Type)
			assert.Contains(t, ierr.Message, "flavour is missing or blank")
		})
	}
}

func TestUnreadablePayloadsAreMalformedInput(t *testing.T) {
	for _, event := range []string{"malformed.handmade.json", "flavour-not-string.handmade.json"} {
		t.Run(event, func(t *testing.T) {
			out, ierr, _ := invoke(t, middlewaretest.Event(t, event))
			assert.Nil(t, out)
			assert.Equal(t, "MalformedInput", ierr.Type)
		})
	}
}

func TestPineappleIsFoundInAnyCaseAndSpacing(t *testing.T) {
	tests := []struct {
		flavour string
		want    bool
	}{
		{"pineapple", true},
		{"PINEAPPLE", true},
		{" PINE apple ", true},
		{"pine\tapple\n", true},
		{"pine\u00a0apple", true},       // no-break space
		{"pine\u200bapple", true},       // zero-width space
		{"Pine\u2003Apple Pizza", true}, // em space
		{"Hawaiian BBQ", true},
		{"HAWAI IAN", true},
		{"ham & pineapple", true},
		{"pepperoni", false},
		{"apple pie", false},
		{"pine nuts and apple", false},
		{"margherita", false},
		{"hawaii five-o", false},
	}
	for _, tt := range tests {
		t.Run(tt.flavour, func(t *testing.T) {
			assert.Equal(t, tt.want, containsPineapple(tt.flavour))
		})
	}
}

func TestBlankFlavoursFailValidation(t *testing.T) {
	tests := []struct {
		flavour string
		valid   bool
	}{
		{"", false},
		{"   ", false},
		{"\t\r\n", false},
		{"\u00a0\u2003", false},
		{"\u200b", false},
		{"a", true},
		{" pepperoni ", true},
	}
	for _, tt := range tests {
		t.Run(tt.flavour, func(t *testing.T) {
			err := (&Order{Flavour: tt.flavour}).Validate()
			if tt.valid {
				assert.NoError(t, err)
				return
			}
			var invalid *InvalidOrder
			assert.ErrorAs(t, err, &invalid)
		})
	}
}

func TestHandleRejectsABlankOrderWithoutTheMiddleware(t *testing.T) {
	_, err := (&handler{}).handle(context.Background(), Order{Flavour: " "})
	var invalid *InvalidOrder
	assert.ErrorAs(t, err, &invalid)
}

func TestTheVerdictIsLogged(t *testing.T) {
	_, ierr, logs := invoke(t, middlewaretest.Event(t, "hawaiian-bbq.handmade.json"))
	require.Empty(t, ierr.Type)

	var found bool
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line), "log line %q is not JSON", sc.Text())
		if line["message"] != "order checked" {
			continue
		}
		found = true
		assert.Equal(t, "INFO", line["level"])
		assert.Equal(t, "Hawaiian BBQ", line["flavour"])
		assert.Equal(t, true, line["containsPineapple"])
		assert.Equal(t, "pizzachecker", line["function"])
	}
	assert.True(t, found, "no \"order checked\" line in:\n%s", logs)
}

// TestFixtureEventsMatchTheirGoldenResponses pins the exact response the
// Runtime API would carry for every hand-made event in testdata: the output
// on success, the errorType and errorMessage a Catch sees on failure.
func TestFixtureEventsMatchTheirGoldenResponses(t *testing.T) {
	for _, name := range middlewaretest.Events(t) {
		t.Run(name, func(t *testing.T) {
			out, ierr, _ := invoke(t, middlewaretest.Event(t, name))
			golden.Assert(t, goldenPath(name), append(middlewaretest.Response(t, out, ierr), '\n'))
		})
	}
}

// goldenPath names the golden file of fixture testdata/name after the case
// alone: ".handmade" says where the input comes from, not what the function
// answers, so it is dropped with the extension.
func goldenPath(name string) string {
	return filepath.Join("testdata", "golden", strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".handmade")+".golden")
}
