package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/awsconfig"
	"github.com/stepforge/stepforge/pkg/middleware/middlewaretest"
	"github.com/stepforge/stepforge/pkg/s3client"
)

// TestTheLazyClientReachesAnEndpointFromTheEnvironment runs the wiring of
// main: the shared AWS configuration and AWS_ENDPOINT_URL_S3 naming a
// localhost endpoint, as the local cloud sets it, with no path-style setting.
func TestTheLazyClientReachesAnEndpointFromTheEnvironment(t *testing.T) {
	for _, host := range []string{"localhost", "127.0.0.1"} {
		t.Run(host, func(t *testing.T) {
			fake := newFakeS3(t)
			isolateAWSEnv(t)
			t.Setenv("AWS_ENDPOINT_URL_S3", strings.Replace(fake.URL, "127.0.0.1", host, 1))

			h := &handler{s3: &s3client.Lazy{Load: func(ctx context.Context) (aws.Config, error) { return awsconfig.Load(ctx) }}}
			out, ierr := invoke(t, h, middlewaretest.Event(t, "object-created.handmade.json"))
			require.Empty(t, ierr.Type, ierr.Message)
			assert.Equal(t, "uploads/2023/03/hello.txt", decodeSummary(t, out).Key)
			assert.Equal(t, []string{"GET " + bucketPath + "uploads/2023/03/hello.txt"}, fake.Targets())
		})
	}
}

func TestAFailedConfigurationLoadIsMisconfiguredAndRetried(t *testing.T) {
	fake := newFakeS3(t)
	isolateAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", fake.URL)
	calls := 0
	lazy := &s3client.Lazy{Load: func(ctx context.Context) (aws.Config, error) {
		calls++
		if calls == 1 {
			return aws.Config{}, errors.New("profile \"nope\" not found")
		}
		return awsconfig.Load(ctx)
	}}
	h := &handler{s3: lazy}

	_, ierr := invoke(t, h, middlewaretest.Event(t, "object-created.handmade.json"))
	assert.Equal(t, "Misconfigured", ierr.Type)
	assert.Contains(t, ierr.Message, `profile "nope" not found`)

	_, ierr = invoke(t, h, middlewaretest.Event(t, "object-created.handmade.json"))
	assert.Empty(t, ierr.Type, ierr.Message)
	assert.Equal(t, 2, calls)
}

// isolateAWSEnv gives the SDK static credentials and a region and keeps it
// away from the machine's AWS files and instance metadata.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "AKID",
		"AWS_SECRET_ACCESS_KEY":       "SECRET",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "eu-west-1",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             t.TempDir() + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": t.TempDir() + "/credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            "",
		"AWS_MAX_ATTEMPTS":            "1",
	} {
		t.Setenv(k, v)
	}
}
