package main

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/s3client"
)

// lazyS3 builds the S3 client on first use, so a cold start that never reads
// an object (an invalid event, ALWAYS_FAIL) does not pay for loading the AWS
// configuration. A failed build is retried on the next call.
type lazyS3 struct {
	load      func(context.Context, ...func(*config.LoadOptions) error) (aws.Config, error)
	pathStyle *bool

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

func (l *lazyS3) get(ctx context.Context) (*s3.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.client == nil {
		cfg, err := l.load(ctx)
		if err != nil {
			return nil, &envconfig.Misconfigured{Setting: "AWS configuration", Reason: "cannot be loaded: " + err.Error()}
		}
		l.client = s3client.New(cfg, l.pathStyle)
	}
	return l.client, nil
}
