package logview_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/functions"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
	"github.com/stepforge/stepforge/pkg/logview"
)

func ExampleGroupFor() {
	fmt.Println(logview.GroupFor("check-pizza"))
	// Output: /aws/lambda/check-pizza
}

func bootstrapZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("bootstrap")
	require.NoError(t, err)
	_, err = w.Write([]byte("#!/bin/sh\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestResolveGroupFindsFunctionsThenStateMachines(t *testing.T) {
	ctx := context.Background()
	fns := functions.New(lctest.Store(t), nil)
	t.Cleanup(func() { _ = fns.Close() })
	cfg, _, _ := lctest.Start(t, fns, machines.New(lctest.Store(t)))
	lc, sc := lambda.NewFromConfig(cfg), sfn.NewFromConfig(cfg)
	const role = "arn:aws:iam::123456789012:role/pizza"
	code := bootstrapZip(t)
	for _, fn := range []struct{ name, group string }{{"check-pizza", ""}, {"bake", "/custom/bake"}} {
		in := &lambda.CreateFunctionInput{FunctionName: aws.String(fn.name), Runtime: lambdatypes.RuntimeProvidedal2023, Role: aws.String(role),
			Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: code}}
		if fn.group != "" {
			in.LoggingConfig = &lambdatypes.LoggingConfig{LogGroup: aws.String(fn.group)}
		}
		_, err := lc.CreateFunction(ctx, in)
		require.NoError(t, err)
	}
	definition := `{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}`
	_, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Pizza"), Definition: aws.String(definition), RoleArn: aws.String(role),
		LoggingConfiguration: &sfntypes.LoggingConfiguration{Level: sfntypes.LogLevelAll, Destinations: []sfntypes.LogDestination{{
			CloudWatchLogsLogGroup: &sfntypes.CloudWatchLogsLogGroup{LogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/Pizza:*")}}}}})
	require.NoError(t, err)
	_, err = sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Quiet"), Definition: aws.String(definition), RoleArn: aws.String(role)})
	require.NoError(t, err)

	for name, want := range map[string]string{
		"check-pizza": "/aws/lambda/check-pizza",
		"bake":        "/custom/bake",
		"Pizza":       "/aws/vendedlogs/states/Pizza",
	} {
		got, err := logview.ResolveGroup(ctx, lc, sc, name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}

	_, err = logview.ResolveGroup(ctx, lc, sc, "Quiet")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "logs to no CloudWatch Logs group")

	_, err = logview.ResolveGroup(ctx, lc, sc, "nothing")
	require.Error(t, err)
	assert.Equal(t, `logview: no function or state machine is named "nothing"; functions: bake, check-pizza; state machines: Pizza, Quiet`, err.Error())
	_, err = logview.ResolveGroup(ctx, nil, nil, "nothing")
	assert.EqualError(t, err, `logview: no function or state machine is named "nothing"; functions: (none); state machines: (none)`)
}
