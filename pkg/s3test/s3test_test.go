package s3test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const bucket = "ledger-bucket"

func put(t *testing.T, c *s3.Client, key, body string, ifNoneMatch bool) error {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader([]byte(body)), ContentType: aws.String("application/json")}
	if ifNoneMatch {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := c.PutObject(context.Background(), in)
	return err
}

func get(t *testing.T, c *s3.Client, key string) (string, error) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return string(b), nil
}

// apiError returns the HTTP status and S3 error code the SDK reports.
func apiError(t *testing.T, err error) (int, string) {
	t.Helper()
	var re *awshttp.ResponseError
	require.ErrorAs(t, err, &re)
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	return re.HTTPStatusCode(), ae.ErrorCode()
}

func TestObjectsArePutReadAndDeletedThroughTheSDK(t *testing.T) {
	s := NewServer(t)
	c := s.Client()

	require.NoError(t, put(t, c, "medium/p%2F1.json", `{"state":"pending"}`, false))
	got, err := get(t, c, "medium/p%2F1.json")
	require.NoError(t, err)
	assert.Equal(t, `{"state":"pending"}`, got)
	stored, ok := s.Object(bucket, "medium/p%2F1.json")
	require.True(t, ok, "the key is stored as the SDK sent it, decoded once")
	assert.Equal(t, `{"state":"pending"}`, string(stored))

	_, err = c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("medium/p%2F1.json")})
	require.NoError(t, err)
	_, err = get(t, c, "medium/p%2F1.json")
	var nsk *types.NoSuchKey
	assert.ErrorAs(t, err, &nsk)

	assert.Equal(t, []string{
		"PUT /ledger-bucket/medium/p%2F1.json",
		"GET /ledger-bucket/medium/p%2F1.json",
		"DELETE /ledger-bucket/medium/p%2F1.json",
		"GET /ledger-bucket/medium/p%2F1.json",
	}, s.Targets())
	assert.Contains(t, s.LastRequest().Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKID/")
}

func TestIfNoneMatchCreatesOnlyOnce(t *testing.T) {
	s := NewServer(t)
	c := s.Client()

	require.NoError(t, put(t, c, "k.json", "first", true))
	err := put(t, c, "k.json", "second", true)
	status, code := apiError(t, err)
	assert.Equal(t, http.StatusPreconditionFailed, status)
	assert.Equal(t, "PreconditionFailed", code)

	got, _ := s.Object(bucket, "k.json")
	assert.Equal(t, "first", string(got))
	require.NoError(t, put(t, c, "k.json", "third", false), "an unconditional put overwrites")
	got, _ = s.Object(bucket, "k.json")
	assert.Equal(t, "third", string(got))
}

func TestInjectedFailuresComeInS3sErrorShape(t *testing.T) {
	s := NewServer(t)
	c := s.Client()
	s.Put(bucket, "k.json", []byte("v"))
	s.Fail(http.MethodGet, 1, SlowDown)

	_, err := get(t, c, "k.json")
	status, code := apiError(t, err)
	assert.Equal(t, 503, status)
	assert.Equal(t, "SlowDown", code)
	assert.Contains(t, err.Error(), "Please reduce your request rate.")

	got, err := get(t, c, "k.json")
	require.NoError(t, err, "only the next request fails")
	assert.Equal(t, "v", got)

	s.FailAfter(http.MethodPut, 1, 1, AccessDenied)
	require.NoError(t, put(t, c, "a.json", "1", false), "the first put passes")
	_, code = apiError(t, put(t, c, "b.json", "2", false))
	assert.Equal(t, "AccessDenied", code)
	require.NoError(t, put(t, c, "c.json", "3", false), "and so does the third")
}

func TestAStoredReplyIsSentAsItWasStored(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "reply.http")
	require.NoError(t, os.WriteFile(file, []byte("HTTP/1.1 200 OK\nContent-Type: text/plain\nTransfer-Encoding: chunked\nETag: \"abc\"\n\nhello"), 0o644))
	s := NewServer(t)
	s.Answer("GET /"+bucket+"/hello.txt", ReadReply(t, file))

	out, err := s.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("hello.txt")})
	require.NoError(t, err)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(b))
	assert.Nil(t, out.ContentLength, "a chunked reply declares no length")
	assert.Equal(t, `"abc"`, aws.ToString(out.ETag))
}

func TestInterceptSeesEachRequestBeforeItIsAnswered(t *testing.T) {
	s := NewServer(t)
	var seen []string
	s.Intercept(func(_ context.Context, r Request) {
		_, held := s.Object(bucket, "k.json")
		seen = append(seen, r.Target())
		assert.False(t, held && r.Method == http.MethodPut, "the put has not been applied yet")
	})
	require.NoError(t, put(t, s.Client(), "k.json", "v", true))
	assert.Equal(t, []string{"PUT /ledger-bucket/k.json"}, seen)
}

func TestAnAWSChunkedBodyIsStoredDecoded(t *testing.T) {
	body := "5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"
	got, err := decodeAWSChunked([]byte(body))
	require.NoError(t, err)
	assert.Equal(t, "hello world", string(got))

	_, err = decodeAWSChunked([]byte("5\r\nhel"))
	assert.ErrorContains(t, err, "ends inside a chunk")
}
