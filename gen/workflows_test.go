package gen_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/workflows/retryon500"
)

// states returns the generated ASL of machine in stack as plain JSON values,
// the way Step Functions reads the definition.
func states(t *testing.T, stackName, machine string) map[string]map[string]any {
	t.Helper()
	def, ok := stack(t, stackName).ASL[machine]
	require.True(t, ok, "machine %s in %s", machine, stackName)
	var doc struct {
		States map[string]map[string]any `json:"States"`
	}
	require.NoError(t, json.Unmarshal(def, &doc))
	return doc.States
}

func TestBlogPublishingEndsFailedWhenAPlatformFailedForGood(t *testing.T) {
	st := states(t, "blog-publishing", "BlogPublishing")
	par := st["PublishEverywhere"]
	for _, b := range par["Branches"].([]any) {
		branch := b.(map[string]any)["States"].(map[string]any)
		var failedState map[string]any
		for name, s := range branch {
			if strings.HasSuffix(name, "Failed") {
				failedState = s.(map[string]any)
			}
		}
		require.NotNil(t, failedState, "every branch catches into a result marked failed")
		assert.Equal(t, true, failedState["Parameters"].(map[string]any)["failed"])
	}

	count := st[par["Next"].(string)]
	require.Equal(t, "Pass", count["Type"], "the Parallel's results are read before the machine ends")
	assert.Equal(t, "$[?(@.failed == true)].platform", count["Parameters"].(map[string]any)["failed.$"])

	choice := st[count["Next"].(string)]
	require.Equal(t, "Choice", choice["Type"])
	rule := choice["Choices"].([]any)[0].(map[string]any)
	assert.Equal(t, "$.failed[0]", rule["Variable"])
	assert.Equal(t, true, rule["IsPresent"])
	fail := st[rule["Next"].(string)]
	assert.Equal(t, "Fail", fail["Type"])
	assert.Equal(t, "PublishFailed", fail["Error"])
	assert.Contains(t, fail["CausePath"], "$.failed", "the cause names the failed platforms")
	assert.Equal(t, "Succeed", st[choice["Default"].(string)]["Type"], "no failure, or only skipped platforms, succeeds")
}

func TestRetryOn500RetriesAnUnreachableEndpointThenFailsTyped(t *testing.T) {
	st := states(t, "retry-on-500", "RetryOn500")
	task := st["LambdaInvoke"]
	var retrier map[string]any
	for _, r := range task["Retry"].([]any) {
		if r.(map[string]any)["ErrorEquals"].([]any)[0] == "EndpointUnreachable" {
			retrier = r.(map[string]any)
		}
	}
	require.NotNil(t, retrier, "the status checker's retryable error is retried")
	assert.Equal(t, float64(retryon500.UnreachableRetries), retrier["MaxAttempts"], "bounded")
	assert.Greater(t, retrier["BackoffRate"], 1.0, "with backoff")
	assert.NotNil(t, retrier["MaxDelaySeconds"])

	var next string
	for _, c := range task["Catch"].([]any) {
		if c.(map[string]any)["ErrorEquals"].([]any)[0] == "EndpointUnreachable" {
			next = c.(map[string]any)["Next"].(string)
		}
	}
	require.NotEmpty(t, next, "a permanently unreachable endpoint is caught")
	for st[next]["Type"] == "Pass" {
		next = st[next]["Next"].(string)
	}
	fail := st[next]
	assert.Equal(t, "Fail", fail["Type"])
	assert.Equal(t, "EndpointUnreachable", fail["Error"])
	assert.Contains(t, fail["CausePath"], "unreachable")
	assert.Contains(t, fail["CausePath"], "errorMessage", "the cause carries the checker's own message")
}

func TestUploadAlarmMailsTheProcessorsMessageUnderTheFilesName(t *testing.T) {
	st := states(t, "upload-alarm", "UploadAlarm")
	publish := st["PublishCause"]["Parameters"].(map[string]any)
	assert.Equal(t, "$.alarm.message", publish["Message.$"])
	assert.Contains(t, publish["Subject.$"], "$.detail.object.key")

	// A function error's message is read out of Lambda's JSON envelope.
	read := st["ReadCause"]
	first := read["Choices"].([]any)[0].(map[string]any)
	parse := st[first["Next"].(string)]
	assert.Equal(t, "States.StringToJson($.error.Cause)", parse["Parameters"].(map[string]any)["envelope.$"])
	msg := st[parse["Next"].(string)]
	assert.Equal(t, "$.parsed.envelope.errorMessage", msg["Parameters"].(map[string]any)["message.$"])
	assert.Equal(t, "$.alarm", msg["ResultPath"])
	assert.Equal(t, "PublishCause", msg["Next"])

	fallback := st[st["PublishCause"]["Catch"].([]any)[0].(map[string]any)["Next"].(string)]
	assert.Equal(t, "$.alarm.message", fallback["Parameters"].(map[string]any)["Message.$"], "a subject SNS refuses still sends the alarm")
	assert.Equal(t, "TaskFailed", fallback["Next"])
	assert.Equal(t, "Fail", st["TaskFailed"]["Type"])
}

func TestEveryFunctionKeepsLambdasOwnLogLines(t *testing.T) {
	for _, st := range generate(t) {
		var tpl template
		require.NoError(t, json.Unmarshal(st.Template, &tpl))
		for id, r := range tpl.Resources {
			if r.Type != "AWS::Lambda::Function" {
				continue
			}
			lc := r.Properties["LoggingConfig"].(map[string]any)
			assert.Equal(t, "INFO", lc["SystemLogLevel"], "%s %s: START/END/REPORT are INFO lines", st.Workflow.Name, id)
		}
	}
}

func TestNoMachineFedByAPublicAPILogsExecutionData(t *testing.T) {
	for _, st := range generate(t) {
		var tpl template
		require.NoError(t, json.Unmarshal(st.Template, &tpl))
		for id, r := range tpl.Resources {
			if r.Type != "AWS::StepFunctions::StateMachine" {
				continue
			}
			if lc, ok := r.Properties["LoggingConfiguration"].(map[string]any); ok && st.Workflow.Name != "retry-on-500" && st.Workflow.Name != "upload-alarm" {
				assert.Equal(t, false, lc["IncludeExecutionData"], "%s %s", st.Workflow.Name, id)
			}
		}
	}
}

func TestMediumRemembersWhatItPublishedInABucketOfTheStack(t *testing.T) {
	st := stack(t, "blog-publishing")
	medium := grants(t, st, "PublishMediumFunctionRole")
	for _, action := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} {
		assert.Equal(t, []string{`{"Fn::Sub":"${LedgerBucket.Arn}/*"}`}, medium[action], action)
	}
	for _, other := range []string{"PublishDevtoFunctionRole", "PublishHashnodeFunctionRole", "WebhookInitiatorFunctionRole"} {
		assert.NotContains(t, grants(t, st, other), "s3:PutObject", other)
	}

	var tpl struct {
		Resources map[string]struct {
			DeletionPolicy string         `json:"DeletionPolicy"`
			Properties     map[string]any `json:"Properties"`
		} `json:"Resources"`
	}
	require.NoError(t, json.Unmarshal(st.Template, &tpl))
	assert.Equal(t, "Retain", tpl.Resources["LedgerBucket"].DeletionPolicy, "the records outlive the stack")
	env := tpl.Resources["PublishMediumFunction"].Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	assert.Equal(t, map[string]any{"Ref": "LedgerBucket"}, env["MEDIUM_LEDGER_BUCKET"])
}

func TestMediumRetriesItsLedgerAndAHeldClaimButNotAnUnknownOutcome(t *testing.T) {
	st := states(t, "blog-publishing", "BlogPublishing")
	var retried []string
	for _, b := range st["PublishEverywhere"]["Branches"].([]any) {
		task, ok := b.(map[string]any)["States"].(map[string]any)["PublishMedium"].(map[string]any)
		if !ok {
			continue
		}
		for _, r := range task["Retry"].([]any) {
			for _, e := range r.(map[string]any)["ErrorEquals"].([]any) {
				retried = append(retried, e.(string))
			}
		}
	}
	assert.Contains(t, retried, "PublishInProgress")
	assert.Contains(t, retried, "LedgerUnavailable")
	assert.NotContains(t, retried, "PublishOutcomeUnknown", "a post that may be on Medium is never sent again blindly")
	assert.NotContains(t, retried, "States.ALL")
}
