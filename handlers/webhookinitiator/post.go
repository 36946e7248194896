package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/portabletext"
)

// document is a Sanity post as the webhook's projection sends it. Body is
// kept raw: it is Portable Text, or already text when the projection
// converted it.
type document struct {
	ID          string          `json:"_id"`
	Type        string          `json:"_type"`
	Title       string          `json:"title"`
	Slug        *slug           `json:"slug"`
	Description string          `json:"description"`
	Body        json.RawMessage `json:"body"`
	MainImage   *image          `json:"mainImage"`
	CreatedAt   string          `json:"_createdAt"`
	UpdatedAt   string          `json:"_updatedAt"`
}

type slug struct {
	Current string `json:"current"`
}

type image struct {
	Asset *struct {
		Ref string `json:"_ref"`
		URL string `json:"url"`
	} `json:"asset"`
	Alt string `json:"alt"`
}

// badPost reports a delivery that is not a post the workflow can take;
// retrying it cannot help.
type badPost struct{ reason string }

func (e *badPost) Error() string { return "bad post: " + e.reason }

// parseDocument decodes a delivery body and checks the fields every later
// step relies on. The id is checked first, so that a draft is recognised
// (and ignored) whatever else it lacks.
func parseDocument(body []byte) (document, error) {
	var d document
	if err := json.Unmarshal(body, &d); err != nil {
		return document{}, &badPost{"body is not a JSON Sanity document: " + jsonProblem(err)}
	}
	if strings.TrimSpace(d.ID) == "" {
		return document{}, &badPost{"_id is missing"}
	}
	return d, nil
}

// jsonProblem describes a decoding error without quoting the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %s is a JSON %s", typ.Field, typ.Value)
		}
		return "not a JSON object"
	}
	return "unreadable JSON"
}

// ignored returns why a document is not for the workflow, or "" when it is.
// Drafts and release versions are unpublished edits: publishing them would
// cross-post text the author has not released. The webhook's filter should
// keep them out, so one arriving here is acknowledged, not failed, and Sanity
// does not retry it.
func (d document) ignored() string {
	switch {
	case strings.HasPrefix(d.ID, "drafts."):
		return "drafts are not published"
	case strings.HasPrefix(d.ID, "versions."):
		return "release versions are not published"
	case d.Type != "" && d.Type != "post":
		return fmt.Sprintf("documents of type %q are not posts", d.Type)
	}
	return ""
}

// transform turns the document into the workflow's input, with a Markdown
// body and image URLs on the project's CDN. Categories are added later.
func (d document) transform(s sanitySettings, siteURL string) (blog.Post, error) {
	if strings.TrimSpace(d.Title) == "" {
		return blog.Post{}, &badPost{"title is missing"}
	}
	if d.UpdatedAt == "" {
		return blog.Post{}, &badPost{"_updatedAt is missing"}
	}
	updated, err := time.Parse(time.RFC3339Nano, d.UpdatedAt)
	if err != nil {
		return blog.Post{}, &badPost{"_updatedAt is not an RFC 3339 time"}
	}
	// Sanity always sets _createdAt, but a projection may leave it out; the
	// last update is the best date left.
	created := updated
	if d.CreatedAt != "" {
		if created, err = time.Parse(time.RFC3339Nano, d.CreatedAt); err != nil {
			return blog.Post{}, &badPost{"_createdAt is not an RFC 3339 time"}
		}
	}
	body, err := markdown(d.Body, s)
	if err != nil {
		return blog.Post{}, err
	}
	p := blog.Post{
		ID:          d.ID,
		Title:       strings.TrimSpace(d.Title),
		Description: strings.TrimSpace(d.Description),
		Body:        body,
		Categories:  []blog.Category{},
		CreatedAt:   created.UTC(),
		UpdatedAt:   updated.UTC(),
		MainImage:   d.MainImage.resolve(s),
	}
	if d.Slug != nil {
		p.Slug = strings.TrimSpace(d.Slug.Current)
	}
	if siteURL != "" && p.Slug != "" {
		p.CanonicalURL = siteURL + "/" + url.PathEscape(p.Slug)
	}
	if err := p.Validate(); err != nil {
		// Every publisher would refuse it; saying so now reaches the author.
		return blog.Post{}, &badPost{err.Error()}
	}
	return p, nil
}

// markdown renders the body: Portable Text is converted, a string is taken
// as Markdown already, and no body gives an empty one.
func markdown(raw json.RawMessage, s sanitySettings) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return "", nil
	case raw[0] == '"':
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return "", &badPost{"body is not a JSON string"}
		}
		return text, nil
	}
	md, err := portabletext.Markdown(raw, portabletext.Options{ProjectID: s.ProjectID, Dataset: s.Dataset})
	if err != nil {
		return "", &badPost{"body is neither Portable Text nor a string"}
	}
	return md, nil
}

// resolve returns the main image with its CDN URL, or nil when there is
// none or its asset reference cannot be resolved: a post without its cover
// image is still worth publishing.
func (img *image) resolve(s sanitySettings) *blog.Image {
	if img == nil || img.Asset == nil {
		return nil
	}
	u := img.Asset.URL
	if u == "" {
		var err error
		if u, err = portabletext.ImageURL(s.ProjectID, s.Dataset, img.Asset.Ref); err != nil {
			return nil
		}
	}
	return &blog.Image{URL: u, Alt: strings.TrimSpace(img.Alt)}
}
