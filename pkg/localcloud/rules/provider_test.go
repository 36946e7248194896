package rules_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/rules"
)

// newTextObjectRule is the upload-alarm template's NewTextObjectRule, its
// intrinsics resolved.
func newTextObjectRule() map[string]any {
	return map[string]any{
		"Description": "Starts UploadAlarm when an object whose key ends with .txt is created in Uploads.",
		"EventPattern": map[string]any{
			"detail": map[string]any{
				"bucket": map[string]any{"name": []any{"upload-alarm-uploadsbucket-abc123"}},
				"object": map[string]any{"key": []any{map[string]any{"suffix": ".txt"}}},
			},
			"detail-type": []any{"Object Created"},
			"source":      []any{"aws.s3"},
		},
		"State": "ENABLED",
		"Targets": []any{map[string]any{
			"Arn":     "arn:aws:states:us-east-1:123456789012:stateMachine:UploadAlarmStateMachine-XYZ",
			"Id":      "StartUploadAlarm",
			"RoleArn": "arn:aws:iam::123456789012:role/upload-alarm-NewTextObjectRuleRole-ABC",
		}},
	}
}

func TestRuleProviderWithUploadAlarmTemplate(t *testing.T) {
	ctx := context.Background()
	svc := rules.New(lctest.Store(t))
	cfg, _, _ := lctest.Start(t, svc)
	c := eventbridge.NewFromConfig(cfg)
	p := rules.RuleProvider(svc)
	assert.Equal(t, "AWS::Events::Rule", p.Type())
	assert.ElementsMatch(t, []string{"Name", "EventBusName"}, p.CreateOnlyProperties())

	req := &cfnengine.ResourceRequest{StackName: "upload-alarm", LogicalID: "NewTextObjectRule", Region: "us-east-1",
		Account: "123456789012", Type: "AWS::Events::Rule", Properties: newTextObjectRule()}
	res, err := p.Create(ctx, req)
	require.NoError(t, err)
	name := res.Ref
	assert.Equal(t, name, res.PhysicalID)
	assert.True(t, strings.HasPrefix(name, "upload-alarm-NewTextObjectRule-"), name)
	assert.LessOrEqual(t, len(name), 64)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/"+name, res.Attributes["Arn"])

	dr, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, "Starts UploadAlarm when an object whose key ends with .txt is created in Uploads.", aws.ToString(dr.Description))
	var pat map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(dr.EventPattern)), &pat))
	assert.Equal(t, []any{"aws.s3"}, pat["source"])
	lt, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, lt.Targets, 1)
	assert.Equal(t, "StartUploadAlarm", aws.ToString(lt.Targets[0].Id))
	assert.Equal(t, "arn:aws:iam::123456789012:role/upload-alarm-NewTextObjectRuleRole-ABC", aws.ToString(lt.Targets[0].RoleArn))

	// Update in place: disable it and swap its target.
	props := newTextObjectRule()
	props["State"] = "DISABLED"
	props["Targets"] = []any{map[string]any{"Arn": "arn:aws:lambda:us-east-1:123456789012:function:log", "Id": "Log",
		"RetryPolicy": map[string]any{"MaximumRetryAttempts": "2"}}}
	_, err = p.Update(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: name, Properties: props, OldProperties: req.Properties})
	require.NoError(t, err)
	dr, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, "DISABLED", string(dr.State))
	lt, err = c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, lt.Targets, 1)
	assert.Equal(t, "Log", aws.ToString(lt.Targets[0].Id))
	assert.Equal(t, int32(2), aws.ToInt32(lt.Targets[0].RetryPolicy.MaximumRetryAttempts))

	// A bad pattern fails as CloudFormation words a handler failure.
	_, err = p.Create(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", Properties: map[string]any{"Name": "bad", "EventPattern": map[string]any{"source": "aws.s3"}}})
	require.ErrorContains(t, err, `Resource handler returned message: "Event pattern is not valid. Reason: "source" must be an object or an array (Service: EventBridge, Status Code: 400`)

	// Delete removes the targets, then the rule; again is not an error.
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: name}))
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: name}))
	lr, err := c.ListRules(ctx, &eventbridge.ListRulesInput{})
	require.NoError(t, err)
	assert.Empty(t, lr.Rules)
}

func TestRuleProviderOnCustomBus(t *testing.T) {
	ctx := context.Background()
	svc := rules.New(lctest.Store(t))
	_, err := svc.CreateEventBus(ctx, "us-east-1", "orders", "", nil)
	require.NoError(t, err)
	p := rules.RuleProvider(svc)
	res, err := p.Create(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", Properties: map[string]any{
		"Name": "placed", "EventBusName": "orders", "EventPattern": `{"source":["shop"]}`}})
	require.NoError(t, err)
	assert.Equal(t, "orders|placed", res.Ref)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/orders/placed", res.Attributes["Arn"])
	_, err = p.Create(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", Properties: map[string]any{
		"Name": "placed", "EventBusName": "orders", "EventPattern": `{"source":["shop"]}`}})
	require.ErrorContains(t, err, "placed already exists")
	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: res.PhysicalID}))
	_, err = svc.DescribeRule(ctx, "us-east-1", "placed", "orders")
	require.Error(t, err)
}
