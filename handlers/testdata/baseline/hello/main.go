// Command hello is the cold-start and size baseline: a bare aws-lambda-go
// handler built with the same flags as the real ones.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, in map[string]any) (map[string]any, error) {
		return in, nil
	})
}
