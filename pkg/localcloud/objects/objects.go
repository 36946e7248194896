// Package objects is the local cloud's S3: buckets, objects (ranges,
// copies, multipart uploads, versions) and the bucket configuration
// sub-resources CloudFormation sets, all kept in the local cloud's one
// store. The REST-XML wire is served by gofakes3 over a backend written
// here on localcloud.Store; the sub-resources gofakes3 does not know are
// served by this package itself, and any other one fails loudly by name.
package objects

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Tables of the store this package owns.
const (
	tableBuckets  = "s3.buckets"  // bucket name -> bucketRecord
	tableObjects  = "s3.objects"  // bucket/key -> objectRecord (the current version)
	tableVersions = "s3.versions" // bucket/key\x00versionId -> objectRecord (noncurrent versions)
	tableData     = "s3.data"     // data id -> []byte (object and part bodies)
	tableUploads  = "s3.uploads"  // bucket/uploadId -> uploadRecord
)

// ObjectCreated is what S3 reports to EventBridge when an object is
// created in a bucket whose notification configuration enables
// EventBridge ("Object Created" events).
type ObjectCreated struct {
	Bucket, Key string
	Size        int64
	// ETag is the object's entity tag without quotes, as the event gives it.
	ETag      string
	VersionID string
	// Sequencer orders the events of one key: a later write has a greater
	// sequencer (hex strings of equal length compare as numbers).
	Sequencer string
	// Reason is PutObject, CopyObject or CompleteMultipartUpload.
	Reason    string
	Requester string
	SourceIP  string
	Time      time.Time
}

// Service is the local cloud's S3.
type Service struct {
	store *localcloud.Store

	// OnObjectCreated, when set (before the service serves), is called
	// after every object creation in a bucket with EventBridge
	// notifications enabled.
	OnObjectCreated func(ObjectCreated)

	seqMu   sync.Mutex
	lastSeq uint64
}

// Option configures a Service.
type Option func(*Service)

// WithObjectCreated sets the function called for each object created in
// a bucket with EventBridge notifications enabled.
func WithObjectCreated(fn func(ObjectCreated)) Option {
	return func(s *Service) { s.OnObjectCreated = fn }
}

// New returns the S3 service keeping its state in store.
func New(store *localcloud.Store, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, errors.New("objects: New needs a store")
	}
	s := &Service{store: store}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// GetObject returns the body of the current version of bucket/key; a
// missing bucket or key is a *localcloud.Error NoSuchBucket or NoSuchKey.
func (s *Service) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	var body []byte
	err := s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		rec, found, err := getCurrent(tx, bucket, key)
		if err != nil {
			return err
		}
		if !found || rec.DeleteMarker {
			return noSuchKey(key)
		}
		body, err = getData(tx, rec.Data)
		return err
	})
	return body, err
}

// PutObject stores body as bucket/key with the given content type (empty
// means binary/octet-stream), as a PutObject request would.
func (s *Service) PutObject(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	meta := map[string]string{}
	if contentType != "" {
		meta["Content-Type"] = contentType
	}
	_, err := s.putObject(bucket, key, meta, nil, body, etagOf(body), nil, "PutObject", &requestInfo{sourceIP: "127.0.0.1"})
	return err
}

// nextSeq returns a number greater than any returned before, also across
// restarts (it follows the clock).
func (s *Service) nextSeq() uint64 {
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	n := uint64(time.Now().UnixNano())
	if n <= s.lastSeq {
		n = s.lastSeq + 1
	}
	s.lastSeq = n
	return n
}

func (s *Service) emit(ev *ObjectCreated) {
	if ev != nil && s.OnObjectCreated != nil {
		s.OnObjectCreated(*ev)
	}
}

// ownerID is the canonical user id of the local cloud's account.
var ownerID = func() string {
	h := sha256.Sum256([]byte("stepforge-local-" + localcloud.Account))
	return hex.EncodeToString(h[:])
}()

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Errors as S3 words them.

func s3Error(code string, status int, format string, args ...any) *localcloud.Error {
	return &localcloud.Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

func noSuchBucket(bucket string) *localcloud.Error {
	return s3Error("NoSuchBucket", http.StatusNotFound, "The specified bucket does not exist")
}

func noSuchKey(key string) *localcloud.Error {
	return s3Error("NoSuchKey", http.StatusNotFound, "The specified key does not exist.")
}

func noSuchUpload() *localcloud.Error {
	return s3Error("NoSuchUpload", http.StatusNotFound, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

func malformedXML() *localcloud.Error {
	return s3Error("MalformedXML", http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema")
}

func notImplemented(what string) *localcloud.Error {
	return s3Error("NotImplemented", http.StatusNotImplemented, "%s is not implemented by the local cloud's S3", what)
}
