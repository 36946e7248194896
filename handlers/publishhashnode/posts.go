package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// The operations use only what Hashnode's published schema declares
// (skills/gql-api/references/schema.graphql in github.com/Hashnode/gql-skill,
// the SDL of the production endpoint): PublishPostInput takes the cover as
// the plain string coverImage (coverImageOptions belongs to the draft inputs
// and to the retired gql.hashnode.com schema), UpdatePostInput is keyed by id
// and has no publicationId, and Post has id, slug, url, canonicalUrl,
// publishedAt and updatedAt.
//
// How the post is found again. Hashnode has no idempotency key and no field
// for a caller's own id, so the post is recognised by what this publisher
// sets on it: the slug it publishes under and the original-article URL.
//
//   - findPostQuery asks for the post by slug: publication.post(slug:) is an
//     exact lookup, whatever the post's age. A post under that slug whose
//     canonical URL is another one is not ours and is left alone.
//   - findPostsQuery then pages through publication.posts comparing
//     canonicalUrl, since the schema has no filter on it. It finds a post
//     whose slug was changed on Hashnode, or one published before this
//     publisher chose slugs. It reads at most maxPages pages of pageSize
//     posts, in the order Hashnode lists them (the schema does not say
//     which).
//
// Hashnode may serve a query from a cache for up to ~25 s and says a read
// right after a write may be stale (references/errors-and-limits.md). A
// retry after a timed-out publishPost comes sooner than that, and a cached
// "no such post" would make it publish again. Every lookup therefore carries
// an extra variable, cacheKey, fresh for each invocation: the operation does
// not declare it, so GraphQL ignores it, but a response cache (Apollo's,
// which Hashnode runs, included) keys on the variables as sent and so never
// answers it with a reply cached before this invocation.
const findPostQuery = `query FindPost($publicationId: ObjectId!, $slug: String!) {
  publication(id: $publicationId) {
    id
    post(slug: $slug) { id slug url canonicalUrl publishedAt updatedAt }
  }
}`

const findPostsQuery = `query FindPosts($publicationId: ObjectId!, $first: Int!, $after: String) {
  publication(id: $publicationId) {
    id
    posts(first: $first, after: $after) {
      edges { node { id slug url canonicalUrl publishedAt updatedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`

const publishPostMutation = `mutation PublishPost($input: PublishPostInput!) {
  publishPost(input: $input) {
    post { id slug url }
  }
}`

const updatePostMutation = `mutation UpdatePost($input: UpdatePostInput!) {
  updatePost(input: $input) {
    post { id slug url }
  }
}`

// maxTags is the most tags Hashnode accepts on a post
// (references/errors-and-limits.md).
const maxTags = 15

// postFields are what PublishPostInput and UpdatePostInput share. Empty
// optional fields are left out; on an update that leaves Hashnode's value
// as it is, since the schema documents no way to clear one.
type postFields struct {
	Title              string `json:"title"`
	Subtitle           string `json:"subtitle,omitempty"`
	ContentMarkdown    string `json:"contentMarkdown"`
	CoverImage         string `json:"coverImage,omitempty"`
	Tags               []tag  `json:"tags"`
	OriginalArticleURL string `json:"originalArticleURL,omitempty"`
}

type publishPostInput struct {
	PublicationID string `json:"publicationId"`
	// Slug is set so that the post can be asked for by slug; without it
	// Hashnode derives one from the title by rules it does not document.
	Slug string `json:"slug,omitempty"`
	postFields
}

// updatePostInput leaves the slug out: changing it would move a post that
// readers may already link to.
type updatePostInput struct {
	ID string `json:"id"`
	postFields
}

type tag struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// hashnodePost is a post as the lookups select it. The times stay strings so
// that a format this publisher does not expect only costs an update.
type hashnodePost struct {
	ID           string `json:"id"`
	Slug         string `json:"slug"`
	URL          string `json:"url"`
	CanonicalURL string `json:"canonicalUrl"`
	PublishedAt  string `json:"publishedAt"`
	UpdatedAt    string `json:"updatedAt"`
}

// writtenAt is when the Hashnode copy was last written: its updatedAt, or
// its publishedAt when it was never updated. It is zero when unknown.
func (p hashnodePost) writtenAt() time.Time {
	for _, s := range []string{p.UpdatedAt, p.PublishedAt} {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// current reports whether the copy was written no earlier than post's last
// edit, so that it already holds that edit or a later one: a redelivered
// webhook and a retry after a successful but unanswered write find it so,
// and a late retry of an older edit does not overwrite a newer one.
func (p hashnodePost) current(post blog.Post) bool {
	w := p.writtenAt()
	return !w.IsZero() && !post.UpdatedAt.IsZero() && !w.Before(post.UpdatedAt)
}

// publishedPost is the post the mutations select.
type publishedPost struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	URL  string `json:"url"`
}

func newPostFields(p blog.Post) postFields {
	f := postFields{
		Title:              p.Title,
		Subtitle:           p.Description,
		ContentMarkdown:    p.Body,
		Tags:               tags(p.Categories),
		OriginalArticleURL: p.CanonicalURL,
	}
	if p.MainImage != nil {
		f.CoverImage = p.MainImage.URL
	}
	return f
}

// postSlug is the slug the post is published under: the CMS's own, else one
// made from the title.
func postSlug(p blog.Post) string {
	if s := slugify(p.Slug); s != "" {
		return s
	}
	return slugify(p.Title)
}

// tags turns categories into Hashnode tags. Unlike Dev.to and Medium,
// Hashnode slugs keep their hyphens ("step-functions") and tags carry a
// display name, so blog.Post.Tags does not fit.
func tags(cats []blog.Category) []tag {
	out := []tag{} // send [] rather than null: an update then clears removed tags
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

// find returns the publication's copy of post, or nil when it has none.
// Any failure is an error: deciding "none" on a reply that did not say so
// is how duplicates are made.
func (h *handler) find(ctx context.Context, token secrets.Value, publicationID string, post blog.Post) (*hashnodePost, error) {
	cacheKey := h.cacheKey()
	if slug := postSlug(post); slug != "" {
		var data struct {
			Publication *struct {
				Post *hashnodePost `json:"post"`
			} `json:"publication"`
		}
		vars := map[string]any{"publicationId": publicationID, "slug": slug, "cacheKey": cacheKey}
		if err := h.lookup(ctx, token, operation{findPostQuery, vars}, &data); err != nil {
			return nil, err
		}
		if data.Publication == nil {
			return nil, publicationNotFound(publicationID)
		}
		if p := data.Publication.Post; p != nil && (post.CanonicalURL == "" || sameURL(p.CanonicalURL, post.CanonicalURL)) {
			return p, nil
		}
	}
	if post.CanonicalURL == "" {
		return nil, nil
	}
	var after *string
	for range maxPages {
		var data struct {
			Publication *struct {
				Posts struct {
					Edges []struct {
						Node hashnodePost `json:"node"`
					} `json:"edges"`
					PageInfo struct {
						HasNextPage bool   `json:"hasNextPage"`
						EndCursor   string `json:"endCursor"`
					} `json:"pageInfo"`
				} `json:"posts"`
			} `json:"publication"`
		}
		vars := map[string]any{"publicationId": publicationID, "first": pageSize, "after": after, "cacheKey": cacheKey}
		if err := h.lookup(ctx, token, operation{findPostsQuery, vars}, &data); err != nil {
			return nil, err
		}
		if data.Publication == nil {
			return nil, publicationNotFound(publicationID)
		}
		posts := data.Publication.Posts
		for _, e := range posts.Edges {
			if sameURL(e.Node.CanonicalURL, post.CanonicalURL) {
				return &e.Node, nil
			}
		}
		if !posts.PageInfo.HasNextPage || posts.PageInfo.EndCursor == "" {
			break
		}
		after = &posts.PageInfo.EndCursor
	}
	return nil, nil
}

// lookup runs a query; any GraphQL error fails it.
func (h *handler) lookup(ctx context.Context, token secrets.Value, op operation, data any) error {
	errs, err := h.call(ctx, h.lookups, token, op, data)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return classifyErrors(errs)
	}
	return nil
}

func publicationNotFound(id string) error {
	return &blog.PlatformRejected{Platform: platform, Status: http.StatusOK, Reason: "publication " + id + " does not exist; check HASHNODE_PUBLICATION_ID"}
}

// sameURL compares canonical URLs, ignoring a trailing slash.
func sameURL(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// publish creates the post.
func (h *handler) publish(ctx context.Context, token secrets.Value, in publishPostInput) (publishedPost, error) {
	var data struct {
		PublishPost struct {
			Post publishedPost `json:"post"`
		} `json:"publishPost"`
	}
	err := h.mutate(ctx, token, operation{publishPostMutation, map[string]any{"input": in}}, &data, &data.PublishPost.Post)
	return data.PublishPost.Post, err
}

// update rewrites the existing post.
func (h *handler) update(ctx context.Context, token secrets.Value, in updatePostInput) (publishedPost, error) {
	var data struct {
		UpdatePost struct {
			Post publishedPost `json:"post"`
		} `json:"updatePost"`
	}
	err := h.mutate(ctx, token, operation{updatePostMutation, map[string]any{"input": in}}, &data, &data.UpdatePost.Post)
	return data.UpdatePost.Post, err
}

// mutate runs a mutation whose reply decodes into data and puts the post
// it selects at post.
func (h *handler) mutate(ctx context.Context, token secrets.Value, op operation, data any, post *publishedPost) error {
	errs, err := h.call(ctx, h.mutations, token, op, data)
	if err != nil {
		return err
	}
	if post.ID != "" {
		// The write happened: failing now would make the retry repeat it.
		if len(errs) > 0 {
			middleware.Logger(ctx).WarnContext(ctx, "Hashnode wrote the post but reported errors",
				slog.String("errors", reasons(errs)))
		}
		return nil
	}
	if len(errs) > 0 {
		return classifyErrors(errs)
	}
	return &blog.PlatformUnavailable{Platform: platform, Status: http.StatusOK, Reason: "reply carries no post"}
}

// cacheKey returns the value that keeps this invocation's lookups out of
// any response cache.
func (h *handler) cacheKey() string {
	if h.newCacheKey != nil {
		return h.newCacheKey()
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
