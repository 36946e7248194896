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
	"github.com/aws/aws-xray-sdk-go/v2/strategy/ctxmissing"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
)

var quietOnce sync.Once

// Load returns an SDK configuration from the standard chain with X-Ray
// instrumentation added. Endpoint overrides need no code here: the SDK reads
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> itself, which is how the
// same binary talks to AWS or to the local cloud.
func Load(ctx context.Context, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	quietOnce.Do(quietWhenUntraced)
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	return cfg, nil
}

// quietWhenUntraced keeps client calls made outside a traced invocation (tests,
// local tools, an invocation without a trace header) from logging X-Ray's
// "segment cannot be found" error: untraced work is normal, not a fault.
// AWS_XRAY_CONTEXT_MISSING still wins when it is set.
func quietWhenUntraced() {
	_ = xray.Configure(xray.Config{ContextMissingStrategy: ctxmissing.NewDefaultIgnoreErrorStrategy()})
}
