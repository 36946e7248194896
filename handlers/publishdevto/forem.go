package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// articleInput is the article of POST /articles and PUT /articles/{id}.
type articleInput struct {
	Title        string   `json:"title"`
	BodyMarkdown string   `json:"body_markdown"`
	Published    bool     `json:"published"`
	Tags         []string `json:"tags,omitempty"`
	CanonicalURL string   `json:"canonical_url,omitempty"`
	Description  string   `json:"description,omitempty"`
	MainImage    string   `json:"main_image,omitempty"`
}

// article is the part of Forem's article replies the publisher needs.
type article struct {
	ID           int64  `json:"id"`
	URL          string `json:"url"`
	CanonicalURL string `json:"canonical_url"`
	Title        string `json:"title"`
	BodyMarkdown string `json:"body_markdown"`
}

func newArticleInput(p blog.Post, published bool) articleInput {
	in := articleInput{
		Title:        p.Title,
		BodyMarkdown: p.Body,
		Published:    published,
		Tags:         p.Tags(4),
		CanonicalURL: p.CanonicalURL,
		Description:  p.Description,
	}
	if p.MainImage != nil {
		in.MainImage = p.MainImage.URL
	}
	return in
}

// findExisting returns the account's article (draft or published) that an
// earlier attempt made of post, or nil: the one with the post's canonical
// URL or, for a post without one, the one with its title and body (Forem
// gives a draft saved without a canonical URL its own URL as one, so that
// cannot match). GET /articles/me/all lists drafts and published articles
// alike, drafts first; the lookup stops after maxPages pages.
func (h *handler) findExisting(ctx context.Context, key secrets.Value, post blog.Post) (*article, error) {
	same := func(a *article) bool { return a.CanonicalURL == post.CanonicalURL }
	if post.CanonicalURL == "" {
		same = func(a *article) bool { return a.Title == post.Title && a.BodyMarkdown == post.Body }
	}
	for page := 1; page <= h.maxPages; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(h.pageSize)}}
		req, err := h.request(ctx, http.MethodGet, "/articles/me/all?"+q.Encode(), key, nil)
		if err != nil {
			return nil, err
		}
		var articles []article
		if err := blog.Send(h.client, platform, req, &articles); err != nil {
			return nil, fmt.Errorf("look for an earlier Dev.to article: %w", err)
		}
		for i := range articles {
			if same(&articles[i]) {
				return &articles[i], nil
			}
		}
		if len(articles) < h.pageSize {
			return nil, nil
		}
	}
	middleware.Logger(ctx).WarnContext(ctx, "stopped looking for an earlier Dev.to article; creating, and Forem refuses a duplicate",
		"postId", post.ID, "pages", h.maxPages, "articlesChecked", h.maxPages*h.pageSize)
	return nil, nil
}

func (h *handler) create(ctx context.Context, key secrets.Value, in articleInput) (article, error) {
	return h.save(ctx, "create the Dev.to article", http.MethodPost, "/articles", key, in)
}

func (h *handler) update(ctx context.Context, key secrets.Value, id int64, in articleInput) (article, error) {
	return h.save(ctx, fmt.Sprintf("update Dev.to article %d", id), http.MethodPut, "/articles/"+strconv.FormatInt(id, 10), key, in)
}

func (h *handler) save(ctx context.Context, what, method, path string, key secrets.Value, in articleInput) (article, error) {
	req, err := h.request(ctx, method, path, key, struct {
		Article articleInput `json:"article"`
	}{in})
	if err != nil {
		return article{}, err
	}
	var saved article
	if err := blog.Send(h.client, platform, req, &saved); err != nil {
		return article{}, fmt.Errorf("%s: %w", what, err)
	}
	if saved.ID == 0 {
		return article{}, &blog.PlatformUnavailable{Platform: platform, Status: http.StatusOK, Reason: "article saved without an id in the reply"}
	}
	return saved, nil
}

// request builds a Forem API call; body, when not nil, is sent as JSON.
func (h *handler) request(ctx context.Context, method, path string, key secrets.Value, body any) (*http.Request, error) {
	req, err := blog.NewJSONRequest(ctx, method, h.apiURL+path, body)
	if err != nil {
		return nil, fmt.Errorf("Dev.to: %w", err)
	}
	req.Header.Set("api-key", key.Reveal())
	req.Header.Set("Accept", "application/vnd.forem.api-v1+json")
	req.Header.Set("User-Agent", userAgent)
	return req, nil
}
