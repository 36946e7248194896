package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// secretReader reads a JSON secret and drops a cached one; *secrets.Cache
// satisfies it.
type secretReader interface {
	JSON(ctx context.Context, id string, v any) error
	Forget(id string)
}

// credentials is the JSON shape of the Dev.to secret.
type credentials struct {
	APIKey secrets.Value `json:"DEVTO_API_KEY"`
}

type handler struct {
	client        *http.Client
	apiURL        string
	published     bool
	pageSize      int
	secretID      string
	secrets       secretReader
	misconfigured error
}

// handle publishes post on Dev.to, or updates the article an earlier attempt
// published. The middleware has already validated post.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	key, err := h.apiKey(ctx)
	if err != nil {
		return blog.Result{}, err
	}
	existing, err := h.findByCanonicalURL(ctx, key, post.CanonicalURL)
	if err != nil {
		return blog.Result{}, h.forgetRejected(err)
	}
	in := newArticleInput(post, h.published)
	var saved article
	action := "created"
	if existing != nil {
		action = "updated"
		saved, err = h.update(ctx, key, existing.ID, in)
	} else {
		saved, err = h.create(ctx, key, in)
	}
	if err != nil {
		return blog.Result{}, h.forgetRejected(err)
	}
	middleware.Logger(ctx).InfoContext(ctx, "published on Dev.to",
		"postId", post.ID, "action", action, "articleId", saved.ID, "url", saved.URL)
	return blog.Result{Platform: platform, ID: strconv.FormatInt(saved.ID, 10), URL: saved.URL}, nil
}

func (h *handler) apiKey(ctx context.Context) (secrets.Value, error) {
	var c credentials
	if err := h.secrets.JSON(ctx, h.secretID, &c); err != nil {
		return "", fmt.Errorf("read Dev.to credentials: %w", err)
	}
	if c.APIKey == "" {
		// Drop it so the corrected secret is read on the next attempt.
		h.secrets.Forget(h.secretID)
		return "", &secrets.Malformed{ID: h.secretID, Reason: "DEVTO_API_KEY is empty"}
	}
	return c.APIKey, nil
}

// forgetRejected drops the cached secret when Dev.to refuses the key, so a
// rotated key is read on the next attempt rather than after the cache's TTL.
func (h *handler) forgetRejected(err error) error {
	var rej *blog.PlatformRejected
	if errors.As(err, &rej) && (rej.Status == http.StatusUnauthorized || rej.Status == http.StatusForbidden) {
		h.secrets.Forget(h.secretID)
	}
	return err
}
