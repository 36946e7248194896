package envconfig

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSettingsAreReadWithTheirDefaults(t *testing.T) {
	env := New(Map(map[string]string{
		"NAME":     " stepforge ",
		"FLAG":     "TRUE",
		"COUNT":    "2048",
		"WAIT":     "750ms",
		"SECONDS":  "3",
		"STATUS":   "draft",
		"API_URL":  "https://api.example/v1/",
		"BLANK":    "   ",
		"OPTIONAL": "",
	}))

	assert.Equal(t, "stepforge", env.String("NAME", "x"))
	assert.Equal(t, "x", env.String("BLANK", "x"))
	assert.Equal(t, "stepforge", env.Required("NAME"))
	assert.True(t, env.Bool("FLAG", false))
	assert.True(t, env.Bool("UNSET", true))
	assert.EqualValues(t, 2048, env.PositiveInt("COUNT", 1))
	assert.EqualValues(t, 1, env.PositiveInt("UNSET", 1))
	assert.Equal(t, 750*time.Millisecond, env.Duration("WAIT", time.Second))
	assert.Equal(t, 3*time.Second, env.Duration("SECONDS", time.Second))
	assert.Equal(t, time.Second, env.Duration("UNSET", time.Second))
	assert.Equal(t, "draft", env.OneOf("STATUS", "public", "public", "draft"))
	assert.Equal(t, "public", env.OneOf("UNSET", "public", "public", "draft"))
	assert.Equal(t, "https://api.example/v1", env.BaseURL("API_URL", "https://default.example"))
	assert.Equal(t, "https://default.example", env.BaseURL("UNSET", "https://default.example/"))
	assert.Equal(t, "", env.BaseURL("OPTIONAL", ""))
	assert.NoError(t, env.Err())
	assert.NoError(t, env.Problems())
}

func TestUnusableSettingsAreMisconfigured(t *testing.T) {
	tests := []struct {
		name       string
		value      string
		read       func(r *Reader)
		wantReason string
	}{
		{"required but unset", "", func(r *Reader) { r.Required("S") }, "is not set"},
		{"required but blank", " \t", func(r *Reader) { r.Required("S") }, "is not set"},
		{"bool", "yes", func(r *Reader) { r.Bool("S", true) }, `"yes" is neither true nor false`},
		{"int that is not a number", "1MiB", func(r *Reader) { r.PositiveInt("S", 1) }, `"1MiB" is not a whole number above zero`},
		{"zero int", "0", func(r *Reader) { r.PositiveInt("S", 1) }, `"0" is not a whole number above zero`},
		{"negative int", "-5", func(r *Reader) { r.PositiveInt("S", 1) }, `"-5" is not a whole number above zero`},
		{"duration", "soon", func(r *Reader) { r.Duration("S", time.Second) }, `"soon" is neither a duration such as 5m nor whole seconds`},
		{"zero duration", "0", func(r *Reader) { r.Duration("S", time.Second) }, `"0" is not positive`},
		{"negative duration", "-1s", func(r *Reader) { r.Duration("S", time.Second) }, `"-1s" is not positive`},
		{"one of, by case", "Draft", func(r *Reader) { r.OneOf("S", "public", "public", "draft") }, `"Draft" is not one of public, draft`},
		{"URL without scheme", "api.example/v1", func(r *Reader) { r.BaseURL("S", "") }, "is not an http(s) URL with a host"},
		{"URL of another scheme", "ftp://api.example", func(r *Reader) { r.BaseURL("S", "") }, "is not an http(s) URL with a host"},
		{"URL without host", "https:///v1", func(r *Reader) { r.BaseURL("S", "") }, "is not an http(s) URL with a host"},
		{"URL with a query", "https://api.example/?token=s3cr3t", func(r *Reader) { r.BaseURL("S", "") }, "has a query or fragment, which a base URL cannot have"},
		{"URL with a fragment", "https://api.example/#top", func(r *Reader) { r.BaseURL("S", "") }, "has a query or fragment, which a base URL cannot have"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := New(Map(map[string]string{"S": tt.value}))
			tt.read(env)

			var mis *Misconfigured
			require.ErrorAs(t, env.Err(), &mis)
			assert.Equal(t, "S", mis.Setting)
			assert.Equal(t, tt.wantReason, mis.Reason)
			assert.Equal(t, "S "+tt.wantReason, mis.Error())
			assert.NotContains(t, mis.Error(), "s3cr3t")
		})
	}
}

func TestErrIsTheFirstProblemAndProblemsAreAll(t *testing.T) {
	env := New(Map(map[string]string{"B": "maybe"}))
	env.Required("A")
	env.Bool("B", false)
	env.Add(nil)
	env.Add(&Misconfigured{Setting: "C", Reason: "is odd"})

	assert.EqualError(t, env.Err(), "A is not set")
	assert.EqualError(t, env.Problems(), "A is not set\nB \"maybe\" is neither true nor false\nC is odd")
	var mis *Misconfigured
	assert.True(t, errors.As(env.Problems(), &mis))
}

func TestMapLayersOverrideEarlierOnes(t *testing.T) {
	getenv := Map(map[string]string{"A": "1", "B": "2"}, map[string]string{"B": "3"}, nil)
	assert.Equal(t, "1", getenv("A"))
	assert.Equal(t, "3", getenv("B"))
	assert.Equal(t, "", getenv("C"))
}
