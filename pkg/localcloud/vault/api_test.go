package vault_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/keys"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/vault"
	"github.com/stepforge/stepforge/pkg/secrets"
)

func startClient(t *testing.T) (*secretsmanager.Client, string) {
	t.Helper()
	st := lctest.Store(t)
	kms := keys.New(st)
	cfg, _, hs := lctest.Start(t, vault.New(st, kms), kms)
	return secretsmanager.NewFromConfig(cfg), hs.URL
}

func TestAPIThroughSDK(t *testing.T) {
	ctx := context.Background()
	c, _ := startClient(t)

	cs, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("sanity-cms"), Description: aws.String("Sanity"),
		SecretString: aws.String(`{"SANITY_PROJECT_ID":"p1"}`), Tags: []types.Tag{{Key: aws.String("app"), Value: aws.String("blog")}}})
	require.NoError(t, err)
	arn := aws.ToString(cs.ARN)
	assert.Regexp(t, `^arn:aws:secretsmanager:us-east-1:123456789012:secret:sanity-cms-[A-Za-z0-9]{6}$`, arn)
	assert.Len(t, aws.ToString(cs.VersionId), 36, "the SDK's idempotency token is the version id")

	gv, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("sanity-cms")})
	require.NoError(t, err)
	assert.Equal(t, `{"SANITY_PROJECT_ID":"p1"}`, aws.ToString(gv.SecretString))
	assert.Equal(t, []string{"AWSCURRENT"}, gv.VersionStages)
	assert.Equal(t, cs.VersionId, gv.VersionId)
	assert.False(t, aws.ToTime(gv.CreatedDate).IsZero())

	pv, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretBinary: []byte{1, 2, 3}})
	require.NoError(t, err)
	assert.Equal(t, []string{"AWSCURRENT"}, pv.VersionStages)
	gv, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 2, 3}, gv.SecretBinary)
	assert.Nil(t, gv.SecretString)
	gv, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String("AWSPREVIOUS")})
	require.NoError(t, err)
	assert.Equal(t, cs.VersionId, gv.VersionId)

	us, err := c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("sanity-cms"), Description: aws.String("CMS")})
	require.NoError(t, err)
	assert.Nil(t, us.VersionId)
	_, err = c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("sanity-cms"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	require.NoError(t, err)
	_, err = c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String("sanity-cms"), TagKeys: []string{"app"}})
	require.NoError(t, err)

	ds, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("sanity-cms")})
	require.NoError(t, err)
	assert.Equal(t, arn, aws.ToString(ds.ARN))
	assert.Equal(t, "CMS", aws.ToString(ds.Description))
	assert.Nil(t, ds.KmsKeyId, "the default key is not named")
	assert.Equal(t, map[string][]string{aws.ToString(cs.VersionId): {"AWSPREVIOUS"}, aws.ToString(pv.VersionId): {"AWSCURRENT"}}, ds.VersionIdsToStages)
	assert.Equal(t, []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}, ds.Tags)
	assert.NotNil(t, ds.LastAccessedDate)
	assert.Nil(t, ds.DeletedDate)

	ls, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"sanity"}}}})
	require.NoError(t, err)
	require.Len(t, ls.SecretList, 1)
	assert.Equal(t, arn, aws.ToString(ls.SecretList[0].ARN))
	assert.Len(t, ls.SecretList[0].SecretVersionsToStages, 2)

	vs, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("sanity-cms")})
	require.NoError(t, err)
	assert.Len(t, vs.Versions, 2)

	rp, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(20), ExcludePunctuation: aws.Bool(true)})
	require.NoError(t, err)
	assert.Regexp(t, `^[A-Za-z0-9]{20}$`, aws.ToString(rp.RandomPassword))

	del, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("sanity-cms"), RecoveryWindowInDays: aws.Int64(7)})
	require.NoError(t, err)
	assert.Equal(t, arn, aws.ToString(del.ARN))
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("sanity-cms")})
	var ir *types.InvalidRequestException
	require.True(t, errors.As(err, &ir), "%v", err)
	assert.Equal(t, "You can't perform this operation on the secret because it was marked for deletion.", ir.ErrorMessage())
	ds, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("sanity-cms")})
	require.NoError(t, err)
	assert.NotNil(t, ds.DeletedDate)
	ls, err = c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	require.NoError(t, err)
	assert.Empty(t, ls.SecretList)
	ls, err = c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true)})
	require.NoError(t, err)
	assert.Len(t, ls.SecretList, 1)
	_, err = c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("sanity-cms")})
	require.NoError(t, err)

	// Errors come back as the SDK's own types.
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	require.True(t, errors.As(err, &nf), "%v", err)
	assert.Equal(t, "Secrets Manager can't find the specified secret.", nf.ErrorMessage())
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("sanity-cms"), SecretString: aws.String("x")})
	var ex *types.ResourceExistsException
	require.True(t, errors.As(err, &ex), "%v", err)
	_, err = c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("sanity-cms"), RecoveryWindowInDays: aws.Int64(3)})
	var ip *types.InvalidParameterException
	require.True(t, errors.As(err, &ip), "%v", err)
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("k"), SecretString: aws.String("x"), KmsKeyId: aws.String("alias/absent")})
	require.True(t, errors.As(err, &ip), "%v", err)
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("r"), SecretString: aws.String("x"),
		AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("eu-west-1")}}})
	require.True(t, errors.As(err, &ir), "%v", err)
	assert.Contains(t, ir.ErrorMessage(), "AddReplicaRegions")
	_, err = c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("sanity-cms")})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, "UnknownOperationException", api.ErrorCode())
	assert.Contains(t, api.ErrorMessage(), "secretsmanager.RotateSecret")
}

// The handlers' cache (pkg/secrets) reads a secret from the local cloud
// with the real client, as a function does.
func TestTheHandlersCacheReadsFromTheLocalCloud(t *testing.T) {
	ctx := context.Background()
	c, _ := startClient(t)
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("devto"), SecretString: aws.String(`{"apiKey":"k-123"}`)})
	require.NoError(t, err)

	cache := &secrets.Cache{Client: c}
	var v struct {
		APIKey string `json:"apiKey"`
	}
	require.NoError(t, cache.JSON(ctx, "devto", &v))
	assert.Equal(t, "k-123", v.APIKey)

	_, err = cache.String(ctx, "absent")
	var un *secrets.Unavailable
	require.True(t, errors.As(err, &un), "%v", err)
	var nf *types.ResourceNotFoundException
	assert.True(t, errors.As(err, &nf), "%v", err)
}

func TestTheAWSCLICreatesAndReadsASecret(t *testing.T) {
	lctest.RequireAWSCLI(t)
	_, endpoint := startClient(t)
	res := lctest.AWSParallel(endpoint, []string{"secretsmanager", "create-secret", "--name", "cli/secret", "--secret-string", "s3cr3t",
		"--tags", "Key=team,Value=ops"})
	require.NoError(t, res[0].Err, "%s", res[0].Out)
	var created struct{ ARN, Name, VersionId string }
	require.NoError(t, json.Unmarshal(res[0].Out, &created), "%s", res[0].Out)
	assert.Equal(t, "cli/secret", created.Name)

	res = lctest.AWSParallel(endpoint,
		[]string{"secretsmanager", "get-secret-value", "--secret-id", created.ARN},
		[]string{"secretsmanager", "describe-secret", "--secret-id", "cli/secret"},
		[]string{"secretsmanager", "get-secret-value", "--secret-id", "nope"})
	require.NoError(t, res[0].Err, "%s", res[0].Out)
	var got struct {
		SecretString  string
		VersionStages []string
		VersionId     string
	}
	require.NoError(t, json.Unmarshal(res[0].Out, &got), "%s", res[0].Out)
	assert.Equal(t, "s3cr3t", got.SecretString)
	assert.Equal(t, created.VersionId, got.VersionId)
	require.NoError(t, res[1].Err, "%s", res[1].Out)
	assert.Contains(t, string(res[1].Out), `"team"`)
	require.Error(t, res[2].Err)
	assert.True(t, strings.Contains(string(res[2].Out), "ResourceNotFoundException") &&
		strings.Contains(string(res[2].Out), "Secrets Manager can't find the specified secret."), "%s", res[2].Out)
}
