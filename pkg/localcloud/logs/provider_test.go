package logs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
)

func templateProperties(t *testing.T, file, logicalID string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../../../gen/testdata/" + file)
	require.NoError(t, err)
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&tmpl))
	r, ok := tmpl.Resources[logicalID]
	require.True(t, ok, "%s has no %s", file, logicalID)
	require.Equal(t, "AWS::Logs::LogGroup", r.Type)
	return r.Properties
}

func TestProviderMakesThePizzaFunctionLogGroup(t *testing.T) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	client := cloudwatchlogs.NewFromConfig(cfg)
	p := logs.LogGroupProvider(svc)
	assert.Equal(t, "AWS::Logs::LogGroup", p.Type())
	assert.Contains(t, p.CreateOnlyProperties(), "LogGroupName")

	props := templateProperties(t, "pizza.template.json", "CheckPizzaFunctionLogGroup")
	req := &cfnengine.ResourceRequest{StackName: "pizza", StackID: "arn:aws:cloudformation:us-east-1:123456789012:stack/pizza/1",
		Region: "us-east-1", Account: "123456789012", LogicalID: "CheckPizzaFunctionLogGroup", Type: p.Type(), Properties: props}
	res, err := p.Create(ctx, req)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(res.Ref, "pizza-CheckPizzaFunctionLogGroup-"), res.Ref)
	assert.Equal(t, res.Ref, res.PhysicalID)
	assert.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:"+res.Ref+":*", res.Attributes["Arn"])

	out, err := client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(res.Ref)})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 1)
	assert.Equal(t, int32(30), aws.ToInt32(out.LogGroups[0].RetentionInDays))
	tags, err := client.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: out.LogGroups[0].LogGroupArn})
	require.NoError(t, err)
	assert.Equal(t, "CheckPizzaFunctionLogGroup", tags.Tags["aws:cloudformation:logical-id"])

	// Update in place: no retention (never expire), a KMS key and a tag.
	newProps := map[string]any{"KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/abcd", "Tags": []any{map[string]any{"Key": "team", "Value": "pizza"}}}
	upd, err := p.Update(ctx, &cfnengine.ResourceRequest{StackName: "pizza", Region: "us-east-1", LogicalID: req.LogicalID,
		PhysicalID: res.PhysicalID, Properties: newProps, OldProperties: props, Attributes: res.Attributes})
	require.NoError(t, err)
	assert.Equal(t, res.Attributes["Arn"], upd.Attributes["Arn"])
	out, err = client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(res.Ref)})
	require.NoError(t, err)
	assert.Nil(t, out.LogGroups[0].RetentionInDays)
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/abcd", aws.ToString(out.LogGroups[0].KmsKeyId))
	tags, err = client.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: out.LogGroups[0].LogGroupArn})
	require.NoError(t, err)
	assert.Equal(t, "pizza", tags.Tags["team"])

	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: res.PhysicalID}))
	out, err = client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(res.Ref)})
	require.NoError(t, err)
	assert.Empty(t, out.LogGroups)
	assert.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: res.PhysicalID}), "already gone")
}

func TestProviderNamedGroupAndRefusals(t *testing.T) {
	ctx := context.Background()
	svc := logs.New(lctest.Store(t))
	p := logs.LogGroupProvider(svc)
	props := templateProperties(t, "retry-on-500.template.json", "RetryOn500StateMachineLogGroup")
	props["LogGroupName"] = "/aws/vendedlogs/states/retry-RetryOn500"     // Fn::Sub resolved by hand
	props["KmsKeyId"] = "arn:aws:kms:us-east-1:123456789012:key/logs-key" // Fn::GetAtt LogsKey.Arn
	res, err := p.Create(ctx, &cfnengine.ResourceRequest{StackName: "retry", Region: "us-east-1", LogicalID: "RetryOn500StateMachineLogGroup", Properties: props})
	require.NoError(t, err)
	assert.Equal(t, "/aws/vendedlogs/states/retry-RetryOn500", res.Ref)
	g, err := svc.Group(ctx, "us-east-1", res.Ref)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/logs-key", g.KmsKeyID)
	assert.Equal(t, 30, *g.RetentionInDays)

	_, err = p.Create(ctx, &cfnengine.ResourceRequest{StackName: "retry", Region: "us-east-1", LogicalID: "Again", Properties: props})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already exists")

	_, err = p.Create(ctx, &cfnengine.ResourceRequest{StackName: "retry", Region: "us-east-1", LogicalID: "Bad",
		Properties: map[string]any{"LogGroupName": "bad-retention", "RetentionInDays": json.Number("2")}})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "Resource handler returned message: "), err.Error())
	_, err = svc.Group(ctx, "us-east-1", "bad-retention")
	assert.Error(t, err, "a refused log group is not made")

	_, err = p.Create(ctx, &cfnengine.ResourceRequest{StackName: "retry", Region: "us-east-1", LogicalID: "Policy",
		Properties: map[string]any{"DataProtectionPolicy": map[string]any{"Name": "p"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DataProtectionPolicy")
}
