package main

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/s3client"
)

// lazyS3 builds the ledger's S3 client on first use, so that a cold start
// that never reaches the ledger (a post that is invalid, a platform that is
// not configured) does not load the AWS configuration. A failed load is tried
// again on the next call.
type lazyS3 struct {
	load func(context.Context) (aws.Config, error)

	mu     sync.Mutex
	client *s3.Client
}

func (l *lazyS3) GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	c, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.GetObject(ctx, in, optFns...)
}

func (l *lazyS3) PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	c, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.PutObject(ctx, in, optFns...)
}

func (l *lazyS3) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	c, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return c.DeleteObject(ctx, in, optFns...)
}

func (l *lazyS3) get(ctx context.Context) (*s3.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.client == nil {
		cfg, err := l.load(ctx)
		if err != nil {
			return nil, &envconfig.Misconfigured{Setting: "AWS configuration", Reason: "cannot be loaded: " + err.Error()}
		}
		l.client = s3client.New(cfg, nil)
	}
	return l.client, nil
}
