package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/keys"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/vault"
)

const region = "us-east-1"

// The local KMS is the Keys the assembler passes, with no adapter.
var _ vault.Keys = (*keys.Service)(nil)

func code(t *testing.T, err error) string {
	t.Helper()
	var e *localcloud.Error
	require.True(t, errors.As(err, &e), "want a *localcloud.Error, got %v", err)
	return e.Code + ": " + e.Message
}

func newService(t *testing.T) (*vault.Service, *keys.Service) {
	t.Helper()
	st := lctest.Store(t)
	kms := keys.New(st)
	return vault.New(st, kms), kms
}

func get(t *testing.T, svc *vault.Service, id, versionID, stage string) string {
	t.Helper()
	v, err := svc.GetSecretValue(context.Background(), region, id, versionID, stage)
	require.NoError(t, err)
	require.NotNil(t, v.String)
	return *v.String
}

func TestStagesMoveAsAWSMovesThem(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	sec, v1, err := svc.CreateSecret(ctx, region, vault.CreateInput{Name: "app/db", SecretString: aws.String("one")})
	require.NoError(t, err)
	assert.Regexp(t, `^arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-[A-Za-z0-9]{6}$`, sec.ARN)
	assert.Equal(t, []string{vault.Current}, v1.Stages)

	_, v2, err := svc.PutSecretValue(ctx, region, "app/db", "", aws.String("two"), nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "two", get(t, svc, "app/db", "", ""))
	assert.Equal(t, "one", get(t, svc, "app/db", "", vault.Previous))
	assert.Equal(t, "one", get(t, svc, "app/db", v1.VersionID, ""))

	// A label of one's own moves alone; AWSCURRENT stays.
	_, v3, err := svc.PutSecretValue(ctx, region, "app/db", "", aws.String("three"), nil, []string{"AWSPENDING"})
	require.NoError(t, err)
	assert.Equal(t, "two", get(t, svc, "app/db", "", ""))
	assert.Equal(t, "three", get(t, svc, "app/db", "", "AWSPENDING"))

	_, _, err = svc.PutSecretValue(ctx, region, "app/db", "", aws.String("four"), nil, nil)
	require.NoError(t, err)
	d, err := svc.DescribeSecret(ctx, region, "app/db")
	require.NoError(t, err)
	stages := map[string][]string{}
	for _, v := range d.Versions {
		stages[v.VersionID] = v.Stages
	}
	assert.Empty(t, stages[v1.VersionID], "the first version lost every label")
	assert.Equal(t, []string{vault.Previous}, stages[v2.VersionID])
	assert.Equal(t, []string{"AWSPENDING"}, stages[v3.VersionID])

	_, err = svc.GetSecretValue(ctx, region, "app/db", "", "NOPE")
	assert.Equal(t, "ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: NOPE", code(t, err))
	_, err = svc.GetSecretValue(ctx, region, "app/db", v2.VersionID, vault.Current)
	assert.Equal(t, "InvalidRequestException: You provided a VersionStage that is not associated to the provided VersionId.", code(t, err))

	// A secret made without a value has none until the first put, which
	// is AWSCURRENT whatever the labels asked.
	_, v, err := svc.CreateSecret(ctx, region, vault.CreateInput{Name: "empty"})
	require.NoError(t, err)
	assert.Nil(t, v)
	_, err = svc.GetSecretValue(ctx, region, "empty", "", "")
	assert.Equal(t, "ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", code(t, err))
	_, v, err = svc.PutSecretValue(ctx, region, "empty", "", nil, []byte{0, 1, 2}, []string{"mine"})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"mine", vault.Current}, v.Stages)
	bin, err := svc.GetSecretValue(ctx, region, "empty", "", "")
	require.NoError(t, err)
	assert.Nil(t, bin.String)
	assert.Equal(t, []byte{0, 1, 2}, bin.Binary)
}

func TestAClientRequestTokenNamesOneValue(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	token := "11111111-2222-3333-4444-555555555555"
	a, _, err := svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", ClientRequestToken: token, SecretString: aws.String("v")})
	require.NoError(t, err)
	b, v, err := svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", ClientRequestToken: token, SecretString: aws.String("v")})
	require.NoError(t, err, "a repeated create is answered as the first")
	assert.Equal(t, a.ARN, b.ARN)
	assert.Equal(t, token, v.VersionID)

	_, _, err = svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", ClientRequestToken: token, SecretString: aws.String("other")})
	assert.Equal(t, "ResourceExistsException: You can't use ClientRequestToken "+token+" because that value is already in use for a version of secret "+a.ARN+".", code(t, err))
	_, _, err = svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", ClientRequestToken: strings.Repeat("9", 36), SecretString: aws.String("v")})
	assert.Equal(t, "ResourceExistsException: The operation failed because the secret s already exists.", code(t, err))

	_, v, err = svc.PutSecretValue(ctx, region, "s", token, aws.String("v"), nil, nil)
	require.NoError(t, err)
	assert.Equal(t, token, v.VersionID)
	_, _, err = svc.PutSecretValue(ctx, region, "s", token, aws.String("changed"), nil, nil)
	assert.Contains(t, code(t, err), "ResourceExistsException: You can't use ClientRequestToken")
	_, _, err = svc.PutSecretValue(ctx, region, "s", "short", aws.String("x"), nil, nil)
	assert.Equal(t, "InvalidParameterException: ClientRequestToken must be 32-64 characters long.", code(t, err))
	_, _, err = svc.PutSecretValue(ctx, region, "s", "", nil, nil, nil)
	assert.Equal(t, "InvalidRequestException: You must provide either SecretString or SecretBinary.", code(t, err))
	_, _, err = svc.CreateSecret(ctx, region, vault.CreateInput{Name: "bad name!"})
	assert.Contains(t, code(t, err), "InvalidParameterException: Invalid name.")
}

func TestASecretIsFoundByNameARNOrPartialARN(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	sec, _, err := svc.CreateSecret(ctx, region, vault.CreateInput{Name: "team/api-key", SecretString: aws.String("k")})
	require.NoError(t, err)
	partial := "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/api-key"
	for _, id := range []string{"team/api-key", sec.ARN, partial} {
		assert.Equal(t, "k", get(t, svc, id, "", ""), id)
	}
	for _, id := range []string{sec.ARN[:len(sec.ARN)-6] + "AAAAAA", "arn:aws:secretsmanager:us-east-1:999999999999:secret:team/api-key", "team/api", "arn:aws:s3:::x"} {
		_, err := svc.GetSecretValue(ctx, region, id, "", "")
		assert.Equal(t, "ResourceNotFoundException: Secrets Manager can't find the specified secret.", code(t, err), id)
	}
	_, err = svc.GetSecretValue(ctx, "eu-west-1", "team/api-key", "", "")
	assert.True(t, vault.IsNotFound(err), "a secret lives in its region")
}

func TestDeletionWaitsForTheRecoveryWindow(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	svc.SetNow(func() time.Time { return now })
	_, _, err := svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", SecretString: aws.String("v")})
	require.NoError(t, err)

	for _, w := range []int64{6, 31} {
		_, _, _, err = svc.DeleteSecret(ctx, region, "s", aws.Int64(w), false)
		assert.Equal(t, "InvalidParameterException: The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).", code(t, err))
	}
	_, _, _, err = svc.DeleteSecret(ctx, region, "s", aws.Int64(7), true)
	assert.Equal(t, "InvalidParameterException: You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.", code(t, err))

	_, _, at, err := svc.DeleteSecret(ctx, region, "s", nil, false)
	require.NoError(t, err)
	assert.Equal(t, now.Add(30*24*time.Hour), at)
	_, err = svc.GetSecretValue(ctx, region, "s", "", "")
	assert.Equal(t, "InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion.", code(t, err))
	_, _, err = svc.PutSecretValue(ctx, region, "s", "", aws.String("x"), nil, nil)
	assert.Contains(t, code(t, err), "it was marked for deletion")
	d, err := svc.DescribeSecret(ctx, region, "s")
	require.NoError(t, err)
	assert.Equal(t, now, *d.DeletedDate)
	_, _, err = svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s"})
	assert.Equal(t, "InvalidRequestException: You can't create this secret because a secret with this name is already scheduled for deletion.", code(t, err))
	_, _, _, err = svc.DeleteSecret(ctx, region, "s", nil, false)
	assert.Contains(t, code(t, err), "InvalidRequestException: You tried to perform the operation on a secret that's currently marked deleted.")

	_, err = svc.RestoreSecret(ctx, region, "s")
	require.NoError(t, err)
	assert.Equal(t, "v", get(t, svc, "s", "", ""))

	// Once the window has passed the secret is gone and its name free.
	_, _, _, err = svc.DeleteSecret(ctx, region, "s", aws.Int64(7), false)
	require.NoError(t, err)
	now = now.Add(7*24*time.Hour - time.Second)
	_, err = svc.DescribeSecret(ctx, region, "s")
	require.NoError(t, err)
	now = now.Add(time.Second)
	_, err = svc.DescribeSecret(ctx, region, "s")
	assert.True(t, vault.IsNotFound(err))
	_, err = svc.RestoreSecret(ctx, region, "s")
	assert.True(t, vault.IsNotFound(err))
	_, _, err = svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", SecretString: aws.String("new")})
	require.NoError(t, err)

	// Forced deletion is at once, and succeeds for a secret not there.
	_, _, _, err = svc.DeleteSecret(ctx, region, "s", nil, true)
	require.NoError(t, err)
	_, err = svc.DescribeSecret(ctx, region, "s")
	assert.True(t, vault.IsNotFound(err))
	arn, name, _, err := svc.DeleteSecret(ctx, region, "never", nil, true)
	require.NoError(t, err)
	assert.Equal(t, "never", name)
	assert.Contains(t, arn, ":secret:never-")
	_, _, _, err = svc.DeleteSecret(ctx, region, "never", nil, false)
	assert.True(t, vault.IsNotFound(err))
}

func TestUpdateSecretAndTags(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	_, _, err := svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", Description: "d", SecretString: aws.String("v"),
		Tags: []vault.Tag{{Key: "team", Value: "ops"}}})
	require.NoError(t, err)
	sec, v, err := svc.UpdateSecret(ctx, region, vault.UpdateInput{SecretID: "s", Description: aws.String("new d")})
	require.NoError(t, err)
	assert.Nil(t, v, "no value, no version")
	assert.Equal(t, "new d", sec.Description)
	_, v, err = svc.UpdateSecret(ctx, region, vault.UpdateInput{SecretID: "s", SecretString: aws.String("v2")})
	require.NoError(t, err)
	assert.Equal(t, []string{vault.Current}, v.Stages)
	assert.Equal(t, "v2", get(t, svc, "s", "", ""))
	assert.Equal(t, "v", get(t, svc, "s", "", vault.Previous))

	require.NoError(t, svc.TagResource(ctx, region, "s", []vault.Tag{{Key: "team", Value: "dev"}, {Key: "env", Value: "prod"}}))
	require.NoError(t, svc.UntagResource(ctx, region, "s", []string{"env", "absent"}))
	d, err := svc.DescribeSecret(ctx, region, "s")
	require.NoError(t, err)
	assert.Equal(t, []vault.Tag{{Key: "team", Value: "dev"}}, d.Tags)
	err = svc.TagResource(ctx, region, "s", []vault.Tag{{Key: "aws:x", Value: "y"}})
	assert.Contains(t, code(t, err), "InvalidParameterException")
	err = svc.TagResource(ctx, region, "gone", []vault.Tag{{Key: "a", Value: "b"}})
	assert.True(t, vault.IsNotFound(err))
}

func TestListSecretsFilters(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc.SetNow(func() time.Time { now = now.Add(time.Second); return now })
	for _, in := range []vault.CreateInput{
		{Name: "prod/db", Description: "Database password", Tags: []vault.Tag{{Key: "env", Value: "prod"}}},
		{Name: "prod/api", Description: "Partner API key", Tags: []vault.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "web"}}},
		{Name: "dev/db", Description: "database for dev", Tags: []vault.Tag{{Key: "env", Value: "dev"}}},
		{Name: "sanity-cms"},
	} {
		_, _, err := svc.CreateSecret(ctx, region, in)
		require.NoError(t, err)
	}
	_, _, _, err := svc.DeleteSecret(ctx, region, "sanity-cms", nil, false)
	require.NoError(t, err)

	names := func(in vault.ListInput) []string {
		t.Helper()
		list, _, err := svc.ListSecrets(ctx, region, in)
		require.NoError(t, err)
		var out []string
		for _, s := range list {
			out = append(out, s.Name)
		}
		return out
	}
	f := func(key string, values ...string) vault.ListInput {
		return vault.ListInput{Filters: []vault.Filter{{Key: key, Values: values}}}
	}
	assert.Equal(t, []string{"prod/db", "prod/api", "dev/db"}, names(vault.ListInput{}))
	assert.Equal(t, []string{"prod/db", "prod/api", "dev/db", "sanity-cms"}, names(vault.ListInput{IncludePlannedDeletion: true}))
	assert.Equal(t, []string{"sanity-cms", "dev/db", "prod/api", "prod/db"}, names(vault.ListInput{IncludePlannedDeletion: true, SortOrder: "desc"}))
	assert.Equal(t, []string{"prod/db", "prod/api"}, names(f("name", "prod/")))
	assert.Empty(t, names(f("name", "PROD/")), "name is a case-sensitive prefix")
	assert.Equal(t, []string{"prod/db", "dev/db"}, names(f("description", "database")), "description is a case-insensitive prefix")
	assert.Equal(t, []string{"prod/api"}, names(f("tag-key", "te")))
	assert.Equal(t, []string{"dev/db"}, names(f("tag-value", "dev")))
	assert.Equal(t, []string{"prod/api", "dev/db"}, names(f("tag-value", "!prod", "web")))
	assert.Equal(t, []string{"prod/api"}, names(f("all", "partner")))
	assert.Equal(t, []string{"prod/db", "dev/db"}, names(f("all", "DB")))
	assert.Equal(t, []string{"prod/api"}, names(vault.ListInput{Filters: []vault.Filter{{Key: "name", Values: []string{"prod"}}, {Key: "tag-key", Values: []string{"team"}}}}))

	page, next, err := svc.ListSecrets(ctx, region, vault.ListInput{MaxResults: 2})
	require.NoError(t, err)
	require.Len(t, page, 2)
	require.NotEmpty(t, next)
	page, next, err = svc.ListSecrets(ctx, region, vault.ListInput{MaxResults: 2, NextToken: next})
	require.NoError(t, err)
	assert.Equal(t, "dev/db", page[0].Name)
	assert.Empty(t, next)

	_, _, err = svc.ListSecrets(ctx, region, f("colour", "x"))
	assert.Contains(t, code(t, err), "ValidationException: 1 validation error detected: Value 'colour' at 'filters.1.member.key'")
	_, _, err = svc.ListSecrets(ctx, region, vault.ListInput{NextToken: "garbage!"})
	assert.Equal(t, "InvalidNextTokenException: The NextToken value is invalid.", code(t, err))
}

func TestRestartKeepsSecretsAndTheFileHoldsNoPlaintext(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	svc := vault.New(st, keys.New(st))
	const plain = "PLAINTEXT-hunter2-correct-horse"
	sec, _, err := svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", SecretString: aws.String(plain), Description: "kept"})
	require.NoError(t, err)
	_, _, err = svc.PutSecretValue(ctx, region, "s", "", nil, []byte(plain+"-binary"), []string{"bin"})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Contains(raw, []byte(sec.ARN)), "the secret is in the file")
	assert.False(t, bytes.Contains(raw, []byte("hunter2")), "the value is not")

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer st.Close()
	svc = vault.New(st, keys.New(st))
	assert.Equal(t, plain, get(t, svc, sec.ARN, "", ""))
	b, err := svc.GetSecretValue(ctx, region, "s", "", "bin")
	require.NoError(t, err)
	assert.Equal(t, plain+"-binary", string(b.Binary))
	d, err := svc.DescribeSecret(ctx, region, "s")
	require.NoError(t, err)
	assert.Equal(t, "kept", d.Description)
	assert.NotNil(t, d.LastAccessed)
}

func TestTheSecretsKeyIsUsedAndItsStateMatters(t *testing.T) {
	ctx := context.Background()
	svc, kms := newService(t)
	k, err := kms.CreateKey(ctx, keys.CreateKeyInput{Description: "secrets"})
	require.NoError(t, err)
	_, _, err = svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", KmsKeyID: k.KeyID, SecretString: aws.String("v")})
	require.NoError(t, err)
	d, err := svc.DescribeSecret(ctx, region, "s")
	require.NoError(t, err)
	assert.Equal(t, k.KeyID, d.KmsKeyID)
	_, keyArn, err := kms.Decrypt(ctx, d.Versions[0].DataKey, map[string]string{"SecretARN": d.ARN, "SecretVersionId": d.Versions[0].VersionID})
	require.NoError(t, err, "the data key is sealed with the encryption context AWS uses")
	assert.Equal(t, k.Arn, keyArn)

	require.NoError(t, kms.DisableKey(ctx, k.KeyID))
	_, err = svc.GetSecretValue(ctx, region, "s", "", "")
	assert.Equal(t, "DecryptionFailure: Secrets Manager can't decrypt the protected secret text using the provided KMS key.", code(t, err))
	_, _, err = svc.PutSecretValue(ctx, region, "s", "", aws.String("w"), nil, nil)
	assert.Contains(t, code(t, err), "EncryptionFailure: Secrets Manager can't encrypt the protected secret text")
	require.NoError(t, kms.EnableKey(ctx, k.KeyID))

	// A new key re-encrypts the labelled versions: the old key can go.
	_, _, err = svc.UpdateSecret(ctx, region, vault.UpdateInput{SecretID: "s", KmsKeyID: aws.String("alias/aws/secretsmanager")})
	require.NoError(t, err)
	require.NoError(t, kms.DisableKey(ctx, k.KeyID))
	assert.Equal(t, "v", get(t, svc, "s", "", ""))

	_, _, err = svc.CreateSecret(ctx, region, vault.CreateInput{Name: "t", KmsKeyID: "alias/nope", SecretString: aws.String("v")})
	assert.Contains(t, code(t, err), "InvalidParameterException: Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found.")
	_, err = svc.DescribeSecret(ctx, region, "t")
	assert.True(t, vault.IsNotFound(err), "a secret that could not be encrypted is not made")
}

func TestAuthorizationNamesTheSecretsARN(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	sec, _, err := svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", SecretString: aws.String("v")})
	require.NoError(t, err)
	req := func(body string) *localcloud.Request { return &localcloud.Request{Body: []byte(body), Region: region} }

	action, res := svc.Authorization("GetSecretValue", req(`{"SecretId":"s"}`))
	assert.Equal(t, "secretsmanager:GetSecretValue", action)
	assert.Equal(t, []string{sec.ARN}, res)
	_, res = svc.Authorization("GetSecretValue", req(`{"SecretId":"`+sec.ARN+`"}`))
	assert.Equal(t, []string{sec.ARN}, res)

	// A secret not there is evaluated as the ARN it would have, so a
	// policy on "<name>-??????" applies to it.
	suffixed := regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:other-[A-Za-z0-9]{6}$`)
	_, res = svc.Authorization("GetSecretValue", req(`{"SecretId":"other"}`))
	assert.Regexp(t, suffixed, res[0])
	action, res = svc.Authorization("CreateSecret", req(`{"Name":"other"}`))
	assert.Equal(t, "secretsmanager:CreateSecret", action)
	assert.Regexp(t, suffixed, res[0])
	_, res = svc.Authorization("ListSecrets", req(`{}`))
	assert.Equal(t, []string{"*"}, res)
}

func TestRandomPassword(t *testing.T) {
	p, err := vault.RandomPassword(vault.PasswordOptions{})
	require.NoError(t, err)
	assert.Len(t, p, 32)
	for _, set := range []string{"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"} {
		assert.True(t, strings.ContainsAny(p, set), "each type is included: %s", p)
	}
	p, err = vault.RandomPassword(vault.PasswordOptions{PasswordLength: 4, ExcludePunctuation: true, ExcludeCharacters: "abc"})
	require.NoError(t, err)
	assert.Len(t, p, 3+1)
	assert.NotContains(t, p, "a")
	_, err = vault.RandomPassword(vault.PasswordOptions{PasswordLength: 2})
	assert.Equal(t, "InvalidParameterException: Password length is too short based on the required types.", code(t, err))
}

// A read decrypts the data key with KMS and the value with AES-GCM.
func BenchmarkGetSecretValue(b *testing.B) {
	st, err := localcloud.OpenStore(b.TempDir() + "/state.db")
	require.NoError(b, err)
	defer st.Close()
	svc := vault.New(st, keys.New(st))
	ctx := context.Background()
	_, _, err = svc.CreateSecret(ctx, region, vault.CreateInput{Name: "s", SecretString: aws.String(strings.Repeat("x", 1024))})
	require.NoError(b, err)
	for b.Loop() {
		if _, err := svc.GetSecretValue(ctx, region, "s", "", ""); err != nil {
			b.Fatal(err)
		}
	}
}
