package objects_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketConfigurationRoundTripsAndSurvivesARestart(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	b := aws.String("configured")
	c.bucket("configured")

	// Before anything is set: S3's defaults and its not-found errors.
	enc, err := cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	require.NoError(t, err)
	assert.Equal(t, types.ServerSideEncryptionAes256, enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	_, err = cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	assert.Equal(t, "NoSuchPublicAccessBlockConfiguration", apiCode(err))
	_, err = cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	assert.Equal(t, "NoSuchLifecycleConfiguration", apiCode(err))
	_, err = cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	assert.Equal(t, "NoSuchBucketPolicy", apiCode(err))
	_, err = cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	assert.Equal(t, "NoSuchTagSet", apiCode(err))
	ver, err := cl.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	require.NoError(t, err)
	assert.Empty(t, ver.Status)
	notif, err := cl.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b})
	require.NoError(t, err)
	assert.Nil(t, notif.EventBridgeConfiguration)
	own, err := cl.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	require.NoError(t, err)
	assert.Equal(t, types.ObjectOwnershipBucketOwnerEnforced, own.OwnershipControls.Rules[0].ObjectOwnership)

	_, err = cl.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{BucketKeyEnabled: aws.Bool(true), ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
			SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/data")}}}}})
	require.NoError(t, err)
	_, err = cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(false), RestrictPublicBuckets: aws.Bool(true)}})
	require.NoError(t, err)
	_, err = cl.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: b,
		NotificationConfiguration: &types.NotificationConfiguration{EventBridgeConfiguration: &types.EventBridgeConfiguration{}}})
	require.NoError(t, err)
	_, err = cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{
		Rules: []types.LifecycleRule{{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			Expiration:                     &types.LifecycleExpiration{Days: aws.Int32(7)},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)},
			NoncurrentVersionExpiration:    &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30)}}}}})
	require.NoError(t, err)
	_, err = cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::configured/*"}]}`
	_, err = cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)})
	require.NoError(t, err)
	_, err = cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: []types.Tag{
		{Key: aws.String("team"), Value: aws.String("data")}, {Key: aws.String("env"), Value: aws.String("dev")}}}})
	require.NoError(t, err)
	_, err = cl.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &types.OwnershipControls{
		Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}})
	require.NoError(t, err)

	c.restart()
	cl = c.client()

	enc, err = cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	require.NoError(t, err)
	rule := enc.ServerSideEncryptionConfiguration.Rules[0]
	assert.Equal(t, types.ServerSideEncryptionAwsKms, rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	assert.Equal(t, "alias/data", aws.ToString(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID))
	assert.True(t, aws.ToBool(rule.BucketKeyEnabled))

	pab, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls))
	assert.False(t, aws.ToBool(pab.PublicAccessBlockConfiguration.IgnorePublicAcls))
	assert.True(t, aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets))

	notif, err = cl.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b})
	require.NoError(t, err)
	assert.NotNil(t, notif.EventBridgeConfiguration)

	lc, err := cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	require.NoError(t, err)
	require.Len(t, lc.Rules, 1)
	assert.Equal(t, "expire", aws.ToString(lc.Rules[0].ID))
	assert.Equal(t, "tmp/", aws.ToString(lc.Rules[0].Filter.Prefix))
	assert.Equal(t, int32(7), aws.ToInt32(lc.Rules[0].Expiration.Days))
	assert.Equal(t, int32(1), aws.ToInt32(lc.Rules[0].AbortIncompleteMultipartUpload.DaysAfterInitiation))
	assert.Equal(t, int32(30), aws.ToInt32(lc.Rules[0].NoncurrentVersionExpiration.NoncurrentDays))

	ver, err = cl.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	require.NoError(t, err)
	assert.Equal(t, types.BucketVersioningStatusEnabled, ver.Status)

	pol, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	require.NoError(t, err)
	assert.JSONEq(t, policy, aws.ToString(pol.Policy))

	tags, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	require.NoError(t, err)
	require.Len(t, tags.TagSet, 2)
	assert.Equal(t, "env", aws.ToString(tags.TagSet[0].Key))

	own, err = cl.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	require.NoError(t, err)
	assert.Equal(t, types.ObjectOwnershipBucketOwnerPreferred, own.OwnershipControls.Rules[0].ObjectOwnership)

	loc, err := cl.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
	require.NoError(t, err)
	assert.Empty(t, loc.LocationConstraint) // us-east-1

	// A new object follows the bucket's default encryption.
	put, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x")})
	require.NoError(t, err)
	head, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("k")})
	require.NoError(t, err)
	assert.Equal(t, types.ServerSideEncryptionAwsKms, head.ServerSideEncryption)
	assert.Equal(t, aws.ToString(put.VersionId), aws.ToString(head.VersionId))

	// Deletes.
	_, err = cl.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b})
	require.NoError(t, err)
	enc, err = cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	require.NoError(t, err)
	assert.Equal(t, types.ServerSideEncryptionAes256, enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	_, err = cl.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b})
	require.NoError(t, err)
	_, err = cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	assert.Equal(t, "NoSuchPublicAccessBlockConfiguration", apiCode(err))
	_, err = cl.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b})
	require.NoError(t, err)
	_, err = cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	assert.Equal(t, "NoSuchLifecycleConfiguration", apiCode(err))
	_, err = cl.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b})
	require.NoError(t, err)
	_, err = cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	assert.Equal(t, "NoSuchBucketPolicy", apiCode(err))
	_, err = cl.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: b})
	require.NoError(t, err)
	_, err = cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	assert.Equal(t, "NoSuchTagSet", apiCode(err))
}

func TestBucketConfigurationIsValidated(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	b := aws.String("strict")
	c.bucket("strict")

	_, err := cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String("not json")})
	assert.Equal(t, "MalformedPolicy", apiCode(err))
	_, err = cl.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{
		Rules: []types.LifecycleRule{{ID: aws.String("nothing"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}}}}})
	assert.Equal(t, "InvalidRequest", apiCode(err))
	_, err = cl.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("a"), Value: aws.String("2")}}}})
	assert.Equal(t, "InvalidTag", apiCode(err))
	_, err = cl.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: b, NotificationConfiguration: &types.NotificationConfiguration{
		TopicConfigurations: []types.TopicConfiguration{{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:t"), Events: []types.Event{types.EventS3ObjectCreated}}}}})
	assert.Equal(t, "NotImplemented", apiCode(err))
	assert.Contains(t, apiMessage(err), "TopicConfiguration")
	_, err = cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("absent")})
	assert.Equal(t, "NoSuchBucket", apiCode(err))

	// With public policies blocked, a policy open to everyone is refused.
	_, err = cl.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicPolicy: aws.Bool(true)}})
	require.NoError(t, err)
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::strict/*"}]}`
	_, err = cl.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(public)})
	assert.Equal(t, "AccessDenied", apiCode(err))
	assert.Contains(t, apiMessage(err), "BlockPublicPolicy")
}

func TestUnimplementedOperationsFailByName(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	b := aws.String("plain")
	c.bucket("plain")
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x")})
	require.NoError(t, err)

	cases := []struct {
		op   string
		call func() error
	}{
		{"GetBucketReplication", func() error {
			_, err := cl.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: b})
			return err
		}},
		{"GetBucketAcl", func() error { _, err := cl.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b}); return err }},
		{"GetBucketCors", func() error { _, err := cl.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}); return err }},
		{"PutBucketWebsite", func() error {
			_, err := cl.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: b, WebsiteConfiguration: &types.WebsiteConfiguration{
				IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}})
			return err
		}},
		{"GetObjectTagging", func() error {
			_, err := cl.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("k")})
			return err
		}},
		{"GetObjectAcl", func() error {
			_, err := cl.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("k")})
			return err
		}},
		{"object tagging", func() error {
			_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("t"), Body: strings.NewReader("x"), Tagging: aws.String("a=b")})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			assert.Equal(t, "NotImplemented", apiCode(err))
			assert.Contains(t, apiMessage(err), tc.op)
		})
	}

	// A HEAD gets the status without a body.
	req, err := http.NewRequest(http.MethodHead, c.hs.URL+"/plain?acl", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode)
}
