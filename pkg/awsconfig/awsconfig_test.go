package awsconfig

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadHonoursTheEnvironmentEachTime(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	cfg, err := Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", cfg.Region)
	assert.NotEmpty(t, cfg.APIOptions, "client calls are instrumented for X-Ray")

	t.Setenv("AWS_REGION", "us-west-2")
	cfg, err = Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "us-west-2", cfg.Region)
}

func TestSharedLoadsOncePerProcess(t *testing.T) {
	t.Setenv("AWS_REGION", "ap-south-1")
	first, err := Shared(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ap-south-1", first.Region)

	t.Setenv("AWS_REGION", "sa-east-1")
	second, err := Shared(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ap-south-1", second.Region, "the second call reuses the first load")
}
