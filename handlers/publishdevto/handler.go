package main

import (
	"context"
	"net/http"
	"strconv"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// credentials is the JSON shape of the Dev.to secret.
type credentials struct {
	APIKey secrets.Value `json:"DEVTO_API_KEY"`
}

// Missing implements blog.Secret.
func (c *credentials) Missing() string {
	if c.APIKey == "" {
		return "DEVTO_API_KEY"
	}
	return ""
}

type handler struct {
	client        *http.Client
	apiURL        string
	published     bool
	pageSize      int
	maxPages      int
	creds         blog.Credentials
	misconfigured error
}

// handle publishes post on Dev.to, or updates the article an earlier attempt
// made of it, so that a retry after a timeout (whose first attempt may have
// created the article) or a redelivered webhook updates rather than
// duplicates. The middleware has already validated post.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	var c credentials
	if err := h.creds.Read(ctx, &c); err != nil {
		// No secret means the user does not publish to Dev.to: skipped, not failed.
		return blog.Skip(platform, err)
	}
	key := c.APIKey
	existing, err := h.findExisting(ctx, key, post)
	if err != nil {
		return blog.Result{}, h.forgetRejected(err)
	}
	in := newArticleInput(post, h.published)
	var saved article
	action := blog.ActionCreated
	if existing != nil {
		action = blog.ActionUpdated
		saved, err = h.update(ctx, key, existing.ID, in)
	} else {
		saved, err = h.create(ctx, key, in)
	}
	if err != nil {
		return blog.Result{}, h.forgetRejected(err)
	}
	middleware.Logger(ctx).InfoContext(ctx, "published on Dev.to",
		"postId", post.ID, "action", action, "articleId", saved.ID, "url", saved.URL)
	return blog.Result{Platform: platform, ID: strconv.FormatInt(saved.ID, 10), URL: saved.URL, Action: action}, nil
}

// forgetRejected drops the cached secret when Dev.to refuses the key, so a
// rotated key is read on the next attempt rather than after the cache's TTL.
func (h *handler) forgetRejected(err error) error {
	h.creds.ForgetIfRefused(err)
	return err
}
