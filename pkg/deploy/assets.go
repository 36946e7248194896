package deploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// maxTemplateBody is CloudFormation's limit for a template passed inline;
// larger ones go by TemplateURL.
const maxTemplateBody = 51200

// artifact is a file's content and the key it is stored under.
type artifact struct {
	key  string
	body []byte
}

// assetKey is the key of a handler zip: its content's hash.
func assetKey(body []byte) string { return "assets/" + sha256Hex(body) + ".zip" }

// templateKey is the key of a template too large to pass inline.
func templateKey(body []byte) string { return "templates/" + sha256Hex(body) + ".json" }

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func readAsset(a Asset) (artifact, error) {
	body, err := os.ReadFile(a.Path)
	if err != nil {
		return artifact{}, fmt.Errorf("asset for parameter %s: %w", a.Parameter, err)
	}
	return artifact{key: assetKey(body), body: body}, nil
}

// uploader puts artifacts in the bucket once per key and per run, even when
// stacks deploying in parallel share one.
type uploader struct {
	client *s3.Client
	bucket string

	mu    sync.Mutex
	calls map[string]*upload
}

type upload struct {
	done     chan struct{}
	uploaded bool
	err      error
}

// put stores a under its key unless the bucket already has it, and says
// whether this call uploaded it.
func (u *uploader) put(ctx context.Context, a artifact) (bool, error) {
	u.mu.Lock()
	if c, ok := u.calls[a.key]; ok {
		u.mu.Unlock()
		<-c.done
		return false, c.err
	}
	c := &upload{done: make(chan struct{})}
	u.calls[a.key] = c
	u.mu.Unlock()
	c.uploaded, c.err = u.store(ctx, a)
	close(c.done)
	return c.uploaded, c.err
}

func (u *uploader) store(ctx context.Context, a artifact) (bool, error) {
	_, err := u.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(u.bucket), Key: aws.String(a.key)})
	if err == nil {
		return false, nil
	}
	if !isNotFound(err) {
		return false, fmt.Errorf("look for s3://%s/%s: %w", u.bucket, a.key, err)
	}
	_, err = u.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(u.bucket),
		Key:           aws.String(a.key),
		Body:          bytes.NewReader(a.body),
		ContentLength: aws.Int64(int64(len(a.body))),
	})
	if err != nil {
		return false, fmt.Errorf("upload s3://%s/%s: %w", u.bucket, a.key, err)
	}
	return true, nil
}

func isNotFound(err error) bool {
	var nf *s3types.NotFound
	if errors.As(err, &nf) {
		return true
	}
	var nsk *s3types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// objectURL is the https URL CloudFormation reads a TemplateURL from:
// path-style on a custom endpoint (the local cloud is path-style), the
// bucket's regional virtual-hosted name on AWS.
func objectURL(cfg aws.Config, bucket, key string) string {
	if cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" {
		return strings.TrimRight(*cfg.BaseEndpoint, "/") + "/" + bucket + "/" + key
	}
	domain := "amazonaws.com"
	if strings.HasPrefix(cfg.Region, "cn-") {
		domain = "amazonaws.com.cn"
	}
	return fmt.Sprintf("https://%s.s3.%s.%s/%s", bucket, cfg.Region, domain, key)
}
