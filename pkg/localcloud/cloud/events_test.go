package cloud_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/cloud"
)

// TestEventsCanBeReadWhileStacksAreCreated reads every stack's events
// again and again while the five generated stacks are being created.
func TestEventsCanBeReadWhileStacksAreCreated(t *testing.T) {
	cfg, c := cloud.StartForTest(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("artifacts")})
	require.NoError(t, err)
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("code.zip"), Body: bytes.NewReader(bootstrapZip(t))})
	require.NoError(t, err)
	templates, _ := filepath.Glob("../../../gen/testdata/*.template.json")
	cfn := cloudformation.NewFromConfig(cfg)
	var wg sync.WaitGroup
	for _, path := range templates {
		body, _ := os.ReadFile(path)
		name := strings.TrimSuffix(filepath.Base(path), ".template.json")
		_, err = cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(string(body)),
			Parameters: templateParameters(t, body, "artifacts", "code.zip"), Capabilities: []types.Capability{types.CapabilityCapabilityNamedIam}})
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				_, err := cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
				if err != nil {
					t.Errorf("%s: %v", name, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	c.CloudFormation.Wait()
}
