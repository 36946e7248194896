package main

import (
	"context"
	"net"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stepforge/stepforge/pkg/envconfig"
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
		l.client = newS3Client(cfg, l.pathStyle)
	}
	return l.client, nil
}

// newS3Client returns an S3 client for cfg. Unless pathStyle says otherwise,
// it uses path-style requests for an endpoint that is an IP address or a
// localhost name, such as the local cloud's: the SDK would put the bucket in
// front of a localhost host name, which does not resolve.
func newS3Client(cfg aws.Config, pathStyle *bool) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Objects stored without a checksum (multipart uploads, older
		// clients) would each get a plain-text SDK line in the JSON logs.
		o.DisableLogOutputChecksumValidationSkipped = true
		switch {
		case pathStyle != nil:
			o.UsePathStyle = *pathStyle
		case o.BaseEndpoint != nil && isLocalEndpoint(*o.BaseEndpoint):
			o.UsePathStyle = true
		}
	})
}

// isLocalEndpoint reports whether endpoint's host cannot take a bucket name
// as a subdomain: an IP address, localhost or a name under .localhost.
func isLocalEndpoint(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || net.ParseIP(host) != nil
}
