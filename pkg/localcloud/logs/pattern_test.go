package logs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/logs"
)

func TestFilterPatternsMatchAsCloudWatchLogsDocumentsThem(t *testing.T) {
	const (
		plain  = "2026-12-02 ERROR [main] payment failed: card declined"
		warn   = "2026-12-02 WARN retrying"
		slog   = `{"time":"2026-12-02T03:00:00Z","level":"ERROR","msg":"order failed","order":{"id":"o-17","items":["pineapple","ham"],"total":23.5},"cold":true,"trace":null,"status":503}`
		access = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326`
	)
	for _, tc := range []struct {
		pattern string
		message string
		want    bool
	}{
		{"", plain, true},
		{"ERROR", plain, true},
		{"error", plain, false},
		{"ERROR card", plain, true},
		{"ERROR paid", plain, false},
		{`"payment failed"`, plain, true},
		{`"failed payment"`, plain, false},
		{"?ERROR ?WARN", plain, true},
		{"?ERROR ?WARN", warn, true},
		{"?FATAL ?PANIC", warn, false},
		{"ERROR -declined", plain, false},
		{"ERROR -approved", plain, true},
		{`?"ERROR" "main" ?"WARN" "Deadlock"`, plain, true},
		{`?"ERROR" "thread" ?"WARN" "retrying"`, warn, true},
		{`?"ERROR" "thread" ?"WARN" "Deadlock"`, warn, false},
		{"%ERR(OR)? +\\[%", plain, true},
		{`{ $.level = "ERROR" }`, slog, true},
		{`{ $.level = "INFO" }`, slog, false},
		{`{ $.level = ERROR }`, slog, true},
		{`{ $.level != "INFO" }`, slog, true},
		{`{ $.msg = "order*" }`, slog, true},
		{`{ $.msg = "*fail*" }`, slog, true},
		{`{ $.msg = "fail*" }`, slog, false},
		{`{ $.order.total > 20 }`, slog, true},
		{`{ $.order.total >= 23.5 }`, slog, true},
		{`{ $.order.total < 20 }`, slog, false},
		{`{ $.status = 503 }`, slog, true},
		{`{ $.status != 200 }`, slog, true},
		{`{ $.order.id = "o-17" && $.status > 500 }`, slog, true},
		{`{ $.order.id = "o-18" && $.status > 500 }`, slog, false},
		{`{ $.order.id = "o-18" || $.status > 500 }`, slog, true},
		{`{ ($.order.id = "o-18" || $.status > 500) && $.level = "ERROR" }`, slog, true},
		{`{ ($.order.id = "o-18" || $.status > 500) && $.level = "INFO" }`, slog, false},
		{`{ $.order.items[0] = "pineapple" }`, slog, true},
		{`{ $.order.items[1] = "pineapple" }`, slog, false},
		{`{ $.order.items[5] = "pineapple" }`, slog, false},
		{`{ $.trace IS NULL }`, slog, true},
		{`{ $.level IS NULL }`, slog, false},
		{`{ $.cold IS TRUE }`, slog, true},
		{`{ $.cold IS FALSE }`, slog, false},
		{`{ $.missing NOT EXISTS }`, slog, true},
		{`{ $.level NOT EXISTS }`, slog, false},
		{`{ $.level EXISTS }`, slog, true},
		{`{ $.missing = "*" }`, slog, false},
		{`{ $.level = %ERR.*% }`, slog, true},
		{`{ $.level = "ERROR" }`, plain, false},
		{`[ip, id, user, timestamp, request, status_code = 4*, size]`, access, true},
		{`[ip, id, user, timestamp, request, status_code = 5*, size]`, access, false},
		{`[ip, ..., status_code = 404, size > 1000]`, access, true},
		{`[ip, ..., status_code = 404, size < 1000]`, access, false},
		{`[ip, id, user = frank, ...]`, access, true},
		{`[ip, id, user, timestamp, request = "GET *", ...]`, access, true},
		{`[..., status_code != 200 && status_code != 500, size]`, access, true},
		{`[a, b]`, access, false},
	} {
		p, err := logs.ParsePattern(tc.pattern)
		require.NoError(t, err, "pattern %q", tc.pattern)
		assert.Equal(t, tc.want, p.Match(tc.message), "pattern %q on %q", tc.pattern, tc.message)
	}
}

func TestBrokenFilterPatternsAreRefused(t *testing.T) {
	for _, bad := range []string{
		`{ $.level = "ERROR" `, `{ level = "ERROR" }`, `{ $.level }`, `{ $.level IS MAYBE }`, `{ $.n > abc }`,
		`{ ($.a = 1 }`, `{ $.a = 1 && }`, `{ $. = 1 }`, `{ $.a[x] = 1 }`, `"unterminated`, `%[%`, `[a, b`,
		`[a = , b]`, `{ $.a = 1 } extra`, `-`, `?`,
	} {
		_, err := logs.ParsePattern(bad)
		assert.Error(t, err, "pattern %q", bad)
	}
}

func FuzzFilterPattern(f *testing.F) {
	for _, seed := range []string{"ERROR", `?a -b "c d"`, `{ $.a.b[0] = "x*" && ($.n > 5 || $.m IS NULL) }`,
		`{ $.x NOT EXISTS }`, `[ip, ..., status = 4*, bytes > 1000]`, `%a+%`, `{ $.a = %b% }`} {
		f.Add(seed, `{"a":{"b":["xy"]},"n":6} 1.2.3.4 - - 404 2000`)
	}
	f.Fuzz(func(t *testing.T, pattern, message string) {
		p, err := logs.ParsePattern(pattern)
		if err != nil {
			return
		}
		p.Match(message)
	})
}
