package identity_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/identity"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
)

func apiError(t *testing.T, err error) smithy.APIError {
	t.Helper()
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "want an API error, got %v", err)
	return api
}

func TestSessionCallsAreCheckedByTheRolesPolicies(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	store, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	svc := identity.New(store)
	cfg, server, _ := lctest.Start(t, svc, logs.New(store), localcloud.STS{Sessions: svc.CallerIdentity})
	server.SetAuthorizer(svc)

	admin := iam.NewFromConfig(cfg)
	created, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("CheckPizzaFunctionRole"), AssumeRolePolicyDocument: aws.String(trust)})
	require.NoError(t, err)
	roleArn := aws.ToString(created.Role.Arn)
	allowLogs := func(actions string) {
		t.Helper()
		_, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("CheckPizzaFunctionRole"), PolicyName: aws.String("least-privilege"),
			PolicyDocument: aws.String(doc(`{"Effect":"Allow","Action":` + actions + `,"Resource":"*"}`))})
		require.NoError(t, err)
	}
	allowLogs(`["logs:CreateLogGroup","logs:DescribeLogGroups"]`)

	key, secret, token, expires, err := svc.IssueCredentials(ctx, roleArn, "CheckPizza", "lambda.amazonaws.com")
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`), key)
	assert.Len(t, secret, 40)
	assert.NotEmpty(t, token)
	assert.WithinDuration(t, time.Now().Add(12*time.Hour), expires, time.Minute)
	gotRole, sessionArn, ok := svc.Session(ctx, key)
	require.True(t, ok)
	assert.Equal(t, roleArn, gotRole)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/CheckPizzaFunctionRole/CheckPizza", sessionArn)

	as := func(key, secret, token string) aws.Config {
		c := cfg.Copy()
		c.Credentials = credentials.NewStaticCredentialsProvider(key, secret, token)
		return c
	}
	fn := cloudwatchlogs.NewFromConfig(as(key, secret, token))
	dev := cloudwatchlogs.NewFromConfig(cfg)

	_, err = fn.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/CheckPizza")})
	require.NoError(t, err, "the role allows logs:CreateLogGroup")
	_, err = fn.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/aws/lambda/CheckPizza")})
	api := apiError(t, err)
	assert.Equal(t, "AccessDeniedException", api.ErrorCode())
	assert.Regexp(t, `^User: arn:aws:sts::123456789012:assumed-role/CheckPizzaFunctionRole/CheckPizza is not authorized to perform: logs:DeleteLogGroup on resource: \S+ because no identity-based policy allows the logs:DeleteLogGroup action$`, api.ErrorMessage())
	_, err = dev.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	require.NoError(t, err, "the developer's own credentials are never checked")

	who, err := sts.NewFromConfig(as(key, secret, token)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, sessionArn, aws.ToString(who.Arn))
	assert.Regexp(t, `^AROA[A-Z0-9]{17}:CheckPizza$`, aws.ToString(who.UserId))

	// PutRolePolicy without logs:CreateLogGroup takes effect on the next call.
	allowLogs(`["logs:DescribeLogGroups"]`)
	_, err = fn.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/Other")})
	assert.Equal(t, "AccessDeniedException", apiError(t, err).ErrorCode())
	_, err = fn.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	require.NoError(t, err)

	// A restart keeps the session valid, and its role's policies still decide.
	require.NoError(t, store.Close())
	store, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	again := identity.New(store)
	_, sessionAgain, ok := again.Session(ctx, key)
	require.True(t, ok, "a restart keeps issued sessions")
	assert.Equal(t, sessionArn, sessionAgain)
	require.NoError(t, again.AuthorizeKey(ctx, key, "logs:DescribeLogGroups", "*"))
	assert.Error(t, again.AuthorizeKey(ctx, key, "logs:CreateLogGroup", "*"))
	require.NoError(t, again.AuthorizeKey(ctx, "AKIDLOCAL", "iam:DeleteRole", "*"), "a key the local cloud did not issue is not checked")
	require.NoError(t, again.AuthorizeKey(ctx, "ASIAUNKNOWNKEY00000", "iam:DeleteRole", "*"))

	// Twelve hours on, the session has expired; a fresh one works.
	identity.SetNow(again, func() time.Time { return time.Now().Add(12*time.Hour + time.Second) })
	_, _, ok = again.Session(ctx, key)
	assert.False(t, ok)
	assert.Equal(t, "ExpiredTokenException: The security token included in the request is expired",
		code(t, again.AuthorizeKey(ctx, key, "logs:DescribeLogGroups", "*")))
	fresh, _, _, _, err := again.IssueCredentials(ctx, roleArn, "CheckPizza", "lambda.amazonaws.com")
	require.NoError(t, err)
	require.NoError(t, again.AuthorizeKey(ctx, fresh, "logs:DescribeLogGroups", "*"))
}

func TestOnlyATrustedServiceGetsCredentials(t *testing.T) {
	ctx := context.Background()
	svc := identity.New(lctest.Store(t))
	_, err := svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "FnRole", AssumeRolePolicyDocument: trust})
	require.NoError(t, err)
	_, err = svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "Guarded", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"Service":["states.amazonaws.com","events.amazonaws.com"]},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:*"}]}`})
	require.NoError(t, err)
	fnRole := identity.RoleArn("/", "FnRole")

	_, _, _, _, err = svc.IssueCredentials(ctx, fnRole, "run", "lambda.amazonaws.com")
	require.NoError(t, err)
	assert.Equal(t, "AccessDenied: User: states.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: "+fnRole,
		code(t, func() error {
			_, _, _, _, err := svc.IssueCredentials(ctx, fnRole, "run", "states.amazonaws.com")
			return err
		}()))
	_, _, _, _, err = svc.IssueCredentials(ctx, identity.RoleArn("/", "Guarded"), "run", "states.amazonaws.com")
	require.NoError(t, err)
	_, _, _, _, err = svc.IssueCredentials(ctx, identity.RoleArn("/", "Guarded"), "run", "events.amazonaws.com")
	assert.Contains(t, code(t, err), "AccessDenied:", "an explicit deny in the trust policy wins")
	_, _, _, _, err = svc.IssueCredentials(ctx, identity.RoleArn("/", "Nobody"), "run", "lambda.amazonaws.com")
	assert.Contains(t, code(t, err), "AccessDenied: User: lambda.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Nobody")
	_, _, _, _, err = svc.IssueCredentials(ctx, identity.RoleArn("/other/", "FnRole"), "run", "lambda.amazonaws.com")
	assert.Contains(t, code(t, err), "AccessDenied:", "the ARN must be the role's, path included")
	_, _, _, _, err = svc.IssueCredentials(ctx, fnRole, "bad name", "lambda.amazonaws.com")
	assert.Contains(t, code(t, err), "ValidationError:")

	// A role deleted and made again is a new role: the old session does
	// not act for it.
	key, _, _, _, err := svc.IssueCredentials(ctx, fnRole, "run", "lambda.amazonaws.com")
	require.NoError(t, err)
	require.NoError(t, svc.PutRolePolicy(ctx, "FnRole", "p", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)))
	require.NoError(t, svc.AuthorizeKey(ctx, key, "s3:GetObject", bucketObj))
	require.NoError(t, svc.DeleteRolePolicy(ctx, "FnRole", "p"))
	require.NoError(t, svc.DeleteRole(ctx, "FnRole"))
	_, err = svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: "FnRole", AssumeRolePolicyDocument: trust})
	require.NoError(t, err)
	require.NoError(t, svc.PutRolePolicy(ctx, "FnRole", "p", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)))
	assert.Contains(t, code(t, svc.AuthorizeKey(ctx, key, "s3:GetObject", bucketObj)), "AccessDeniedException:")
}
