package objects

import (
	"net/http"
	"strings"
)

// Authorization names the IAM action and resource of an S3 request, for
// the local cloud's IAM check of calls made with a function's credentials
// (localcloud.Server.RegisterHandlerAuthorized). It covers the object and
// listing operations handlers make; a bucket-configuration request is
// s3:<Method>BucketConfiguration-like and named by its sub-resource.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
func Authorization(r *http.Request) (string, []string) {
	c := r.Clone(r.Context())
	virtualHost(c)
	bucket, key, _ := strings.Cut(strings.TrimPrefix(c.URL.Path, "/"), "/")
	q := c.URL.Query()
	if bucket == "" {
		return "s3:ListAllMyBuckets", []string{"*"}
	}
	bucketARN := "arn:aws:s3:::" + bucket
	if key == "" {
		for _, sub := range bucketSubresources {
			if q.Has(sub.query) {
				if c.Method == http.MethodGet || c.Method == http.MethodHead {
					return "s3:Get" + sub.action, []string{bucketARN}
				}
				return "s3:Put" + sub.action, []string{bucketARN}
			}
		}
		switch c.Method {
		case http.MethodGet, http.MethodHead:
			if q.Has("versions") {
				return "s3:ListBucketVersions", []string{bucketARN}
			}
			if q.Has("uploads") {
				return "s3:ListBucketMultipartUploads", []string{bucketARN}
			}
			return "s3:ListBucket", []string{bucketARN}
		case http.MethodPut:
			return "s3:CreateBucket", []string{bucketARN}
		case http.MethodDelete:
			return "s3:DeleteBucket", []string{bucketARN}
		case http.MethodPost:
			if q.Has("delete") {
				// DeleteObjects is checked as s3:DeleteObject on each key;
				// the keys are in the body, so the bucket's objects stand in.
				return "s3:DeleteObject", []string{bucketARN + "/*"}
			}
		}
		return "s3:" + c.Method, []string{bucketARN}
	}
	objectARN := bucketARN + "/" + key
	versioned := q.Has("versionId")
	switch c.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case q.Has("tagging"):
			return "s3:GetObjectTagging", []string{objectARN}
		case q.Has("uploadId"):
			return "s3:ListMultipartUploadParts", []string{objectARN}
		case versioned:
			return "s3:GetObjectVersion", []string{objectARN}
		}
		return "s3:GetObject", []string{objectARN}
	case http.MethodPut:
		if q.Has("tagging") {
			return "s3:PutObjectTagging", []string{objectARN}
		}
		// A copy is checked as the write it is; reading its source
		// (s3:GetObject there) is not checked locally.
		return "s3:PutObject", []string{objectARN}
	case http.MethodDelete:
		if q.Has("uploadId") {
			return "s3:AbortMultipartUpload", []string{objectARN}
		}
		if versioned {
			return "s3:DeleteObjectVersion", []string{objectARN}
		}
		return "s3:DeleteObject", []string{objectARN}
	case http.MethodPost:
		return "s3:PutObject", []string{objectARN}
	}
	return "s3:" + c.Method, []string{objectARN}
}

var bucketSubresources = []struct{ query, action string }{
	{"policy", "BucketPolicy"},
	{"versioning", "BucketVersioning"},
	{"notification", "BucketNotification"},
	{"encryption", "EncryptionConfiguration"},
	{"lifecycle", "LifecycleConfiguration"},
	{"publicAccessBlock", "BucketPublicAccessBlock"},
	{"tagging", "BucketTagging"},
	{"cors", "BucketCORS"},
	{"ownershipControls", "BucketOwnershipControls"},
	{"location", "BucketLocation"},
}
