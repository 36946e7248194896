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
	"github.com/stepforge/stepforge/pkg/portabletext"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// sanitySettings is the Secrets Manager secret the function reads: where the
// posts live, the webhook's signing secret and, for a private dataset, a
// read token.
type sanitySettings struct {
	ProjectID     string        `json:"SANITY_PROJECT_ID"`
	Dataset       string        `json:"SANITY_DATASET"`
	WebhookSecret secrets.Value `json:"SANITY_WEBHOOK_SECRET"`
	Token         secrets.Value `json:"SANITY_TOKEN"`
}

// check reports what makes the settings unusable, naming fields, never
// values.
func (s sanitySettings) check() error {
	var missing []string
	if s.ProjectID == "" {
		missing = append(missing, "SANITY_PROJECT_ID")
	}
	if s.Dataset == "" {
		missing = append(missing, "SANITY_DATASET")
	}
	if s.WebhookSecret == "" {
		missing = append(missing, "SANITY_WEBHOOK_SECRET")
	}
	if len(missing) > 0 {
		return fmt.Errorf("secret lacks %s", strings.Join(missing, ", "))
	}
	// Both end up in URLs; a stray character would change the host or path.
	if _, err := portabletext.ImageURL(s.ProjectID, s.Dataset, "image-x-1x1-png"); err != nil {
		return errors.New("SANITY_PROJECT_ID or SANITY_DATASET is not a valid Sanity name")
	}
	return nil
}

// categoriesQuery selects a post's categories. The id is a GROQ parameter,
// never spliced into the query text, so no id can change what is queried.
const categoriesQuery = `*[_type == 'post' && _id == $id]{ categories[] -> { title, slug } }`

// categoriesReply is the query API's answer to categoriesQuery. A category
// whose reference dangles comes back as null.
type categoriesReply struct {
	Result []struct {
		Categories []*struct {
			Title string `json:"title"`
			Slug  *slug  `json:"slug"`
		} `json:"categories"`
	} `json:"result"`
}

// sanityPlatform names Sanity in errors and logs.
const sanityPlatform = "Sanity"

// categories fetches the categories of post id from the Sanity query API. A
// post the API does not know (yet) has none.
func (h *handler) categories(ctx context.Context, s sanitySettings, id string) ([]blog.Category, error) {
	base := h.cfg.sanityAPIURL
	if base == "" {
		base = "https://" + s.ProjectID + ".api.sanity.io"
	}
	param, err := json.Marshal(id)
	if err != nil {
		return nil, fmt.Errorf("encode id parameter: %w", err)
	}
	q := url.Values{"query": {categoriesQuery}, "$id": {string(param)}}
	u := base + "/v" + h.cfg.sanityAPIVersion + "/data/query/" + url.PathEscape(s.Dataset) + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build query request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token.Reveal())
	}
	var reply categoriesReply
	if err := blog.Send(h.http, sanityPlatform, req, &reply); err != nil {
		if blog.IsCredentialRefused(err) {
			// The token may have been rotated: read the secret again next time.
			h.secrets.Forget(h.cfg.secretID)
		}
		return nil, err
	}
	cats := []blog.Category{}
	for _, r := range reply.Result {
		for _, c := range r.Categories {
			if c == nil {
				continue
			}
			cat := blog.Category{Title: strings.TrimSpace(c.Title)}
			if c.Slug != nil {
				cat.Slug = strings.TrimSpace(c.Slug.Current)
			}
			if cat.Title != "" || cat.Slug != "" {
				cats = append(cats, cat)
			}
		}
	}
	return cats, nil
}
