package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/middleware"
)

// Summary describes an accepted upload.
type Summary struct {
	Bucket string `json:"bucket"`
	// Key is the key the object was found under, decoded if the event's
	// key was URL-encoded.
	Key         string `json:"key"`
	Bytes       int    `json:"bytes"`
	Lines       int    `json:"lines"`
	Words       int    `json:"words"`
	ETag        string `json:"etag,omitempty"`
	ContentType string `json:"contentType,omitempty"`
}

// objectGetter reads an object; *s3.Client is one.
type objectGetter interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

type handler struct {
	s3       objectGetter
	settings settings
	// misconfigured is returned by every call with a valid event.
	misconfigured error
}

func (h *handler) handle(ctx context.Context, e Event) (Summary, error) {
	// The middleware has validated already; handle stays safe to call alone.
	if err := e.Validate(); err != nil {
		return Summary{}, err
	}
	if h.misconfigured != nil {
		return Summary{}, h.misconfigured
	}
	up := e.upload()
	if h.settings.alwaysFail {
		return Summary{}, &ProcessingFailed{Upload: up}
	}

	obj, key, err := h.fetch(ctx, e.Detail.Bucket.Name, e.Detail.Object.Key, up)
	if err != nil {
		return Summary{}, err
	}
	defer obj.Body.Close()

	limit := h.settings.limit()
	if obj.ContentLength != nil && *obj.ContentLength > limit {
		return Summary{}, &UploadTooLarge{Upload: up, Limit: limit}
	}
	// One byte past the limit is enough to know the object is too large,
	// whatever Content-Length claimed or did not claim.
	body, err := io.ReadAll(io.LimitReader(obj.Body, limit+1))
	if err != nil {
		return Summary{}, &FetchFailed{Upload: up, Err: fmt.Errorf("read object body: %w", err)}
	}
	switch {
	case int64(len(body)) > limit:
		return Summary{}, &UploadTooLarge{Upload: up, Limit: limit}
	case len(body) == 0:
		return Summary{}, &EmptyUpload{Upload: up}
	}
	if reason := notText(body); reason != "" {
		return Summary{}, &NotText{Upload: up, Reason: reason}
	}

	lines, words := countText(body)
	s := Summary{
		Bucket:      e.Detail.Bucket.Name,
		Key:         key,
		Bytes:       len(body),
		Lines:       lines,
		Words:       words,
		ETag:        strings.Trim(deref(obj.ETag), `"`),
		ContentType: deref(obj.ContentType),
	}
	middleware.Logger(ctx).InfoContext(ctx, "upload processed",
		slog.String("bucket", s.Bucket), slog.String("key", s.Key),
		slog.Int("bytes", s.Bytes), slog.Int("lines", s.Lines), slog.Int("words", s.Words))
	return s, nil
}

// fetch gets the object and the key it was found under. Keys in S3
// notifications are URL-encoded while other producers send them as they are,
// and a key may really contain '+' or '%': so the key is tried as given first
// and, only if S3 does not have it, once more decoded.
func (h *handler) fetch(ctx context.Context, bucket, key string, up Upload) (*s3.GetObjectOutput, string, error) {
	obj, err := h.get(ctx, bucket, key)
	if err != nil && mayBeMissingKey(err) {
		if decoded, ok := decodeKey(key); ok {
			middleware.Logger(ctx).InfoContext(ctx, "key not found as given, trying it URL-decoded",
				slog.String("key", key), slog.String("decodedKey", decoded))
			obj, err = h.get(ctx, bucket, decoded)
			key = decoded
		}
	}
	var mis *envconfig.Misconfigured
	switch {
	case err == nil:
		return obj, key, nil
	case errors.As(err, &mis):
		return nil, "", err
	case isNotFound(err):
		return nil, "", &UploadNotFound{Upload: up, Err: err}
	default:
		return nil, "", &FetchFailed{Upload: up, Err: err}
	}
}

func (h *handler) get(ctx context.Context, bucket, key string) (*s3.GetObjectOutput, error) {
	return h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
}

// decodeKey returns key URL-decoded as S3 encodes keys in notifications
// ('+' for space), if that changes it.
func decodeKey(key string) (string, bool) {
	if !strings.ContainsAny(key, "+%") {
		return "", false
	}
	decoded, err := url.QueryUnescape(key)
	if err != nil || decoded == key || decoded == "" {
		return "", false
	}
	return decoded, true
}

// isNotFound reports whether S3 says the key or the bucket does not exist:
// NoSuchKey, NoSuchBucket, or a bare 404 as S3-compatible stores may send.
func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NoSuchBucket") {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// mayBeMissingKey reports whether err could mean the key does not exist. S3
// answers 403 AccessDenied rather than 404 for a missing key when the caller
// may not list the bucket, so a 403 deserves the decoded retry as well.
func mayBeMissingKey(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket" {
		return false
	}
	var re *awshttp.ResponseError
	return isNotFound(err) || (errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
