// Package awsconfig builds the one AWS SDK configuration every handler and
// tool shares: the standard credential and region chain, endpoint overrides
// from AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, and X-Ray tracing of
// every client call.
package awsconfig

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-xray-sdk-go/v2/instrumentation/awsv2"

	"github.com/stepforge/stepforge/pkg/tracing"
)

// Load returns an SDK configuration from the standard chain with X-Ray
// instrumentation added. Endpoint overrides need no code here: the SDK reads
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> itself, which is how the
// same binary talks to AWS or to the local cloud. Client calls made outside a
// traced invocation are not reported as errors (see package tracing).
func Load(ctx context.Context, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	tracing.Configure()
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	return cfg, nil
}

var shared struct {
	sync.Mutex
	cfg *aws.Config
}

// Shared returns the process's configuration, loading it with Load on the
// first call, so a function that builds several clients (Secrets Manager
// and Step Functions, say) resolves its credentials and shared config files
// once. A failed load is tried again on the next call.
func Shared(ctx context.Context) (aws.Config, error) {
	shared.Lock()
	defer shared.Unlock()
	if shared.cfg != nil {
		return *shared.cfg, nil
	}
	cfg, err := Load(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	shared.cfg = &cfg
	return cfg, nil
}
