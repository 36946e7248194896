package objects_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/objects"
)

// The local cloud registers the service's handler under S3's signing
// name; other services (Lambda fetching code) use its Go API directly.
func Example() {
	dir, _ := os.MkdirTemp("", "objects-example")
	defer os.RemoveAll(dir)
	store, _ := localcloud.OpenStore(filepath.Join(dir, "state.db"))
	defer store.Close()

	svc, _ := objects.New(store)
	srv := localcloud.New(nil)
	srv.RegisterHandler("s3", svc.Handler())

	ctx := context.Background()
	_ = svc.CreateBucket(ctx, "artifacts", "")
	_ = svc.PutObject(ctx, "artifacts", "fn/bootstrap.zip", []byte("PK\x03\x04"), "application/zip")
	body, _ := svc.GetObject(ctx, "artifacts", "fn/bootstrap.zip")
	fmt.Println(len(body))
	_, err := svc.GetObject(ctx, "artifacts", "missing.zip")
	fmt.Println(err)
	// Output:
	// 4
	// NoSuchKey: The specified key does not exist.
}
