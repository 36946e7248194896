package identity_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// templateProperties reads a generated template's resource properties,
// resolved the simple way a test needs: pseudo parameters substituted,
// a Ref or Fn::GetAtt replaced by a stand-in string.
func templateProperties(t *testing.T, file, logicalID string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../../../gen/testdata/" + file)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tmpl struct {
		Resources map[string]struct {
			Properties map[string]any
		}
	}
	require.NoError(t, dec.Decode(&tmpl))
	res, ok := tmpl.Resources[logicalID]
	require.True(t, ok, "%s has no %s", file, logicalID)
	return resolve(res.Properties).(map[string]any)
}

func resolve(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if s, ok := x["Fn::Sub"].(string); ok {
				return strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::AccountId}", "123456789012",
					"${AWS::Region}", "us-east-1", "${AWS::StackName}", "test-stack").Replace(s)
			}
			if r, ok := x["Ref"].(string); ok {
				return "ref-" + r
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok {
				return "arn:aws:logs:us-east-1:123456789012:log-group:" + ga[0].(string)
			}
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolve(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolve(e)
		}
		return out
	}
	return v
}
