package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/middleware"
)

type handler struct {
	client        *http.Client
	endpoint      string
	index         string
	region        string // overrides the AWS configuration's region when set
	misconfigured error
	signer        *v4.Signer
	now           func() time.Time
	loadAWS       func(context.Context) (aws.Config, error)

	mu  sync.Mutex
	aws *aws.Config // loaded on the first invocation and kept while warm
}

// document is what is indexed: the post as the workflow carries it, and when
// it was indexed.
type document struct {
	blog.Post
	IndexedAt time.Time `json:"indexedAt"`
}

// indexReply is the part of the index API's reply the function reports.
type indexReply struct {
	Index   string `json:"_index"`
	ID      string `json:"_id"`
	Version int64  `json:"_version"`
	Result  string `json:"result"`
}

// handle indexes post under its id. The middleware has already validated it.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	creds, region, err := h.credentials(ctx)
	if err != nil {
		return blog.Result{}, err
	}
	now := h.now().UTC()
	body, err := json.Marshal(document{Post: post, IndexedAt: now})
	if err != nil {
		return blog.Result{}, fmt.Errorf("encode the document: %w", err)
	}
	docURL := h.endpoint + "/" + h.index + "/_doc/" + url.PathEscape(post.ID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, docURL, bytes.NewReader(body))
	if err != nil {
		return blog.Result{}, fmt.Errorf("build the index request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	// Sent as well as signed, so the domain checks the body against it.
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if err := h.signer.SignHTTP(ctx, creds, req, payloadHash, signingName, region, now); err != nil {
		return blog.Result{}, fmt.Errorf("sign the index request: %w", err)
	}
	var reply indexReply
	if err := blog.Send(h.client, platform, req, &reply); err != nil {
		return blog.Result{}, fmt.Errorf("index post %s: %w", post.ID, err)
	}
	middleware.Logger(ctx).InfoContext(ctx, "indexed in OpenSearch",
		"postId", post.ID, "index", reply.Index, "result", reply.Result, "version", reply.Version)
	return blog.Result{Platform: platform, ID: reply.ID, URL: docURL}, nil
}

// credentials returns the role's current credentials and the region to sign
// for. The SDK's credential cache refreshes them before they expire.
func (h *handler) credentials(ctx context.Context) (aws.Credentials, string, error) {
	cfg, err := h.awsConfig(ctx)
	if err != nil {
		return aws.Credentials{}, "", &envconfig.Misconfigured{Setting: "AWS configuration", Reason: "cannot be loaded: " + err.Error()}
	}
	region := h.region
	if region == "" {
		region = cfg.Region
	}
	if region == "" {
		return aws.Credentials{}, "", &envconfig.Misconfigured{Setting: "OPENSEARCH_REGION", Reason: "is not set, nor is AWS_REGION"}
	}
	if cfg.Credentials == nil {
		return aws.Credentials{}, "", &envconfig.Misconfigured{Setting: "AWS credentials", Reason: "are not in the configuration chain"}
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, "", &envconfig.Misconfigured{Setting: "AWS credentials", Reason: "cannot be retrieved: " + err.Error()}
	}
	return creds, region, nil
}

// awsConfig loads the AWS configuration once per warm process; a failed load
// is tried again on the next invocation.
func (h *handler) awsConfig(ctx context.Context) (aws.Config, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.aws != nil {
		return *h.aws, nil
	}
	cfg, err := h.loadAWS(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	h.aws = &cfg
	return cfg, nil
}
