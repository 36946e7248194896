package deploy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/deploy"
	"github.com/stepforge/stepforge/pkg/localcloud/cloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// appTemplate is a small stack: a retained bucket tagged with a parameter
// from the params file and with the key of its one asset.
const appTemplate = `{
  "Parameters": {
    "ArtifactBucket": {"Type": "String"},
    "AppCodeKey": {"Type": "String"},
    "Greeting": {"Type": "String"},
    "Colour": {"Type": "String", "Default": "blue"}
  },
  "Resources": {
    "DataBucket": {
      "Type": "AWS::S3::Bucket",
      "DeletionPolicy": "Retain",
      "Properties": {
        "Tags": [
          {"Key": "greeting", "Value": {"Ref": "Greeting"}},
          {"Key": "code", "Value": {"Fn::Sub": "s3://${ArtifactBucket}/${AppCodeKey}"}}
        ]
      }
    },
    "Scratch": {"Type": "AWS::S3::Bucket"}
  },
  "Outputs": {
    "DataBucketName": {"Value": {"Ref": "DataBucket"}},
    "Colour": {"Value": {"Ref": "Colour"}}
  }
}`

// syncBuffer is the deploy output, written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	cfg  aws.Config
	cfn  *cloudformation.Client
	s3   *s3.Client
	dir  string
	zip  string
	out  *syncBuffer
	vars map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cfg, _ := cloud.StartForTest(t)
	dir := t.TempDir()
	f := &fixture{cfg: cfg, cfn: cloudformation.NewFromConfig(cfg), dir: dir, zip: filepath.Join(dir, "app.zip"),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), out: &syncBuffer{}, vars: map[string]string{}}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "params"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "params", "test.json"), []byte(`{"app": {"Greeting": "hello"}}`), 0o644))
	require.NoError(t, os.WriteFile(f.zip, []byte("zip v1"), 0o644))
	return f
}

func (f *fixture) options(stacks ...deploy.Stack) deploy.Options {
	return deploy.Options{
		Config: f.cfg, Stacks: stacks, Environment: "test", ParamsDir: filepath.Join(f.dir, "params"),
		Getenv: func(k string) string { return f.vars[k] }, Out: f.out, OutputsDir: filepath.Join(f.dir, "outputs"),
	}
}

func (f *fixture) app(template string) deploy.Stack {
	return deploy.Stack{Name: "app", Template: []byte(template), Assets: []deploy.Asset{{Parameter: "AppCodeKey", Path: f.zip}},
		Tags: map[string]string{"project": "stepforge"}}
}

func (f *fixture) parameters(t *testing.T, stack string) map[string]string {
	t.Helper()
	out, err := f.cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	require.NoError(t, err)
	params := map[string]string{}
	for _, p := range out.Stacks[0].Parameters {
		params[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	return params
}

func (f *fixture) changeSets(t *testing.T, stack string) int {
	t.Helper()
	out, err := f.cfn.ListChangeSets(context.Background(), &cloudformation.ListChangeSetsInput{StackName: aws.String(stack)})
	require.NoError(t, err)
	return len(out.Summaries)
}

func (f *fixture) exists(t *testing.T, stack string) bool {
	t.Helper()
	_, err := f.cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		require.Contains(t, err.Error(), "does not exist")
		return false
	}
	return true
}

func TestDeployUploadsOnceAndRedeploysOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)

	// First deploy: bootstrap, one upload, the stack created.
	rep, err := deploy.Deploy(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	require.Len(t, rep.Stacks, 1)
	first := rep.Stacks[0]
	assert.Equal(t, "CREATE_COMPLETE", first.Status)
	require.Len(t, first.Uploaded, 1)
	assert.Regexp(t, `^assets/[0-9a-f]{64}\.zip$`, first.Uploaded[0])
	assert.Empty(t, first.Skipped)
	assert.Len(t, first.Changes, 2)
	assert.Equal(t, "blue", first.Outputs["Colour"])
	require.NotEmpty(t, first.Outputs["DataBucketName"])

	bucket, err := deploy.Outputs(ctx, f.cfg, deploy.DefaultBootstrapStack)
	require.NoError(t, err)
	artifacts := bucket["ArtifactBucketName"]
	require.NotEmpty(t, artifacts)
	got, err := f.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(artifacts), Key: aws.String(first.Uploaded[0])})
	require.NoError(t, err, "the asset is in the artifact bucket")
	got.Body.Close()

	params := f.parameters(t, "app")
	assert.Equal(t, "hello", params["Greeting"], "from the params file")
	assert.Equal(t, artifacts, params["ArtifactBucket"])
	assert.Equal(t, first.Uploaded[0], params["AppCodeKey"])

	data, err := os.ReadFile(filepath.Join(f.dir, "outputs", "app.json"))
	require.NoError(t, err)
	var saved map[string]string
	require.NoError(t, json.Unmarshal(data, &saved))
	assert.Equal(t, first.Outputs, saved)
	text := f.out.String()
	assert.Contains(t, text, "stack stepforge-bootstrap: bootstrapping the artifact bucket")
	assert.Regexp(t, `app\s+DataBucket\s+AWS::S3::Bucket\s+CREATE_COMPLETE`, text, "events are shown")
	assert.Regexp(t, `  add\s+DataBucket\s+AWS::S3::Bucket\s+N/A`, text, "the diff is shown")
	assert.Regexp(t, `DataBucketName\s+`+first.Outputs["DataBucketName"], text, "the outputs are shown")

	// Second deploy: nothing changed, nothing uploaded.
	f.out = &syncBuffer{}
	rep, err = deploy.Deploy(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	again := rep.Stacks[0]
	assert.True(t, again.NoChanges)
	assert.Empty(t, again.Uploaded)
	assert.Equal(t, first.Uploaded, again.Skipped)
	assert.Equal(t, first.Outputs, again.Outputs)
	assert.Contains(t, f.out.String(), "stack app: no changes")
	assert.NotContains(t, f.out.String(), "bootstrapping")
	assert.Zero(t, f.changeSets(t, "app"), "the empty change set is deleted")

	// A changed handler: Diff shows one modified resource and executes nothing.
	require.NoError(t, os.WriteFile(f.zip, []byte("zip v2"), 0o644))
	f.out = &syncBuffer{}
	rep, err = deploy.Diff(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	assert.Equal(t, []deploy.Change{{Action: "modify", LogicalID: "DataBucket", PhysicalID: first.Outputs["DataBucketName"], Type: "AWS::S3::Bucket", Replacement: "False"}}, rep.Stacks[0].Changes)
	assert.Empty(t, rep.Stacks[0].Uploaded, "Diff uploads no handler")
	assert.Equal(t, first.Uploaded[0], f.parameters(t, "app")["AppCodeKey"], "Diff executed nothing")
	assert.Zero(t, f.changeSets(t, "app"), "Diff deletes its change set")

	// Deploying it uploads the one new artifact and changes one parameter.
	f.out = &syncBuffer{}
	rep, err = deploy.Deploy(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	third := rep.Stacks[0]
	assert.Equal(t, "UPDATE_COMPLETE", third.Status)
	require.Len(t, third.Uploaded, 1)
	assert.NotEqual(t, first.Uploaded[0], third.Uploaded[0])
	after := f.parameters(t, "app")
	assert.Equal(t, third.Uploaded[0], after["AppCodeKey"])
	delete(after, "AppCodeKey")
	delete(params, "AppCodeKey")
	assert.Equal(t, params, after, "no other parameter changed")

	// Destroy needs approval, then reports the retained bucket.
	f.out = &syncBuffer{}
	_, err = deploy.Destroy(ctx, f.options(f.app(appTemplate)))
	require.ErrorIs(t, err, deploy.ErrNotApproved)
	assert.True(t, f.exists(t, "app"))

	opts := f.options(f.app(appTemplate))
	opts.Approve = true
	rep, err = deploy.Destroy(ctx, opts)
	require.NoError(t, err, f.out.String())
	assert.False(t, f.exists(t, "app"))
	assert.Equal(t, "DELETE_COMPLETE", rep.Stacks[0].Status)
	data0 := first.Outputs["DataBucketName"]
	assert.Equal(t, []deploy.Retained{{LogicalID: "DataBucket", Type: "AWS::S3::Bucket", PhysicalID: data0, Remove: "aws s3 rb s3://" + data0 + " --force"}}, rep.Stacks[0].Retained)
	assert.Contains(t, f.out.String(), "aws s3 rb s3://"+data0+" --force")
	_, err = f.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(data0)})
	assert.NoError(t, err, "the retained bucket is still there")
}

func TestFailedCreationNamesTheResourceAndTheNextDeployRecreatesTheStack(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	bad := strings.Replace(appTemplate, `"Scratch": {"Type": "AWS::S3::Bucket"}`, `"Scratch": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "Not_A_Valid_Bucket"}}`, 1)
	require.NotEqual(t, appTemplate, bad)

	rep, err := deploy.Deploy(ctx, f.options(f.app(bad)))
	var se *deploy.StackError
	require.ErrorAs(t, err, &se, f.out.String())
	assert.Equal(t, "app", se.Stack)
	assert.Equal(t, "ROLLBACK_COMPLETE", se.Status)
	assert.Equal(t, "Scratch", se.Resource)
	assert.Contains(t, se.Reason, "not valid")
	assert.Contains(t, se.Next, "deletes it and creates it anew")
	assert.Equal(t, "ROLLBACK_COMPLETE", rep.Stacks[0].Status)
	assert.Contains(t, f.out.String(), "stack app failed: ROLLBACK_COMPLETE\n  first failure: Scratch: ")
	_, err = os.Stat(filepath.Join(f.dir, "outputs", "app.json"))
	assert.ErrorIs(t, err, os.ErrNotExist, "a failed stack writes no outputs")

	f.out = &syncBuffer{}
	rep, err = deploy.Diff(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	assert.Equal(t, "ROLLBACK_COMPLETE", rep.Stacks[0].Status, "Diff deletes nothing")
	assert.Contains(t, f.out.String(), "the next deploy deletes it and creates it anew")

	f.out = &syncBuffer{}
	rep, err = deploy.Deploy(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	assert.Equal(t, "CREATE_COMPLETE", rep.Stacks[0].Status)
	assert.Contains(t, f.out.String(), "stack app: ROLLBACK_COMPLETE: its creation failed earlier")
	assert.Regexp(t, `app\s+app\s+AWS::CloudFormation::Stack\s+DELETE_COMPLETE`, f.out.String(), "the deletion is shown")
}

func TestDestructiveDeployWaitsForApproval(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := deploy.Deploy(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	scratch := physicalID(t, f, "app", "Scratch")

	smaller := strings.Replace(appTemplate, `,
    "Scratch": {"Type": "AWS::S3::Bucket"}`, "", 1)
	require.NotEqual(t, appTemplate, smaller)
	f.out = &syncBuffer{}
	rep, err := deploy.Deploy(ctx, f.options(f.app(smaller)))
	require.ErrorIs(t, err, deploy.ErrNotApproved)
	assert.Contains(t, err.Error(), "remove Scratch (AWS::S3::Bucket)")
	assert.Contains(t, err.Error(), "STEPFORGE_APPROVE=1")
	assert.Equal(t, []deploy.Change{{Action: "remove", LogicalID: "Scratch", PhysicalID: scratch, Type: "AWS::S3::Bucket"}}, rep.Stacks[0].Changes)
	assert.Regexp(t, `remove\s+Scratch\s+AWS::S3::Bucket\s+N/A\s+destructive`, f.out.String())
	assert.Equal(t, scratch, physicalID(t, f, "app", "Scratch"), "nothing was executed")
	assert.Zero(t, f.changeSets(t, "app"))

	var prompts []string
	opts := f.options(f.app(smaller))
	opts.Terminal, opts.Confirm = true, func(p string) bool { prompts = append(prompts, p); return true }
	rep, err = deploy.Deploy(ctx, opts)
	require.NoError(t, err, f.out.String())
	assert.Equal(t, []string{"stack app: remove Scratch (AWS::S3::Bucket). Go ahead?"}, prompts)
	assert.Equal(t, "UPDATE_COMPLETE", rep.Stacks[0].Status)
	assert.Empty(t, physicalID(t, f, "app", "Scratch"))
}

func physicalID(t *testing.T, f *fixture, stack, logical string) string {
	t.Helper()
	out, err := f.cfn.DescribeStackResources(context.Background(), &cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
	require.NoError(t, err)
	for _, r := range out.StackResources {
		if aws.ToString(r.LogicalResourceId) == logical {
			return aws.ToString(r.PhysicalResourceId)
		}
	}
	return ""
}

func TestDiffOfANewStackLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := deploy.Diff(ctx, f.options(f.app(appTemplate)))
	require.ErrorContains(t, err, "bootstrap stack stepforge-bootstrap does not exist")
	assert.False(t, f.exists(t, deploy.DefaultBootstrapStack), "Diff creates nothing, not even the bootstrap")

	bucket, err := deploy.Bootstrap(ctx, f.options())
	require.NoError(t, err, f.out.String())
	assert.NotEmpty(t, bucket)

	rep, err := deploy.Diff(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	assert.Equal(t, []deploy.Change{
		{Action: "add", LogicalID: "DataBucket", Type: "AWS::S3::Bucket"},
		{Action: "add", LogicalID: "Scratch", Type: "AWS::S3::Bucket"},
	}, rep.Stacks[0].Changes)
	assert.False(t, f.exists(t, "app"), "the stack made for review is deleted")
	list, err := f.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	assert.Empty(t, list.Contents, "Diff uploads nothing")
}

func TestMissingParameterStopsBeforeAnythingIsCreated(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "params", "test.json"), []byte(`{"app": {}}`), 0o644))
	_, err := deploy.Deploy(context.Background(), f.options(f.app(appTemplate)))
	require.Error(t, err)
	assert.Equal(t, "stack app: parameter Greeting has no value: set it in "+filepath.Join(f.dir, "params", "test.json")+" or STEPFORGE_PARAM_Greeting", err.Error())
	assert.False(t, f.exists(t, deploy.DefaultBootstrapStack))

	f.vars["STEPFORGE_PARAM_APP__Greeting"] = "from the environment"
	_, err = deploy.Deploy(context.Background(), f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	assert.Equal(t, "from the environment", f.parameters(t, "app")["Greeting"])
}

func TestIndependentStacksDeployInParallelAndShareUploads(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "params", "test.json"), []byte(`{"*": {"Greeting": "hi"}}`), 0o644))
	var stacks []deploy.Stack
	for _, name := range []string{"one", "two", "three"} {
		s := f.app(appTemplate)
		s.Name = name
		stacks = append(stacks, s)
	}
	stacks[2].DependsOn = []string{"one", "two"}
	// A template over 51,200 bytes goes by TemplateURL.
	big := strings.Replace(appTemplate, `"Parameters"`, `"Metadata": {"Padding": "`+strings.Repeat("x", 60000)+`"}, "Parameters"`, 1)
	stacks[1].Template = []byte(big)

	rep, err := deploy.Deploy(ctx, f.options(stacks...))
	require.NoError(t, err, f.out.String())
	uploaded := 0
	for _, s := range rep.Stacks {
		assert.Equal(t, "CREATE_COMPLETE", s.Status, s.Name)
		uploaded += len(s.Uploaded)
		assert.Len(t, append(s.Uploaded, s.Skipped...), 1)
	}
	assert.Equal(t, 1, uploaded, "the shared asset is uploaded once")

	outs, err := deploy.Outputs(ctx, f.cfg, deploy.DefaultBootstrapStack)
	require.NoError(t, err)
	list, err := f.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(outs["ArtifactBucketName"]), Prefix: aws.String("templates/")})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1, "the large template was uploaded")
	assert.Regexp(t, `^templates/[0-9a-f]{64}\.json$`, aws.ToString(list.Contents[0].Key))

	// three deployed after one and two: its first event follows their last.
	text := f.out.String()
	assert.Less(t, strings.LastIndex(text, "stack one: CREATE_COMPLETE"), strings.Index(text, "stack three: 2 change(s)"))
	assert.Less(t, strings.LastIndex(text, "stack two: CREATE_COMPLETE"), strings.Index(text, "stack three: 2 change(s)"))
}

func TestBootstrapBucketIsEncryptedPrivateAndTLSOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	bucket, err := deploy.Bootstrap(ctx, f.options())
	require.NoError(t, err, f.out.String())

	enc, err := f.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Len(t, enc.ServerSideEncryptionConfiguration.Rules, 1)
	assert.Equal(t, "AES256", string(enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm))

	pab, err := f.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	c := pab.PublicAccessBlockConfiguration
	assert.True(t, aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.RestrictPublicBuckets))

	pol, err := f.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	var doc struct {
		Statement []struct {
			Effect    string
			Condition map[string]map[string]string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc))
	require.Len(t, doc.Statement, 1)
	assert.Equal(t, "Deny", doc.Statement[0].Effect)
	assert.Equal(t, "false", doc.Statement[0].Condition["Bool"]["aws:SecureTransport"])

	life, err := f.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	assert.Len(t, life.Rules, 3)

	// Bootstrapping again changes nothing.
	f.out = &syncBuffer{}
	again, err := deploy.Bootstrap(ctx, f.options())
	require.NoError(t, err)
	assert.Equal(t, bucket, again)
	assert.Contains(t, f.out.String(), "stack stepforge-bootstrap: no changes")
}

func TestOutputsFileMatchesWhatTheAWSCLISees(t *testing.T) {
	lctest.RequireAWSCLI(t)
	ctx := context.Background()
	f := newFixture(t)
	rep, err := deploy.Deploy(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())

	cmd := lctest.AWSCommand("--endpoint-url", aws.ToString(f.cfg.BaseEndpoint), "cloudformation", "describe-stacks",
		"--stack-name", "app", "--query", "Stacks[0].Outputs", "--output", "json")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	var outputs []struct{ OutputKey, OutputValue string }
	require.NoError(t, json.Unmarshal(out, &outputs))
	fromCLI := map[string]string{}
	for _, o := range outputs {
		fromCLI[o.OutputKey] = o.OutputValue
	}
	data, err := os.ReadFile(filepath.Join(f.dir, "outputs", "app.json"))
	require.NoError(t, err)
	var saved map[string]string
	require.NoError(t, json.Unmarshal(data, &saved))
	assert.Equal(t, fromCLI, saved)
	assert.Equal(t, rep.Stacks[0].Outputs, saved)
}

// handlerZip is a deployment package as the build makes them: one
// executable named bootstrap.
func handlerZip(t *testing.T, path, content string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	_, err = w.Write([]byte("#!/bin/sh\n# " + content + "\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o755))
}

func TestGeneratedPizzaStackDeploysAndAChangedHandlerUpdatesOnlyItsFunction(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	body, err := os.ReadFile("../../gen/testdata/pizza.template.json")
	require.NoError(t, err)
	handlerZip(t, f.zip, "v1")
	pizza := deploy.Stack{Name: "pizza", Template: body, Assets: []deploy.Asset{{Parameter: "CheckPizzaCodeKey", Path: f.zip}}}

	rep, err := deploy.Deploy(ctx, f.options(pizza))
	require.NoError(t, err, f.out.String())
	assert.Equal(t, "CREATE_COMPLETE", rep.Stacks[0].Status)
	assert.Contains(t, rep.Stacks[0].Outputs, "PizzaStateMachineArn")
	assert.Contains(t, rep.Stacks[0].Outputs, "PizzaHttpApiPostPizzaUrl")

	handlerZip(t, f.zip, "v2")
	f.out = &syncBuffer{}
	rep, err = deploy.Deploy(ctx, f.options(pizza))
	require.NoError(t, err, f.out.String())
	require.Len(t, rep.Stacks[0].Uploaded, 1)
	// The function changes in place, and only it: its ARN, which the state
	// machine and its role read, stays the same.
	assert.Equal(t, []deploy.Change{{Action: "modify", LogicalID: "CheckPizzaFunction",
		PhysicalID: physicalID(t, f, "pizza", "CheckPizzaFunction"), Type: "AWS::Lambda::Function", Replacement: "False"}}, rep.Stacks[0].Changes)
	assert.Equal(t, "UPDATE_COMPLETE", rep.Stacks[0].Status)
}

func TestRedeployAfterTheLocalCloudRestartsFindsNoChanges(t *testing.T) {
	ctx := context.Background()
	state := t.TempDir()
	f := newFixture(t)
	cfg, c := cloud.StartForTestIn(t, state)
	f.cfg = cfg
	rep, err := deploy.Deploy(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	require.NoError(t, c.Close())

	f.cfg, _ = cloud.StartForTestIn(t, state)
	f.out = &syncBuffer{}
	again, err := deploy.Deploy(ctx, f.options(f.app(appTemplate)))
	require.NoError(t, err, f.out.String())
	assert.True(t, again.Stacks[0].NoChanges)
	assert.Empty(t, again.Stacks[0].Uploaded, "the artifact survived the restart")
	assert.Equal(t, rep.Stacks[0].Outputs, again.Stacks[0].Outputs)
}

func TestChangeSetThatCannotBeMadeLeavesNoStackBehind(t *testing.T) {
	f := newFixture(t)
	broken := strings.Replace(appTemplate, `"Scratch": {"Type": "AWS::S3::Bucket"}`, `"Scratch": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "Undeclared"}}}`, 1)
	_, err := deploy.Deploy(context.Background(), f.options(f.app(broken)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stack app:")
	assert.Contains(t, err.Error(), "Undeclared")
	assert.False(t, f.exists(t, "app"), "no REVIEW_IN_PROGRESS stack is left")
}

func TestTerminalGetsALiveView(t *testing.T) {
	f := newFixture(t)
	opts := f.options(f.app(appTemplate))
	opts.Terminal = true
	_, err := deploy.Deploy(context.Background(), opts)
	require.NoError(t, err, f.out.String())
	text := f.out.String()
	assert.Contains(t, text, "\x1b[J", "the live region is redrawn")
	assert.Regexp(t, "\x1b\\[32m[^\n]*app\\s+DataBucket\\s+AWS::S3::Bucket\\s+CREATE_COMPLETE", text, "its last draw shows the resource complete")
	assert.Contains(t, text, "stack app: CREATE_COMPLETE")
}

func TestEveryGeneratedTemplateDeploysInParallelAndIsDestroyed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "params", "test.json"), []byte(`{
	  "upload-alarm": {"NotificationEmail": "you@example.com"},
	  "retry-on-500": {"StatusUrl": "http://127.0.0.1:8500/status"},
	  "blog-publishing": {"SiteUrl": "http://127.0.0.1:8600"}
	}`), 0o644))
	files, err := filepath.Glob("../../gen/testdata/*.template.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var stacks []deploy.Stack
	for i, file := range files {
		body, err := os.ReadFile(file)
		require.NoError(t, err)
		var tpl struct{ Parameters map[string]any }
		require.NoError(t, json.Unmarshal(body, &tpl))
		s := deploy.Stack{Name: strings.TrimSuffix(filepath.Base(file), ".template.json"), Template: body}
		for name := range tpl.Parameters {
			if strings.HasSuffix(name, "CodeKey") {
				zip := filepath.Join(f.dir, fmt.Sprintf("%d-%s.zip", i, name))
				handlerZip(t, zip, name)
				s.Assets = append(s.Assets, deploy.Asset{Parameter: name, Path: zip})
			}
		}
		stacks = append(stacks, s)
	}
	rep, err := deploy.Deploy(ctx, f.options(stacks...))
	require.NoError(t, err, f.out.String())
	outputs := map[string]map[string]string{}
	for _, s := range rep.Stacks {
		assert.Equal(t, "CREATE_COMPLETE", s.Status, s.Name)
		assert.NotEmpty(t, s.Outputs, s.Name)
		outputs[s.Name] = s.Outputs
	}

	opts := f.options(stacks...)
	opts.Approve = true
	rep, err = deploy.Destroy(ctx, opts)
	require.NoError(t, err, f.out.String())
	retained := map[string]string{}
	for _, s := range rep.Stacks {
		assert.Equal(t, "DELETE_COMPLETE", s.Status, s.Name)
		assert.False(t, f.exists(t, s.Name))
		for _, r := range s.Retained {
			retained[s.Name+"/"+r.LogicalID] = r.Remove
		}
	}
	assert.Equal(t, map[string]string{
		"blog-publishing/LedgerBucket": "aws s3 rb s3://" + outputs["blog-publishing"]["LedgerBucketName"] + " --force",
		"upload-alarm/UploadsBucket":   "aws s3 rb s3://" + outputs["upload-alarm"]["UploadsBucketName"] + " --force",
	}, retained)
}

func TestAChangedDefinitionUpdatesTheStateMachineInPlace(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	body, err := os.ReadFile("../../gen/testdata/pizza.template.json")
	require.NoError(t, err)
	handlerZip(t, f.zip, "v1")
	pizza := deploy.Stack{Name: "pizza", Template: body, Assets: []deploy.Asset{{Parameter: "CheckPizzaCodeKey", Path: f.zip}}}
	rep, err := deploy.Deploy(ctx, f.options(pizza))
	require.NoError(t, err, f.out.String())
	arn := rep.Stacks[0].Outputs["PizzaStateMachineArn"]

	changed := strings.Replace(string(body), "Checks an order and refuses pineapple.", "Checks an order; still refuses pineapple.", 1)
	require.NotEqual(t, string(body), changed)
	pizza.Template = []byte(changed)
	rep, err = deploy.Deploy(ctx, f.options(pizza))
	require.NoError(t, err, f.out.String())
	assert.Equal(t, []deploy.Change{{Action: "modify", LogicalID: "PizzaStateMachine", PhysicalID: arn,
		Type: "AWS::StepFunctions::StateMachine", Replacement: "False"}}, rep.Stacks[0].Changes)
	assert.Equal(t, arn, rep.Stacks[0].Outputs["PizzaStateMachineArn"], "updated in place: same ARN")
	sm, err := sfn.NewFromConfig(f.cfg).DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(sm.Definition), "still refuses pineapple")
}

func TestAChangedBucketNameReplacesTheBucket(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	named := strings.Replace(appTemplate, `"Scratch": {"Type": "AWS::S3::Bucket"}`, `"Scratch": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "scratch-one"}}`, 1)
	_, err := deploy.Deploy(ctx, f.options(f.app(named)))
	require.NoError(t, err, f.out.String())
	old := physicalID(t, f, "app", "Scratch")
	require.Equal(t, "scratch-one", old)

	renamed := strings.Replace(named, "scratch-one", "scratch-two", 1)
	_, err = deploy.Deploy(ctx, f.options(f.app(renamed)))
	require.ErrorIs(t, err, deploy.ErrNotApproved, "a replacement is destructive: it needs approval")
	opts := f.options(f.app(renamed))
	opts.Approve = true
	rep, err := deploy.Deploy(ctx, opts)
	require.NoError(t, err, f.out.String())
	assert.Equal(t, []deploy.Change{{Action: "modify", LogicalID: "Scratch", PhysicalID: "scratch-one", Type: "AWS::S3::Bucket", Replacement: "True"}}, rep.Stacks[0].Changes)
	assert.Equal(t, "scratch-two", physicalID(t, f, "app", "Scratch"))
	_, err = f.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("scratch-one")})
	assert.Error(t, err, "the old bucket is deleted at cleanup")
	_, err = f.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("scratch-two")})
	assert.NoError(t, err)
}
