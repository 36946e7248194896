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
	client        *http.Client
	apiURL        string
	creds         blog.Credentials
	misconfigured error
}

// handle publishes post in the secret's Hashnode publication. The middleware
// has already validated post.
func (h *handler) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	if h.misconfigured != nil {
		return blog.Result{}, h.misconfigured
	}
	var creds credentials
	if err := h.creds.Read(ctx, &creds); err != nil {
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
