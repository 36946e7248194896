package topics

import (
	"context"
	"log"
	"net/http"
	"time"
)

// Lambda invokes a function asynchronously (InvocationType Event), as SNS
// invokes a lambda subscription; an error is a failed delivery, which SNS
// retries unless it is a client error (*localcloud.Error with a 4xx
// status other than 429).
type Lambda interface {
	InvokeAsync(ctx context.Context, region, functionARN string, payload []byte) error
}

// LambdaFunc is a func that is a Lambda.
type LambdaFunc func(ctx context.Context, region, functionARN string, payload []byte) error

// InvokeAsync calls f.
func (f LambdaFunc) InvokeAsync(ctx context.Context, region, functionARN string, payload []byte) error {
	return f(ctx, region, functionARN, payload)
}

// Keys encrypts and decrypts with KMS keys; *keys.Service is one.
type Keys interface {
	Encrypt(ctx context.Context, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, error)
	Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) (plaintext []byte, keyArn string, err error)
}

// Option configures the service.
type Option func(*options)

type options struct {
	lambda      Lambda
	keys        Keys
	outbox      string
	scale       float64
	autoConfirm bool
	logger      *log.Logger
	client      *http.Client
	endpoint    string
}

func defaultOptions() options {
	return options{scale: 1, client: &http.Client{Timeout: 15 * time.Second}, endpoint: "http://localhost:4566"}
}

// WithLambda delivers lambda subscriptions through l; without it they
// fail, by name.
func WithLambda(l Lambda) Option { return func(o *options) { o.lambda = l } }

// WithKeys encrypts the messages of topics with a KmsMasterKeyId at rest
// under that key; without it they are kept in plaintext.
func WithKeys(k Keys) Option { return func(o *options) { o.keys = k } }

// WithOutbox writes email and email-json deliveries (and subscription
// confirmation requests) into dir as .eml files; without it they fail.
func WithOutbox(dir string) Option { return func(o *options) { o.outbox = dir } }

// WithTimeScale multiplies every retry delay, so a test can run SNS's
// 23-day retry policy at 0.001.
func WithTimeScale(f float64) Option {
	return func(o *options) {
		if f > 0 {
			o.scale = f
		}
	}
}

// WithAutoConfirm confirms email, email-json, http and https
// subscriptions as they are made, as if their owner had followed the
// link (`go run mage.go up` sets it from LOCALCLOUD_SNS_AUTOCONFIRM=1).
func WithAutoConfirm(on bool) Option { return func(o *options) { o.autoConfirm = on } }

// WithLogger logs deliveries that fail or are given up to l.
func WithLogger(l *log.Logger) Option { return func(o *options) { o.logger = l } }

// WithHTTPClient posts http and https deliveries with c.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// SetEndpoint is the local cloud's base URL (http://localhost:4566 by
// default), which confirmation and unsubscribe links point to.
func (s *Service) SetEndpoint(base string) {
	s.run.mu.Lock()
	defer s.run.mu.Unlock()
	s.opts.endpoint = base
}

func (s *Service) endpoint() string {
	s.run.mu.Lock()
	defer s.run.mu.Unlock()
	return s.opts.endpoint
}

func (s *Service) logf(format string, args ...any) {
	if s.opts.logger != nil {
		s.opts.logger.Printf("sns: "+format, args...)
	}
}
