package objects_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/objects"
)

// shape replaces every leaf of a decoded JSON document by its kind, so
// two documents with the same fields and types compare equal.
func shape(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = shape(e)
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			out = append(out, shape(e))
		}
		return out
	case string:
		return "string"
	case float64:
		return "number"
	}
	return v
}

func TestObjectCreatedEventHasTheShapeAWSDocuments(t *testing.T) {
	var mu sync.Mutex
	var got []objects.ObjectCreated
	c := startCloud(t, objects.WithObjectCreated(func(e objects.ObjectCreated) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e)
	}))
	ctx := context.Background()
	cl := c.client()
	c.bucket("uploads")
	_, err := cl.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("uploads"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	require.NoError(t, err)
	_, err = cl.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"),
		NotificationConfiguration: &types.NotificationConfiguration{EventBridgeConfiguration: &types.EventBridgeConfiguration{}}})
	require.NoError(t, err)
	_, err = cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String("in/a b+c.txt"), Body: strings.NewReader("hello\n")})
	require.NoError(t, err)

	mu.Lock()
	require.Len(t, got, 1)
	raw := got[0].Event("eu-west-1", "111122223333")
	mu.Unlock()

	example, err := os.ReadFile("../../../handlers/uploadprocessor/testdata/object-created-aws-example.json")
	require.NoError(t, err)
	var want, ev map[string]any
	require.NoError(t, json.Unmarshal(example, &want))
	require.NoError(t, json.Unmarshal(raw, &ev))
	assert.Equal(t, shape(want), shape(ev), "%s", raw)

	assert.Equal(t, "0", ev["version"])
	assert.Equal(t, "Object Created", ev["detail-type"])
	assert.Equal(t, "aws.s3", ev["source"])
	assert.Equal(t, "111122223333", ev["account"])
	assert.Equal(t, "eu-west-1", ev["region"])
	assert.Equal(t, []any{"arn:aws:s3:::uploads"}, ev["resources"])
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, ev["id"])
	at, err := time.Parse(time.RFC3339, ev["time"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), at, time.Hour)
	assert.NotContains(t, ev["time"], ".", "whole seconds")
	d := ev["detail"].(map[string]any)
	obj := d["object"].(map[string]any)
	assert.Equal(t, "in/a b+c.txt", obj["key"], "EventBridge gives the key as stored")
	assert.Equal(t, float64(6), obj["size"])
	assert.Equal(t, "b1946ac92492d2347c6235b4d2611184", obj["etag"])
	assert.NotEmpty(t, obj["version-id"])
	assert.Regexp(t, `^[0-9A-F]{16,}$`, obj["sequencer"])
	assert.Equal(t, "PutObject", d["reason"])
	assert.Equal(t, "127.0.0.1", d["source-ip-address"])
	assert.Regexp(t, `^[0-9A-Z]{16}$`, d["request-id"])
}
