package objects_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/objects"
)

// Over TLS the SDK streams uploads aws-chunked with a trailing CRC32.
func TestTrailingChecksumUploadsOverTLS(t *testing.T) {
	st := lctest.Store(t)
	svc, err := objects.New(st)
	require.NoError(t, err)
	srv := localcloud.New(nil)
	srv.RegisterHandler("s3", svc.Handler())
	var mu sync.Mutex
	var payloadHashes []string
	hs := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			mu.Lock()
			payloadHashes = append(payloadHashes, r.Header.Get("X-Amz-Content-Sha256"))
			mu.Unlock()
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	cfg := lctest.Config(hs.URL)
	cfg.HTTPClient = hs.Client()
	cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported // config.LoadDefaultConfig's default
	cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	cl := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()

	_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tls")})
	require.NoError(t, err)
	body := strings.Repeat("chunked body ", 10000)
	_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tls"), Key: aws.String("k"),
		Body: struct{ io.Reader }{strings.NewReader(body)}, ContentLength: aws.Int64(int64(len(body)))})
	require.NoError(t, err)
	got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tls"), Key: aws.String("k")})
	require.NoError(t, err)
	b, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	assert.Equal(t, body, string(b))
	sum := crc32.ChecksumIEEE([]byte(body))
	want := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
	assert.Equal(t, want, aws.ToString(got.ChecksumCRC32))

	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, payloadHashes, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
}

func TestAWSChunkedBodyWithAWrongTrailerIsRefused(t *testing.T) {
	c := startCloud(t)
	c.bucket("raw")
	payload := "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
	req, err := http.NewRequest(http.MethodPut, c.hs.URL+"/raw/k", strings.NewReader(payload))
	require.NoError(t, err)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x")
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", "5")
	req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(out), "<Code>BadDigest</Code>")
	assert.Contains(t, string(out), "CRC32")
}

func awsCLI(t *testing.T, endpoint string, args ...string) (string, error) {
	t.Helper()
	cmd := lctest.AWSCommand(append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestAWSCLIWorksAgainstTheLocalS3(t *testing.T) {
	lctest.RequireAWSCLI(t)
	c := startCloud(t) // parallel: each CLI run starts Python, overlap them with the other tests
	url := c.hs.URL
	dir := t.TempDir()
	src := filepath.Join(dir, "report.csv")
	require.NoError(t, os.WriteFile(src, []byte("a,b\n1,2\n"), 0o644))

	out, err := awsCLI(t, url, "s3", "mb", "s3://cli-bucket")
	require.NoError(t, err, out)
	out, err = awsCLI(t, url, "s3", "cp", src, "s3://cli-bucket/in/report.csv")
	require.NoError(t, err, out)

	// Independent reads, run together.
	dst := filepath.Join(dir, "back.csv")
	runs := [][]string{
		{"s3", "ls", "s3://cli-bucket/in/"},
		{"s3", "cp", "s3://cli-bucket/in/report.csv", dst},
		{"s3api", "head-object", "--bucket", "cli-bucket", "--key", "in/report.csv"},
		{"s3api", "get-bucket-encryption", "--bucket", "cli-bucket"},
		{"s3api", "get-bucket-replication", "--bucket", "cli-bucket"},
	}
	outs := make([]string, len(runs))
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	for i, args := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = awsCLI(t, url, args...)
		}()
	}
	wg.Wait()
	for i := range 4 {
		require.NoError(t, errs[i], outs[i])
	}
	assert.Contains(t, outs[0], "report.csv")
	b, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Equal(t, "a,b\n1,2\n", string(b))
	var head struct{ ContentLength int64 }
	require.NoError(t, json.Unmarshal([]byte(outs[2]), &head), outs[2])
	assert.Equal(t, int64(8), head.ContentLength)
	assert.Contains(t, outs[3], `"SSEAlgorithm": "AES256"`)
	require.Error(t, errs[4])
	assert.Contains(t, outs[4], "NotImplemented")
	assert.Contains(t, outs[4], "GetBucketReplication")

	out, err = awsCLI(t, url, "s3api", "put-public-access-block", "--bucket", "cli-bucket", "--public-access-block-configuration",
		"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")
	require.NoError(t, err, out)
	pab, err := c.svc.GetPublicAccessBlock(context.Background(), "cli-bucket")
	require.NoError(t, err)
	assert.True(t, pab.RestrictPublicBuckets)

	out, err = awsCLI(t, url, "s3", "rm", "--recursive", "s3://cli-bucket/")
	require.NoError(t, err, out)
	out, err = awsCLI(t, url, "s3", "rb", "s3://cli-bucket")
	require.NoError(t, err, out)
	_, err = c.svc.BucketRegion(context.Background(), "cli-bucket")
	assert.Error(t, err)
}
