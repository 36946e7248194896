package objects_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/objects"
)

// cloud is one local S3 served over HTTP for a test, on a store that can
// be closed and reopened (a restart).
type cloud struct {
	t    *testing.T
	path string
	st   *localcloud.Store
	svc  *objects.Service
	hs   *httptest.Server
	cfg  aws.Config
}

func startCloud(t *testing.T, opts ...objects.Option) *cloud {
	t.Helper()
	t.Parallel() // every test has its own store and server
	c := &cloud{t: t, path: filepath.Join(t.TempDir(), "state.db")}
	c.open(opts...)
	t.Cleanup(c.close)
	return c
}

func (c *cloud) open(opts ...objects.Option) {
	c.t.Helper()
	st, err := localcloud.OpenStore(c.path)
	require.NoError(c.t, err)
	svc, err := objects.New(st, opts...)
	require.NoError(c.t, err)
	srv := localcloud.New(nil)
	srv.RegisterHandler("s3", svc.Handler())
	c.st, c.svc, c.hs = st, svc, httptest.NewServer(srv)
	c.cfg = lctest.Config(c.hs.URL)
	// What config.LoadDefaultConfig gives: CRC32 on every upload that takes one.
	c.cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
	c.cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
}

func (c *cloud) close() {
	if c.hs != nil {
		c.hs.Close()
		if err := c.st.Check(); err != nil {
			c.t.Errorf("store check: %v", err)
		}
		_ = c.st.Close()
		c.hs = nil
	}
}

// restart closes the store and serves a new service on it reopened.
func (c *cloud) restart() {
	c.close()
	c.open()
}

func (c *cloud) client() *s3.Client {
	return s3.NewFromConfig(c.cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func (c *cloud) bucket(name string) {
	c.t.Helper()
	_, err := c.client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	require.NoError(c.t, err)
}

// apiCode is the AWS error code of err ("" when it is none).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}
