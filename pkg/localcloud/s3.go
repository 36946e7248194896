package localcloud

import (
	"net/http"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
)

// S3 serves buckets and objects (put, get, head, list v2, delete, copy,
// multipart) on the REST-XML protocol, path-style: the SDK needs
// UsePathStyle (or AWS_S3_USE_PATH_STYLE), as with any S3 on localhost.
// It is johannesboyne/gofakes3 v1.2.0 over its bbolt backend, in the local
// cloud's own store file, so objects persist with everything else.
// gofakes3 ignores signatures (the local cloud checks none yet) and
// answers the SDK v2's checksummed, aws-chunked uploads.
func S3(store *Store) http.Handler {
	return gofakes3.New(s3bolt.New(store.db), gofakes3.WithoutVersioning()).Server()
}
