// Command sdkonly is the baseline for handlers that use AWS: aws-lambda-go
// plus the SDK configuration and the Step Functions and Secrets Manager
// clients the webhook initiator uses, built lazily, with no middleware and
// no X-Ray. The difference between its init and a real handler's is what
// the middleware and tracing cost at cold start.
package main

import (
	"context"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

var (
	once sync.Once
	sm   *secretsmanager.Client
	sf   *sfn.Client
	err  error
)

func main() {
	lambda.Start(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		once.Do(func() {
			cfg, e := config.LoadDefaultConfig(ctx)
			if e != nil {
				err = e
				return
			}
			sm = secretsmanager.NewFromConfig(cfg)
			sf = sfn.NewFromConfig(cfg)
		})
		return in, err
	})
}
