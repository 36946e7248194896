package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// credentials is the JSON shape of the Hashnode secret.
type credentials struct {
	Token         secrets.Value `json:"HASHNODE_TOKEN"`
	PublicationID string        `json:"HASHNODE_PUBLICATION_ID"`
}

// Missing implements blog.Secret.
func (c *credentials) Missing() string {
	switch {
	case c.Token == "":
		return "HASHNODE_TOKEN"
	case c.PublicationID == "":
		return "HASHNODE_PUBLICATION_ID"
	}
	return ""
}

type handler struct {
	// lookups and mutations differ in their timeout; see config.go.
	lookups       *http.Client
	mutations     *http.Client
	apiURL        string
	creds         blog.Credentials
	misconfigured error
	// newCacheKey, when set, replaces the random per-invocation cache key,
	// so that tests see the same requests every run.
	newCacheKey func() string
}

// handle publishes post in the secret's Hashnode publication once: it
// creates the post when the publication has no copy of it, updates a copy
// written before the post's last edit and leaves a current one alone. The
// middleware has already validated post.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	var creds credentials
	if err := h.creds.Read(ctx, &creds); err != nil {
		return blog.Skip(platform, err)
	}
	existing, err := h.find(ctx, creds.Token, creds.PublicationID, post)
	if err != nil {
		return blog.Result{}, fmt.Errorf("look for the post on Hashnode: %w", err)
	}
	log := middleware.Logger(ctx)
	fields := newPostFields(post)
	switch {
	case existing == nil:
		created, err := h.publish(ctx, creds.Token, publishPostInput{PublicationID: creds.PublicationID, Slug: postSlug(post), postFields: fields})
		if err != nil {
			return blog.Result{}, fmt.Errorf("publish on Hashnode: %w", err)
		}
		log.InfoContext(ctx, "published on Hashnode", "postId", post.ID, "hashnodeId", created.ID, "url", created.URL)
		return blog.Result{Platform: platform, ID: created.ID, URL: created.URL, Action: blog.ActionCreated}, nil
	case existing.current(post):
		log.InfoContext(ctx, "already up to date on Hashnode", "postId", post.ID, "hashnodeId", existing.ID, "url", existing.URL,
			"hashnodeWrittenAt", existing.writtenAt(), "postUpdatedAt", post.UpdatedAt)
		return blog.Result{Platform: platform, ID: existing.ID, URL: existing.URL, Action: blog.ActionUnchanged}, nil
	default:
		updated, err := h.update(ctx, creds.Token, updatePostInput{ID: existing.ID, postFields: fields})
		if err != nil {
			return blog.Result{}, fmt.Errorf("update on Hashnode: %w", err)
		}
		log.InfoContext(ctx, "updated on Hashnode", "postId", post.ID, "hashnodeId", updated.ID, "url", updated.URL)
		return blog.Result{Platform: platform, ID: updated.ID, URL: updated.URL, Action: blog.ActionUpdated}, nil
	}
}
