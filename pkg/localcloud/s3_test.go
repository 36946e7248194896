package localcloud_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

func s3Server(t *testing.T, store *localcloud.Store) *s3.Client {
	t.Helper()
	srv := localcloud.New(nil, localcloud.STS{})
	srv.RegisterHandler("s3", localcloud.S3(store))
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return s3.NewFromConfig(sdkConfig(hs.URL), func(o *s3.Options) { o.UsePathStyle = true })
}

func TestS3ObjectsThroughTheSDKPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	store, err := localcloud.OpenStore(path)
	require.NoError(t, err)
	c := s3Server(t, store)
	ctx := context.Background()
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("artifacts")})
	require.NoError(t, err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("zips/a.zip"), Body: strings.NewReader("zip bytes")})
	require.NoError(t, err, "the SDK's checksummed upload is accepted")
	big := bytes.Repeat([]byte("x"), 6<<20)
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("artifacts"), Key: aws.String("big")})
	require.NoError(t, err)
	var parts []types.CompletedPart
	for i, chunk := range [][]byte{big[:5<<20], big[5<<20:]} {
		part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("artifacts"), Key: aws.String("big"), UploadId: mp.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(chunk)})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{ETag: part.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("artifacts"), Key: aws.String("big"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	require.NoError(t, err, "multipart upload")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("zips/b.zip"), CopySource: aws.String("artifacts/zips/a.zip")})
	require.NoError(t, err)
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("artifacts"), Prefix: aws.String("zips/")})
	require.NoError(t, err)
	require.Len(t, list.Contents, 2)
	require.NoError(t, store.Close())

	// A restart keeps every object.
	store, err = localcloud.OpenStore(path)
	require.NoError(t, err)
	defer store.Close()
	c = s3Server(t, store)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("zips/b.zip")})
	require.NoError(t, err)
	b, _ := io.ReadAll(got.Body)
	assert.Equal(t, "zip bytes", string(b))
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("big")})
	require.NoError(t, err)
	assert.Equal(t, int64(len(big)), aws.ToInt64(head.ContentLength))
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("big")})
	require.NoError(t, err)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("artifacts"), Key: aws.String("big")})
	assert.Error(t, err)
}
