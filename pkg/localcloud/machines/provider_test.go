package machines_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
)

const stack = "pizza"

// pizzaResources reads the generator's pizza template.
func pizzaResources(t *testing.T) map[string]struct {
	Type       string
	Properties map[string]any
} {
	t.Helper()
	b, err := os.ReadFile("../../../gen/testdata/pizza.template.json")
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
	return tmpl.Resources
}

// resolve replaces the template's Ref, Fn::GetAtt and Fn::Sub by hand, as
// the engine would: values names "Ref:X" and "X.Attr".
func resolve(t *testing.T, v any, values map[string]any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					val, ok := values["Ref:"+arg.(string)]
					require.True(t, ok, "no value for Ref %v", arg)
					return val
				case "Fn::GetAtt":
					parts := arg.([]any)
					name := parts[0].(string) + "." + parts[1].(string)
					val, ok := values[name]
					require.True(t, ok, "no value for Fn::GetAtt %s", name)
					return val
				case "Fn::Sub":
					return strings.ReplaceAll(arg.(string), "${AWS::StackName}", stack)
				}
			}
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

func TestProvidersMakeThePizzaStateMachineAndItsLogGroup(t *testing.T) {
	ctx := context.Background()
	store := lctest.Store(t)
	svc, logSvc := machines.New(store), logs.New(store)
	cfg, _, _ := lctest.Start(t, svc, logSvc)
	resources := pizzaResources(t)

	// The log group first: the state machine logs to it.
	lgRes := resources["PizzaStateMachineLogGroup"]
	require.Equal(t, "AWS::Logs::LogGroup", lgRes.Type)
	lgProvider := logs.LogGroupProvider(logSvc)
	lg, err := lgProvider.Create(ctx, &cfnengine.ResourceRequest{StackName: stack, Region: "us-east-1", Account: "123456789012",
		LogicalID: "PizzaStateMachineLogGroup", Type: lgRes.Type,
		Properties: resolve(t, lgRes.Properties, nil).(map[string]any)})
	require.NoError(t, err)
	assert.Equal(t, "/aws/vendedlogs/states/pizza-Pizza", lg.Ref)
	assert.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/pizza-Pizza:*", lg.Attributes["Arn"])

	values := map[string]any{
		"CheckPizzaFunction.Arn":        "arn:aws:lambda:us-east-1:123456789012:function:pizza-CheckPizzaFunction-ABC",
		"PizzaStateMachineRole.Arn":     "arn:aws:iam::123456789012:role/pizza-PizzaStateMachineRole-XYZ",
		"PizzaStateMachineLogGroup.Arn": lg.Attributes["Arn"],
	}
	smRes := resources["PizzaStateMachine"]
	require.Equal(t, "AWS::StepFunctions::StateMachine", smRes.Type)
	props := resolve(t, smRes.Properties, values).(map[string]any)
	p := machines.StateMachineProvider(svc)
	assert.Equal(t, smRes.Type, p.Type())
	assert.ElementsMatch(t, []string{"StateMachineName", "StateMachineType"}, p.CreateOnlyProperties())
	req := &cfnengine.ResourceRequest{StackName: stack, StackID: "arn:aws:cloudformation:us-east-1:123456789012:stack/pizza/1",
		Region: "us-east-1", Account: "123456789012", LogicalID: "PizzaStateMachine", Type: smRes.Type, Properties: props}
	res, err := p.Create(ctx, req)
	require.NoError(t, err)
	name := res.Attributes["Name"].(string)
	assert.True(t, strings.HasPrefix(name, "pizza-PizzaStateMachine-"), name)
	assert.LessOrEqual(t, len(name), 80)
	assert.Equal(t, machines.ARN("us-east-1", name), res.Ref)
	assert.Equal(t, res.Ref, res.PhysicalID)
	assert.Equal(t, res.Ref, res.Attributes["Arn"])
	assert.NotEmpty(t, res.Attributes["StateMachineRevisionId"])

	client := sfn.NewFromConfig(cfg)
	desc, err := client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(res.Ref)})
	require.NoError(t, err)
	def := aws.ToString(desc.Definition)
	assert.Contains(t, def, `"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:pizza-CheckPizzaFunction-ABC"`)
	assert.NotContains(t, def, "${")
	assert.Equal(t, types.StateMachineTypeExpress, desc.Type)
	assert.Equal(t, values["PizzaStateMachineRole.Arn"], aws.ToString(desc.RoleArn))
	assert.Equal(t, types.LogLevelAll, desc.LoggingConfiguration.Level)
	assert.False(t, desc.LoggingConfiguration.IncludeExecutionData)
	assert.Equal(t, lg.Attributes["Arn"], aws.ToString(desc.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn))
	assert.True(t, desc.TracingConfiguration.Enabled)
	assert.Equal(t, res.Attributes["StateMachineRevisionId"], aws.ToString(desc.RevisionId))
	tags, err := client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(res.Ref)})
	require.NoError(t, err)
	assert.Contains(t, tags.Tags, types.Tag{Key: aws.String("aws:cloudformation:logical-id"), Value: aws.String("PizzaStateMachine")})

	// The log group it names is there for the CloudWatch Logs SDK too.
	groups, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/vendedlogs/states/")})
	require.NoError(t, err)
	require.Len(t, groups.LogGroups, 1)
	assert.Equal(t, lg.Attributes["Arn"], aws.ToString(groups.LogGroups[0].Arn))
	assert.Equal(t, int32(14), aws.ToInt32(groups.LogGroups[0].RetentionInDays))

	// Update in place: a new function ARN, tracing off, a tag.
	newProps := resolve(t, smRes.Properties, map[string]any{
		"CheckPizzaFunction.Arn":        "arn:aws:lambda:us-east-1:123456789012:function:pizza-CheckPizzaFunction-NEW",
		"PizzaStateMachineRole.Arn":     values["PizzaStateMachineRole.Arn"],
		"PizzaStateMachineLogGroup.Arn": lg.Attributes["Arn"],
	}).(map[string]any)
	newProps["TracingConfiguration"] = map[string]any{"Enabled": "false"}
	newProps["Tags"] = []any{map[string]any{"Key": "team", "Value": "pizza"}}
	upd, err := p.Update(ctx, &cfnengine.ResourceRequest{StackName: stack, Region: "us-east-1", LogicalID: "PizzaStateMachine",
		PhysicalID: res.PhysicalID, Properties: newProps, OldProperties: props, Attributes: res.Attributes})
	require.NoError(t, err)
	assert.Equal(t, res.Ref, upd.Ref)
	assert.NotEqual(t, res.Attributes["StateMachineRevisionId"], upd.Attributes["StateMachineRevisionId"])
	desc, err = client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(res.Ref)})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(desc.Definition), "pizza-CheckPizzaFunction-NEW")
	assert.False(t, desc.TracingConfiguration.Enabled)
	tags, err = client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(res.Ref)})
	require.NoError(t, err)
	assert.Contains(t, tags.Tags, types.Tag{Key: aws.String("team"), Value: aws.String("pizza")})

	// A name taken is refused, as CloudFormation refuses it.
	named := map[string]any{}
	for k, v := range props {
		named[k] = v
	}
	named["StateMachineName"] = name
	_, err = p.Create(ctx, &cfnengine.ResourceRequest{StackName: stack, Region: "us-east-1", LogicalID: "Again", Properties: named})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already exists")

	require.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: res.PhysicalID}))
	_, err = client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(res.Ref)})
	var gone *types.StateMachineDoesNotExist
	assert.True(t, errors.As(err, &gone), "got %v", err)
	assert.NoError(t, p.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: res.PhysicalID}), "already gone")
	require.NoError(t, lgProvider.Delete(ctx, &cfnengine.ResourceRequest{Region: "us-east-1", PhysicalID: lg.PhysicalID}))
}

func TestProviderRefusesABadDefinitionInHandlerWords(t *testing.T) {
	p := machines.StateMachineProvider(machines.New(lctest.Store(t)))
	_, err := p.Create(context.Background(), &cfnengine.ResourceRequest{StackName: stack, Region: "us-east-1", LogicalID: "Broken",
		Properties: map[string]any{
			"StateMachineName":        "Broken",
			"RoleArn":                 role,
			"DefinitionString":        `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Missing}","End":true}}}`,
			"DefinitionSubstitutions": map[string]any{"Other": "x"},
		}})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), `Resource handler returned message: "Invalid State Machine Definition: 'INVALID_RESOURCE: `), err.Error())
}

func TestProviderTakesADefinitionObject(t *testing.T) {
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	p := machines.StateMachineProvider(svc)
	res, err := p.Create(ctx, &cfnengine.ResourceRequest{StackName: stack, Region: "us-east-1", LogicalID: "Obj",
		Properties: map[string]any{
			"StateMachineName": "Obj",
			"RoleArn":          role,
			"Definition": map[string]any{"StartAt": "A", "States": map[string]any{
				"A": map[string]any{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
					"Parameters": map[string]any{"FunctionName": "${Fn}", "Count": json.Number("3")}, "End": true}}},
			"DefinitionSubstitutions": map[string]any{"Fn": "arn:aws:lambda:us-east-1:123456789012:function:f", "Unused": json.Number("1")},
		}})
	require.NoError(t, err)
	sm, err := svc.Get(ctx, res.Ref)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(sm.Definition), &doc))
	params := doc["States"].(map[string]any)["A"].(map[string]any)["Parameters"].(map[string]any)
	assert.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f", params["FunctionName"])
	assert.Equal(t, float64(3), params["Count"])
	assert.Equal(t, machines.Standard, sm.Type)
}

func TestSubstituteLeavesUnknownPlaceholders(t *testing.T) {
	out, err := machines.Substitute(`{"a":"${A}","b":"${B}","n":${N}}`, map[string]any{"A": "x", "N": json.Number("5"), "T": true})
	require.NoError(t, err)
	assert.Equal(t, `{"a":"x","b":"${B}","n":5}`, out)
	_, err = machines.Substitute(`${A}`, map[string]any{"A": map[string]any{}})
	assert.Error(t, err)
}

func TestEveryGeneratedStateMachineIsAccepted(t *testing.T) {
	files, err := filepath.Glob("../../../gen/testdata/*.template.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	p := machines.StateMachineProvider(svc)
	for _, file := range files {
		b, err := os.ReadFile(file)
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
		for logical, r := range tmpl.Resources {
			if r.Type != "AWS::StepFunctions::StateMachine" {
				continue
			}
			t.Run(filepath.Base(file)+"/"+logical, func(t *testing.T) {
				// Every Ref and Fn::GetAtt resolved by hand to an ARN of the right shape.
				values := map[string]any{}
				for name, sub := range r.Properties["DefinitionSubstitutions"].(map[string]any) {
					for k, v := range sub.(map[string]any) {
						switch k {
						case "Ref":
							values["Ref:"+v.(string)] = "arn:aws:sns:us-east-1:123456789012:" + name
						case "Fn::GetAtt":
							values[v.([]any)[0].(string)+".Arn"] = "arn:aws:lambda:us-east-1:123456789012:function:" + name
						}
					}
				}
				values[logical+"Role.Arn"] = role
				values[logical+"LogGroup.Arn"] = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/" + logical + ":*"
				props := resolve(t, r.Properties, values).(map[string]any)
				res, err := p.Create(ctx, &cfnengine.ResourceRequest{StackName: stack, Region: "us-east-1", LogicalID: logical, Properties: props})
				require.NoError(t, err)
				sm, err := svc.Get(ctx, res.Ref)
				require.NoError(t, err)
				assert.NotContains(t, sm.Definition, "${")
				assert.Equal(t, r.Properties["StateMachineType"], sm.Type)
			})
		}
	}
}
