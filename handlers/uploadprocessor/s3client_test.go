package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/awsconfig"
	"github.com/stepforge/stepforge/pkg/middleware/middlewaretest"
)

func TestPathStyleIsUsedWhereABucketCannotBeASubdomain(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name     string
		endpoint string
		force    *bool
		want     bool
	}{
		{"AWS itself", "", nil, false},
		{"custom DNS endpoint", "https://s3.example.com", nil, false},
		{"IPv4 loopback", "http://127.0.0.1:4566", nil, true},
		{"IPv6 loopback", "http://[::1]:4566", nil, true},
		{"private IP", "http://10.0.0.7:9000", nil, true},
		{"localhost", "http://localhost:4566", nil, true},
		{"localhost upper case", "http://LOCALHOST:4566", nil, true},
		{"under .localhost", "http://s3.stepforge.localhost:4566", nil, true},
		{"forced on", "https://minio.internal:9000", &yes, true},
		{"forced off", "http://localhost:4566", &no, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
			if tt.endpoint != "" {
				cfg.BaseEndpoint = aws.String(tt.endpoint)
			}
			opts := newS3Client(cfg, tt.force).Options()
			assert.Equal(t, tt.want, opts.UsePathStyle)
			assert.True(t, opts.DisableLogOutputChecksumValidationSkipped, "keeps plain-text SDK lines out of the JSON logs")
		})
	}
}

// TestTheLazyClientReachesAnEndpointFromTheEnvironment runs the wiring of
// main: the shared AWS configuration and AWS_ENDPOINT_URL_S3 naming a
// localhost endpoint, as the local cloud sets it, with no path-style setting.
func TestTheLazyClientReachesAnEndpointFromTheEnvironment(t *testing.T) {
	for _, host := range []string{"localhost", "127.0.0.1"} {
		t.Run(host, func(t *testing.T) {
			fake := newFakeS3(t)
			isolateAWSEnv(t)
			t.Setenv("AWS_ENDPOINT_URL_S3", strings.Replace(fake.URL, "127.0.0.1", host, 1))

			h := &handler{s3: &lazyS3{load: awsconfig.Load}}
			out, ierr := invoke(t, h, middlewaretest.Event(t, "object-created.json"))
			require.Empty(t, ierr.Type, ierr.Message)
			assert.Equal(t, "uploads/2023/03/hello.txt", decodeSummary(t, out).Key)
			assert.Equal(t, []string{"GET " + bucketPath + "uploads/2023/03/hello.txt"}, fake.paths())
		})
	}
}

func TestAFailedConfigurationLoadIsMisconfiguredAndRetried(t *testing.T) {
	fake := newFakeS3(t)
	isolateAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", fake.URL)
	calls := 0
	lazy := &lazyS3{load: func(ctx context.Context, opts ...func(*config.LoadOptions) error) (aws.Config, error) {
		calls++
		if calls == 1 {
			return aws.Config{}, errors.New("profile \"nope\" not found")
		}
		return awsconfig.Load(ctx, opts...)
	}}
	h := &handler{s3: lazy}

	_, ierr := invoke(t, h, middlewaretest.Event(t, "object-created.json"))
	assert.Equal(t, "Misconfigured", ierr.Type)
	assert.Contains(t, ierr.Message, `profile "nope" not found`)

	_, ierr = invoke(t, h, middlewaretest.Event(t, "object-created.json"))
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
