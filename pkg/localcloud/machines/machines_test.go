package machines_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
)

const (
	role    = "arn:aws:iam::123456789012:role/pizza-role"
	hello   = `{"StartAt":"Hello","States":{"Hello":{"Type":"Pass","End":true}}}`
	goodbye = `{"StartAt":"Bye","States":{"Bye":{"Type":"Succeed"}}}`
	group   = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/pizza:*"
)

func awsErr(t *testing.T, err error) *localcloud.Error {
	t.Helper()
	var e *localcloud.Error
	require.True(t, errors.As(err, &e), "want a *localcloud.Error, got %v", err)
	return e
}

func TestCreateAndGetKeepEverythingGiven(t *testing.T) {
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	sm, err := svc.Create(ctx, "us-east-1", machines.CreateInput{
		Name: "Pizza", Definition: hello, RoleArn: role, Type: machines.Express,
		LoggingConfiguration: &machines.LoggingConfiguration{Level: "ALL", IncludeExecutionData: true,
			Destinations: []machines.LogDestination{{CloudWatchLogsLogGroup: &machines.CloudWatchLogsLogGroup{LogGroupArn: group}}}},
		TracingConfiguration: &machines.TracingConfiguration{Enabled: true},
		Tags:                 []machines.Tag{{Key: "team", Value: "pizza"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:Pizza", sm.ARN)

	got, err := svc.Get(ctx, sm.ARN)
	require.NoError(t, err)
	assert.Equal(t, "Pizza", got.Name)
	assert.Equal(t, hello, got.Definition)
	assert.Equal(t, machines.Express, got.Type)
	assert.Equal(t, role, got.RoleArn)
	assert.Equal(t, "ACTIVE", got.Status)
	assert.Equal(t, "ALL", got.Logging.Level)
	assert.True(t, got.Logging.IncludeExecutionData)
	assert.Equal(t, group, got.Logging.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn)
	assert.True(t, got.Tracing.Enabled)
	assert.NotEmpty(t, got.RevisionID)
	assert.False(t, got.CreationDate.IsZero())
}

func TestCreateDefaults(t *testing.T) {
	svc := machines.New(lctest.Store(t))
	sm, err := svc.Create(context.Background(), "", machines.CreateInput{Name: "Plain", Definition: hello, RoleArn: role})
	require.NoError(t, err)
	assert.Equal(t, machines.Standard, sm.Type)
	assert.Equal(t, "OFF", sm.Logging.Level)
	assert.False(t, sm.Tracing.Enabled)
	assert.Equal(t, "AWS_OWNED_KEY", sm.Encryption.Type)
}

func TestCreateRefusesWhatAWSRefuses(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name     string
		in       machines.CreateInput
		code     string
		contains string
	}{
		{"space in name", machines.CreateInput{Name: "my machine", Definition: hello, RoleArn: role}, "InvalidName", "Invalid Name: 'my machine'"},
		{"colon in name", machines.CreateInput{Name: "a:b", Definition: hello, RoleArn: role}, "InvalidName", "Invalid Name"},
		{"long name", machines.CreateInput{Name: strings.Repeat("a", 81), Definition: hello, RoleArn: role}, "ValidationException", "length less than or equal to 80"},
		{"no role", machines.CreateInput{Name: "x", Definition: hello}, "ValidationException", "'roleArn'"},
		{"role not an ARN", machines.CreateInput{Name: "x", Definition: hello, RoleArn: "pizza-role"}, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: pizza-role'"},
		{"role not a role", machines.CreateInput{Name: "x", Definition: hello, RoleArn: "arn:aws:iam::123456789012:user/bob"}, "InvalidArn", "Resource type not valid"},
		{"bad type", machines.CreateInput{Name: "x", Definition: hello, RoleArn: role, Type: "FAST"}, "ValidationException", "enum value set: [STANDARD, EXPRESS]"},
		{"not JSON", machines.CreateInput{Name: "x", Definition: "{", RoleArn: role}, "InvalidDefinition", "INVALID_JSON_DESCRIPTION"},
		{"missing target", machines.CreateInput{Name: "x", RoleArn: role,
			Definition: `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}`},
			"InvalidDefinition", "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: "},
		{"unsubstituted resource", machines.CreateInput{Name: "x", RoleArn: role,
			Definition: `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${FunctionArn}","End":true}}}`},
			"InvalidDefinition", "INVALID_RESOURCE: Value is not a valid resource ARN"},
		{"logging without destination", machines.CreateInput{Name: "x", Definition: hello, RoleArn: role,
			LoggingConfiguration: &machines.LoggingConfiguration{Level: "ERROR"}}, "InvalidLoggingConfiguration", "Invalid Logging Configuration"},
		{"log group ARN without :*", machines.CreateInput{Name: "x", Definition: hello, RoleArn: role,
			LoggingConfiguration: &machines.LoggingConfiguration{Level: "ALL", Destinations: []machines.LogDestination{
				{CloudWatchLogsLogGroup: &machines.CloudWatchLogsLogGroup{LogGroupArn: strings.TrimSuffix(group, ":*")}}}}},
			"InvalidLoggingConfiguration", "must end with ':*'"},
		{"bad level", machines.CreateInput{Name: "x", Definition: hello, RoleArn: role,
			LoggingConfiguration: &machines.LoggingConfiguration{Level: "LOUD"}}, "ValidationException", "[ALL, ERROR, FATAL, OFF]"},
		{"publish", machines.CreateInput{Name: "x", Definition: hello, RoleArn: role, Publish: true}, "ValidationException", "publish"},
		{"customer key", machines.CreateInput{Name: "x", Definition: hello, RoleArn: role,
			EncryptionConfiguration: &machines.EncryptionConfiguration{Type: "CUSTOMER_MANAGED_KMS_KEY", KmsKeyID: "k"}}, "InvalidEncryptionConfiguration", "CUSTOMER_MANAGED_KMS_KEY"},
	}
	svc := machines.New(lctest.Store(t))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.Create(ctx, "", c.in)
			e := awsErr(t, err)
			assert.Equal(t, c.code, e.Code)
			assert.Contains(t, e.Message, c.contains)
		})
	}
	page, err := svc.List(ctx, "", 0, "")
	require.NoError(t, err)
	assert.Empty(t, page.StateMachines, "nothing refused was kept")
}

func TestInvalidDefinitionNamesTheLocation(t *testing.T) {
	svc := machines.New(lctest.Store(t))
	_, err := svc.Create(context.Background(), "", machines.CreateInput{Name: "x", RoleArn: role,
		Definition: `{"StartAt":"A.1","States":{"A.1":{"Type":"Pass","Next":"Nowhere"}}}`})
	e := awsErr(t, err)
	assert.Equal(t, "InvalidDefinition", e.Code)
	assert.Contains(t, e.Message, "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A.1/Next, ")
	assert.True(t, strings.HasPrefix(e.Message, "Invalid State Machine Definition: '"), e.Message)
}

func TestCreateIsIdempotentButRefusesADifferentMachineUnderTheName(t *testing.T) {
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	first, err := svc.Create(ctx, "", machines.CreateInput{Name: "Pizza", Definition: hello, RoleArn: role})
	require.NoError(t, err)
	// A different role is ignored, as AWS documents: the machine is returned unchanged.
	again, err := svc.Create(ctx, "", machines.CreateInput{Name: "Pizza", Definition: hello, RoleArn: role + "-other"})
	require.NoError(t, err)
	assert.Equal(t, first.CreationDate, again.CreationDate)
	assert.Equal(t, role, again.RoleArn)

	_, err = svc.Create(ctx, "", machines.CreateInput{Name: "Pizza", Definition: goodbye, RoleArn: role})
	e := awsErr(t, err)
	assert.Equal(t, "StateMachineAlreadyExists", e.Code)
	assert.Equal(t, "State Machine Already Exists: '"+first.ARN+"'", e.Message)
}

func TestUpdateChangesTheMachineAndItsRevision(t *testing.T) {
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	sm, err := svc.Create(ctx, "", machines.CreateInput{Name: "Pizza", Definition: hello, RoleArn: role})
	require.NoError(t, err)

	_, err = svc.Update(ctx, machines.UpdateInput{StateMachineArn: sm.ARN})
	assert.Equal(t, "MissingRequiredParameter", awsErr(t, err).Code)
	_, err = svc.Update(ctx, machines.UpdateInput{StateMachineArn: sm.ARN, Definition: `{"StartAt":"A","States":{}}`})
	assert.Equal(t, "InvalidDefinition", awsErr(t, err).Code)

	up, err := svc.Update(ctx, machines.UpdateInput{StateMachineArn: sm.ARN, Definition: goodbye,
		TracingConfiguration: &machines.TracingConfiguration{Enabled: true}})
	require.NoError(t, err)
	assert.NotEqual(t, sm.RevisionID, up.RevisionID)
	assert.False(t, up.UpdateDate.IsZero())

	got, err := svc.Get(ctx, sm.ARN)
	require.NoError(t, err)
	assert.Equal(t, goodbye, got.Definition)
	assert.Equal(t, role, got.RoleArn, "a role not given is kept")
	assert.True(t, got.Tracing.Enabled)

	_, err = svc.Update(ctx, machines.UpdateInput{StateMachineArn: machines.ARN("", "Nope"), Definition: goodbye})
	e := awsErr(t, err)
	assert.Equal(t, "StateMachineDoesNotExist", e.Code)
	assert.Equal(t, "State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:Nope'", e.Message)
}

func TestDeleteAndGet(t *testing.T) {
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	sm, err := svc.Create(ctx, "", machines.CreateInput{Name: "Pizza", Definition: hello, RoleArn: role})
	require.NoError(t, err)
	require.NoError(t, svc.Delete(ctx, sm.ARN))
	_, err = svc.Get(ctx, sm.ARN)
	assert.Equal(t, "StateMachineDoesNotExist", awsErr(t, err).Code)
	assert.NoError(t, svc.Delete(ctx, sm.ARN), "deleting a machine that is gone succeeds")
	assert.Equal(t, "InvalidArn", awsErr(t, svc.Delete(ctx, "Pizza")).Code)
	_, err = svc.Get(ctx, "arn:aws:states:us-east-1:123456789012:execution:Pizza:1")
	assert.Equal(t, "InvalidArn", awsErr(t, err).Code)
}

func TestListPagesInNameOrderPerRegion(t *testing.T) {
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	for _, n := range []string{"c", "a", "b", "d", "e"} {
		_, err := svc.Create(ctx, "us-east-1", machines.CreateInput{Name: n, Definition: hello, RoleArn: role})
		require.NoError(t, err)
	}
	_, err := svc.Create(ctx, "eu-west-1", machines.CreateInput{Name: "elsewhere", Definition: hello, RoleArn: role})
	require.NoError(t, err)
	var names []string
	token := ""
	for {
		page, err := svc.List(ctx, "us-east-1", 2, token)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page.StateMachines), 2)
		for _, sm := range page.StateMachines {
			names = append(names, sm.Name)
		}
		if token = page.NextToken; token == "" {
			break
		}
	}
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, names)
	_, err = svc.List(ctx, "us-east-1", 2, "garbage")
	assert.Equal(t, "InvalidToken", awsErr(t, err).Code)
}

func TestTags(t *testing.T) {
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	sm, err := svc.Create(ctx, "", machines.CreateInput{Name: "Pizza", Definition: hello, RoleArn: role, Tags: []machines.Tag{{Key: "a", Value: "1"}}})
	require.NoError(t, err)
	require.NoError(t, svc.Tag(ctx, sm.ARN, []machines.Tag{{Key: "a", Value: "2"}, {Key: "b", Value: "3"}}))
	require.NoError(t, svc.Untag(ctx, sm.ARN, []string{"b"}))
	tags, err := svc.Tags(ctx, sm.ARN)
	require.NoError(t, err)
	assert.Equal(t, []machines.Tag{{Key: "a", Value: "2"}}, tags)
	_, err = svc.Tags(ctx, machines.ARN("", "Nope"))
	assert.Equal(t, "ResourceNotFound", awsErr(t, err).Code)
	many := make([]machines.Tag, 51)
	for i := range many {
		many[i] = machines.Tag{Key: strings.Repeat("k", i+1)}
	}
	assert.Equal(t, "TooManyTags", awsErr(t, svc.Tag(ctx, sm.ARN, many)).Code)
}

func TestValidateReportsDiagnostics(t *testing.T) {
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	ok, err := svc.Validate(ctx, hello, "", "", 0)
	require.NoError(t, err)
	assert.Equal(t, "OK", ok.Result)
	assert.Empty(t, ok.Diagnostics)

	bad, err := svc.Validate(ctx, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"},"B":{"Type":"Pass","End":true}}}`, "", "", 0)
	require.NoError(t, err)
	assert.Equal(t, "FAIL", bad.Result)
	require.NotEmpty(t, bad.Diagnostics)
	var codes, locations []string
	for _, d := range bad.Diagnostics {
		assert.Equal(t, "ERROR", d.Severity)
		codes = append(codes, d.Code)
		locations = append(locations, d.Location)
	}
	assert.Contains(t, codes, "MISSING_TRANSITION_TARGET")
	assert.Contains(t, locations, "/States/A/Next")
	assert.Contains(t, locations, "/States/B")

	one, err := svc.Validate(ctx, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"},"B":{"Type":"Pass","End":true}}}`, "", "", 1)
	require.NoError(t, err)
	assert.Len(t, one.Diagnostics, 1)
	assert.True(t, one.Truncated)
}

func TestRestartKeepsMachines(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/state.db"
	st, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	sm, err := machines.New(st).Create(ctx, "", machines.CreateInput{Name: "Pizza", Definition: hello, RoleArn: role,
		Tags: []machines.Tag{{Key: "a", Value: "1"}}, TracingConfiguration: &machines.TracingConfiguration{Enabled: true}})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	st, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer st.Close()
	svc := machines.New(st)
	got, err := svc.Get(ctx, sm.ARN)
	require.NoError(t, err)
	assert.Equal(t, hello, got.Definition)
	assert.True(t, got.Tracing.Enabled)
	assert.Equal(t, sm.RevisionID, got.RevisionID)
	assert.True(t, sm.CreationDate.Equal(got.CreationDate))
	tags, err := svc.Tags(ctx, sm.ARN)
	require.NoError(t, err)
	assert.Equal(t, []machines.Tag{{Key: "a", Value: "1"}}, tags)
}

func TestExpressMachinesRefuseWhatOnlyStandardRuns(t *testing.T) {
	ctx := context.Background()
	svc := machines.New(lctest.Store(t))
	wait := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}`
	_, err := svc.Create(ctx, "", machines.CreateInput{Name: "Fast", Definition: wait, RoleArn: role, Type: machines.Express})
	e := awsErr(t, err)
	assert.Equal(t, "InvalidDefinition", e.Code)
	assert.Contains(t, e.Message, "SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration at /States/A/Resource")

	_, err = svc.Create(ctx, "", machines.CreateInput{Name: "Slow", Definition: wait, RoleArn: role})
	require.NoError(t, err, "a STANDARD machine waits for task tokens")

	fast, err := svc.Create(ctx, "", machines.CreateInput{Name: "Fast", Definition: hello, RoleArn: role, Type: machines.Express})
	require.NoError(t, err)
	_, err = svc.Update(ctx, machines.UpdateInput{StateMachineArn: fast.ARN, Definition: wait})
	assert.Equal(t, "InvalidDefinition", awsErr(t, err).Code, "an update is checked against the machine's type")
}
