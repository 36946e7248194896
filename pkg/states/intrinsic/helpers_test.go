package intrinsic

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docPage is the AWS page the doc examples below come from.
const docPage = "https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html"

// localstack names LocalStack's snapshot tests, which record AWS's real
// outcomes: tests/aws/services/stepfunctions/v2/intrinsic_functions/<file>.
const localstack = "localstack/localstack tests/aws/services/stepfunctions/v2/intrinsic_functions/"

// errNoPath stands in for the jsonpath package's typed error.
type errNoPath struct{ path string }

func (e *errNoPath) Error() string { return "States.Runtime: no path " + e.path }

// resolverOf resolves exactly the paths given, each to its JSON value.
func resolverOf(t testing.TB, paths map[string]string) Resolver {
	values := make(map[string]any, len(paths))
	for p, j := range paths {
		values[p] = decode(t, j)
	}
	return func(p string) (any, error) {
		v, ok := values[p]
		if !ok {
			return nil, &errNoPath{p}
		}
		return v, nil
	}
}

func decode(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), "test JSON %s", s)
	return v
}

// evalCase is one call, the paths it reads, and either the JSON it returns
// or a fragment of the States.IntrinsicFailure cause.
type evalCase struct {
	name  string
	expr  string
	paths map[string]string
	want  string
	fails string
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Eval(tc.expr, resolverOf(t, tc.paths))
			if tc.fails != "" {
				var e *Error
				require.True(t, errors.As(err, &e), "want *Error, got %v (result %v)", err, got)
				assert.Equal(t, "States.IntrinsicFailure", e.Name)
				assert.Contains(t, e.Cause, tc.fails)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, decode(t, tc.want), got)
		})
	}
}
