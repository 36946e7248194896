// Package blog holds the blog post the publishing workflow carries from the
// webhook initiator to every publisher, the result a publisher returns, and
// the typed errors publishers report so the state machine can retry the
// transient ones and catch the permanent ones.
package blog

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Post is the workflow's input: a CMS post transformed and enriched by the
// webhook initiator. Body is Markdown.
type Post struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	Slug         string     `json:"slug,omitempty"`
	Description  string     `json:"description,omitempty"`
	Body         string     `json:"body"`
	Categories   []Category `json:"categories"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
	MainImage    *Image     `json:"mainImage,omitempty"`
	CanonicalURL string     `json:"canonicalUrl,omitempty"`
}

// Category is a post category as the CMS names it.
type Category struct {
	Title string `json:"title"`
	Slug  string `json:"slug"`
}

// Image is a post's main image, resolved to a public URL.
type Image struct {
	URL string `json:"url"`
	Alt string `json:"alt,omitempty"`
}

// Result is what a publisher returns for a post: where it now is and what
// this invocation did to put it there.
type Result struct {
	Platform string `json:"platform"`
	ID       string `json:"id,omitempty"`
	URL      string `json:"url,omitempty"`
	// Action is one of the Action constants.
	Action string `json:"action,omitempty"`
	// Skipped is true when the platform is not configured, so nothing was
	// published there and that is not a failure.
	Skipped bool `json:"skipped,omitempty"`
	// Reason explains a result a reader might not expect: why a platform
	// was skipped, or left unchanged (Medium cannot update a post), or what
	// to put right by hand.
	Reason string `json:"reason,omitempty"`
}

// What a publisher did with a post, as Result.Action reports it.
const (
	ActionCreated   = "created"   // first published by this invocation
	ActionUpdated   = "updated"   // an existing copy was brought up to date
	ActionUnchanged = "unchanged" // already there and left as it was (a platform that cannot update, or a newer copy)
	ActionSkipped   = "skipped"   // the platform is not configured
)

// InvalidPost reports a post a publisher cannot publish.
type InvalidPost struct{ Reason string }

func (e *InvalidPost) Error() string { return "invalid post: " + e.Reason }

// Validate reports a post that lacks what every platform requires.
func (p *Post) Validate() error {
	switch {
	case strings.TrimSpace(p.ID) == "":
		return &InvalidPost{Reason: "id is empty"}
	case strings.TrimSpace(p.Title) == "":
		return &InvalidPost{Reason: fmt.Sprintf("post %s has no title", p.ID)}
	case strings.TrimSpace(p.Body) == "":
		return &InvalidPost{Reason: fmt.Sprintf("post %s has no body", p.ID)}
	}
	return nil
}

// Tags returns up to max tags made from the post's categories: lower-case
// letters and digits only, as Dev.to and Medium accept them, duplicates
// dropped, in category order.
func (p *Post) Tags(max int) []string {
	var tags []string
	seen := map[string]bool{}
	for _, c := range p.Categories {
		src := c.Slug
		if src == "" {
			src = c.Title
		}
		t := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, src)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		tags = append(tags, t)
		if len(tags) == max {
			break
		}
	}
	return tags
}
