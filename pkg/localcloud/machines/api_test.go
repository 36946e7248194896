package machines_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
)

func TestTheSDKDrivesTheControlPlane(t *testing.T) {
	ctx := context.Background()
	cfg, _, _ := lctest.Start(t, machines.New(lctest.Store(t)))
	client := sfn.NewFromConfig(cfg)

	before := time.Now().Add(-time.Second)
	created, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("Pizza"), Definition: aws.String(hello), RoleArn: aws.String(role), Type: types.StateMachineTypeExpress,
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelError, IncludeExecutionData: true,
			Destinations: []types.LogDestination{{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(group)}}}},
		TracingConfiguration: &types.TracingConfiguration{Enabled: true},
		Tags:                 []types.Tag{{Key: aws.String("team"), Value: aws.String("pizza")}},
	})
	require.NoError(t, err)
	arn := aws.ToString(created.StateMachineArn)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:Pizza", arn)
	assert.True(t, created.CreationDate.After(before), "creationDate %v", created.CreationDate)

	desc, err := client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, "Pizza", aws.ToString(desc.Name))
	assert.Equal(t, hello, aws.ToString(desc.Definition))
	assert.Equal(t, role, aws.ToString(desc.RoleArn))
	assert.Equal(t, types.StateMachineTypeExpress, desc.Type)
	assert.Equal(t, types.StateMachineStatusActive, desc.Status)
	assert.Equal(t, types.LogLevelError, desc.LoggingConfiguration.Level)
	assert.True(t, desc.LoggingConfiguration.IncludeExecutionData)
	assert.Equal(t, group, aws.ToString(desc.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn))
	assert.True(t, desc.TracingConfiguration.Enabled)
	assert.Equal(t, created.CreationDate.UnixMilli(), desc.CreationDate.UnixMilli())
	assert.NotEmpty(t, aws.ToString(desc.RevisionId))

	up, err := client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(goodbye)})
	require.NoError(t, err)
	assert.NotEqual(t, aws.ToString(desc.RevisionId), aws.ToString(up.RevisionId))
	assert.False(t, up.UpdateDate.IsZero())

	for _, n := range []string{"Other1", "Other2"} {
		_, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(n), Definition: aws.String(hello), RoleArn: aws.String(role)})
		require.NoError(t, err)
	}
	var names []string
	pages := sfn.NewListStateMachinesPaginator(client, &sfn.ListStateMachinesInput{MaxResults: 2})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		require.NoError(t, err)
		for _, sm := range page.StateMachines {
			names = append(names, aws.ToString(sm.Name))
			assert.False(t, sm.CreationDate.IsZero())
		}
	}
	assert.Equal(t, []string{"Other1", "Other2", "Pizza"}, names)

	_, err = client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: &arn, Tags: []types.Tag{{Key: aws.String("stage"), Value: aws.String("dev")}}})
	require.NoError(t, err)
	_, err = client.UntagResource(ctx, &sfn.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err := client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	assert.Equal(t, "stage", aws.ToString(tags.Tags[0].Key))
	assert.Equal(t, "dev", aws.ToString(tags.Tags[0].Value))

	v, err := client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}`)})
	require.NoError(t, err)
	assert.Equal(t, types.ValidateStateMachineDefinitionResultCodeFail, v.Result)
	require.NotEmpty(t, v.Diagnostics)
	assert.Equal(t, "MISSING_TRANSITION_TARGET", aws.ToString(v.Diagnostics[0].Code))
	assert.Equal(t, "/States/A/Next", aws.ToString(v.Diagnostics[0].Location))
	assert.Equal(t, types.ValidateStateMachineDefinitionSeverityError, v.Diagnostics[0].Severity)
	v, err = client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(hello)})
	require.NoError(t, err)
	assert.Equal(t, types.ValidateStateMachineDefinitionResultCodeOk, v.Result)
	assert.Empty(t, v.Diagnostics)

	_, err = client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: &arn})
	require.NoError(t, err)
	_, err = client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &arn})
	var gone *types.StateMachineDoesNotExist
	require.True(t, errors.As(err, &gone), "got %v", err)
	assert.Equal(t, "State Machine Does Not Exist: '"+arn+"'", gone.ErrorMessage())
}

func TestTheSDKSeesAWSErrors(t *testing.T) {
	ctx := context.Background()
	cfg, _, _ := lctest.Start(t, machines.New(lctest.Store(t)))
	client := sfn.NewFromConfig(cfg)

	_, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Bad"), RoleArn: aws.String(role),
		Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":-1,"End":true}}}`)})
	var invalidDef *types.InvalidDefinition
	require.True(t, errors.As(err, &invalidDef), "got %v", err)
	assert.Contains(t, invalidDef.ErrorMessage(), "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ")
	assert.Contains(t, invalidDef.ErrorMessage(), "at /States/A")

	_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad name"), RoleArn: aws.String(role), Definition: aws.String(hello)})
	var invalidName *types.InvalidName
	assert.True(t, errors.As(err, &invalidName), "got %v", err)

	_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Logs"), RoleArn: aws.String(role), Definition: aws.String(hello),
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll, Destinations: []types.LogDestination{
			{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:x")}}}}})
	var invalidLogging *types.InvalidLoggingConfiguration
	assert.True(t, errors.As(err, &invalidLogging), "got %v", err)

	_, err = client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("not-an-arn")})
	var invalidArn *types.InvalidArn
	assert.True(t, errors.As(err, &invalidArn), "got %v", err)

	_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Pizza"), RoleArn: aws.String(role), Definition: aws.String(hello)})
	require.NoError(t, err)
	_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Pizza"), RoleArn: aws.String(role), Definition: aws.String(goodbye)})
	var exists *types.StateMachineAlreadyExists
	assert.True(t, errors.As(err, &exists), "got %v", err)

	_, err = client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(machines.ARN("", "Nope"))})
	var notFound *types.ResourceNotFound
	assert.True(t, errors.As(err, &notFound), "got %v", err)

	_, err = client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("Bake")})
	require.Error(t, err, "activities are not this service's: refused by name")
	assert.Contains(t, err.Error(), "CreateActivity")
}

func TestTheCLIDescribesAStateMachine(t *testing.T) {
	lctest.RequireAWSCLI(t)
	cfg, _, hs := lctest.Start(t, machines.New(lctest.Store(t)))
	created, err := sfn.NewFromConfig(cfg).CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String("Pizza"), Definition: aws.String(hello), RoleArn: aws.String(role),
		TracingConfiguration: &types.TracingConfiguration{Enabled: true},
	})
	require.NoError(t, err)
	cmd := lctest.AWSCommand("--endpoint-url", hs.URL, "--output", "json", "stepfunctions", "describe-state-machine",
		"--state-machine-arn", machines.ARN("", "Pizza"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var desc struct {
		StateMachineArn, Name, Status, Definition, RoleArn, Type string
		CreationDate                                             float64
		LoggingConfiguration                                     struct{ Level string }
		TracingConfiguration                                     struct{ Enabled bool }
	}
	require.NoError(t, json.Unmarshal(out, &desc), "%s", out)
	assert.Equal(t, machines.ARN("", "Pizza"), desc.StateMachineArn)
	assert.Equal(t, "Pizza", desc.Name)
	assert.Equal(t, "ACTIVE", desc.Status)
	assert.Equal(t, hello, desc.Definition)
	assert.Equal(t, "STANDARD", desc.Type)
	assert.Equal(t, "OFF", desc.LoggingConfiguration.Level)
	assert.True(t, desc.TracingConfiguration.Enabled)
	assert.Equal(t, created.CreationDate.UnixMilli(), int64(desc.CreationDate*1000+0.5), "creationDate is epoch seconds")

	cmd = lctest.AWSCommand("--endpoint-url", hs.URL, "stepfunctions", "describe-state-machine",
		"--state-machine-arn", machines.ARN("", "Nope"))
	out, err = cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "(StateMachineDoesNotExist)")
}
