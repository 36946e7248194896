package cloud

import (
	"context"
	"errors"
	"net/http"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/keys"
)

// The services talk through small interfaces declared where they are
// used; the adapters here join them where the shapes differ.

// topicKeys checks an encrypted topic's KMS key for SNS Publish.
type topicKeys struct{ kms *keys.Service }

func (k topicKeys) CheckKey(ctx context.Context, region, keyID string) error {
	key, err := k.kms.DescribeKey(keys.WithRegion(ctx, region), keyID)
	if err != nil {
		var e *localcloud.Error
		if errors.As(err, &e) {
			return &localcloud.Error{Code: "KMSNotFound", Status: http.StatusBadRequest, Message: e.Message}
		}
		return err
	}
	if key.KeyState != "Enabled" {
		return &localcloud.Error{Code: "KMSDisabled", Status: http.StatusBadRequest,
			Message: "Invalid parameter: The KMS key " + key.Arn + " is " + key.KeyState + "."}
	}
	return nil
}
