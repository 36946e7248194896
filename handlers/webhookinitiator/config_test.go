package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMisconfiguredFunctionAnswers500(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantLog string
	}{
		{"no state machine", map[string]string{}, "STATE_MACHINE_ARN is not set"},
		{"not a state machine ARN", map[string]string{"STATE_MACHINE_ARN": "arn:aws:lambda:eu-west-1:123456789012:function:f"}, "is not a state machine ARN"},
		{"bad signature age", map[string]string{"STATE_MACHINE_ARN": testStateMachineARN, "SIGNATURE_MAX_AGE": "five minutes"}, "SIGNATURE_MAX_AGE"},
		{"bad API version", map[string]string{"STATE_MACHINE_ARN": testStateMachineARN, "SANITY_API_VERSION": "latest"}, "SANITY_API_VERSION"},
		{"bad site URL", map[string]string{"STATE_MACHINE_ARN": testStateMachineARN, "SITE_URL": "blog.example"}, "SITE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.env)
			resp := w.invoke(t, loadEvent(t, "publish-post.handmade.json"))

			assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			assert.JSONEq(t, `{"message":"the function is misconfigured"}`, resp.Body)
			assert.Contains(t, w.logs.String(), tt.wantLog)
			assert.Zero(t, w.aws.secretReadCount())
			assert.Empty(t, w.aws.startRequests())
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(func(k string) string {
		return map[string]string{"STATE_MACHINE_ARN": testStateMachineARN}[k]
	})
	require.NoError(t, err)
	assert.Equal(t, config{
		stateMachineARN:  testStateMachineARN,
		secretID:         "sanity-cms",
		sanityAPIVersion: "2022-11-16",
		signatureMaxAge:  5 * time.Minute,
	}, c)
}
