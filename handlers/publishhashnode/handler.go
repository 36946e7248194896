package main

import (
	"context"
	"fmt"
	"net/http"

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

// credentials is the JSON shape of the Hashnode secret.
type credentials struct {
	Token         secrets.Value `json:"HASHNODE_TOKEN"`
	PublicationID string        `json:"HASHNODE_PUBLICATION_ID"`
}

type handler struct {
	client        *http.Client
	apiURL        string
	secretID      string
	secrets       secretReader
	misconfigured error
}

// handle publishes post in the secret's Hashnode publication. The middleware
// has already validated post.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	creds, err := h.credentials(ctx)
	if err != nil {
		return blog.Result{}, err
	}
	published, err := h.publish(ctx, creds.Token, newPublishPostInput(post, creds.PublicationID))
	if err != nil {
		return blog.Result{}, fmt.Errorf("publish on Hashnode: %w", err)
	}
	middleware.Logger(ctx).InfoContext(ctx, "published on Hashnode",
		"postId", post.ID, "hashnodeId", published.ID, "url", published.URL)
	return blog.Result{Platform: platform, ID: published.ID, URL: published.URL}, nil
}

func (h *handler) credentials(ctx context.Context) (credentials, error) {
	var c credentials
	if err := h.secrets.JSON(ctx, h.secretID, &c); err != nil {
		return credentials{}, fmt.Errorf("read Hashnode credentials: %w", err)
	}
	var missing string
	switch {
	case c.Token == "":
		missing = "HASHNODE_TOKEN"
	case c.PublicationID == "":
		missing = "HASHNODE_PUBLICATION_ID"
	default:
		return c, nil
	}
	// Drop it so the corrected secret is read on the next attempt.
	h.secrets.Forget(h.secretID)
	return credentials{}, &secrets.Malformed{ID: h.secretID, Reason: missing + " is empty"}
}
