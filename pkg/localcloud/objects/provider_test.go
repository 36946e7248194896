package objects_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/objects"
)

// templateProps returns a resource's properties from a generated
// template, its intrinsic functions resolved from values (by Ref name,
// "Logical.Attr" for Fn::GetAtt and ${...} in Fn::Sub).
func templateProps(t *testing.T, file, logicalID string, values map[string]string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../../../gen/testdata/" + file)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tmpl struct {
		Resources map[string]struct{ Properties map[string]any }
	}
	require.NoError(t, dec.Decode(&tmpl))
	res, ok := tmpl.Resources[logicalID]
	require.True(t, ok, "template %s has no %s", file, logicalID)
	return resolve(t, res.Properties, values).(map[string]any)
}

func resolve(t *testing.T, v any, values map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
			val, ok := values[ref]
			require.True(t, ok, "no value for Ref %s", ref)
			return val
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok && len(x) == 1 {
			name := ga[0].(string) + "." + ga[1].(string)
			val, ok := values[name]
			require.True(t, ok, "no value for GetAtt %s", name)
			return val
		}
		if sub, ok := x["Fn::Sub"].(string); ok && len(x) == 1 {
			for k, val := range values {
				sub = strings.ReplaceAll(sub, "${"+k+"}", val)
			}
			require.NotContains(t, sub, "${")
			return sub
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolve(t, e, values)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolve(t, e, values)
		}
		return out
	}
	return v
}

func TestBucketProviderCreatesTheUploadAlarmBucket(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	bp := objects.BucketProvider(c.svc)
	assert.Equal(t, "AWS::S3::Bucket", bp.Type())
	assert.Contains(t, bp.CreateOnlyProperties(), "BucketName")

	props := templateProps(t, "upload-alarm.template.json", "UploadsBucket", map[string]string{"UploadRetentionDays": "30"})
	req := &cfnengine.ResourceRequest{StackName: "upload-alarm", LogicalID: "UploadsBucket", Type: "AWS::S3::Bucket", Region: "us-east-1",
		Account: "123456789012", Properties: props}
	res, err := bp.Create(ctx, req)
	require.NoError(t, err)
	name := res.PhysicalID
	assert.True(t, strings.HasPrefix(name, "upload-alarm-uploadsbucket-"), name)
	assert.LessOrEqual(t, len(name), 63)
	assert.Equal(t, strings.ToLower(name), name)
	assert.Equal(t, name, res.Ref)
	assert.Equal(t, "arn:aws:s3:::"+name, res.Attributes["Arn"])
	assert.Equal(t, name+".s3.amazonaws.com", res.Attributes["DomainName"])
	assert.Equal(t, name+".s3.us-east-1.amazonaws.com", res.Attributes["RegionalDomainName"])
	assert.Equal(t, name+".s3.dualstack.us-east-1.amazonaws.com", res.Attributes["DualStackDomainName"])
	assert.Equal(t, "http://"+name+".s3-website-us-east-1.amazonaws.com", res.Attributes["WebsiteURL"])

	b := aws.String(name)
	enc, err := cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	require.NoError(t, err)
	assert.Equal(t, types.ServerSideEncryptionAes256, enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	assert.True(t, aws.ToBool(enc.ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled))
	pab, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls))
	assert.True(t, aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy))
	assert.True(t, aws.ToBool(pab.PublicAccessBlockConfiguration.IgnorePublicAcls))
	assert.True(t, aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets))
	notif, err := cl.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b})
	require.NoError(t, err)
	assert.NotNil(t, notif.EventBridgeConfiguration)
	lc, err := cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	require.NoError(t, err)
	require.Len(t, lc.Rules, 1)
	assert.Equal(t, "expire-uploads", aws.ToString(lc.Rules[0].ID))
	assert.Equal(t, types.ExpirationStatusEnabled, lc.Rules[0].Status)
	assert.Equal(t, int32(30), aws.ToInt32(lc.Rules[0].Expiration.Days))
	assert.Equal(t, int32(1), aws.ToInt32(lc.Rules[0].AbortIncompleteMultipartUpload.DaysAfterInitiation))
	own, err := cl.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	require.NoError(t, err)
	assert.Equal(t, types.ObjectOwnershipBucketOwnerEnforced, own.OwnershipControls.Rules[0].ObjectOwnership)

	// The policy, as the template gives it.
	pp := objects.BucketPolicyProvider(c.svc)
	polProps := templateProps(t, "upload-alarm.template.json", "UploadsBucketPolicy", map[string]string{
		"UploadsBucket": name, "UploadsBucket.Arn": "arn:aws:s3:::" + name})
	pres, err := pp.Create(ctx, &cfnengine.ResourceRequest{LogicalID: "UploadsBucketPolicy", Type: pp.Type(), Properties: polProps})
	require.NoError(t, err)
	assert.Equal(t, name, pres.Ref)
	pol, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	require.NoError(t, err)
	var doc struct {
		Statement []struct {
			Sid      string
			Resource []string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc))
	require.Len(t, doc.Statement, 1)
	assert.Equal(t, "DenyPlainHTTP", doc.Statement[0].Sid)
	assert.Equal(t, []string{"arn:aws:s3:::" + name, "arn:aws:s3:::" + name + "/*"}, doc.Statement[0].Resource)

	// Update in place: versioning on, lifecycle and notifications off, tags.
	newProps := templateProps(t, "upload-alarm.template.json", "UploadsBucket", map[string]string{"UploadRetentionDays": "30"})
	delete(newProps, "LifecycleConfiguration")
	delete(newProps, "NotificationConfiguration")
	newProps["VersioningConfiguration"] = map[string]any{"Status": "Enabled"}
	newProps["Tags"] = []any{map[string]any{"Key": "team", "Value": "uploads"}}
	_, err = bp.Update(ctx, &cfnengine.ResourceRequest{LogicalID: "UploadsBucket", PhysicalID: name, Region: "us-east-1", Properties: newProps, OldProperties: props})
	require.NoError(t, err)
	_, err = cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	assert.Equal(t, "NoSuchLifecycleConfiguration", apiCode(err))
	notif, err = cl.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b})
	require.NoError(t, err)
	assert.Nil(t, notif.EventBridgeConfiguration)
	ver, err := cl.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	require.NoError(t, err)
	assert.Equal(t, types.BucketVersioningStatusEnabled, ver.Status)
	tags, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	require.NoError(t, err)
	require.Len(t, tags.TagSet, 1)
	assert.Equal(t, "uploads", aws.ToString(tags.TagSet[0].Value))

	// A non-empty bucket is not deleted; an empty one is; a gone one is fine.
	_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("f"), Body: strings.NewReader("x")})
	require.NoError(t, err)
	err = bp.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: name})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "The bucket you tried to delete is not empty")
	vs, err := cl.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})
	require.NoError(t, err)
	for _, v := range vs.Versions {
		_, err = cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: v.Key, VersionId: v.VersionId})
		require.NoError(t, err)
	}
	require.NoError(t, pp.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: name}))
	_, err = cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	assert.Equal(t, "NoSuchBucketPolicy", apiCode(err))
	require.NoError(t, bp.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: name}))
	_, err = cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
	assert.Error(t, err)
	require.NoError(t, bp.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: name}))
	require.NoError(t, pp.Delete(ctx, &cfnengine.ResourceRequest{PhysicalID: name}))
}

func TestBucketProviderNamesAndRefusals(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	bp := objects.BucketProvider(c.svc)

	res, err := bp.Create(ctx, &cfnengine.ResourceRequest{StackName: "s", LogicalID: "B", Region: "eu-central-1",
		Properties: map[string]any{"BucketName": "named-bucket"}})
	require.NoError(t, err)
	assert.Equal(t, "named-bucket", res.PhysicalID)
	assert.Equal(t, "http://named-bucket.s3-website.eu-central-1.amazonaws.com", res.Attributes["WebsiteURL"])
	loc, err := c.client().GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("named-bucket")})
	require.NoError(t, err)
	assert.Equal(t, types.BucketLocationConstraint("eu-central-1"), loc.LocationConstraint)

	_, err = bp.Create(ctx, &cfnengine.ResourceRequest{StackName: "s", LogicalID: "B", Properties: map[string]any{"BucketName": "named-bucket"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "named-bucket already exists")

	_, err = bp.Create(ctx, &cfnengine.ResourceRequest{StackName: "s", LogicalID: "W", Properties: map[string]any{
		"WebsiteConfiguration": map[string]any{"IndexDocument": "index.html"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WebsiteConfiguration")
	list, err := c.svc.ListBuckets(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 1, "a refused bucket is not left behind")

	_, err = bp.Create(ctx, &cfnengine.ResourceRequest{StackName: "s", LogicalID: "L", Properties: map[string]any{
		"LifecycleConfiguration": map[string]any{"Rules": []any{map[string]any{"Status": "Enabled", "ExpirationInDays": "0"}}}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Resource handler returned message")
	list, err = c.svc.ListBuckets(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 1, "a bucket whose configuration failed is rolled back")
}
