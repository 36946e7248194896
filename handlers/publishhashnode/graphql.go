package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

const publishPostMutation = `mutation PublishPost($input: PublishPostInput!) {
  publishPost(input: $input) {
    post { id slug url }
  }
}`

// maxTags is the most tags Hashnode accepts on a post.
const maxTags = 5

type publishPostInput struct {
	Title              string             `json:"title"`
	Subtitle           string             `json:"subtitle,omitempty"`
	PublicationID      string             `json:"publicationId"`
	ContentMarkdown    string             `json:"contentMarkdown"`
	Tags               []tag              `json:"tags"`
	CoverImageOptions  *coverImageOptions `json:"coverImageOptions,omitempty"`
	OriginalArticleURL string             `json:"originalArticleURL,omitempty"`
}

type tag struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type coverImageOptions struct {
	CoverImageURL string `json:"coverImageURL"`
}

// publishedPost is the post the mutation selects.
type publishedPost struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	URL  string `json:"url"`
}

// graphQLError is one entry of a GraphQL reply's errors.
type graphQLError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

func newPublishPostInput(p blog.Post, publicationID string) publishPostInput {
	in := publishPostInput{
		Title:              p.Title,
		Subtitle:           p.Description,
		PublicationID:      publicationID,
		ContentMarkdown:    p.Body,
		Tags:               tags(p.Categories),
		OriginalArticleURL: p.CanonicalURL,
	}
	if p.MainImage != nil && p.MainImage.URL != "" {
		in.CoverImageOptions = &coverImageOptions{CoverImageURL: p.MainImage.URL}
	}
	return in
}

// tags turns categories into Hashnode tags. Unlike Dev.to and Medium,
// Hashnode slugs keep their hyphens ("step-functions") and tags carry a
// display name, so blog.Post.Tags does not fit.
func tags(cats []blog.Category) []tag {
	out := []tag{} // the field is a list; send [] rather than null
	seen := map[string]bool{}
	for _, c := range cats {
		slug := slugify(c.Slug)
		if slug == "" {
			slug = slugify(c.Title)
		}
		if slug == "" || seen[slug] {
			continue
		}
		seen[slug] = true
		name := strings.TrimSpace(c.Title)
		if name == "" {
			name = slug
		}
		out = append(out, tag{Slug: slug, Name: name})
		if len(out) == maxTags {
			break
		}
	}
	return out
}

// slugify lower-cases s and keeps letters and digits, joining words with
// single hyphens.
func slugify(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(words, "-")
}

// publish runs the publishPost mutation. GraphQL reports most failures with
// HTTP 200 and an errors list, so the reply is classified by the error codes
// when the status says nothing.
func (h *handler) publish(ctx context.Context, token secrets.Value, in publishPostInput) (publishedPost, error) {
	req, err := h.request(ctx, token, publishPostMutation, map[string]any{"input": in})
	if err != nil {
		return publishedPost{}, err
	}
	resp, body, err := blog.Exchange(h.client, platform, req)
	if err != nil {
		return publishedPost{}, err
	}
	var reply struct {
		Data struct {
			PublishPost struct {
				Post publishedPost `json:"post"`
			} `json:"publishPost"`
		} `json:"data"`
		Errors []graphQLError `json:"errors"`
	}
	decodeErr := json.Unmarshal(body, &reply)
	post := reply.Data.PublishPost.Post
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok && post.ID != "" {
		// The post exists: failing now would make the retry publish it twice.
		if len(reply.Errors) > 0 {
			middleware.Logger(ctx).WarnContext(ctx, "Hashnode published the post with errors",
				slog.String("errors", reasons(reply.Errors)))
		}
		return post, nil
	}
	if refusesCredentials(resp.StatusCode, reply.Errors) {
		// A rotated token is then read on the next attempt rather than after
		// the cache's TTL.
		h.creds.Forget()
	}
	if !ok || len(reply.Errors) > 0 {
		return publishedPost{}, classify(resp, body, reply.Errors)
	}
	if decodeErr != nil {
		return publishedPost{}, &blog.PlatformUnavailable{Platform: platform, Status: resp.StatusCode, Reason: fmt.Sprintf("unreadable reply: %v", decodeErr)}
	}
	return publishedPost{}, &blog.PlatformUnavailable{Platform: platform, Status: resp.StatusCode, Reason: "reply carries no post"}
}

// classify turns a failed GraphQL reply into the workflow's error types. A
// failing HTTP status decides on its own; with 200 the first error code does.
// Codes this publisher does not know are taken as the request's fault, so an
// unexpected reply is caught rather than retried.
func classify(resp *http.Response, body []byte, errs []graphQLError) error {
	if resp.StatusCode < 200 || resp.StatusCode >= 300 || len(errs) == 0 {
		return blog.Classify(platform, resp, body)
	}
	reason := reasons(errs)
	switch errs[0].Extensions.Code {
	case "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "BAD_GATEWAY", "GATEWAY_TIMEOUT":
		return &blog.PlatformUnavailable{Platform: platform, Status: resp.StatusCode, Reason: reason}
	case "TOO_MANY_REQUESTS", "RATE_LIMITED", "THROTTLED":
		return &blog.RateLimited{Platform: platform, RetryAfter: blog.RetryAfter(resp.Header.Get("Retry-After"))}
	default:
		return &blog.PlatformRejected{Platform: platform, Status: resp.StatusCode, Reason: reason}
	}
}

func refusesCredentials(status int, errs []graphQLError) bool {
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return true
	}
	for _, e := range errs {
		switch e.Extensions.Code {
		case "UNAUTHENTICATED", "FORBIDDEN":
			return true
		}
	}
	return false
}

// reasons joins the errors as "CODE: message" for error messages and logs.
func reasons(errs []graphQLError) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		if e.Extensions.Code != "" {
			parts = append(parts, e.Extensions.Code+": "+e.Message)
		} else {
			parts = append(parts, e.Message)
		}
	}
	return strings.Join(parts, "; ")
}

// request builds a GraphQL call to the Hashnode API.
func (h *handler) request(ctx context.Context, token secrets.Value, query string, variables any) (*http.Request, error) {
	req, err := blog.NewJSONRequest(ctx, http.MethodPost, h.apiURL, struct {
		Query     string `json:"query"`
		Variables any    `json:"variables"`
	}{query, variables})
	if err != nil {
		return nil, fmt.Errorf("Hashnode: %w", err)
	}
	req.Header.Set("Authorization", token.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	return req, nil
}
