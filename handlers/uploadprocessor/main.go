// Command uploadprocessor is the processing step of the upload workflow: for
// each S3 "Object Created" event that EventBridge delivers, it reads the new
// object and returns a summary of the text in it, or fails with an error named
// for what is wrong with the upload, whose message the workflow can post to
// its failure topic as is.
//
// Environment:
//
//	MAX_BYTES          largest upload accepted, in bytes; default 1048576 (1 MiB).
//	ALWAYS_FAIL        "true" fails every valid event with ProcessingFailed and the
//	                   seed's message, without reading the object; default false.
//	S3_USE_PATH_STYLE  "true" or "false" forces path-style S3 requests; unset, they
//	                   are used when the S3 endpoint is an IP address or a
//	                   localhost name, which cannot take the bucket as a subdomain.
//
// The S3 client honours the standard AWS variables, among them AWS_REGION and
// AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3; the middleware honours
// AWS_LAMBDA_FUNCTION_NAME and AWS_LAMBDA_LOG_LEVEL.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stepforge/stepforge/pkg/awsconfig"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/s3client"
)

func main() {
	set, err := loadSettings(os.Getenv)
	h := &handler{
		s3:            &s3client.Lazy{Load: func(ctx context.Context) (aws.Config, error) { return awsconfig.Load(ctx) }, PathStyle: set.pathStyle},
		settings:      set,
		misconfigured: err,
	}
	middleware.Start(h.handle)
}
