package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// user is the part of GET /me's reply the publisher needs.
type user struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// mediumPost is the body of POST /users/{authorId}/posts.
type mediumPost struct {
	Title         string   `json:"title"`
	ContentFormat string   `json:"contentFormat"`
	Content       string   `json:"content"`
	Tags          []string `json:"tags,omitempty"`
	CanonicalURL  string   `json:"canonicalUrl,omitempty"`
	PublishStatus string   `json:"publishStatus"`
}

// createdPost is the part of the create reply the publisher needs.
type createdPost struct {
	ID            string `json:"id"`
	URL           string `json:"url"`
	PublishStatus string `json:"publishStatus"`
}

func newMediumPost(p blog.Post, status string) mediumPost {
	return mediumPost{
		Title:         p.Title,
		ContentFormat: "markdown",
		Content:       content(p),
		Tags:          p.Tags(5),
		CanonicalURL:  p.CanonicalURL,
		PublishStatus: status,
	}
}

// content is the post as Medium renders it. Medium shows only what is in the
// content (the title field is for listings and SEO), so the title heading
// and main image go first unless the body already starts with the title.
func content(p blog.Post) string {
	var b strings.Builder
	if !startsWithTitle(p.Body, p.Title) {
		b.WriteString("# ")
		b.WriteString(p.Title)
		b.WriteString("\n\n")
	}
	if p.MainImage != nil && p.MainImage.URL != "" {
		fmt.Fprintf(&b, "![%s](%s)\n\n", escapeAlt(p.MainImage.Alt), p.MainImage.URL)
	}
	b.WriteString(p.Body)
	return b.String()
}

func startsWithTitle(body, title string) bool {
	first, _, _ := strings.Cut(strings.TrimLeft(body, " \t\r\n"), "\n")
	return strings.TrimSpace(first) == "# "+strings.TrimSpace(title)
}

// escapeAlt keeps brackets in alt text from ending the image link early.
func escapeAlt(s string) string {
	return strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`).Replace(s)
}

func (h *handler) me(ctx context.Context, token secrets.Value) (user, error) {
	req, err := h.request(ctx, http.MethodGet, "/me", token, nil)
	if err != nil {
		return user{}, err
	}
	var reply struct {
		Data user `json:"data"`
	}
	// The timeout is the client's, not a context deadline: blog.Send keeps
	// blog.Reserve back from a context's deadline, which would shorten it.
	c := *h.client
	c.Timeout = meTimeout
	if err := blog.Send(&c, platform, req, &reply); err != nil {
		return user{}, fmt.Errorf("look up the Medium author: %w", err)
	}
	if reply.Data.ID == "" {
		return user{}, &blog.PlatformUnavailable{Platform: platform, Status: http.StatusOK, Reason: "GET /me answered without a user id"}
	}
	return reply.Data, nil
}

// outcome is what a POST to Medium did.
type outcome int

const (
	// notCreated: Medium certainly created nothing (the request never left,
	// or Medium refused it with a 4xx), so publishing again is safe.
	notCreated outcome = iota
	// unknown: the request may have reached Medium and no answer says what
	// became of it (a timeout, a reset, a 5xx, an unreadable 201).
	unknown
	// created: Medium answered 2xx with the post.
	created
)

// createPost posts p for authorID and says what Medium did with it. Medium
// has no way to look the post up afterwards, so the outcome is all there is
// to decide whether it may be posted again.
func (h *handler) createPost(ctx context.Context, token secrets.Value, authorID string, p mediumPost) (createdPost, outcome, error) {
	// h.client's Timeout (createTimeout) bounds the call; blog.Exchange cuts
	// it shorter when the invocation's deadline is nearer.
	req, err := h.request(ctx, http.MethodPost, "/users/"+url.PathEscape(authorID)+"/posts", token, p)
	if err != nil {
		return createdPost{}, notCreated, err
	}
	resp, body, err := blog.Exchange(h.client, platform, req)
	if err != nil {
		var pu *blog.PlatformUnavailable
		if errors.As(err, &pu) && pu.NotSent {
			return createdPost{}, notCreated, fmt.Errorf("create the Medium post: %w", err)
		}
		return createdPost{}, unknown, fmt.Errorf("create the Medium post: %w", err)
	}
	if err := blog.Classify(platform, resp, body); err != nil {
		if resp.StatusCode >= 500 {
			return createdPost{}, unknown, fmt.Errorf("create the Medium post: %w", err)
		}
		// 429 and the other 4xx: Medium refused the request as a whole.
		return createdPost{}, notCreated, fmt.Errorf("create the Medium post: %w", err)
	}
	var reply struct {
		Data createdPost `json:"data"`
	}
	if err := json.Unmarshal(body, &reply); err != nil || reply.Data.ID == "" {
		reason := "no post id in the reply"
		if err != nil {
			reason = "unreadable reply: " + err.Error()
		}
		return createdPost{}, unknown, &blog.PlatformUnavailable{Platform: platform, Status: resp.StatusCode,
			Reason: fmt.Sprintf("Medium answered HTTP %d, so the post was probably created, but with %s", resp.StatusCode, reason)}
	}
	return reply.Data, created, nil
}

// request builds a Medium API call; body, when not nil, is sent as JSON.
func (h *handler) request(ctx context.Context, method, path string, token secrets.Value, body any) (*http.Request, error) {
	req, err := blog.NewJSONRequest(ctx, method, h.apiURL+path, body)
	if err != nil {
		return nil, fmt.Errorf("Medium: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Charset", "utf-8")
	req.Header.Set("User-Agent", userAgent)
	return req, nil
}
