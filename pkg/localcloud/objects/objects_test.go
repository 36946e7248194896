package objects_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/objects"
)

func TestObjectsPutGetHeadAndRanges(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("photos")

	put, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("a/b c.txt"),
		Body: strings.NewReader("hello, world"), ContentType: aws.String("text/plain"), CacheControl: aws.String("max-age=60"),
		Metadata: map[string]string{"owner": "ana"}})
	require.NoError(t, err)
	assert.Equal(t, `"e4d7f1b4ed2e42d15898f4b27b019da4"`, aws.ToString(put.ETag))

	got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("a/b c.txt")})
	require.NoError(t, err)
	body, _ := io.ReadAll(got.Body)
	assert.Equal(t, "hello, world", string(body))
	assert.Equal(t, "text/plain", aws.ToString(got.ContentType))
	assert.Equal(t, "max-age=60", aws.ToString(got.CacheControl))
	assert.Equal(t, map[string]string{"owner": "ana"}, got.Metadata)
	assert.Equal(t, types.ServerSideEncryptionAes256, got.ServerSideEncryption)
	assert.Equal(t, int64(12), aws.ToInt64(got.ContentLength))

	rng, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("a/b c.txt"), Range: aws.String("bytes=7-11")})
	require.NoError(t, err)
	body, _ = io.ReadAll(rng.Body)
	assert.Equal(t, "world", string(body))
	assert.Equal(t, "bytes 7-11/12", aws.ToString(rng.ContentRange))

	head, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("a/b c.txt")})
	require.NoError(t, err)
	assert.Equal(t, int64(12), aws.ToInt64(head.ContentLength))
	assert.Equal(t, aws.ToString(put.ETag), aws.ToString(head.ETag))

	_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("missing")})
	assert.Equal(t, "NoSuchKey", apiCode(err))
	_, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("missing")})
	assert.Error(t, err)
	_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("x")})
	assert.Equal(t, "NoSuchBucket", apiCode(err))
}

func TestObjectsChecksumsAreVerifiedAndServedWhenAsked(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("sums")

	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("k"), Body: strings.NewReader("data"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	require.NoError(t, err)
	got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	require.NoError(t, err)
	_, err = io.ReadAll(got.Body) // the SDK validates the checksum as it reads
	require.NoError(t, err)
	assert.Equal(t, "Om6weQ85rIfJTzhWst0sXREOaBFgImGpqSPTuyOtyLc=", aws.ToString(got.ChecksumSHA256))

	_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad"), Body: strings.NewReader("data"),
		ChecksumCRC32: aws.String("AAAAAA==")})
	assert.Equal(t, "BadDigest", apiCode(err))
	assert.Contains(t, apiMessage(err), "CRC32")
}

func TestListObjectsPagesPrefixesAndDelimiters(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("tree")
	keys := []string{"a.txt", "docs/1.md", "docs/2.md", "docs/deep/3.md", "img/x.png", "img/y.png", "z.txt"}
	for _, k := range keys {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tree"), Key: aws.String(k), Body: strings.NewReader(k)})
		require.NoError(t, err)
	}

	var all []string
	p := s3.NewListObjectsV2Paginator(cl, &s3.ListObjectsV2Input{Bucket: aws.String("tree"), MaxKeys: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, o := range page.Contents {
			all = append(all, aws.ToString(o.Key))
		}
	}
	assert.Equal(t, keys, all)
	assert.Equal(t, 4, pages)

	out, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("tree"), Delimiter: aws.String("/")})
	require.NoError(t, err)
	var prefixes, top []string
	for _, cp := range out.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(cp.Prefix))
	}
	for _, o := range out.Contents {
		top = append(top, aws.ToString(o.Key))
	}
	assert.Equal(t, []string{"docs/", "img/"}, prefixes)
	assert.Equal(t, []string{"a.txt", "z.txt"}, top)

	out, err = cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("tree"), Prefix: aws.String("docs/"), Delimiter: aws.String("/")})
	require.NoError(t, err)
	require.Len(t, out.Contents, 2)
	assert.Equal(t, "docs/1.md", aws.ToString(out.Contents[0].Key))
	require.Len(t, out.CommonPrefixes, 1)
	assert.Equal(t, "docs/deep/", aws.ToString(out.CommonPrefixes[0].Prefix))
	assert.Equal(t, int32(3), aws.ToInt32(out.KeyCount))

	v1, err := cl.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("tree"), Marker: aws.String("img/x.png")})
	require.NoError(t, err)
	require.Len(t, v1.Contents, 2)
	assert.Equal(t, "img/y.png", aws.ToString(v1.Contents[0].Key))
	assert.Equal(t, int64(9), aws.ToInt64(v1.Contents[0].Size))
}

func TestCopyKeepsOrReplacesMetadata(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("src")
	c.bucket("dst")
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("o"), Body: strings.NewReader("copy me"),
		ContentType: aws.String("text/x-one"), Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err)

	cp, err := cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("o2"), CopySource: aws.String("src/o")})
	require.NoError(t, err)
	head, err := cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("o2")})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(cp.CopyObjectResult.ETag), aws.ToString(head.ETag))
	assert.Equal(t, "text/x-one", aws.ToString(head.ContentType))
	assert.Equal(t, map[string]string{"k": "v"}, head.Metadata)

	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("o2"), CopySource: aws.String("src/o"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/x-two"), Metadata: map[string]string{"n": "w"}})
	require.NoError(t, err)
	head, err = cl.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("o2")})
	require.NoError(t, err)
	assert.Equal(t, "text/x-two", aws.ToString(head.ContentType))
	assert.Equal(t, map[string]string{"n": "w"}, head.Metadata)

	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("o"), CopySource: aws.String("src/o")})
	assert.Equal(t, "InvalidRequest", apiCode(err))
	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/missing")})
	assert.Equal(t, "NoSuchKey", apiCode(err))
}

func TestDeleteObjectsAndBucketRules(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("bin")
	_, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bin")})
	assert.NoError(t, err, "us-east-1 answers a repeated create of one's own bucket with 200 OK")
	eu := s3.NewFromConfig(c.cfg, func(o *s3.Options) { o.UsePathStyle = true; o.Region = "eu-west-1" })
	euBucket := &s3.CreateBucketInput{Bucket: aws.String("bin-eu"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}
	_, err = eu.CreateBucket(ctx, euBucket)
	require.NoError(t, err)
	_, err = eu.CreateBucket(ctx, euBucket)
	assert.Equal(t, "BucketAlreadyOwnedByYou", apiCode(err))
	_, err = eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("no-constraint")})
	assert.Equal(t, "IllegalLocationConstraintException", apiCode(err))
	_, err = eu.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bin-eu")})
	require.NoError(t, err)
	_, err = cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	assert.Equal(t, "InvalidBucketName", apiCode(err))

	for _, k := range []string{"1", "2", "3"} {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bin"), Key: aws.String(k), Body: strings.NewReader(k)})
		require.NoError(t, err)
	}
	_, err = cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bin")})
	assert.Equal(t, "BucketNotEmpty", apiCode(err))
	assert.Equal(t, "The bucket you tried to delete is not empty", apiMessage(err))

	del, err := cl.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bin"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("1")}, {Key: aws.String("2")}}}})
	require.NoError(t, err)
	assert.Len(t, del.Deleted, 2)
	_, err = cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bin"), Key: aws.String("3")})
	require.NoError(t, err)

	list, err := cl.ListBuckets(ctx, &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Len(t, list.Buckets, 1)
	assert.Equal(t, "bin", aws.ToString(list.Buckets[0].Name))
	assert.Equal(t, "us-east-1", aws.ToString(list.Buckets[0].BucketRegion))

	_, err = cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bin")})
	require.NoError(t, err)
	_, err = cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bin")})
	require.NoError(t, err)
	_, err = cl.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bin")})
	assert.Error(t, err)
	_, err = cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bin")})
	assert.Equal(t, "NoSuchBucket", apiCode(err))
}

func TestMultipartUploadCompletesAndSurvivesARestart(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("big")

	part1 := bytes.Repeat([]byte("a"), 5<<20)
	part2 := []byte("tail")
	up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("blob"), ContentType: aws.String("application/x-blob")})
	require.NoError(t, err)
	p1, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("big"), Key: aws.String("blob"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(part1)})
	require.NoError(t, err)

	c.restart() // an upload in progress survives
	cl = c.client()
	p2, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("big"), Key: aws.String("blob"), UploadId: up.UploadId, PartNumber: aws.Int32(2), Body: bytes.NewReader(part2)})
	require.NoError(t, err)

	parts, err := cl.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("big"), Key: aws.String("blob"), UploadId: up.UploadId})
	require.NoError(t, err)
	require.Len(t, parts.Parts, 2)
	assert.Equal(t, int64(5<<20), aws.ToInt64(parts.Parts[0].Size))
	ups, err := cl.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("big")})
	require.NoError(t, err)
	require.Len(t, ups.Uploads, 1)
	assert.Equal(t, aws.ToString(up.UploadId), aws.ToString(ups.Uploads[0].UploadId))

	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("blob"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(2), ETag: p2.ETag}, {PartNumber: aws.Int32(1), ETag: p1.ETag}}}})
	assert.Equal(t, "InvalidPartOrder", apiCode(err))
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("blob"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"0000"`)}}}})
	assert.Equal(t, "InvalidPart", apiCode(err))

	done, err := cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("blob"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(2), ETag: p2.ETag}}}})
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(aws.ToString(done.ETag), `-2"`), aws.ToString(done.ETag))

	c.restart()
	cl = c.client()
	got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("big"), Key: aws.String("blob")})
	require.NoError(t, err)
	body, _ := io.ReadAll(got.Body)
	assert.Equal(t, len(part1)+len(part2), len(body))
	assert.True(t, bytes.Equal(append(part1, part2...), body))
	assert.Equal(t, "application/x-blob", aws.ToString(got.ContentType))
	assert.Equal(t, aws.ToString(done.ETag), aws.ToString(got.ETag))

	_, err = cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("big"), Key: aws.String("blob"), UploadId: up.UploadId, PartNumber: aws.Int32(3), Body: bytes.NewReader(part2)})
	assert.Equal(t, "NoSuchUpload", apiCode(err))
}

func TestMultipartRefusesSmallPartsAndAborts(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("small")
	up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("small"), Key: aws.String("k")})
	require.NoError(t, err)
	var parts []types.CompletedPart
	for i := int32(1); i <= 2; i++ {
		p, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("small"), Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(i), Body: strings.NewReader("tiny")})
		require.NoError(t, err)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(i), ETag: p.ETag})
	}
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("small"), Key: aws.String("k"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	assert.Equal(t, "EntityTooSmall", apiCode(err))

	_, err = cl.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("small"), Key: aws.String("k"), UploadId: up.UploadId})
	require.NoError(t, err)
	ups, err := cl.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("small")})
	require.NoError(t, err)
	assert.Empty(t, ups.Uploads)
}

func TestVersionedBucketKeepsVersionsAndDeleteMarkers(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("ver")
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), Body: strings.NewReader("null version")})
	require.NoError(t, err)
	_, err = cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ver"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)
	v1, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), Body: strings.NewReader("one")})
	require.NoError(t, err)
	require.NotEmpty(t, aws.ToString(v1.VersionId))
	v2, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), Body: strings.NewReader("two")})
	require.NoError(t, err)

	old, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: v1.VersionId})
	require.NoError(t, err)
	body, _ := io.ReadAll(old.Body)
	assert.Equal(t, "one", string(body))

	del, err := cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(del.DeleteMarker))
	_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
	assert.Equal(t, "NoSuchKey", apiCode(err))

	vs, err := cl.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("ver")})
	require.NoError(t, err)
	require.Len(t, vs.DeleteMarkers, 1)
	assert.True(t, aws.ToBool(vs.DeleteMarkers[0].IsLatest))
	var ids []string
	for _, v := range vs.Versions {
		ids = append(ids, aws.ToString(v.VersionId))
	}
	assert.Equal(t, []string{aws.ToString(v2.VersionId), aws.ToString(v1.VersionId), "null"}, ids)

	_, err = cl.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: del.VersionId})
	require.NoError(t, err)
	cur, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
	require.NoError(t, err)
	body, _ = io.ReadAll(cur.Body)
	assert.Equal(t, "two", string(body))
	assert.Equal(t, aws.ToString(v2.VersionId), aws.ToString(cur.VersionId))

	_, err = cl.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("ver")})
	assert.Equal(t, "BucketNotEmpty", apiCode(err))
}

func TestConcurrentPutsAndGets(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("busy")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 4 {
				key := fmt.Sprintf("w%d/%d", i, j)
				want := strings.Repeat(key, 100)
				if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("busy"), Key: aws.String(key), Body: strings.NewReader(want)}); err != nil {
					errs <- err
					return
				}
				got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("busy"), Key: aws.String(key)})
				if err != nil {
					errs <- err
					return
				}
				b, _ := io.ReadAll(got.Body)
				if string(b) != want {
					errs <- fmt.Errorf("%s: got %d bytes, want %d", key, len(b), len(want))
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out, err := cl.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("busy")})
	require.NoError(t, err)
	assert.Len(t, out.Contents, 32)
}

func TestGoAPIGetAndPutObject(t *testing.T) {
	st := lctest.Store(t)
	svc, err := objects.New(st)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, svc.CreateBucket(ctx, "code", ""))
	require.NoError(t, svc.PutObject(ctx, "code", "fn.zip", []byte("PK..."), "application/zip"))
	b, err := svc.GetObject(ctx, "code", "fn.zip")
	require.NoError(t, err)
	assert.Equal(t, "PK...", string(b))

	_, err = svc.GetObject(ctx, "code", "other.zip")
	var le *localcloud.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "NoSuchKey", le.Code)
	_, err = svc.GetObject(ctx, "nope", "fn.zip")
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "NoSuchBucket", le.Code)
	assert.Error(t, svc.PutObject(ctx, "nope", "k", nil, ""))
}

func TestObjectCreatedIsReportedForEventBridgeBuckets(t *testing.T) {
	var mu sync.Mutex
	var events []objects.ObjectCreated
	c := startCloud(t, objects.WithObjectCreated(func(e objects.ObjectCreated) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}))
	ctx := context.Background()
	cl := c.client()
	c.bucket("quiet")
	c.bucket("loud")
	_, err := cl.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("loud"),
		NotificationConfiguration: &types.NotificationConfiguration{EventBridgeConfiguration: &types.EventBridgeConfiguration{}}})
	require.NoError(t, err)

	for _, b := range []string{"quiet", "loud"} {
		_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("in/file"), Body: strings.NewReader("12345")})
		require.NoError(t, err)
	}
	_, err = cl.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("loud"), Key: aws.String("copy"), CopySource: aws.String("loud/in/file")})
	require.NoError(t, err)
	up, err := cl.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("loud"), Key: aws.String("mp")})
	require.NoError(t, err)
	p, err := cl.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("loud"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	require.NoError(t, err)
	_, err = cl.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("loud"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}})
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, events, 3)
	assert.Equal(t, "loud", events[0].Bucket)
	assert.Equal(t, "in/file", events[0].Key)
	assert.Equal(t, int64(5), events[0].Size)
	assert.Equal(t, "827ccb0eea8a706c4c34a16891f84e7b", events[0].ETag)
	assert.Equal(t, "PutObject", events[0].Reason)
	assert.Equal(t, "127.0.0.1", events[0].SourceIP)
	assert.Equal(t, localcloud.Account, events[0].Requester)
	assert.Equal(t, "CopyObject", events[1].Reason)
	assert.Equal(t, "CompleteMultipartUpload", events[2].Reason)
	seqs := []string{events[0].Sequencer, events[1].Sequencer, events[2].Sequencer}
	assert.True(t, sort.StringsAreSorted(seqs), "sequencers grow: %v", seqs)
}

func TestConditionalReadsAndWrites(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("cond")
	put, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v1")})
	require.NoError(t, err)
	assert.Equal(t, types.ServerSideEncryptionAes256, put.ServerSideEncryption)

	_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfMatch: aws.String(`"nope"`)})
	assert.Equal(t, "PreconditionFailed", apiCode(err))
	_, err = cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfNoneMatch: put.ETag})
	assert.Equal(t, "NotModified", apiCode(err))
	got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfMatch: put.ETag})
	require.NoError(t, err)
	got.Body.Close()

	_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("v2"), IfNoneMatch: aws.String("*")})
	assert.Equal(t, "PreconditionFailed", apiCode(err))
	_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("new"), Body: strings.NewReader("v2"), IfNoneMatch: aws.String("*")})
	require.NoError(t, err)

	_, err = cl.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("cond"), Key: aws.String("mp"), UploadId: aws.String("x"),
		PartNumber: aws.Int32(1), CopySource: aws.String("cond/k")})
	assert.Equal(t, "NotImplemented", apiCode(err))
	assert.Contains(t, apiMessage(err), "UploadPartCopy")
}

func TestVirtualHostedRequestsOnLocalhost(t *testing.T) {
	c := startCloud(t)
	c.bucket("vhost")
	addr := c.hs.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	cfg := c.cfg.Copy()
	cfg.BaseEndpoint = aws.String("http://localhost:" + port)
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr) // vhost.localhost is this server
	}}}
	var hosts []string
	cl := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("host", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if r, ok := in.Request.(*smithyhttp.Request); ok {
					hosts = append(hosts, r.URL.Host)
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
		})
	})
	ctx := context.Background()
	_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k"), Body: strings.NewReader("virtual")})
	require.NoError(t, err)
	got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k")})
	require.NoError(t, err)
	b, _ := io.ReadAll(got.Body)
	assert.Equal(t, "virtual", string(b))
	assert.Contains(t, hosts, "vhost.localhost:"+port)
}

func TestBucketNamesFollowS3Rules(t *testing.T) {
	svc, err := objects.New(lctest.Store(t))
	require.NoError(t, err)
	ctx := context.Background()
	for name, ok := range map[string]bool{
		"abc": true, "my.bucket-1": true, strings.Repeat("a", 63): true,
		"ab": false, strings.Repeat("a", 64): false, "Upper": false, "under_score": false, "-start": false,
		"end-": false, "two..dots": false, "192.168.1.1": false, "xn--punycode": false, "x-s3alias": false,
	} {
		err := svc.CreateBucket(ctx, name, "")
		if ok {
			assert.NoError(t, err, name)
			continue
		}
		var le *localcloud.Error
		if assert.ErrorAs(t, err, &le, name) {
			assert.Equal(t, "InvalidBucketName", le.Code, name)
		}
	}
}

func TestListObjectVersionsPages(t *testing.T) {
	c := startCloud(t)
	ctx := context.Background()
	cl := c.client()
	c.bucket("pages")
	_, err := cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("pages"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)
	var want []string
	for _, k := range []string{"a", "b"} {
		var ids []string
		for range 3 {
			out, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pages"), Key: aws.String(k), Body: strings.NewReader(k)})
			require.NoError(t, err)
			ids = append([]string{k + "/" + aws.ToString(out.VersionId)}, ids...) // newest first
		}
		want = append(want, ids...)
	}
	var got []string
	p := s3.NewListObjectVersionsPaginator(cl, &s3.ListObjectVersionsInput{Bucket: aws.String("pages"), MaxKeys: aws.Int32(4)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, v := range page.Versions {
			got = append(got, aws.ToString(v.Key)+"/"+aws.ToString(v.VersionId))
		}
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 2, pages)

	// Suspending versioning: the next write is the null version.
	_, err = cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("pages"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	require.NoError(t, err)
	for range 2 {
		_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pages"), Key: aws.String("a"), Body: strings.NewReader("null")})
		require.NoError(t, err)
	}
	vs, err := cl.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("pages"), Prefix: aws.String("a")})
	require.NoError(t, err)
	require.Len(t, vs.Versions, 4, "three versions and one null version")
	assert.Equal(t, "null", aws.ToString(vs.Versions[0].VersionId))
	assert.True(t, aws.ToBool(vs.Versions[0].IsLatest))
}
