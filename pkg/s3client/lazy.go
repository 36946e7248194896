package s3client

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stepforge/stepforge/pkg/envconfig"
)

// Lazy is an S3 client built on first use, so that a cold start that never
// touches S3 (an invalid event, a platform that is not configured) does not
// load the AWS configuration. A failed load is Misconfigured and is tried
// again on the next call.
type Lazy struct {
	// Load returns the AWS configuration, such as awsconfig.Shared.
	Load func(context.Context) (aws.Config, error)
	// PathStyle is handed to New.
	PathStyle *bool

	mu     sync.Mutex
	client *s3.Client
}

// GetObject is s3.Client.GetObject.
func (l *Lazy) GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	c, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.GetObject(ctx, in, optFns...)
}

// PutObject is s3.Client.PutObject.
func (l *Lazy) PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	c, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.PutObject(ctx, in, optFns...)
}

// DeleteObject is s3.Client.DeleteObject.
func (l *Lazy) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	c, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.DeleteObject(ctx, in, optFns...)
}

func (l *Lazy) get(ctx context.Context) (*s3.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.client == nil {
		cfg, err := l.Load(ctx)
		if err != nil {
			return nil, &envconfig.Misconfigured{Setting: "AWS configuration", Reason: "cannot be loaded: " + err.Error()}
		}
		l.client = New(cfg, l.PathStyle)
	}
	return l.client, nil
}
