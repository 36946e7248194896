package cfncheck

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatsCountPermissionStatementsNotTrustPolicies(t *testing.T) {
	cases := []struct {
		name     string
		template []byte
		want     Counts
	}{
		{"RoleInlinePolicy", rolePolicy(`{"Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": "Topic"}},
			{"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}`),
			Counts{Resources: 2, Statements: 2, WildcardResourceStatements: 1}},
		{"KeyPolicyStarsAreCounted", kmsKey(`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}`),
			Counts{Resources: 1, Statements: 1, WildcardResourceStatements: 1}},
		{"DenyStarsAreCounted", stack(`"Bucket": {"Type": "AWS::S3::Bucket"}, "BucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Bucket"},
			"PolicyDocument": {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["*"]}]}}}`),
			Counts{Resources: 2, Statements: 1, WildcardResourceStatements: 1}},
		{"NoPolicies", stack(topic), Counts{Resources: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Stats(tc.template)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestStatsOfThePizzaStack(t *testing.T) {
	b, err := os.ReadFile("testdata/pizza.json")
	require.NoError(t, err)
	got, err := Stats(b)
	require.NoError(t, err)
	// Key policy 2, bucket policy 1, bake role 4, state machine role 3, API role 1; the
	// stars are the key policy's two, xray twice and the log delivery statement.
	assert.Equal(t, Counts{Resources: 17, Statements: 11, WildcardResourceStatements: 5}, got)
}

func TestStatsFailsOnlyOnUnreadableTemplates(t *testing.T) {
	_, err := Stats([]byte(`{"Resources": [`))
	assert.ErrorContains(t, err, "not valid JSON")
}
