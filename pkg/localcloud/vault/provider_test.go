package vault_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/keys"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/vault"
)

func TestSecretProviderGeneratesUpdatesAndDeletes(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	p := vault.SecretProvider(svc)
	assert.Equal(t, "AWS::SecretsManager::Secret", p.Type())
	assert.Equal(t, []string{"Name"}, p.CreateOnlyProperties())

	req := &cfnengine.ResourceRequest{StackName: "blog", LogicalID: "SanitySecret", Region: "us-east-1", Properties: map[string]any{
		"Description": "Sanity credentials",
		"GenerateSecretString": map[string]any{"SecretStringTemplate": `{"projectId":"p1"}`, "GenerateStringKey": "token",
			"PasswordLength": "24", "ExcludePunctuation": "true"},
		"Tags": []any{map[string]any{"Key": "app", "Value": "blog"}},
	}}
	res, err := p.Create(ctx, req)
	require.NoError(t, err)
	assert.Regexp(t, `^arn:aws:secretsmanager:us-east-1:123456789012:secret:SanitySecret-[A-Za-z0-9]{12}-[A-Za-z0-9]{6}$`, res.Ref)
	assert.Equal(t, res.Ref, res.PhysicalID)
	assert.Equal(t, res.Ref, res.Attributes["Id"])
	var doc map[string]string
	require.NoError(t, json.Unmarshal([]byte(get(t, svc, res.Ref, "", "")), &doc))
	assert.Equal(t, "p1", doc["projectId"])
	assert.Regexp(t, `^[A-Za-z0-9]{24}$`, doc["token"])

	upd := &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: res.PhysicalID, OldProperties: req.Properties, Properties: map[string]any{
		"Description": "changed", "SecretString": "plain", "Tags": []any{map[string]any{"Key": "env", "Value": "dev"}}}}
	_, err = p.Update(ctx, upd)
	require.NoError(t, err)
	assert.Equal(t, "plain", get(t, svc, res.Ref, "", ""))
	d, err := svc.DescribeSecret(ctx, "us-east-1", res.Ref)
	require.NoError(t, err)
	assert.Equal(t, "changed", d.Description)
	assert.Equal(t, []vault.Tag{{Key: "env", Value: "dev"}}, d.Tags)

	_, err = p.Create(ctx, &cfnengine.ResourceRequest{LogicalID: "Bad", Properties: map[string]any{"SecretString": "a",
		"GenerateSecretString": map[string]any{}}})
	assert.ErrorContains(t, err, "You can't specify both SecretString and GenerateSecretString.")
	_, err = p.Create(ctx, &cfnengine.ResourceRequest{LogicalID: "Bad", Properties: map[string]any{"ReplicaRegions": []any{map[string]any{"Region": "eu-west-1"}}}})
	assert.ErrorContains(t, err, "ReplicaRegions")
	_, err = p.Create(ctx, &cfnengine.ResourceRequest{LogicalID: "Bad", Properties: map[string]any{"Name": "sanity", "Colour": "red"}})
	assert.ErrorContains(t, err, "Encountered unsupported property Colour")

	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: res.PhysicalID}))
	_, err = svc.DescribeSecret(ctx, "us-east-1", res.Ref)
	assert.True(t, vault.IsNotFound(err), "deleted without a recovery window")
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: res.PhysicalID}), "a secret already gone is deleted")
}

// policyAuthorizer allows the actions on the resources its patterns name
// (IAM's ? and * wildcards), as a role's policy would.
type policyAuthorizer map[string]string

func (p policyAuthorizer) AuthorizeKey(_ context.Context, key, action, resource string) error {
	if ok, _ := path.Match(p[action], resource); ok {
		return nil
	}
	return &localcloud.Error{Code: "AccessDeniedException", Status: http.StatusBadRequest,
		Message: "User: " + key + " is not authorized to perform: " + action + " on resource: " + resource}
}

func TestIAMIsCheckedOnTheSecretsARN(t *testing.T) {
	ctx := context.Background()
	st := lctest.Store(t)
	kms := keys.New(st)
	svc := vault.New(st, kms)
	_, _, err := svc.CreateSecret(ctx, "us-east-1", vault.CreateInput{Name: "allowed", SecretString: aws.String("v")})
	require.NoError(t, err)
	_, _, err = svc.CreateSecret(ctx, "us-east-1", vault.CreateInput{Name: "other", SecretString: aws.String("v")})
	require.NoError(t, err)
	cfg, srv, _ := lctest.Start(t, svc, kms)
	srv.SetAuthorizer(policyAuthorizer{"secretsmanager:GetSecretValue": "arn:aws:secretsmanager:us-east-1:123456789012:secret:allowed-??????"})
	c := secretsmanager.NewFromConfig(cfg)

	gv, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("allowed")})
	require.NoError(t, err)
	assert.Equal(t, "v", aws.ToString(gv.SecretString))

	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("other")})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, "AccessDeniedException", api.ErrorCode())
	assert.Regexp(t, regexp.MustCompile(`on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:other-[A-Za-z0-9]{6}$`), api.ErrorMessage())

	// Once "allowed" is gone, the same policy still lets the caller learn
	// that it is not there.
	_, _, _, err = svc.DeleteSecret(ctx, "us-east-1", "allowed", nil, true)
	require.NoError(t, err)
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("allowed")})
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, "ResourceNotFoundException", api.ErrorCode())
}
