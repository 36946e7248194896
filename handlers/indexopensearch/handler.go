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
	"strconv"
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

// handle indexes post under its id, versioned by when it was last edited,
// and returns where a reader finds the post. The middleware has already
// validated it.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	if h.endpoint == "" {
		return blog.Skip(platform, &blog.NotConfigured{Platform: "OpenSearch",
			Reason: "OPENSEARCH_ENDPOINT is empty (the stack's OpenSearchEndpoint parameter); set it to a domain's endpoint to index posts"})
	}
	version, err := documentVersion(post)
	if err != nil {
		return blog.Result{}, err
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
	// External versioning makes the domain keep whichever copy of the post
	// was edited last, whatever order executions finish in: a write whose
	// version is not above the stored one is refused with a 409.
	q := url.Values{"version": {strconv.FormatInt(version, 10)}, "version_type": {"external"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, docURL+"?"+q.Encode(), bytes.NewReader(body))
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
	resp, replyBody, err := blog.Exchange(h.client, platform, req)
	if err != nil {
		return blog.Result{}, fmt.Errorf("index post %s: %w", post.ID, err)
	}
	log := middleware.Logger(ctx)
	// The document's internal location is for the logs only: readers cannot
	// open it, and the domain is not theirs to query.
	if resp.StatusCode == http.StatusConflict && isVersionConflict(replyBody) {
		// A copy at least as recent is already indexed: a redelivered webhook,
		// a retry whose first attempt did land, or an older execution
		// finishing after a newer one. Nothing to do, and nothing to retry.
		log.InfoContext(ctx, "already indexed in OpenSearch at this version or a newer one",
			"postId", post.ID, "document", docURL, "version", version, "reason", blog.Reason(replyBody))
		return blog.Result{Platform: platform, ID: post.ID, URL: post.CanonicalURL, Action: blog.ActionUnchanged}, nil
	}
	if err := blog.Classify(platform, resp, replyBody); err != nil {
		return blog.Result{}, fmt.Errorf("index post %s: %w", post.ID, err)
	}
	var reply indexReply
	if err := json.Unmarshal(replyBody, &reply); err != nil {
		return blog.Result{}, fmt.Errorf("index post %s: %w", post.ID,
			&blog.PlatformUnavailable{Platform: platform, Status: resp.StatusCode, Reason: fmt.Sprintf("unreadable reply: %v", err)})
	}
	action := blog.ActionUpdated
	if reply.Result == "created" {
		action = blog.ActionCreated
	}
	log.InfoContext(ctx, "indexed in OpenSearch",
		"postId", post.ID, "document", docURL, "index", reply.Index, "result", reply.Result, "version", reply.Version)
	return blog.Result{Platform: platform, ID: reply.ID, URL: post.CanonicalURL, Action: action}, nil
}

// documentVersion is the external version a post is indexed at: the unix
// milliseconds of its last edit (Sanity's _updatedAt), which grow with every
// edit. A post without it is refused rather than indexed at its creation
// time: createdAt never changes, so every later edit would carry the same
// version, be refused as not newer, and the document would silently stop
// following the post. The webhook initiator refuses a document without
// _updatedAt, so such a post is a broken contract, not a transient state.
func documentVersion(post blog.Post) (int64, error) {
	if post.UpdatedAt.IsZero() {
		return 0, &blog.InvalidPost{Reason: fmt.Sprintf("post %s has no updatedAt to version its document by", post.ID)}
	}
	v := post.UpdatedAt.UnixMilli()
	if v < 0 { // OpenSearch takes non-negative versions only
		return 0, &blog.InvalidPost{Reason: fmt.Sprintf("post %s has updatedAt %s, before 1970", post.ID, post.UpdatedAt.UTC().Format(time.RFC3339))}
	}
	return v, nil
}

// isVersionConflict reports whether an error reply is OpenSearch refusing a
// write whose external version is not above the stored document's.
func isVersionConflict(body []byte) bool {
	var reply struct {
		Error struct {
			Type string `json:"type"`
		} `json:"error"`
	}
	return json.Unmarshal(body, &reply) == nil && reply.Error.Type == "version_conflict_engine_exception"
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
