// Package awsconfig builds the one AWS SDK configuration every handler and
// tool shares: the standard credential and region chain, endpoint overrides
// from AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, and X-Ray tracing of
// every client call.
package awsconfig

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-xray-sdk-go/v2/instrumentation/awsv2"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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
	if cfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_SFN") != "" {
		cfg.APIOptions = append(cfg.APIOptions, DisableHostPrefix)
	}
	return cfg, nil
}

// DisableHostPrefix is an API option that sends each call to the endpoint
// as configured. The SDK otherwise puts some operations on a host prefix
// (Step Functions' StartSyncExecution on "sync-<host>"), which an
// endpoint such as the local cloud's http://127.0.0.1:4566 does not
// answer. Load adds it whenever an endpoint is overridden; a client built
// another way takes it with, e.g., sfn.WithAPIOptions(DisableHostPrefix).
func DisableHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("DisableHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
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
