package identity_test

import (
	"context"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/identity"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

func TestRoleProvider(t *testing.T) {
	ctx := context.Background()
	svc := identity.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	client := iam.NewFromConfig(cfg)
	p := identity.RoleProvider(svc)
	assert.Equal(t, "AWS::IAM::Role", p.Type())
	assert.ElementsMatch(t, []string{"RoleName", "Path"}, p.CreateOnlyProperties())

	props := lctest.TemplateProperties(t, "retry-on-500.template.json", "CheckStatusFunctionRole")
	req := &cfnengine.ResourceRequest{StackName: "retry-on-500", LogicalID: "CheckStatusFunctionRole", Type: "AWS::IAM::Role",
		Account: "123456789012", Properties: props}
	res, err := p.Create(ctx, req)
	require.NoError(t, err)
	name := res.PhysicalID
	assert.Equal(t, name, res.Ref)
	assert.True(t, strings.HasPrefix(name, "retry-on-500-CheckStatusFunctionRole-"), name)
	assert.LessOrEqual(t, len(name), 64)
	assert.Equal(t, "arn:aws:iam::123456789012:role/"+name, res.Attributes["Arn"])
	assert.Regexp(t, `^AROA[A-Z0-9]{17}$`, res.Attributes["RoleId"])

	got, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, "Runs the statuschecker function.", aws.ToString(got.Role.Description))
	assert.Equal(t, res.Attributes["RoleId"], aws.ToString(got.Role.RoleId))
	trustDoc, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	want, _ := json.Marshal(props["AssumeRolePolicyDocument"])
	assert.JSONEq(t, string(want), trustDoc)
	gp, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("least-privilege")})
	require.NoError(t, err)
	doc, _ := url.QueryUnescape(aws.ToString(gp.PolicyDocument))
	assert.Contains(t, doc, "xray:PutTraceSegments")
	assert.Contains(t, doc, "arn:aws:logs:us-east-1:123456789012:log-group:CheckStatusFunctionLogGroup")

	// In place: the state machine role's policies instead, one more, a
	// managed policy, a tag, a longer session.
	sm := lctest.TemplateProperties(t, "retry-on-500.template.json", "RetryOn500StateMachineRole")
	sm["Policies"] = append(sm["Policies"].([]any), map[string]any{"PolicyName": "extra",
		"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}})
	sm["Policies"].([]any)[0].(map[string]any)["PolicyName"] = "invoke"
	sm["ManagedPolicyArns"] = []any{"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"}
	sm["Tags"] = []any{map[string]any{"Key": "stack", "Value": "retry"}}
	sm["MaxSessionDuration"] = "7200"
	res2, err := p.Update(ctx, &cfnengine.ResourceRequest{StackName: "retry-on-500", LogicalID: "CheckStatusFunctionRole",
		PhysicalID: name, Properties: sm, OldProperties: props})
	require.NoError(t, err)
	assert.Equal(t, res.Attributes, res2.Attributes, "an in-place update keeps the role")
	lp, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	require.NoError(t, err)
	sort.Strings(lp.PolicyNames)
	assert.Equal(t, []string{"extra", "invoke"}, lp.PolicyNames, "least-privilege is gone: the inline policies are exactly the template's")
	la, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, la.AttachedPolicies, 1)
	got, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, int32(7200), aws.ToInt32(got.Role.MaxSessionDuration))
	assert.Equal(t, "Runs the RetryOn500 state machine.", aws.ToString(got.Role.Description))
	assert.Equal(t, []types.Tag{{Key: aws.String("stack"), Value: aws.String("retry")}}, got.Role.Tags)
	trustDoc, _ = url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	assert.Contains(t, trustDoc, "states.amazonaws.com")

	// A bad document is reported as CloudFormation's handler reports it,
	// and a failed create leaves nothing behind.
	bad := lctest.TemplateProperties(t, "retry-on-500.template.json", "CheckStatusFunctionRole")
	bad["RoleName"] = "half-made"
	bad["Policies"] = []any{map[string]any{"PolicyName": "p", "PolicyDocument": map[string]any{"Statement": []any{map[string]any{"Effect": "Allow", "Action": "s3:*"}}}}}
	_, err = p.Create(ctx, &cfnengine.ResourceRequest{LogicalID: "Bad", Properties: bad})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), `Resource handler returned message: "Policy statement must contain resources. (Service: Iam, Status Code: 400, Request ID: `), err.Error())
	assert.True(t, strings.HasSuffix(err.Error(), "(HandlerErrorCode: InvalidRequest)"), err.Error())
	_, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("half-made")})
	var nse *types.NoSuchEntityException
	require.ErrorAs(t, err, &nse)
	_, err = p.Create(ctx, &cfnengine.ResourceRequest{LogicalID: "Bad", Properties: map[string]any{"AssumeRolePolicyDocument": map[string]any{}, "Color": "red"}})
	require.EqualError(t, err, "Encountered unsupported property Color")

	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: name}))
	_, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	require.ErrorAs(t, err, &nse)
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: name}), "deleting a role already gone is not an error")
}
