package objects

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAuthorizationNamesTheActionAndResourceIAMChecks(t *testing.T) {
	cases := []struct {
		method, target, host string
		action, resource     string
	}{
		{"GET", "/uploads/a/b.txt", "127.0.0.1:4566", "s3:GetObject", "arn:aws:s3:::uploads/a/b.txt"},
		{"HEAD", "/uploads/b.txt", "127.0.0.1:4566", "s3:GetObject", "arn:aws:s3:::uploads/b.txt"},
		{"GET", "/b.txt?versionId=3", "uploads.s3.localhost:4566", "s3:GetObjectVersion", "arn:aws:s3:::uploads/b.txt"},
		{"PUT", "/ledger/posts/1.json", "127.0.0.1:4566", "s3:PutObject", "arn:aws:s3:::ledger/posts/1.json"},
		{"DELETE", "/ledger/posts/1.json", "127.0.0.1:4566", "s3:DeleteObject", "arn:aws:s3:::ledger/posts/1.json"},
		{"GET", "/ledger?list-type=2&prefix=posts/", "127.0.0.1:4566", "s3:ListBucket", "arn:aws:s3:::ledger"},
		{"GET", "/ledger?versioning", "127.0.0.1:4566", "s3:GetBucketVersioning", "arn:aws:s3:::ledger"},
		{"PUT", "/ledger?policy", "127.0.0.1:4566", "s3:PutBucketPolicy", "arn:aws:s3:::ledger"},
		{"GET", "/", "127.0.0.1:4566", "s3:ListAllMyBuckets", "*"},
		{"POST", "/ledger/big.bin?uploads", "127.0.0.1:4566", "s3:PutObject", "arn:aws:s3:::ledger/big.bin"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, "http://"+c.host+c.target, nil)
		action, resources := Authorization(r)
		assert.Equal(t, c.action, action, c.method+" "+c.target)
		assert.Equal(t, []string{c.resource}, resources, c.method+" "+c.target)
		assert.Equal(t, c.target, r.URL.RequestURI(), "the request itself is left as it was")
	}
}
