package main

import (
	"context"
	"net/http"
	"sync"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// credentials is the JSON shape of the Medium secret.
type credentials struct {
	Token    secrets.Value `json:"MEDIUM_TOKEN"`
	AuthorID string        `json:"MEDIUM_AUTHOR_ID"`
}

// Missing implements blog.Secret.
func (c *credentials) Missing() string {
	if c.Token == "" {
		return "MEDIUM_TOKEN"
	}
	return ""
}

type handler struct {
	client        *http.Client
	apiURL        string
	publishStatus string
	creds         blog.Credentials
	misconfigured error

	mu       sync.Mutex
	authorID string // learnt from GET /me and kept for warm invocations
}

// handle publishes post on Medium. The middleware has already validated it.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	var creds credentials
	if err := h.creds.Read(ctx, &creds); err != nil {
		return blog.Result{}, err
	}
	author, err := h.author(ctx, creds)
	if err != nil {
		return blog.Result{}, h.forgetRejected(err)
	}
	created, err := h.createPost(ctx, creds.Token, author, newMediumPost(post, h.publishStatus))
	if err != nil {
		return blog.Result{}, h.forgetRejected(err)
	}
	middleware.Logger(ctx).InfoContext(ctx, "published on Medium",
		"postId", post.ID, "mediumId", created.ID, "url", created.URL, "publishStatus", created.PublishStatus)
	return blog.Result{Platform: platform, ID: created.ID, URL: created.URL}, nil
}

// author returns the id Medium publishes under: the secret's, else the one
// the token belongs to, looked up once per warm process.
func (h *handler) author(ctx context.Context, c credentials) (string, error) {
	if c.AuthorID != "" {
		return c.AuthorID, nil
	}
	h.mu.Lock()
	id := h.authorID
	h.mu.Unlock()
	if id != "" {
		return id, nil
	}
	me, err := h.me(ctx, c.Token)
	if err != nil {
		return "", err
	}
	h.mu.Lock()
	h.authorID = me.ID
	h.mu.Unlock()
	return me.ID, nil
}

// forgetRejected drops the cached secret and author when Medium refuses the
// token, so a rotated token is read on the next attempt rather than after
// the cache's TTL.
func (h *handler) forgetRejected(err error) error {
	if h.creds.ForgetIfRefused(err) {
		h.mu.Lock()
		h.authorID = ""
		h.mu.Unlock()
	}
	return err
}
