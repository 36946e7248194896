package keys_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/keys"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

func code(t *testing.T, err error) string {
	t.Helper()
	var e *localcloud.Error
	require.True(t, errors.As(err, &e), "want a *localcloud.Error, got %v", err)
	return e.Code + ": " + e.Message
}

func TestKeyBehaviour(t *testing.T) {
	ctx := context.Background()
	svc := keys.New(lctest.Store(t))
	k, err := svc.CreateKey(ctx, keys.CreateKeyInput{Description: "d"})
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, k.KeyID)
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/"+k.KeyID, k.Arn)
	assert.Equal(t, "ENCRYPT_DECRYPT", k.KeyUsage)
	assert.Equal(t, keys.StateEnabled, k.KeyState)
	assert.Equal(t, keys.DefaultKeyPolicy(), k.Policy)

	_, err = svc.CreateKey(ctx, keys.CreateKeyInput{KeySpec: "RSA_2048"})
	assert.Contains(t, code(t, err), "UnsupportedOperationException: KeySpec RSA_2048 is not supported")
	_, err = svc.CreateKey(ctx, keys.CreateKeyInput{KeySpec: "AES"})
	assert.Contains(t, code(t, err), "ValidationException: 1 validation error detected: Value 'AES' at 'keySpec'")
	_, err = svc.CreateKey(ctx, keys.CreateKeyInput{KeyUsage: "SIGN_VERIFY"})
	assert.Equal(t, "ValidationException: KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT", code(t, err))

	encCtx := map[string]string{"purpose": "test", "b": "2"}
	blob, err := svc.Encrypt(ctx, k.KeyID, []byte("secret"), encCtx)
	require.NoError(t, err)
	assert.False(t, bytes.Contains(blob, []byte("secret")))
	pt, arn, err := svc.Decrypt(ctx, blob, map[string]string{"b": "2", "purpose": "test"})
	require.NoError(t, err)
	assert.Equal(t, "secret", string(pt))
	assert.Equal(t, k.Arn, arn)
	_, _, err = svc.Decrypt(ctx, blob, map[string]string{"purpose": "other", "b": "2"})
	assert.Equal(t, "InvalidCiphertextException: ", code(t, err))
	_, _, err = svc.Decrypt(ctx, blob, nil)
	assert.Equal(t, "InvalidCiphertextException: ", code(t, err))
	tampered := append([]byte(nil), blob...)
	tampered[len(tampered)-1] ^= 1
	_, _, err = svc.Decrypt(ctx, tampered, encCtx)
	assert.Equal(t, "InvalidCiphertextException: ", code(t, err))
	_, _, err = svc.Decrypt(ctx, []byte("garbage"), nil)
	assert.Equal(t, "InvalidCiphertextException: ", code(t, err))

	other, err := svc.CreateKey(ctx, keys.CreateKeyInput{})
	require.NoError(t, err)
	newBlob, src, dst, err := svc.ReEncrypt(ctx, blob, encCtx, "", other.KeyID, nil)
	require.NoError(t, err)
	assert.Equal(t, k.Arn, src)
	assert.Equal(t, other.Arn, dst)
	pt, arn, err = svc.Decrypt(ctx, newBlob, nil)
	require.NoError(t, err)
	assert.Equal(t, "secret", string(pt))
	assert.Equal(t, other.Arn, arn)

	_, err = svc.DescribeKey(ctx, "not-a-key")
	assert.Equal(t, "NotFoundException: Invalid keyId not-a-key", code(t, err))
	_, err = svc.DescribeKey(ctx, "11111111-2222-4333-8444-555555555555")
	assert.Equal(t, "NotFoundException: Key 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555' does not exist", code(t, err))
	_, err = svc.DescribeKey(ctx, "alias/none")
	assert.Equal(t, "NotFoundException: Alias arn:aws:kms:us-east-1:123456789012:alias/none is not found.", code(t, err))
	_, err = svc.DescribeKey(keys.WithRegion(ctx, "eu-west-1"), k.KeyID)
	assert.Contains(t, code(t, err), "NotFoundException: Key 'arn:aws:kms:eu-west-1:", "keys are regional")

	require.NoError(t, svc.CreateAlias(ctx, "alias/app", k.KeyID))
	assert.Contains(t, code(t, svc.CreateAlias(ctx, "alias/app", other.Arn)), "AlreadyExistsException: An alias with the name arn:aws:kms:us-east-1:123456789012:alias/app already exists")
	assert.Contains(t, code(t, svc.CreateAlias(ctx, "app", k.KeyID)), `Alias must start with the prefix "alias/"`)
	for _, id := range []string{k.KeyID, k.Arn, "alias/app", "arn:aws:kms:us-east-1:123456789012:alias/app"} {
		got, err := svc.DescribeKey(ctx, id)
		require.NoError(t, err, id)
		assert.Equal(t, k.KeyID, got.KeyID, id)
	}

	require.NoError(t, svc.DisableKey(ctx, "alias/app"))
	_, err = svc.Encrypt(ctx, "alias/app", []byte("x"), nil)
	assert.Equal(t, "DisabledException: "+k.Arn+" is disabled.", code(t, err))
	_, _, err = svc.Decrypt(ctx, blob, encCtx)
	assert.Equal(t, "DisabledException: "+k.Arn+" is disabled.", code(t, err))
	assert.Equal(t, "DisabledException: "+k.Arn+" is disabled.", code(t, svc.EnableKeyRotation(ctx, k.KeyID, 0)))
	require.NoError(t, svc.EnableKey(ctx, k.KeyID))

	require.NoError(t, svc.EnableKeyRotation(ctx, k.KeyID, 0))
	st, err := svc.GetKeyRotationStatus(ctx, k.KeyID)
	require.NoError(t, err)
	assert.True(t, st.Enabled)
	assert.Equal(t, 365, st.PeriodInDays)

	_, err = svc.ScheduleKeyDeletion(ctx, k.KeyID, 5)
	assert.Equal(t, "ValidationException: 1 validation error detected: Value '5' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7", code(t, err))
	sched, err := svc.ScheduleKeyDeletion(ctx, k.KeyID, 7)
	require.NoError(t, err)
	assert.Equal(t, keys.StatePendingDeletion, sched.KeyState)
	assert.WithinDuration(t, time.Now().AddDate(0, 0, 7), *sched.DeletionDate, time.Minute)
	_, err = svc.Encrypt(ctx, k.KeyID, []byte("x"), nil)
	assert.Equal(t, "KMSInvalidStateException: "+k.Arn+" is pending deletion.", code(t, err))
	assert.Equal(t, "KMSInvalidStateException: "+k.Arn+" is pending deletion.", code(t, svc.EnableKey(ctx, k.KeyID)))
	cancelled, err := svc.CancelKeyDeletion(ctx, k.KeyID)
	require.NoError(t, err)
	assert.Equal(t, keys.StateDisabled, cancelled.KeyState, "a cancelled deletion leaves the key disabled")
	_, err = svc.CancelKeyDeletion(ctx, k.KeyID)
	assert.Contains(t, code(t, err), "KMSInvalidStateException")

	// After the waiting period the key and its alias are gone.
	_, err = svc.ScheduleKeyDeletion(ctx, k.KeyID, 7)
	require.NoError(t, err)
	svc.SetNow(func() time.Time { return time.Now().UTC().AddDate(0, 0, 8) })
	_, err = svc.DescribeKey(ctx, k.KeyID)
	assert.Contains(t, code(t, err), "NotFoundException: Key ")
	aliases, _, err := svc.ListAliases(ctx, "", 0, "")
	require.NoError(t, err)
	assert.Empty(t, aliases)
	list, _, err := svc.ListKeys(ctx, 0, "")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, other.KeyID, list[0].KeyID)
}

func TestKeyAPIThroughSDK(t *testing.T) {
	ctx := context.Background()
	cfg, _, _ := lctest.Start(t, keys.New(lctest.Store(t)))
	client := kms.NewFromConfig(cfg)

	created, err := client.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("app key"),
		Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("core")}}})
	require.NoError(t, err)
	md := created.KeyMetadata
	id := aws.ToString(md.KeyId)
	assert.Equal(t, "123456789012", aws.ToString(md.AWSAccountId))
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/"+id, aws.ToString(md.Arn))
	assert.True(t, md.Enabled)
	assert.Equal(t, types.KeyStateEnabled, md.KeyState)
	assert.Equal(t, types.KeyUsageTypeEncryptDecrypt, md.KeyUsage)
	assert.Equal(t, types.OriginTypeAwsKms, md.Origin)
	assert.Equal(t, types.KeyManagerTypeCustomer, md.KeyManager)
	assert.Equal(t, types.KeySpecSymmetricDefault, md.KeySpec)
	assert.Equal(t, types.CustomerMasterKeySpecSymmetricDefault, md.CustomerMasterKeySpec)
	assert.Equal(t, []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecSymmetricDefault}, md.EncryptionAlgorithms)
	require.NotNil(t, md.MultiRegion)
	assert.False(t, *md.MultiRegion)
	require.NotNil(t, md.CreationDate)
	assert.WithinDuration(t, time.Now(), *md.CreationDate, time.Minute)

	_, err = client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	var unsupported *types.UnsupportedOperationException
	require.ErrorAs(t, err, &unsupported)

	_, err = client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)})
	require.NoError(t, err)
	_, err = client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)})
	var exists *types.AlreadyExistsException
	require.ErrorAs(t, err, &exists)
	desc, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/app")})
	require.NoError(t, err)
	assert.Equal(t, id, aws.ToString(desc.KeyMetadata.KeyId))
	assert.Equal(t, "app key", aws.ToString(desc.KeyMetadata.Description))
	al, err := client.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	require.Len(t, al.Aliases, 1)
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:alias/app", aws.ToString(al.Aliases[0].AliasArn))
	assert.Equal(t, id, aws.ToString(al.Aliases[0].TargetKeyId))

	_, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
	var nf *types.NotFoundException
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "Alias arn:aws:kms:us-east-1:123456789012:alias/missing is not found.", nf.ErrorMessage())

	pol, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.Equal(t, "default", aws.ToString(pol.PolicyName))
	var doc struct {
		Statement []struct {
			Principal struct{ AWS string }
			Action    string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc))
	assert.Equal(t, "arn:aws:iam::123456789012:root", doc.Statement[0].Principal.AWS)
	newPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}`
	_, err = client.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(newPolicy)})
	require.NoError(t, err)
	pol, err = client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
	require.NoError(t, err)
	assert.Equal(t, newPolicy, aws.ToString(pol.Policy))
	_, err = client.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String("{")})
	var malformed *types.MalformedPolicyDocumentException
	require.ErrorAs(t, err, &malformed)

	_, err = client.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(180)})
	require.NoError(t, err)
	rot, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.True(t, rot.KeyRotationEnabled)
	assert.Equal(t, int32(180), aws.ToInt32(rot.RotationPeriodInDays))
	require.NotNil(t, rot.NextRotationDate)
	_, err = client.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	rot, err = client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.False(t, rot.KeyRotationEnabled)

	enc, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/app"), Plaintext: []byte("hello"),
		EncryptionContext: map[string]string{"k": "v"}})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(md.Arn), aws.ToString(enc.KeyId))
	assert.Equal(t, types.EncryptionAlgorithmSpecSymmetricDefault, enc.EncryptionAlgorithm)
	dec, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"k": "v"}})
	require.NoError(t, err)
	assert.Equal(t, "hello", string(dec.Plaintext))
	assert.Equal(t, aws.ToString(md.Arn), aws.ToString(dec.KeyId))
	_, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"k": "w"}})
	var badCT *types.InvalidCiphertextException
	require.ErrorAs(t, err, &badCT)

	other, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	require.NoError(t, err)
	_, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"k": "v"}, KeyId: other.KeyMetadata.KeyId})
	var incorrect *types.IncorrectKeyException
	require.ErrorAs(t, err, &incorrect)

	dk, err := client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: types.DataKeySpecAes256})
	require.NoError(t, err)
	assert.Len(t, dk.Plaintext, 32)
	dec, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	require.NoError(t, err)
	assert.Equal(t, dk.Plaintext, dec.Plaintext)
	dkw, err := client.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String(id), NumberOfBytes: aws.Int32(16)})
	require.NoError(t, err)
	dec, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dkw.CiphertextBlob})
	require.NoError(t, err)
	assert.Len(t, dec.Plaintext, 16)
	_, err = client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id)})
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "ValidationException", api.ErrorCode())

	re, err := client.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: map[string]string{"k": "v"},
		DestinationKeyId: other.KeyMetadata.Arn})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(md.Arn), aws.ToString(re.SourceKeyId))
	dec, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob})
	require.NoError(t, err)
	assert.Equal(t, "hello", string(dec.Plaintext))

	var ids []string
	pager := kms.NewListKeysPaginator(client, &kms.ListKeysInput{Limit: aws.Int32(1)})
	for pager.HasMorePages() {
		p, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, k := range p.Keys {
			ids = append(ids, aws.ToString(k.KeyId))
		}
	}
	assert.ElementsMatch(t, []string{id, aws.ToString(other.KeyMetadata.KeyId)}, ids)

	_, err = client.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []types.Tag{{TagKey: aws.String("env"), TagValue: aws.String("dev")}}})
	require.NoError(t, err)
	_, err = client.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(id), TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err := client.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	assert.Equal(t, "env", aws.ToString(tags.Tags[0].TagKey))

	_, err = client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	_, err = client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
	var dis *types.DisabledException
	require.ErrorAs(t, err, &dis)
	assert.Equal(t, aws.ToString(md.Arn)+" is disabled.", dis.ErrorMessage())

	sched, err := client.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)})
	require.NoError(t, err)
	assert.Equal(t, types.KeyStatePendingDeletion, sched.KeyState)
	assert.Equal(t, int32(7), aws.ToInt32(sched.PendingWindowInDays))
	require.NotNil(t, sched.DeletionDate)
	_, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	var invalid *types.KMSInvalidStateException
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, aws.ToString(md.Arn)+" is pending deletion.", invalid.ErrorMessage())
	desc, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.False(t, desc.KeyMetadata.Enabled)
	require.NotNil(t, desc.KeyMetadata.DeletionDate)
	_, err = client.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)})
	require.NoError(t, err)

	_, err = client.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/app")})
	require.NoError(t, err)
	_, err = client.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/app")})
	require.ErrorAs(t, err, &nf)

	_, err = client.Sign(ctx, &kms.SignInput{KeyId: aws.String(id), Message: []byte("m"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "UnknownOperationException", api.ErrorCode())
}

func TestKeyThroughCLI(t *testing.T) {
	t.Parallel()
	lctest.RequireAWSCLI(t)
	svc := keys.New(lctest.Store(t))
	k, err := svc.CreateKey(context.Background(), keys.CreateKeyInput{Description: "cli key"})
	require.NoError(t, err)
	require.NoError(t, svc.CreateAlias(context.Background(), "alias/cli", k.KeyID))
	_, _, hs := lctest.Start(t, svc)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plain"), []byte("from the cli"), 0o600))
	outs := lctest.AWSParallel(hs.URL,
		[]string{"kms", "describe-key", "--key-id", "alias/cli"},
		[]string{"kms", "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://" + filepath.Join(dir, "plain"), "--encryption-context", "app=cli"},
		[]string{"kms", "describe-key", "--key-id", "alias/none"})

	var desc struct {
		KeyMetadata struct {
			KeyID       string `json:"KeyId"`
			Arn         string
			Description string
			KeyState    string
			KeySpec     string
		}
	}
	require.NoError(t, outs[0].Err, string(outs[0].Out))
	require.NoError(t, json.Unmarshal(outs[0].Out, &desc))
	assert.Equal(t, k.KeyID, desc.KeyMetadata.KeyID)
	assert.Equal(t, k.Arn, desc.KeyMetadata.Arn)
	assert.Equal(t, "cli key", desc.KeyMetadata.Description)
	assert.Equal(t, "Enabled", desc.KeyMetadata.KeyState)
	assert.Equal(t, "SYMMETRIC_DEFAULT", desc.KeyMetadata.KeySpec)

	var enc struct{ CiphertextBlob, KeyID string }
	require.NoError(t, outs[1].Err, string(outs[1].Out))
	require.NoError(t, json.Unmarshal(outs[1].Out, &enc))
	blob, err := base64.StdEncoding.DecodeString(enc.CiphertextBlob)
	require.NoError(t, err)
	pt, arn, err := svc.Decrypt(context.Background(), blob, map[string]string{"app": "cli"})
	require.NoError(t, err, "the Go method decrypts what the CLI encrypted")
	assert.Equal(t, "from the cli", string(pt))
	assert.Equal(t, k.Arn, arn)

	require.Error(t, outs[2].Err)
	assert.Contains(t, string(outs[2].Out), "An error occurred (NotFoundException) when calling the DescribeKey operation: Alias arn:aws:kms:us-east-1:123456789012:alias/none is not found.")
}

func TestRestartKeepsKeysAndDecrypts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	svc := keys.New(st)
	k, err := svc.CreateKey(ctx, keys.CreateKeyInput{Description: "durable"})
	require.NoError(t, err)
	require.NoError(t, svc.CreateAlias(ctx, "alias/durable", k.KeyID))
	require.NoError(t, svc.EnableKeyRotation(ctx, k.KeyID, 0))
	blob, err := svc.Encrypt(ctx, "alias/durable", []byte("kept"), map[string]string{"a": "b"})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer st.Close()
	svc = keys.New(st)
	got, err := svc.DescribeKey(ctx, "alias/durable")
	require.NoError(t, err)
	assert.Equal(t, k.KeyID, got.KeyID)
	assert.Equal(t, "durable", got.Description)
	assert.True(t, got.RotationEnabled)
	pt, _, err := svc.Decrypt(ctx, blob, map[string]string{"a": "b"})
	require.NoError(t, err)
	assert.Equal(t, "kept", string(pt))
}

func TestKeyProvider(t *testing.T) {
	ctx := context.Background()
	svc := keys.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	client := kms.NewFromConfig(cfg)
	p := keys.KeyProvider(svc)
	assert.Equal(t, "AWS::KMS::Key", p.Type())
	assert.ElementsMatch(t, []string{"KeySpec", "KeyUsage", "MultiRegion", "Origin"}, p.CreateOnlyProperties())

	props := lctest.TemplateProperties(t, "retry-on-500.template.json", "LogsKey")
	req := &cfnengine.ResourceRequest{StackName: "test-stack", LogicalID: "LogsKey", Type: "AWS::KMS::Key",
		Region: "us-east-1", Account: "123456789012", Properties: props}
	res, err := p.Create(ctx, req)
	require.NoError(t, err)
	id := res.PhysicalID
	assert.Equal(t, id, res.Ref)
	assert.Equal(t, id, res.Attributes["KeyId"])
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/"+id, res.Attributes["Arn"])

	desc, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.Equal(t, "Encrypts the retry-on-500 execution logs.", aws.ToString(desc.KeyMetadata.Description))
	assert.True(t, desc.KeyMetadata.Enabled)
	rot, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.True(t, rot.KeyRotationEnabled)
	pol, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	want, _ := json.Marshal(props["KeyPolicy"])
	assert.JSONEq(t, string(want), aws.ToString(pol.Policy))
	assert.Contains(t, aws.ToString(pol.Policy), "logs.us-east-1.amazonaws.com")

	// In place: a new description, rotation off, disabled, a tag, the
	// default key policy (KeyPolicy removed).
	updated := map[string]any{"Description": "changed", "EnableKeyRotation": "false", "Enabled": "false",
		"Tags": []any{map[string]any{"Key": "env", "Value": "dev"}}}
	res2, err := p.Update(ctx, &cfnengine.ResourceRequest{StackName: "test-stack", LogicalID: "LogsKey", Region: "us-east-1",
		PhysicalID: id, Properties: updated, OldProperties: props})
	require.NoError(t, err)
	assert.Equal(t, id, res2.PhysicalID)
	desc, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.Equal(t, "changed", aws.ToString(desc.KeyMetadata.Description))
	assert.Equal(t, types.KeyStateDisabled, desc.KeyMetadata.KeyState)
	rot, err = client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.False(t, rot.KeyRotationEnabled)
	pol, err = client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.Equal(t, keys.DefaultKeyPolicy(), aws.ToString(pol.Policy))
	tags, err := client.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	assert.Equal(t, "dev", aws.ToString(tags.Tags[0].TagValue))

	_, err = p.Create(ctx, &cfnengine.ResourceRequest{LogicalID: "Bad", Properties: map[string]any{"KeySpec": "RSA_2048"}})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), `Resource handler returned message: "KeySpec RSA_2048 is not supported`), err.Error())
	_, err = p.Create(ctx, &cfnengine.ResourceRequest{LogicalID: "Bad", Properties: map[string]any{"Unknown": "x"}})
	require.EqualError(t, err, "Encountered unsupported property Unknown")

	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: id, Region: "us-east-1", Properties: updated}))
	desc, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	require.NoError(t, err)
	assert.Equal(t, types.KeyStatePendingDeletion, desc.KeyMetadata.KeyState)
	assert.WithinDuration(t, time.Now().AddDate(0, 0, 30), *desc.KeyMetadata.DeletionDate, time.Minute, "CloudFormation's default window is 30 days")
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: id, Region: "us-east-1"}), "deleting again is not an error")
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: "11111111-2222-4333-8444-555555555555"}))
}

func TestAWSManagedKeyOnFirstUse(t *testing.T) {
	ctx := context.Background()
	svc := keys.New(lctest.Store(t))
	blob, err := svc.Encrypt(ctx, "alias/aws/secretsmanager", []byte("s"), nil)
	require.NoError(t, err)
	k, err := svc.DescribeKey(ctx, "arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager")
	require.NoError(t, err)
	md := keys.Metadata(k)
	assert.Equal(t, "AWS", md.KeyManager)
	assert.True(t, md.Enabled)
	pt, arn, err := svc.Decrypt(ctx, blob, nil)
	require.NoError(t, err)
	assert.Equal(t, "s", string(pt))
	assert.Equal(t, k.Arn, arn)
	again, err := svc.DescribeKey(ctx, "alias/aws/secretsmanager")
	require.NoError(t, err)
	assert.Equal(t, k.KeyID, again.KeyID, "made once")

	assert.Contains(t, code(t, svc.DisableKey(ctx, k.KeyID)), "UnsupportedOperationException: "+k.Arn+" is an AWS managed key")
	assert.Contains(t, code(t, svc.CreateAlias(ctx, "alias/mine", k.KeyID)), "UnsupportedOperationException")
	assert.Contains(t, code(t, svc.CreateAlias(ctx, "alias/aws/mine", k.KeyID)), "NotAuthorizedException")
	aliases, _, err := svc.ListAliases(ctx, "", 0, "")
	require.NoError(t, err)
	require.Len(t, aliases, 1)
	assert.Equal(t, "alias/aws/secretsmanager", aliases[0].AliasName)
	assert.Equal(t, k.KeyID, aliases[0].TargetKeyID)
}
