package stacks_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/stacks"
)

// things is a resource type for exercising the engine: Test::Local::Thing
// with Name (create-only), Value (updated in place) and Fail ("create",
// "update" or "delete": that call fails).
type things struct {
	mu    sync.Mutex
	items map[string]map[string]any
	n     int
}

func (p *things) Type() string                   { return "Test::Local::Thing" }
func (p *things) CreateOnlyProperties() []string { return []string{"Name"} }

// VolatileAttributes: Value follows the Value property; Id never changes.
func (p *things) VolatileAttributes() []string { return []string{"Value"} }

func (p *things) Create(_ context.Context, r *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	if r.Properties["Fail"] == "create" {
		return nil, &localcloud.Error{Code: "InvalidRequest", Message: "thing " + r.LogicalID + " refuses to be made"}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	id := fmt.Sprintf("thing-%d", p.n)
	if n, ok := r.Properties["Name"].(string); ok {
		id = n + "-" + id
	}
	p.items[id] = r.Properties
	return &cfnengine.ResourceResult{PhysicalID: id, Attributes: map[string]any{"Value": r.Properties["Value"], "Id": id}}, nil
}

func (p *things) Update(_ context.Context, r *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	if r.Properties["Fail"] == "update" {
		return nil, errors.New("thing " + r.LogicalID + " refuses to change")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.items[r.PhysicalID] = r.Properties
	return &cfnengine.ResourceResult{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Value": r.Properties["Value"], "Id": r.PhysicalID}}, nil
}

func (p *things) Delete(_ context.Context, r *cfnengine.ResourceRequest) error {
	if r.Properties["Fail"] == "delete" {
		return errors.New("thing " + r.LogicalID + " refuses to go")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.items, r.PhysicalID)
	return nil
}

func (p *things) get(id string) (map[string]any, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.items[id]
	return v, ok
}

func (p *things) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.items)
}

type fixture struct {
	t     *testing.T
	store *localcloud.Store
	path  string
	prov  *things
	svc   *stacks.Service
	cfn   *cloudformation.Client
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, path: t.TempDir() + "/state.db", prov: &things{items: map[string]map[string]any{}}}
	f.open()
	t.Cleanup(func() { f.svc.Close(); _ = f.store.Close() })
	return f
}

func (f *fixture) open() {
	st, err := localcloud.OpenStore(f.path)
	require.NoError(f.t, err)
	f.store = st
	f.svc, err = stacks.New(st, stacks.Options{Providers: []cfnengine.Provider{f.prov}})
	require.NoError(f.t, err)
	cfg, _, _ := lctest.Start(f.t, f.svc)
	f.cfn = cloudformation.NewFromConfig(cfg)
}

// restart closes the service and the store and opens them again.
func (f *fixture) restart() {
	f.svc.Close()
	require.NoError(f.t, f.store.Close())
	f.open()
}

// settle waits for the stack's operation to end and returns the stack.
func (f *fixture) settle(name string) types.Stack {
	f.svc.Wait()
	out, err := f.cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	require.NoError(f.t, err)
	require.Len(f.t, out.Stacks, 1)
	return out.Stacks[0]
}

func (f *fixture) events(name string) []types.StackEvent {
	out, err := f.cfn.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
	require.NoError(f.t, err)
	return out.StackEvents
}

// statuses lists a stack's own statuses, oldest first.
func (f *fixture) statuses(name string) []string {
	var out []string
	evs := f.events(name)
	for i := len(evs) - 1; i >= 0; i-- {
		if aws.ToString(evs[i].ResourceType) == "AWS::CloudFormation::Stack" {
			out = append(out, string(evs[i].ResourceStatus))
		}
	}
	return out
}

func (f *fixture) physical(stack, logical string) string {
	out, err := f.cfn.DescribeStackResource(context.Background(), &cloudformation.DescribeStackResourceInput{StackName: aws.String(stack), LogicalResourceId: aws.String(logical)})
	require.NoError(f.t, err)
	return aws.ToString(out.StackResourceDetail.PhysicalResourceId)
}

const twoThings = `{
  "Description": "two things",
  "Parameters": {"Greeting": {"Type": "String", "Default": "hello"}},
  "Resources": {
    "First": {"Type": "Test::Local::Thing", "Properties": {"Name": "first", "Value": {"Ref": "Greeting"}}},
    "Second": {"Type": "Test::Local::Thing", "Properties": {"Value": {"Fn::Sub": "${First.Value} from ${First} in ${AWS::Region}"}}}
  },
  "Outputs": {"Said": {"Value": {"Fn::GetAtt": ["Second", "Value"]}, "Export": {"Name": "said"}}}
}`

func TestCreateStackResolvesReferencesInDependencyOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("demo"), TemplateBody: aws.String(twoThings),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Greeting"), ParameterValue: aws.String("hi")}}})
	require.NoError(t, err)
	st := f.settle("demo")
	require.Equal(t, types.StackStatusCreateComplete, st.StackStatus, aws.ToString(st.StackStatusReason))
	assert.Equal(t, "two things", aws.ToString(st.Description))
	require.Len(t, st.Outputs, 1)
	first := f.physical("demo", "First")
	assert.Equal(t, "hi from "+first+" in us-east-1", aws.ToString(st.Outputs[0].OutputValue))
	assert.Equal(t, "said", aws.ToString(st.Outputs[0].ExportName))
	assert.Equal(t, []string{"CREATE_IN_PROGRESS", "CREATE_COMPLETE"}, f.statuses("demo"))

	exps, err := f.cfn.ListExports(ctx, &cloudformation.ListExportsInput{})
	require.NoError(t, err)
	require.Len(t, exps.Exports, 1)
	assert.Equal(t, aws.ToString(st.Outputs[0].OutputValue), aws.ToString(exps.Exports[0].Value))

	res, err := f.cfn.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("demo")})
	require.NoError(t, err)
	require.Len(t, res.StackResourceSummaries, 2)
	for _, r := range res.StackResourceSummaries {
		assert.Equal(t, types.ResourceStatusCreateComplete, r.ResourceStatus)
	}
	tmpl, err := f.cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("demo")})
	require.NoError(t, err)
	assert.Equal(t, twoThings, aws.ToString(tmpl.TemplateBody))

	_, err = f.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("demo"), TemplateBody: aws.String(twoThings)})
	assertAPIError(t, err, "AlreadyExistsException", "Stack [demo] already exists")
}

func assertAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "want an API error, got %v", err)
	assert.Equal(t, code, api.ErrorCode())
	assert.Contains(t, api.ErrorMessage(), message)
}

func TestAFailingResourceRollsTheCreateBack(t *testing.T) {
	f := newFixture(t)
	body := `{"Resources": {
	  "Good": {"Type": "Test::Local::Thing", "Properties": {"Value": "x"}},
	  "Bad": {"Type": "Test::Local::Thing", "DependsOn": "Good", "Properties": {"Value": "y", "Fail": "create"}},
	  "Never": {"Type": "Test::Local::Thing", "Properties": {"Value": {"Ref": "Bad"}}}
	}}`
	_, err := f.cfn.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(body)})
	require.NoError(t, err)
	st := f.settle("bad")
	assert.Equal(t, types.StackStatusRollbackComplete, st.StackStatus)
	assert.Equal(t, []string{"CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"}, f.statuses("bad"))
	var reason string
	for _, e := range f.events("bad") {
		if e.ResourceStatus == types.ResourceStatusCreateFailed && aws.ToString(e.LogicalResourceId) == "Bad" {
			reason = aws.ToString(e.ResourceStatusReason)
		}
		if aws.ToString(e.ResourceType) == "AWS::CloudFormation::Stack" && e.ResourceStatus == types.ResourceStatusRollbackInProgress {
			assert.Equal(t, "The following resource(s) failed to create: [Bad]. Rollback requested by user.", aws.ToString(e.ResourceStatusReason))
		}
	}
	assert.Contains(t, reason, "thing Bad refuses to be made")
	assert.Contains(t, reason, "Resource handler returned message")
	assert.Zero(t, f.prov.count(), "the rollback deleted what was made")
}

func TestAnUnsupportedTypeFailsTheStackNamingIt(t *testing.T) {
	f := newFixture(t)
	body := `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}}`
	_, err := f.cfn.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("q"), TemplateBody: aws.String(body)})
	require.NoError(t, err)
	st := f.settle("q")
	assert.Equal(t, types.StackStatusRollbackComplete, st.StackStatus)
	found := false
	for _, e := range f.events("q") {
		if e.ResourceStatus == types.ResourceStatusCreateFailed {
			found = true
			assert.Contains(t, aws.ToString(e.ResourceStatusReason), "AWS::SQS::Queue is not supported by the local cloud")
		}
	}
	assert.True(t, found)
}

func TestACycleIsRejectedAsAWSWordsIt(t *testing.T) {
	f := newFixture(t)
	body := `{"Resources": {
	  "A": {"Type": "Test::Local::Thing", "Properties": {"Value": {"Ref": "B"}}},
	  "B": {"Type": "Test::Local::Thing", "Properties": {"Value": {"Fn::GetAtt": ["A", "Value"]}}}
	}}`
	_, err := f.cfn.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("cyc"), TemplateBody: aws.String(body)})
	assertAPIError(t, err, "ValidationError", "Circular dependency between resources: [A, B]")
	_, err = f.cfn.ValidateTemplate(context.Background(), &cloudformation.ValidateTemplateInput{TemplateBody: aws.String(body)})
	assertAPIError(t, err, "ValidationError", "Circular dependency between resources: [A, B]")
}

func changeSet(t *testing.T, f *fixture, stack, name, body string, typ types.ChangeSetType, params ...types.Parameter) *cloudformation.DescribeChangeSetOutput {
	t.Helper()
	ctx := context.Background()
	_, err := f.cfn.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(name),
		TemplateBody: aws.String(body), ChangeSetType: typ, Parameters: params})
	require.NoError(t, err)
	out, err := f.cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(name)})
	require.NoError(t, err)
	return out
}

type row struct{ action, logical, replacement string }

func rows(cs *cloudformation.DescribeChangeSetOutput) []row {
	var out []row
	for _, c := range cs.Changes {
		rc := c.ResourceChange
		out = append(out, row{string(rc.Action), aws.ToString(rc.LogicalResourceId), string(rc.Replacement)})
	}
	return out
}

func TestChangeSetsAddModifyReplaceAndRemove(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cs := changeSet(t, f, "cs", "first", twoThings, types.ChangeSetTypeCreate)
	assert.Equal(t, []row{{"Add", "First", ""}, {"Add", "Second", ""}}, rows(cs))
	assert.Equal(t, types.ExecutionStatusAvailable, cs.ExecutionStatus)
	st := f.settle("cs")
	assert.Equal(t, types.StackStatusReviewInProgress, st.StackStatus)
	_, err := f.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("first")})
	require.NoError(t, err)
	require.Equal(t, types.StackStatusCreateComplete, f.settle("cs").StackStatus)
	firstID, secondID := f.physical("cs", "First"), f.physical("cs", "Second")

	same := changeSet(t, f, "cs", "same", twoThings, types.ChangeSetTypeUpdate)
	assert.Equal(t, types.ChangeSetStatusFailed, same.Status)
	assert.Contains(t, aws.ToString(same.StatusReason), "didn't contain changes")

	// A parameter change reaches First in place and Second through its Sub.
	inPlace := changeSet(t, f, "cs", "greet", twoThings, types.ChangeSetTypeUpdate,
		types.Parameter{ParameterKey: aws.String("Greeting"), ParameterValue: aws.String("hey")})
	assert.Equal(t, []row{{"Modify", "First", "False"}, {"Modify", "Second", "False"}}, rows(inPlace))
	_, err = f.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("greet")})
	require.NoError(t, err)
	st = f.settle("cs")
	require.Equal(t, types.StackStatusUpdateComplete, st.StackStatus)
	assert.Equal(t, firstID, f.physical("cs", "First"), "updated in place")
	assert.Equal(t, "hey from "+firstID+" in us-east-1", aws.ToString(st.Outputs[0].OutputValue))

	// A changed create-only Name replaces First, and so Second's value
	// (which reads First's Ref) changes too.
	renamed := strings.Replace(twoThings, `"Name": "first"`, `"Name": "renamed"`, 1)
	repl := changeSet(t, f, "cs", "rename", renamed, types.ChangeSetTypeUpdate,
		types.Parameter{ParameterKey: aws.String("Greeting"), UsePreviousValue: aws.Bool(true)})
	require.Equal(t, []row{{"Modify", "First", "True"}, {"Modify", "Second", "False"}}, rows(repl))
	assert.Equal(t, types.EvaluationTypeDynamic, repl.Changes[1].ResourceChange.Details[0].Evaluation)
	_, err = f.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("rename")})
	require.NoError(t, err)
	require.Equal(t, types.StackStatusUpdateComplete, f.settle("cs").StackStatus)
	newFirst := f.physical("cs", "First")
	assert.NotEqual(t, firstID, newFirst)
	assert.True(t, strings.HasPrefix(newFirst, "renamed-"))
	_, oldThere := f.prov.get(firstID)
	assert.False(t, oldThere, "the replaced resource is deleted at cleanup")
	assert.Equal(t, []string{"CREATE_IN_PROGRESS", "CREATE_COMPLETE", "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE",
		"UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"}, f.statuses("cs"))
	_, secondThere := f.prov.get(secondID)
	assert.True(t, secondThere, "Second was updated in place")

	// Removing Second.
	only := `{"Resources": {"First": {"Type": "Test::Local::Thing", "Properties": {"Name": "renamed", "Value": "hey"}}}}`
	rm := changeSet(t, f, "cs", "remove", only, types.ChangeSetTypeUpdate)
	assert.Equal(t, []row{{"Remove", "Second", ""}}, rows(rm))
	_, err = f.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("remove")})
	require.NoError(t, err)
	require.Equal(t, types.StackStatusUpdateComplete, f.settle("cs").StackStatus)
	assert.Equal(t, 1, f.prov.count())
	list, err := f.cfn.ListChangeSets(ctx, &cloudformation.ListChangeSetsInput{StackName: aws.String("cs")})
	require.NoError(t, err)
	assert.Empty(t, list.Summaries, "executing a change set removes the stack's others")
}

func TestAFailedUpdateRollsBackToThePreviousProperties(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(twoThings)})
	require.NoError(t, err)
	require.Equal(t, types.StackStatusCreateComplete, f.settle("up").StackStatus)
	firstID := f.physical("up", "First")
	// First changes in place; a new Third fails to create.
	body := strings.Replace(twoThings, `"Resources": {`, `"Resources": {
    "Third": {"Type": "Test::Local::Thing", "DependsOn": "First", "Properties": {"Value": "z", "Fail": "create"}},`, 1)
	_, err = f.cfn.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(body),
		Parameters: []types.Parameter{{ParameterKey: aws.String("Greeting"), ParameterValue: aws.String("changed")}}})
	require.NoError(t, err)
	st := f.settle("up")
	assert.Equal(t, types.StackStatusUpdateRollbackComplete, st.StackStatus)
	assert.Equal(t, []string{"CREATE_IN_PROGRESS", "CREATE_COMPLETE", "UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS",
		"UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"}, f.statuses("up"))
	props, ok := f.prov.get(firstID)
	require.True(t, ok)
	assert.Equal(t, "hello", props["Value"], "First's in-place update was put back")
	assert.Equal(t, 2, f.prov.count())
	tmpl, err := f.cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("up")})
	require.NoError(t, err)
	assert.Equal(t, twoThings, aws.ToString(tmpl.TemplateBody))
	_, err = f.cfn.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(twoThings)})
	assertAPIError(t, err, "ValidationError", "No updates are to be performed.")
}

func TestDeleteKeepsRetainedResourcesAndRestartKeepsStacks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	body := `{"Resources": {
	  "Kept": {"Type": "Test::Local::Thing", "DeletionPolicy": "Retain", "Properties": {"Value": "k"}},
	  "Gone": {"Type": "Test::Local::Thing", "Properties": {"Value": {"Ref": "Kept"}}}
	}}`
	_, err := f.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("del"), TemplateBody: aws.String(body)})
	require.NoError(t, err)
	require.Equal(t, types.StackStatusCreateComplete, f.settle("del").StackStatus)
	kept := f.physical("del", "Kept")

	f.restart()
	st := f.settle("del")
	assert.Equal(t, types.StackStatusCreateComplete, st.StackStatus, "a restart keeps the stack")
	assert.Equal(t, kept, f.physical("del", "Kept"))

	_, err = f.cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("del")})
	require.NoError(t, err)
	f.svc.Wait()
	_, err = f.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("del")})
	assertAPIError(t, err, "ValidationError", "Stack with id del does not exist")
	_, ok := f.prov.get(kept)
	assert.True(t, ok, "DeletionPolicy Retain keeps the resource")
	assert.Equal(t, 1, f.prov.count())
	list, err := f.cfn.ListStacks(ctx, &cloudformation.ListStacksInput{StackStatusFilter: []types.StackStatus{types.StackStatusDeleteComplete}})
	require.NoError(t, err)
	require.Len(t, list.StackSummaries, 1)
	assert.NotNil(t, list.StackSummaries[0].DeletionTime)
	var skipped bool
	for _, e := range f.events(aws.ToString(list.StackSummaries[0].StackId)) {
		if aws.ToString(e.LogicalResourceId) == "Kept" && e.ResourceStatus == types.ResourceStatusDeleteSkipped {
			skipped = true
		}
	}
	assert.True(t, skipped)
	_, err = f.cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("del")})
	assert.NoError(t, err, "deleting a stack that does not exist succeeds, as on AWS")
}

func TestIAMResourcesNeedCapabilities(t *testing.T) {
	f := newFixture(t)
	body := `{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x", "AssumeRolePolicyDocument": {}}}}}`
	_, err := f.cfn.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("iam"), TemplateBody: aws.String(body)})
	assertAPIError(t, err, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]")
}

func TestUnknownOperationsAreNamed(t *testing.T) {
	f := newFixture(t)
	_, err := f.cfn.DetectStackDrift(context.Background(), &cloudformation.DetectStackDriftInput{StackName: aws.String("x")})
	assertAPIError(t, err, "InvalidAction", "DetectStackDrift")
}

// BenchmarkCreateStack creates a stack of 100 resources, each of the last
// 90 depending on one of the first ten, and reports resources per second.
func BenchmarkCreateStack(b *testing.B) {
	prov := &things{items: map[string]map[string]any{}}
	st, err := localcloud.OpenStore(b.TempDir() + "/state.db")
	require.NoError(b, err)
	defer st.Close()
	svc, err := stacks.New(st, stacks.Options{Providers: []cfnengine.Provider{prov}})
	require.NoError(b, err)
	defer svc.Close()
	var res []string
	for i := range 100 {
		v := `"v"`
		if i >= 10 {
			v = fmt.Sprintf(`{"Ref": "R%d"}`, i%10)
		}
		res = append(res, fmt.Sprintf(`"R%d": {"Type": "Test::Local::Thing", "Properties": {"Value": %s}}`, i, v))
	}
	body := `{"Resources": {` + strings.Join(res, ",") + `}}`
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		name := fmt.Sprintf("bench-%d", i)
		_, err := svc.CreateStack(ctx, &stacks.StackInput{StackName: name, TemplateBody: body})
		require.NoError(b, err)
		svc.Wait()
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "resources/s")
}

func TestATransformIsRefusedByName(t *testing.T) {
	f := newFixture(t)
	body := `{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"A": {"Type": "Test::Local::Thing", "Properties": {}}}}`
	_, err := f.cfn.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("sam"), TemplateBody: aws.String(body)})
	assertAPIError(t, err, "ValidationError", "Transform AWS::Serverless-2016-10-31 is not supported by the local cloud")
}
