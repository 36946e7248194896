package identity_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/identity"
)

func TestAllowsServiceReadsALambdaPermission(t *testing.T) {
	fn := "arn:aws:lambda:us-east-1:123456789012:function:blog-WebhookInitiator"
	policy := `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"api","Effect":"Allow",` +
		`"Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fn + `",` +
		`"Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/webhook"}}}]}`
	cases := []struct {
		principal, action, source string
		want                      bool
	}{
		{"apigateway.amazonaws.com", "lambda:InvokeFunction", "arn:aws:execute-api:us-east-1:123456789012:abc123/Prod/POST/webhook", true},
		{"apigateway.amazonaws.com", "lambda:InvokeFunction", "arn:aws:execute-api:us-east-1:123456789012:abc123/Prod/GET/webhook", false},
		{"apigateway.amazonaws.com", "lambda:InvokeFunction", "arn:aws:execute-api:us-east-1:123456789012:other/Prod/POST/webhook", false},
		{"events.amazonaws.com", "lambda:InvokeFunction", "arn:aws:execute-api:us-east-1:123456789012:abc123/Prod/POST/webhook", false},
		{"apigateway.amazonaws.com", "lambda:GetFunction", "arn:aws:execute-api:us-east-1:123456789012:abc123/Prod/POST/webhook", false},
	}
	for _, c := range cases {
		got, err := identity.AllowsService(policy, c.principal, c.action, fn, map[string][]string{"aws:SourceArn": {c.source}})
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "%s %s from %s", c.principal, c.action, c.source)
	}
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:*","Resource":"*"},` +
		`{"Effect":"Deny","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + fn + `"}]}`
	got, err := identity.AllowsService(deny, "apigateway.amazonaws.com", "lambda:InvokeFunction", fn, nil)
	require.NoError(t, err)
	assert.False(t, got, "an explicit deny wins")
}
