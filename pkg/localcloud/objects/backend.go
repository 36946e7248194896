package objects

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/johannesboyne/gofakes3"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

var errStop = errors.New("stop")

// requestInfo is what one HTTP request tells the backend beyond
// gofakes3's calls, and what the backend tells the response.
type requestInfo struct {
	header   http.Header
	sourceIP string

	// Set by the backend for the response filter.
	errStatus    int    // the status of an error gofakes3 does not know
	etag         string // the ETag of the object served
	versionID    string // x-amz-version-id of a copy's new object
	srcVersionID string // x-amz-copy-source-version-id
	skipVersion  bool   // the copy made no version: drop gofakes3's header
	// extra are headers a successful write answers with (encryption,
	// checksums).
	extra map[string]string
}

// answerWith notes the headers a write of rec answers with.
func (r *requestInfo) answerWith(rec *objectRecord) {
	if r == nil {
		return
	}
	r.extra = map[string]string{}
	for k, v := range rec.Meta {
		if strings.HasPrefix(k, "X-Amz-Server-Side-Encryption") {
			r.extra[k] = v
		}
	}
	for k, v := range rec.Checksums {
		r.extra[k] = v
	}
}

// backend is gofakes3's view of the service for one request.
type backend struct {
	s   *Service
	req *requestInfo
}

var (
	_ gofakes3.Backend          = (*backend)(nil)
	_ gofakes3.VersionedBackend = (*backend)(nil)
	_ gofakes3.MultipartBackend = (*backend)(nil)
)

// conv turns the service's errors into gofakes3's, keeping the status
// for the response filter when gofakes3 would not know it.
func (b *backend) conv(err error) error {
	var e *localcloud.Error
	if errors.As(err, &e) {
		if b.req != nil {
			b.req.errStatus = e.Status
		}
		return &gofakes3.ErrorResponse{Code: gofakes3.ErrorCode(e.Code), Message: e.Message}
	}
	return err
}

func (b *backend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	list, err := b.s.ListBuckets(context.Background())
	if err != nil {
		return nil, err
	}
	out := make([]gofakes3.BucketInfo, len(list))
	for i, l := range list {
		out[i] = gofakes3.BucketInfo{Name: l.Name, CreationDate: gofakes3.NewContentTime(l.Created)}
	}
	return out, nil
}

func (b *backend) CreateBucket(name string) error {
	return b.conv(b.s.CreateBucket(context.Background(), name, ""))
}

func (b *backend) BucketExists(name string) (bool, error) {
	_, err := b.s.BucketRegion(context.Background(), name)
	var e *localcloud.Error
	if errors.As(err, &e) && e.Code == "NoSuchBucket" {
		return false, nil
	}
	return err == nil, err
}

func (b *backend) DeleteBucket(name string) error {
	return b.conv(b.s.DeleteBucket(context.Background(), name))
}

func (b *backend) ForceDeleteBucket(name string) error {
	return b.conv(notImplemented("DeleteBucket with x-minio-force-delete"))
}

func (b *backend) object(rec *objectRecord, body []byte, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	if b.req != nil {
		b.req.etag = rec.ETag
	}
	meta := map[string]string{}
	for k, v := range rec.Meta {
		meta[k] = v
	}
	for k, v := range rec.Checksums {
		meta[k] = v
	}
	if _, ok := meta["Content-Type"]; !ok {
		meta["Content-Type"] = "binary/octet-stream"
	}
	meta["Last-Modified"] = rec.LastModified.Format(http.TimeFormat)
	obj := &gofakes3.Object{Name: rec.Key, Metadata: meta, Size: rec.Size, VersionID: gofakes3.VersionID(rec.VersionID),
		IsDeleteMarker: rec.DeleteMarker, Contents: io.NopCloser(bytes.NewReader(nil))}
	if h, err := hex.DecodeString(strings.Trim(rec.ETag, `"`)); err == nil {
		obj.Hash = h
	} else {
		obj.Hash = []byte(strings.Trim(rec.ETag, `"`)) // shown through requestInfo.etag instead
	}
	if rec.DeleteMarker {
		obj.VersionID = gofakes3.VersionID(rec.versionIDOrNull())
		return obj, nil
	}
	if body != nil {
		r, err := rng.Range(rec.Size)
		if err != nil {
			return nil, err
		}
		obj.Range = r
		if r != nil {
			body = body[r.Start : r.Start+r.Length]
		}
		obj.Contents = io.NopCloser(bytes.NewReader(body))
	}
	return obj, nil
}

func (b *backend) read(bucket, key, versionID string, versioned, withBody bool, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	var rec *objectRecord
	var body []byte
	err := b.s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		var found bool
		var err error
		if versioned {
			rec, found, err = getVersion(tx, bucket, key, versionID)
			if err == nil && !found {
				return s3Error("NoSuchVersion", http.StatusNotFound, "The specified version does not exist.")
			}
		} else {
			rec, found, err = getCurrent(tx, bucket, key)
		}
		if err != nil {
			return err
		}
		if !found {
			return noSuchKey(key)
		}
		if withBody && !rec.DeleteMarker {
			body, err = getData(tx, rec.Data)
		}
		return err
	})
	if err != nil {
		return nil, b.conv(err)
	}
	if !withBody {
		body = nil
	}
	return b.object(rec, body, rng)
}

func (b *backend) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.read(bucket, key, "", false, true, rng)
}

func (b *backend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	return b.read(bucket, key, "", false, false, nil)
}

func (b *backend) GetObjectVersion(bucket, key string, v gofakes3.VersionID, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.read(bucket, key, string(v), true, true, rng)
}

func (b *backend) HeadObjectVersion(bucket, key string, v gofakes3.VersionID) (*gofakes3.Object, error) {
	return b.read(bucket, key, string(v), true, false, nil)
}

func (b *backend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	marker, vid, err := b.s.deleteObject(bucket, key)
	return gofakes3.ObjectDeleteResult{IsDeleteMarker: marker, VersionID: gofakes3.VersionID(vid)}, b.conv(err)
}

func (b *backend) DeleteObjectVersion(bucket, key string, v gofakes3.VersionID) (gofakes3.ObjectDeleteResult, error) {
	marker, err := b.s.deleteVersion(bucket, key, string(v))
	return gofakes3.ObjectDeleteResult{IsDeleteMarker: marker, VersionID: v}, b.conv(err)
}

func (b *backend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	ids := make([]gofakes3.ObjectID, len(keys))
	for i, k := range keys {
		ids[i] = gofakes3.ObjectID{Key: k}
	}
	return b.DeleteMultiVersions(bucket, ids...)
}

func (b *backend) DeleteMultiVersions(bucket string, objects ...gofakes3.ObjectID) (gofakes3.MultiDeleteResult, error) {
	var out gofakes3.MultiDeleteResult
	for _, o := range objects {
		var err error
		if o.VersionID != "" {
			_, err = b.s.deleteVersion(bucket, o.Key, o.VersionID)
		} else {
			_, _, err = b.s.deleteObject(bucket, o.Key)
		}
		if err != nil {
			var e *localcloud.Error
			if errors.As(err, &e) && e.Code == "NoSuchBucket" {
				return out, b.conv(err)
			}
			out.Error = append(out.Error, gofakes3.ErrorResult{Key: o.Key, Code: gofakes3.ErrInternal, Message: err.Error()})
			continue
		}
		out.Deleted = append(out.Deleted, o)
	}
	return out, nil
}

// PutObject stores a request's body; gofakes3 has checked Content-MD5.
func (b *backend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	body, err := gofakes3.ReadAll(input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	m, sums, err := b.objectMeta(meta)
	if err != nil {
		return gofakes3.PutObjectResult{}, b.conv(err)
	}
	var pc *putConditions
	if cond != nil {
		pc = &putConditions{}
		if cond.IfMatch != nil {
			pc.ifMatch = *cond.IfMatch
		}
		if cond.IfNoneMatch != nil {
			pc.ifNoneMatch = *cond.IfNoneMatch
		}
	}
	rec, err := b.s.putObject(bucket, key, m, sums, body, etagOf(body), pc, "PutObject", b.req)
	if err != nil {
		return gofakes3.PutObjectResult{}, b.conv(err)
	}
	b.req.answerWith(rec)
	return gofakes3.PutObjectResult{VersionID: gofakes3.VersionID(rec.VersionID)}, nil
}

// objectMeta keeps, of the headers gofakes3 collected, those an object is
// served with; the checksums apart.
func (b *backend) objectMeta(in map[string]string) (meta, sums map[string]string, err error) {
	meta = map[string]string{}
	userSize := 0
	for k, v := range in {
		switch {
		case k == "Content-Type" || k == "Content-Disposition" || k == "Cache-Control" || k == "Content-Language" || k == "Expires":
			meta[k] = v
		case k == "Content-Encoding":
			if v = stripAwsChunked(v); v != "" {
				meta[k] = v
			}
		case strings.HasPrefix(k, "X-Amz-Meta-"):
			meta[k] = v
			userSize += len(k) - len("X-Amz-") + len(v)
		case strings.HasPrefix(k, passHeaderPrefix):
			meta[strings.TrimPrefix(k, passHeaderPrefix)] = v
		case k == "X-Amz-Website-Redirect-Location", k == "X-Amz-Server-Side-Encryption",
			k == "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", k == "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled":
			meta[k] = v
		case k == "X-Amz-Storage-Class" && v != "STANDARD":
			meta[k] = v
		case strings.HasPrefix(k, "X-Amz-Checksum-") && k != "X-Amz-Checksum-Algorithm" && k != "X-Amz-Checksum-Type":
			if sums == nil {
				sums = map[string]string{}
			}
			sums[k] = v
		}
	}
	if userSize > 2048 {
		return nil, nil, s3Error("MetadataTooLarge", http.StatusBadRequest, "Your metadata headers exceed the maximum allowed metadata size")
	}
	return meta, sums, nil
}

// CopyObject copies a source object (or the version the copy source
// names) as S3 does: its metadata unless the directive is REPLACE.
func (b *backend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	var hdr http.Header
	if b.req != nil {
		hdr = b.req.header
	}
	srcVersion := ""
	if src := hdr.Get("X-Amz-Copy-Source"); src != "" {
		if _, q, ok := strings.Cut(src, "?"); ok {
			if v, err := url.ParseQuery(q); err == nil {
				srcVersion = v.Get("versionId")
			}
		}
	}
	replace := strings.EqualFold(hdr.Get("X-Amz-Metadata-Directive"), "REPLACE")
	if srcBucket == dstBucket && srcKey == dstKey && !replace && srcVersion == "" &&
		hdr.Get("X-Amz-Storage-Class") == "" && hdr.Get("X-Amz-Server-Side-Encryption") == "" && hdr.Get("X-Amz-Website-Redirect-Location") == "" {
		return gofakes3.CopyObjectResult{}, b.conv(s3Error("InvalidRequest", http.StatusBadRequest,
			"This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."))
	}
	var src *objectRecord
	var body []byte
	err := b.s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getBucket(tx, srcBucket); err != nil {
			return err
		}
		var found bool
		var err error
		if srcVersion != "" {
			src, found, err = getVersion(tx, srcBucket, srcKey, srcVersion)
		} else {
			src, found, err = getCurrent(tx, srcBucket, srcKey)
		}
		if err != nil {
			return err
		}
		if !found || src.DeleteMarker {
			return noSuchKey(srcKey)
		}
		body, err = getData(tx, src.Data)
		return err
	})
	if err != nil {
		return gofakes3.CopyObjectResult{}, b.conv(err)
	}
	var m, sums map[string]string
	if replace {
		req := map[string]string{}
		for k := range hdr {
			req[k] = hdr.Get(k)
		}
		if m, _, err = b.objectMeta(req); err != nil {
			return gofakes3.CopyObjectResult{}, b.conv(err)
		}
	} else {
		m = map[string]string{}
		for k, v := range src.Meta {
			if !strings.HasPrefix(k, "X-Amz-Server-Side-Encryption") {
				m[k] = v
			}
		}
	}
	for k, v := range src.Checksums {
		if sums == nil {
			sums = map[string]string{}
		}
		sums[k] = v
	}
	rec, err := b.s.putObject(dstBucket, dstKey, m, sums, body, src.ETag, nil, "CopyObject", b.req)
	if err != nil {
		return gofakes3.CopyObjectResult{}, b.conv(err)
	}
	b.req.answerWith(rec)
	if b.req != nil {
		b.req.versionID = rec.VersionID
		b.req.skipVersion = rec.VersionID == ""
		if srcVersion != "" || src.VersionID != "" {
			b.req.srcVersionID = src.versionIDOrNull()
		}
	}
	return gofakes3.CopyObjectResult{ETag: rec.ETag, LastModified: gofakes3.NewContentTime(rec.LastModified)}, nil
}

func (b *backend) VersioningConfiguration(bucket string) (gofakes3.VersioningConfiguration, error) {
	c, err := b.s.GetBucketVersioning(context.Background(), bucket)
	if err != nil {
		return gofakes3.VersioningConfiguration{}, b.conv(err)
	}
	return gofakes3.VersioningConfiguration{Status: gofakes3.VersioningStatus(c.Status), MFADelete: gofakes3.MFADeleteStatus(c.MFADelete)}, nil
}

func (b *backend) SetVersioningConfiguration(bucket string, v gofakes3.VersioningConfiguration) error {
	return b.conv(b.s.PutBucketVersioning(context.Background(), bucket, &VersioningConfiguration{Status: string(v.Status), MFADelete: string(v.MFADelete)}))
}
