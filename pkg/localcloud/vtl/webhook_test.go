package vtl

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requestTemplate digs the generated StartExecution request template out of
// the express-webhook CloudFormation template, with its ${...} substituted.
func requestTemplate(t testing.TB, arn string) string {
	t.Helper()
	b, err := os.ReadFile("../../../gen/testdata/express-webhook.template.json")
	require.NoError(t, err)
	var doc any
	require.NoError(t, json.Unmarshal(b, &doc))
	var found []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if rt, ok := x["RequestTemplates"].(map[string]any); ok {
				if sub, ok := rt["application/json"].(map[string]any); ok {
					found = append(found, sub["Fn::Sub"].(string))
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	require.Len(t, found, 1)
	return strings.ReplaceAll(found[0], "${WebhookStateMachine}", arn)
}

func TestExpressWebhookTemplateBuildsStartExecutionInput(t *testing.T) {
	const arn = "arn:aws:states:us-east-1:000000000000:stateMachine:Webhook"
	tmpl, err := Parse(requestTemplate(t, arn))
	require.NoError(t, err)
	out, err := tmpl.Render(Request{Body: []byte(`{"event":"order.created","id":42,"who":"it's"}`)})
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"input\": \"{\\\"event\\\":\\\"order.created\\\",\\\"id\\\":42,\\\"who\\\":\\\"it's\\\"}\",\n"+
		"  \"stateMachineArn\": \""+arn+"\"\n}", out)

	bodies := []string{
		`{"event":"order.created","id":42}`,
		`{"note":"it's a \"quoted\" 1/2 price","path":"C:\\tmp","emoji":"é€😀","nested":{"list":[1,2.5,true,null]},"nl":"a\nb"}`,
		`[1,"two"]`,
		``,
	}
	for _, body := range bodies {
		out, err := tmpl.Render(Request{Body: []byte(body), Header: map[string]string{"Content-Type": "application/json"}})
		require.NoError(t, err)
		var req struct {
			Input           string `json:"input"`
			StateMachineArn string `json:"stateMachineArn"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &req), "StartExecution body must be JSON: %s", out)
		assert.Equal(t, arn, req.StateMachineArn)
		want := body
		if want == "" {
			want = "{}"
		}
		assert.JSONEq(t, want, req.Input, "execution input for body %s", body)
	}
}
