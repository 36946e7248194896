package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/identity"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
const policy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}]}`

func code(t *testing.T, err error) string {
	t.Helper()
	var e *localcloud.Error
	require.True(t, errors.As(err, &e), "want a *localcloud.Error, got %v", err)
	return e.Code + ": " + e.Message
}

func TestRoleBehaviour(t *testing.T) {
	ctx := context.Background()
	svc := identity.New(lctest.Store(t))
	r, err := svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "Runner", AssumeRolePolicyDocument: trust, Path: "/svc/"})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::123456789012:role/svc/Runner", r.Arn)
	assert.Regexp(t, regexp.MustCompile(`^AROA[A-Z0-9]{17}$`), r.RoleID)
	assert.Equal(t, 3600, r.MaxSessionDuration)

	_, err = svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "runner", AssumeRolePolicyDocument: trust})
	assert.Equal(t, "EntityAlreadyExists: Role with name runner already exists.", code(t, err))
	got, err := svc.GetRole(ctx, "RUNNER")
	require.NoError(t, err, "role names are case-insensitive")
	assert.Equal(t, r.RoleID, got.RoleID)
	_, err = svc.GetRole(ctx, "nobody")
	assert.Equal(t, "NoSuchEntity: The role with name nobody cannot be found.", code(t, err))

	_, err = svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "bad name", AssumeRolePolicyDocument: trust})
	assert.Contains(t, code(t, err), "ValidationError: 1 validation error detected: Value 'bad name' at 'roleName'")
	_, err = svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: "{not json"})
	assert.Equal(t, "MalformedPolicyDocument: This policy contains invalid Json", code(t, err))
	_, err = svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: `{"Version":"2012-10-17"}`})
	assert.Equal(t, "MalformedPolicyDocument: Syntax errors in policy.", code(t, err))
	_, err = svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: policy})
	assert.Equal(t, "MalformedPolicyDocument: Has prohibited field Resource", code(t, err))
	_, err = svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: trust, MaxSessionDuration: 60})
	assert.Contains(t, code(t, err), "'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600")

	err = svc.PutRolePolicy(ctx, "Runner", "p", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}`)
	assert.Equal(t, "MalformedPolicyDocument: Policy statement must contain resources.", code(t, err))
	err = svc.PutRolePolicy(ctx, "Runner", "p", `{"Version":"2010-01-01","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`)
	assert.Equal(t, "MalformedPolicyDocument: The policy failed legacy parsing", code(t, err))
	require.NoError(t, svc.PutRolePolicy(ctx, "Runner", "logs", policy))
	require.NoError(t, svc.AttachRolePolicy(ctx, "Runner", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"))
	assert.Equal(t, "InvalidInput: ARN nonsense is not valid.", code(t, svc.AttachRolePolicy(ctx, "Runner", "nonsense")))
	assert.Contains(t, code(t, svc.AttachRolePolicy(ctx, "Runner", "arn:aws:iam::999999999999:policy/Other")), "NoSuchEntity: Policy arn:aws:iam::999999999999:policy/Other does not exist or is not attachable.")

	name, ok := identity.RoleNameFromArn(r.Arn)
	require.True(t, ok)
	assert.Equal(t, "Runner", name)
	_, ok = identity.RoleNameFromArn("arn:aws:iam::999999999999:role/Runner")
	assert.False(t, ok)
	tr, inline, attached, err := svc.RolePolicies(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, trust, tr)
	assert.Equal(t, map[string]string{"logs": policy}, inline)
	assert.Equal(t, []string{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}, attached)

	assert.Equal(t, "DeleteConflict: Cannot delete entity, must delete policies first.", code(t, svc.DeleteRole(ctx, "Runner")))
	require.NoError(t, svc.DeleteRolePolicy(ctx, "Runner", "logs"))
	assert.Equal(t, "NoSuchEntity: The role policy with name logs cannot be found.", code(t, svc.DeleteRolePolicy(ctx, "Runner", "logs")))
	assert.Equal(t, "DeleteConflict: Cannot delete entity, must detach all policies first.", code(t, svc.DeleteRole(ctx, "Runner")))
	require.NoError(t, svc.DetachRolePolicy(ctx, "Runner", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"))
	require.NoError(t, svc.DeleteRole(ctx, "Runner"))
	_, err = svc.GetRole(ctx, "Runner")
	assert.Contains(t, code(t, err), "NoSuchEntity")
}

func TestRoleAPIThroughSDK(t *testing.T) {
	ctx := context.Background()
	cfg, _, _ := lctest.Start(t, identity.New(lctest.Store(t)))
	client := iam.NewFromConfig(cfg)

	out, err := client.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("fn-role"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("Runs a function."), MaxSessionDuration: aws.Int32(7200),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::123456789012:role/fn-role", aws.ToString(out.Role.Arn))
	require.NotNil(t, out.Role.CreateDate)
	assert.False(t, out.Role.CreateDate.IsZero())

	got, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("fn-role")})
	require.NoError(t, err)
	encoded := aws.ToString(got.Role.AssumeRolePolicyDocument)
	assert.True(t, strings.HasPrefix(encoded, "%7B%22Version%22"), "IAM returns the document URL-encoded: %s", encoded)
	decoded, err := url.QueryUnescape(encoded)
	require.NoError(t, err)
	assert.JSONEq(t, trust, decoded)
	assert.Equal(t, "Runs a function.", aws.ToString(got.Role.Description))
	assert.Equal(t, int32(7200), aws.ToInt32(got.Role.MaxSessionDuration))
	assert.Equal(t, "/", aws.ToString(got.Role.Path))
	require.Len(t, got.Role.Tags, 1)
	assert.Equal(t, "core", aws.ToString(got.Role.Tags[0].Value))

	_, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("missing")})
	var nse *types.NoSuchEntityException
	require.ErrorAs(t, err, &nse)
	assert.Equal(t, "The role with name missing cannot be found.", nse.ErrorMessage())

	_, err = client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn-role"), AssumeRolePolicyDocument: aws.String(trust)})
	var exists *types.EntityAlreadyExistsException
	require.ErrorAs(t, err, &exists)

	_, err = client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String("[")})
	var mal *types.MalformedPolicyDocumentException
	require.ErrorAs(t, err, &mal)

	for _, n := range []string{"b-role", "a-role"} {
		_, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), Path: aws.String("/team/"), AssumeRolePolicyDocument: aws.String(trust)})
		require.NoError(t, err)
	}
	var names []string
	pager := iam.NewListRolesPaginator(client, &iam.ListRolesInput{MaxItems: aws.Int32(1)})
	pages := 0
	for pager.HasMorePages() {
		p, err := pager.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, r := range p.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	assert.Equal(t, []string{"a-role", "b-role", "fn-role"}, names)
	assert.Equal(t, 3, pages)
	team, err := client.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/team/")})
	require.NoError(t, err)
	assert.Len(t, team.Roles, 2)
	assert.False(t, team.IsTruncated)

	_, err = client.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("fn-role"), Description: aws.String("new"), MaxSessionDuration: aws.Int32(3600)})
	require.NoError(t, err)
	newTrust := strings.Replace(trust, "lambda", "states", 1)
	_, err = client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("fn-role"), PolicyDocument: aws.String(newTrust)})
	require.NoError(t, err)
	got, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("fn-role")})
	require.NoError(t, err)
	assert.Equal(t, "new", aws.ToString(got.Role.Description))
	decoded, _ = url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	assert.JSONEq(t, newTrust, decoded)

	_, err = client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn-role"), PolicyName: aws.String("logs"), PolicyDocument: aws.String(policy)})
	require.NoError(t, err)
	gp, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fn-role"), PolicyName: aws.String("logs")})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(gp.PolicyDocument), "%20", "a space is %20 in IAM's URL encoding")
	decoded, _ = url.PathUnescape(aws.ToString(gp.PolicyDocument))
	assert.Equal(t, policy, decoded)
	lp, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("fn-role")})
	require.NoError(t, err)
	assert.Equal(t, []string{"logs"}, lp.PolicyNames)

	_, err = client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess")})
	require.NoError(t, err)
	la, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("fn-role")})
	require.NoError(t, err)
	require.Len(t, la.AttachedPolicies, 1)
	assert.Equal(t, "AWSXRayDaemonWriteAccess", aws.ToString(la.AttachedPolicies[0].PolicyName))

	_, err = client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn-role")})
	var conflict *types.DeleteConflictException
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, "Cannot delete entity, must delete policies first.", conflict.ErrorMessage())

	_, err = client.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("fn-role"), Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("edge")}, {Key: aws.String("cost"), Value: aws.String("1")}}})
	require.NoError(t, err)
	lt, err := client.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("fn-role")})
	require.NoError(t, err)
	require.Len(t, lt.Tags, 2)
	assert.Equal(t, "TEAM", aws.ToString(lt.Tags[0].Key))
	assert.Equal(t, "edge", aws.ToString(lt.Tags[0].Value))
	_, err = client.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("fn-role"), TagKeys: []string{"cost"}})
	require.NoError(t, err)
	lt, err = client.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("fn-role")})
	require.NoError(t, err)
	assert.Len(t, lt.Tags, 1)

	_, err = client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("fn-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess")})
	require.NoError(t, err)
	_, err = client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("fn-role"), PolicyName: aws.String("logs")})
	require.NoError(t, err)
	_, err = client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn-role")})
	require.NoError(t, err)

	_, err = client.ListUsers(ctx, &iam.ListUsersInput{})
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "InvalidAction", api.ErrorCode())
}

func TestRoleThroughCLI(t *testing.T) {
	t.Parallel()
	lctest.RequireAWSCLI(t)
	svc := identity.New(lctest.Store(t))
	_, err := svc.CreateRole(context.Background(), identity.CreateRoleInput{RoleName: "cli-role", AssumeRolePolicyDocument: trust, Description: "from the CLI"})
	require.NoError(t, err)
	_, _, hs := lctest.Start(t, svc)
	// The CLI starts slowly: both commands run at once.
	outs := lctest.AWSParallel(hs.URL, []string{"iam", "get-role", "--role-name", "cli-role"}, []string{"iam", "get-role", "--role-name", "nope"})
	require.NoError(t, outs[0].Err, string(outs[0].Out))
	var out struct {
		Role struct {
			RoleName, Arn, Description string
			AssumeRolePolicyDocument   map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(outs[0].Out, &out), string(outs[0].Out))
	assert.Equal(t, "cli-role", out.Role.RoleName)
	assert.Equal(t, "arn:aws:iam::123456789012:role/cli-role", out.Role.Arn)
	assert.Equal(t, "2012-10-17", out.Role.AssumeRolePolicyDocument["Version"], "the CLI URL-decodes and parses the document")

	require.Error(t, outs[1].Err)
	assert.Contains(t, string(outs[1].Out), "An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name nope cannot be found.")
}

func TestRestartKeepsRoles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	svc := identity.New(st)
	r, err := svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "kept", AssumeRolePolicyDocument: trust, Tags: []identity.Tag{{Key: "k", Value: "v"}}})
	require.NoError(t, err)
	require.NoError(t, svc.PutRolePolicy(ctx, "kept", "logs", policy))
	require.NoError(t, svc.AttachRolePolicy(ctx, "kept", "arn:aws:iam::123456789012:policy/mine"))
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer st.Close()
	svc = identity.New(st)
	got, err := svc.GetRole(ctx, "kept")
	require.NoError(t, err)
	assert.Equal(t, r.RoleID, got.RoleID)
	assert.True(t, r.CreateDate.Equal(got.CreateDate))
	assert.Equal(t, []identity.Tag{{Key: "k", Value: "v"}}, got.Tags)
	tr, inline, attached, err := svc.RolePolicies(ctx, "kept")
	require.NoError(t, err)
	assert.Equal(t, trust, tr)
	assert.Equal(t, policy, inline["logs"])
	assert.Equal(t, []string{"arn:aws:iam::123456789012:policy/mine"}, attached)
}
