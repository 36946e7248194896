package vault_test

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/keys"
	"github.com/stepforge/stepforge/pkg/localcloud/vault"
)

// A secret is written and read through the Go behaviour, encrypted by the
// local KMS on the way to the store.
func Example() {
	dir, _ := os.MkdirTemp("", "vault")
	defer os.RemoveAll(dir)
	store, err := localcloud.OpenStore(dir + "/state.db")
	if err != nil {
		panic(err)
	}
	defer store.Close()
	svc := vault.New(store, keys.New(store))

	ctx := context.Background()
	if _, _, err := svc.CreateSecret(ctx, "us-east-1", vault.CreateInput{Name: "sanity-cms", SecretString: aws.String(`{"token":"t"}`)}); err != nil {
		panic(err)
	}
	v, err := svc.GetSecretValue(ctx, "us-east-1", "sanity-cms", "", "")
	if err != nil {
		panic(err)
	}
	fmt.Println(*v.String, v.Stages)
	// Output: {"token":"t"} [AWSCURRENT]
}
