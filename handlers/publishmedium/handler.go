package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

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

// credentials is the JSON shape of the Medium secret.
type credentials struct {
	Token    secrets.Value `json:"MEDIUM_TOKEN"`
	AuthorID string        `json:"MEDIUM_AUTHOR_ID"`
}

type handler struct {
	client        *http.Client
	apiURL        string
	publishStatus string
	secretID      string
	secrets       secretReader
	misconfigured error

	mu       sync.Mutex
	authorID string // learnt from GET /me and kept for warm invocations
}

// handle publishes post on Medium. The middleware has already validated it.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	creds, err := h.credentials(ctx)
	if err != nil {
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

func (h *handler) credentials(ctx context.Context) (credentials, error) {
	var c credentials
	if err := h.secrets.JSON(ctx, h.secretID, &c); err != nil {
		return credentials{}, fmt.Errorf("read Medium credentials: %w", err)
	}
	if c.Token == "" {
		// Drop it so the corrected secret is read on the next attempt.
		h.secrets.Forget(h.secretID)
		return credentials{}, &secrets.Malformed{ID: h.secretID, Reason: "MEDIUM_TOKEN is empty"}
	}
	return c, nil
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
	var rej *blog.PlatformRejected
	if errors.As(err, &rej) && (rej.Status == http.StatusUnauthorized || rej.Status == http.StatusForbidden) {
		h.secrets.Forget(h.secretID)
		h.mu.Lock()
		h.authorID = ""
		h.mu.Unlock()
	}
	return err
}
