package identity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/identity"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// allowWhen is an Allow of s3:GetObject on everything under a condition.
func allowWhen(cond string) string {
	return doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":` + cond + `}`)
}

const (
	bucketObj  = "arn:aws:s3:::uploads/a.txt"
	fnCheck    = "arn:aws:lambda:us-east-1:123456789012:function:CheckPizza"
	basicExec  = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	sourceRule = "arn:aws:events:us-east-1:123456789012:rule/NewTextObject"
)

type evalCase struct {
	name     string
	policy   string   // one inline policy, or "" for none
	attached []string // managed policy ARNs
	boundary string
	action   string
	resource string
	keys     map[string][]string
	allowed  bool
	reason   string // a part of Decision.Reason
}

// The cases follow the IAM User Guide's "Policy evaluation logic" and
// "IAM JSON policy elements" pages and their examples.
var evalCases = []evalCase{
	{name: "an Allow of the action on the resource allows", policy: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::uploads/*"}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "no statement allows", policy: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::uploads/*"}`),
		action: "s3:PutObject", resource: bucketObj, reason: "no identity-based policy allows"},
	{name: "an explicit deny wins over an allow", policy: doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`, `{"Sid":"NoDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::uploads/*"}`),
		action: "s3:DeleteObject", resource: bucketObj, reason: "explicit deny in policy p statement NoDeletes"},
	{name: "a statement without Sid is named by its index", policy: doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`, `{"Effect":"Deny","Action":"s3:*","Resource":"*"}`),
		action: "s3:GetObject", resource: bucketObj, reason: "statement #1"},
	{name: "NotAction allows every other action", policy: doc(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "NotAction leaves out the actions it names", policy: doc(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`),
		action: "iam:PassRole", resource: "*", reason: "no identity-based policy allows"},
	{name: "action wildcards match case-insensitively", policy: doc(`{"Effect":"Allow","Action":["S3:Get*","s3:?utObject"],"Resource":"*"}`),
		action: "s3:getobjecttagging", resource: bucketObj, allowed: true},
	{name: "the ? wildcard is one character", policy: doc(`{"Effect":"Allow","Action":"s3:?utObject","Resource":"*"}`),
		action: "s3:PutsObject", resource: bucketObj},
	{name: "resources match case-sensitively", policy: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::Uploads/*"}`),
		action: "s3:GetObject", resource: bucketObj},
	{name: "an action on no resource needs Resource *", policy: doc(`{"Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:*"}`),
		action: "logs:DescribeLogGroups", resource: "*"},
	{name: "Resource * covers an action on no resource", policy: doc(`{"Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"*"}`),
		action: "logs:DescribeLogGroups", resource: "*", allowed: true},
	{name: "NotResource covers what it does not name", policy: doc(`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secrets/*"}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "NotResource leaves out what it names", policy: doc(`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::uploads/*"}`),
		action: "s3:GetObject", resource: bucketObj},
	{name: "the principal's account fills its policy variable", policy: doc(`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:${aws:PrincipalAccount}:function:*"}`),
		action: "lambda:InvokeFunction", resource: fnCheck, allowed: true},
	{name: "a policy variable with no value matches nothing", policy: doc(`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"${aws:SourceArn}"}`),
		action: "lambda:InvokeFunction", resource: fnCheck},
	{name: "a policy variable takes the request's value", policy: doc(`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"${aws:SourceArn}"}`),
		action: "lambda:InvokeFunction", resource: fnCheck, keys: map[string][]string{"aws:SourceArn": {fnCheck}}, allowed: true},
	{name: "a policy variable's default applies", policy: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::uploads/${s3:prefix, 'a'}.txt"}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "StringEquals compares exactly", policy: allowWhen(`{"StringEquals":{"aws:SourceAccount":"123456789012"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceAccount": {"123456789012"}}, allowed: true},
	{name: "condition key names are case-insensitive", policy: allowWhen(`{"StringEquals":{"AWS:sourceaccount":"123456789012"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceAccount": {"123456789012"}}, allowed: true},
	{name: "StringEquals on a missing key is false", policy: allowWhen(`{"StringEquals":{"aws:SourceAccount":"123456789012"}}`),
		action: "s3:GetObject", resource: bucketObj},
	{name: "StringNotEquals on a missing key is true", policy: allowWhen(`{"StringNotEquals":{"aws:SourceAccount":"999999999999"}}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "StringNotEquals refuses the value it names", policy: allowWhen(`{"StringNotEquals":{"aws:SourceAccount":"999999999999"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceAccount": {"999999999999"}}},
	{name: "StringEqualsIgnoreCase ignores case", policy: allowWhen(`{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"PIZZA"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:PrincipalTag/team": {"pizza"}}, allowed: true},
	{name: "StringLike takes wildcards and values OR", policy: allowWhen(`{"StringLike":{"s3:prefix":["home/*","public/?"]}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"s3:prefix": {"public/x"}}, allowed: true},
	{name: "StringNotLike refuses a match", policy: allowWhen(`{"StringNotLike":{"s3:prefix":"home/*"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"s3:prefix": {"home/ann"}}},
	{name: "ArnLike matches ARN parts with wildcards", policy: allowWhen(`{"ArnLike":{"aws:SourceArn":"arn:aws:events:*:123456789012:rule/*"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceArn": {sourceRule}}, allowed: true},
	{name: "ArnEquals compares part by part", policy: allowWhen(`{"ArnEquals":{"aws:SourceArn":"arn:aws:events:us-east-1:123456789012:rule/Other"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceArn": {sourceRule}}},
	{name: "ArnNotEquals allows another ARN", policy: allowWhen(`{"ArnNotEquals":{"aws:SourceArn":"arn:aws:events:us-east-1:123456789012:rule/Other"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceArn": {sourceRule}}, allowed: true},
	{name: "ArnNotLike refuses a match", policy: allowWhen(`{"ArnNotLike":{"aws:SourceArn":"arn:aws:events:*:*:rule/*"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceArn": {sourceRule}}},
	{name: "the evaluator gives aws:PrincipalArn", policy: allowWhen(`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/Case*"}}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "NumericLessThanEquals compares numbers", policy: allowWhen(`{"NumericLessThanEquals":{"s3:max-keys":"10"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"s3:max-keys": {"10"}}, allowed: true},
	{name: "NumericGreaterThan refuses a smaller number", policy: allowWhen(`{"NumericGreaterThan":{"s3:max-keys":10}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"s3:max-keys": {"9"}}},
	{name: "DateLessThan compares ISO 8601 times", policy: allowWhen(`{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:CurrentTime": {"2029-12-31T23:59:59Z"}}, allowed: true},
	{name: "DateGreaterThan compares epoch seconds", policy: allowWhen(`{"DateGreaterThan":{"aws:EpochTime":"1893456000"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:EpochTime": {"1800000000"}}},
	{name: "the evaluator gives aws:CurrentTime", policy: allowWhen(`{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "Bool compares true and false", policy: allowWhen(`{"Bool":{"aws:SecureTransport":"true"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SecureTransport": {"false"}}},
	{name: "IpAddress matches a CIDR", policy: allowWhen(`{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceIp": {"203.0.113.7"}}, allowed: true},
	{name: "NotIpAddress refuses an address inside", policy: allowWhen(`{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceIp": {"203.0.113.7"}}},
	{name: "Null true holds for a missing key", policy: allowWhen(`{"Null":{"aws:TokenIssueTime":"true"}}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "Null false needs the key", policy: allowWhen(`{"Null":{"aws:TokenIssueTime":"false"}}`),
		action: "s3:GetObject", resource: bucketObj},
	{name: "IfExists holds for a missing key", policy: allowWhen(`{"StringEqualsIfExists":{"aws:SourceAccount":"123456789012"}}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "IfExists still checks a present key", policy: allowWhen(`{"StringEqualsIfExists":{"aws:SourceAccount":"123456789012"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceAccount": {"999999999999"}}},
	{name: "ForAllValues holds for an empty set", policy: allowWhen(`{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}`),
		action: "s3:GetObject", resource: bucketObj, allowed: true},
	{name: "ForAllValues needs every value in the list", policy: allowWhen(`{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:TagKeys": {"team", "owner"}}},
	{name: "ForAnyValue needs one value in the list", policy: allowWhen(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["team","env"]}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:TagKeys": {"owner", "env"}}, allowed: true},
	{name: "ForAnyValue fails on an empty set", policy: allowWhen(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}`),
		action: "s3:GetObject", resource: bucketObj},
	{name: "keys AND: one failing key refuses", policy: allowWhen(`{"StringEquals":{"aws:SourceAccount":"123456789012","aws:RequestedRegion":"us-east-1"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceAccount": {"123456789012"}, "aws:RequestedRegion": {"eu-west-1"}}},
	{name: "operators AND", policy: allowWhen(`{"StringEquals":{"aws:SourceAccount":"123456789012"},"StringLike":{"aws:RequestedRegion":"us-*"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceAccount": {"123456789012"}, "aws:RequestedRegion": {"us-east-1"}}, allowed: true},
	{name: "an unknown operator never allows", policy: allowWhen(`{"StringSoundsLike":{"aws:SourceAccount":"123456789012"}}`),
		action: "s3:GetObject", resource: bucketObj, keys: map[string][]string{"aws:SourceAccount": {"123456789012"}}},
	{name: "an embedded managed policy allows", attached: []string{basicExec},
		action: "logs:PutLogEvents", resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:log-stream:s", allowed: true},
	{name: "an unknown managed policy refuses loudly", policy: doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`), attached: []string{"arn:aws:iam::aws:policy/AmazonS3FullAccess"},
		action: "s3:GetObject", resource: bucketObj, reason: "managed policy arn:aws:iam::aws:policy/AmazonS3FullAccess"},
	{name: "a permissions boundary limits what policies allow", policy: doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`), boundary: basicExec,
		action: "s3:GetObject", resource: bucketObj, reason: "no permissions boundary allows"},
	{name: "within the boundary the policies allow", policy: doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`), boundary: basicExec,
		action: "logs:CreateLogStream", resource: "arn:aws:logs:us-east-1:123456789012:log-group:g:*", allowed: true},
}

func TestEvaluateFollowsIAMsPolicyEvaluationLogic(t *testing.T) {
	ctx := context.Background()
	svc := identity.New(lctest.Store(t))
	for i, c := range evalCases {
		t.Run(c.name, func(t *testing.T) {
			name := fmt.Sprintf("Case%d", i)
			_, err := svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trust, PermissionsBoundary: c.boundary})
			require.NoError(t, err)
			if c.policy != "" {
				require.NoError(t, svc.PutRolePolicy(ctx, name, "p", c.policy))
			}
			for _, a := range c.attached {
				require.NoError(t, svc.AttachRolePolicy(ctx, name, a))
			}
			d, err := svc.Evaluate(ctx, identity.RoleArn("/", name), c.action, c.resource, c.keys)
			require.NoError(t, err)
			assert.Equal(t, c.allowed, d.Allowed, d.Reason)
			if c.reason != "" {
				assert.Contains(t, d.Reason, c.reason)
			}
		})
	}
}

func TestAuthorizeWordsTheDenialAsIAM(t *testing.T) {
	ctx := context.Background()
	svc := identity.New(lctest.Store(t))
	_, err := svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "Runner", AssumeRolePolicyDocument: trust})
	require.NoError(t, err)
	require.NoError(t, svc.PutRolePolicy(ctx, "Runner", "p", doc(
		`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}`,
		`{"Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:*:function:Secret"}`)))
	session := "arn:aws:sts::123456789012:assumed-role/Runner/run-1"

	require.NoError(t, svc.Authorize(ctx, session, "lambda:InvokeFunction", fnCheck, nil))
	assert.Equal(t, "AccessDeniedException: User: "+session+" is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:Secret with an explicit deny in an identity-based policy",
		code(t, svc.Authorize(ctx, session, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:Secret", nil)))
	assert.Equal(t, "AccessDeniedException: User: "+session+" is not authorized to perform: states:StartExecution on resource: * because no identity-based policy allows the states:StartExecution action",
		code(t, svc.Authorize(ctx, session, "states:StartExecution", "*", nil)))
	assert.Contains(t, code(t, svc.Authorize(ctx, "arn:aws:sts::123456789012:assumed-role/Gone/run-1", "lambda:InvokeFunction", fnCheck, nil)),
		"because no identity-based policy allows", "a session of a deleted role is allowed nothing")

	// The role's tags are its principal tags.
	require.NoError(t, svc.TagRole(ctx, "Runner", []identity.Tag{{Key: "Team", Value: "pizza"}}))
	require.NoError(t, svc.PutRolePolicy(ctx, "Runner", "tagged", doc(`{"Effect":"Allow","Action":"sns:Publish","Resource":"arn:aws:sns:*:*:${aws:PrincipalTag/team}-*"}`)))
	require.NoError(t, svc.Authorize(ctx, session, "sns:Publish", "arn:aws:sns:us-east-1:123456789012:pizza-alarms", nil))
	assert.Error(t, svc.Authorize(ctx, session, "sns:Publish", "arn:aws:sns:us-east-1:123456789012:salad-alarms", nil))
	require.NoError(t, svc.DeleteRolePolicy(ctx, "Runner", "tagged"))

	// The evaluator caches a role's parsed policies; a change to them
	// takes effect on the next call.
	require.NoError(t, svc.PutRolePolicy(ctx, "Runner", "p", doc(`{"Effect":"Allow","Action":"lambda:GetFunction","Resource":"*"}`)))
	assert.Contains(t, code(t, svc.Authorize(ctx, session, "lambda:InvokeFunction", fnCheck, nil)), "because no identity-based policy allows")
	require.NoError(t, svc.AttachRolePolicy(ctx, "Runner", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"))
	require.NoError(t, svc.Authorize(ctx, session, "lambda:InvokeFunction", fnCheck, nil))
	require.NoError(t, svc.DetachRolePolicy(ctx, "Runner", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"))
	require.NoError(t, svc.DeleteRolePolicy(ctx, "Runner", "p"))
	assert.Error(t, svc.Authorize(ctx, session, "lambda:GetFunction", fnCheck, nil))
}

func BenchmarkEvaluate(b *testing.B) {
	ctx := context.Background()
	svc := identity.New(lctest.Store(b))
	_, err := svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "PizzaStateMachineRole", AssumeRolePolicyDocument: trust})
	require.NoError(b, err)
	require.NoError(b, svc.PutRolePolicy(ctx, "PizzaStateMachineRole", "least-privilege", doc(
		`{"Sid":"InvokeFunctions","Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["`+fnCheck+`","`+fnCheck+`:*"]}`,
		`{"Sid":"DeliverLogs","Effect":"Allow","Action":["logs:CreateLogDelivery","logs:GetLogDelivery","logs:UpdateLogDelivery","logs:DeleteLogDelivery","logs:ListLogDeliveries","logs:PutResourcePolicy","logs:DescribeResourcePolicies","logs:DescribeLogGroups"],"Resource":["*"]}`,
		`{"Sid":"SendTraces","Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords","xray:GetSamplingRules","xray:GetSamplingTargets"],"Resource":["*"]}`,
		`{"Sid":"NoOthers","Effect":"Deny","Action":"lambda:*","Resource":"arn:aws:lambda:*:*:function:Secret*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"}}}`)))
	require.NoError(b, svc.AttachRolePolicy(ctx, "PizzaStateMachineRole", "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"))
	role := identity.RoleArn("/", "PizzaStateMachineRole")
	b.ReportAllocs()
	for b.Loop() {
		d, err := svc.Evaluate(ctx, role, "lambda:InvokeFunction", fnCheck, nil)
		if err != nil || !d.Allowed {
			b.Fatal(d, err)
		}
	}
}

func TestAConcurrentPolicyChangeIsNeverCachedStale(t *testing.T) {
	ctx := context.Background()
	svc := identity.New(lctest.Store(t))
	_, err := svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "Busy", AssumeRolePolicyDocument: trust})
	require.NoError(t, err)
	allow := doc(`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}`)
	deny := doc(`{"Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"*"}`)
	require.NoError(t, svc.PutRolePolicy(ctx, "Busy", "p", allow))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			_, _ = svc.Evaluate(ctx, identity.RoleArn("/", "Busy"), "lambda:InvokeFunction", fnCheck, nil)
		}
	}()
	for i := range 20 {
		require.NoError(t, svc.PutRolePolicy(ctx, "Busy", "p", []string{allow, deny}[i%2]))
	}
	<-done
	// Whatever interleaving happened, the last change is what decides.
	d, err := svc.Evaluate(ctx, identity.RoleArn("/", "Busy"), "lambda:InvokeFunction", fnCheck, nil)
	require.NoError(t, err)
	assert.False(t, d.Allowed)
	assert.Equal(t, "explicit deny in policy p statement #0", d.Reason)
}
