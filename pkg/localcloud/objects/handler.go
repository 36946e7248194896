package objects

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// passHeaderPrefix carries the headers gofakes3 does not keep
// (Cache-Control, ...) through it to the backend.
const passHeaderPrefix = "X-Amz-Lc-Pass-"

var passHeaders = []string{"Cache-Control", "Content-Language", "Expires"}

// Handler serves S3's REST-XML API, path-style (http://host/bucket/key)
// or virtual-hosted on localhost (http://bucket.localhost/key).
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Service) serveHTTP(w http.ResponseWriter, r *http.Request) {
	virtualHost(r)
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	for k := range r.Header {
		if strings.HasPrefix(k, passHeaderPrefix) {
			r.Header.Del(k)
		}
	}
	info := &requestInfo{header: r.Header.Clone(), sourceIP: remoteIP(r)}

	if err := s.serveOwn(w, r, bucket, key, q); err != errNotMine {
		if err != nil && err != errAnswered {
			writeError(w, r, err, bucket, key)
		}
		return
	}
	if r.Method == http.MethodPut && key != "" && r.Header.Get("X-Amz-Copy-Source") == "" {
		if _, err := readPayload(r); err != nil {
			writeError(w, r, err, bucket, key)
			return
		}
	}
	if key != "" && (r.Method == http.MethodPut || (r.Method == http.MethodPost && q.Has("uploads"))) {
		for _, h := range passHeaders {
			if v := r.Header.Get(h); v != "" {
				r.Header.Set(passHeaderPrefix+h, v)
			}
		}
	}
	f := &responseFilter{ResponseWriter: w, r: r, info: info}
	g := gofakes3.New(&backend{s: s, req: info}, gofakes3.WithMetadataSizeLimit(0), gofakes3.WithRequestID(uint64(time.Now().UnixNano())))
	g.Server().ServeHTTP(f, r)
	if !f.wrote { // gofakes3 answered 200 by writing nothing
		f.WriteHeader(http.StatusOK)
	}
}

var errNotMine = errors.New("not served here")

// serveOwn serves what gofakes3 does not (or not as S3 does): the bucket
// operations and configuration sub-resources, and the refusal of what is
// not implemented. errNotMine leaves the request to gofakes3.
func (s *Service) serveOwn(w http.ResponseWriter, r *http.Request, bucket, key string, q map[string][]string) error {
	ctx := r.Context()
	if bucket == "" {
		if r.Method != http.MethodGet {
			return methodNotAllowed()
		}
		return s.serveListBuckets(w, r)
	}
	if r.Method == http.MethodOptions {
		return notImplemented("CORS (OPTIONS preflight requests)")
	}
	sub := subresource(q)
	if key == "" {
		switch {
		case sub == "" && r.Method == http.MethodPut:
			return s.serveCreateBucket(w, r, bucket)
		case sub == "" && r.Method == http.MethodHead:
			region, err := s.BucketRegion(ctx, bucket)
			if err != nil {
				return err
			}
			w.Header().Set("x-amz-bucket-region", region)
			w.WriteHeader(http.StatusOK)
			return nil
		case sub == "" && r.Method == http.MethodDelete:
			if err := s.DeleteBucket(ctx, bucket); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		case sub == "" || sub == "uploads" || sub == "versions" || (sub == "delete" && r.Method == http.MethodPost):
			return errNotMine
		}
		if h, ok := bucketConfigs[sub]; ok {
			return h(s, w, r, bucket)
		}
		return notImplemented(operationName(r.Method, sub, false))
	}
	if sub != "" && sub != "uploads" && sub != "uploadId" {
		return notImplemented(operationName(r.Method, sub, true))
	}
	if sub == "uploadId" && r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "" {
		return notImplemented("UploadPartCopy")
	}
	if q["partNumber"] != nil && sub == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		return notImplemented("GetObject with partNumber")
	}
	if sub == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		if err := s.checkReadConditions(w, r, bucket, key); err != nil {
			return err
		}
	}
	if r.Method == http.MethodPut || (r.Method == http.MethodPost && sub == "uploads") {
		for _, h := range []struct{ header, what string }{
			{"X-Amz-Tagging", "object tagging (the x-amz-tagging header)"},
			{"X-Amz-Object-Lock-Mode", "S3 Object Lock (the x-amz-object-lock-mode header)"},
			{"X-Amz-Object-Lock-Legal-Hold", "S3 Object Lock (the x-amz-object-lock-legal-hold header)"},
			{"X-Amz-Server-Side-Encryption-Customer-Algorithm", "SSE-C (the x-amz-server-side-encryption-customer-algorithm header)"},
			{"X-Amz-Copy-Source-If-Match", "conditional copies (the x-amz-copy-source-if-match header)"},
			{"X-Amz-Copy-Source-If-None-Match", "conditional copies (the x-amz-copy-source-if-none-match header)"},
			{"X-Amz-Copy-Source-If-Modified-Since", "conditional copies (the x-amz-copy-source-if-modified-since header)"},
			{"X-Amz-Copy-Source-If-Unmodified-Since", "conditional copies (the x-amz-copy-source-if-unmodified-since header)"},
			{"X-Amz-Copy-Source-Range", "UploadPartCopy"},
		} {
			if r.Header.Get(h.header) != "" {
				return notImplemented(h.what)
			}
		}
	}
	return errNotMine
}

// subresources S3 knows, so that one this package does not serve is
// refused by name rather than answered as a plain GET or PUT.
var subresources = []string{
	"accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering",
	"inventory", "legal-hold", "lifecycle", "location", "logging", "metadataConfiguration", "metadataTable", "metrics",
	"notification", "object-lock", "ownershipControls", "policy", "policyStatus", "publicAccessBlock",
	"renameObject", "replication", "requestPayment", "restore", "retention", "select", "session", "tagging",
	"torrent", "uploadId", "uploads", "versioning", "versions", "website",
}

func subresource(q map[string][]string) string {
	for _, s := range subresources {
		if _, ok := q[s]; ok {
			return s
		}
	}
	return ""
}

var bucketOperationNames = map[string]string{
	"accelerate": "BucketAccelerateConfiguration", "acl": "BucketAcl", "analytics": "BucketAnalyticsConfiguration",
	"cors": "BucketCors", "intelligent-tiering": "BucketIntelligentTieringConfiguration",
	"inventory": "BucketInventoryConfiguration", "logging": "BucketLogging", "metrics": "BucketMetricsConfiguration",
	"metadataTable": "BucketMetadataTableConfiguration", "metadataConfiguration": "BucketMetadataConfiguration",
	"object-lock": "ObjectLockConfiguration", "policyStatus": "BucketPolicyStatus", "replication": "BucketReplication",
	"requestPayment": "BucketRequestPayment", "website": "BucketWebsite",
}

var objectOperationNames = map[string]string{
	"acl": "ObjectAcl", "tagging": "ObjectTagging", "retention": "ObjectRetention", "legal-hold": "ObjectLegalHold",
	"attributes": "ObjectAttributes", "torrent": "ObjectTorrent",
}

// operationName names the S3 operation a request with sub-resource sub
// is, for the error that refuses it.
func operationName(method, sub string, object bool) string {
	switch sub {
	case "restore":
		return "RestoreObject"
	case "select":
		return "SelectObjectContent"
	case "session":
		return "CreateSession"
	case "renameObject":
		return "RenameObject"
	}
	verb := map[string]string{http.MethodGet: "Get", http.MethodHead: "Get", http.MethodPut: "Put", http.MethodDelete: "Delete", http.MethodPost: "Post"}[method]
	name := bucketOperationNames[sub]
	if object {
		name = objectOperationNames[sub]
	}
	if name == "" {
		where := "a bucket"
		if object {
			where = "an object"
		}
		return fmt.Sprintf("%s ?%s on %s", method, sub, where)
	}
	return verb + name
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// virtualHost turns a virtual-hosted request (bucket.localhost) into the
// path-style one.
func virtualHost(r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	bucket, ok := strings.CutSuffix(host, ".localhost")
	if !ok || bucket == "" {
		return
	}
	bucket = strings.TrimSuffix(bucket, ".s3")
	if bucket == "s3" || bucket == "" {
		return
	}
	r.URL.Path = "/" + bucket + r.URL.Path
	if r.URL.RawPath != "" {
		r.URL.RawPath = "/" + bucket + r.URL.RawPath
	}
}
