package standin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

// Hashnode stands in for Hashnode's GraphQL endpoint. It answers the four
// operations the publisher sends, told apart by the operation's name:
// FindPost and FindPosts look among the posts published so far (none: the
// recorded "no post by slug" and an empty page), PublishPost and UpdatePost
// answer the recorded replies for the slug and canonical URL sent and keep
// the post, dated now, so a redelivery finds it current and writes nothing.
// A request without an Authorization header gets Hashnode's UNAUTHENTICATED
// error. Its zero value is ready.
type Hashnode struct {
	recorder
	posts []hashnodePost
}

type hashnodePost struct {
	ID           string  `json:"id"`
	Slug         string  `json:"slug"`
	URL          string  `json:"url"`
	CanonicalURL string  `json:"canonicalUrl"`
	PublishedAt  string  `json:"publishedAt"`
	UpdatedAt    *string `json:"updatedAt"`
}

var graphqlOperation = regexp.MustCompile(`^\s*(?:query|mutation)\s+(\w+)`)

func (h *Hashnode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, func(r *http.Request, body []byte) reply {
		if r.Method != http.MethodPost {
			return notFound(r)
		}
		if r.Header.Get("Authorization") == "" {
			return jsonReply(http.StatusOK, fixture("hashnode/error-unauthenticated.handmade.json"))
		}
		var op struct {
			Query     string `json:"query"`
			Variables struct {
				PublicationID string `json:"publicationId"`
				Slug          string `json:"slug"`
				Input         struct {
					ID                 string `json:"id"`
					Slug               string `json:"slug"`
					OriginalArticleURL string `json:"originalArticleURL"`
				} `json:"input"`
			} `json:"variables"`
		}
		if json.Unmarshal(body, &op) != nil {
			return jsonReply(http.StatusBadRequest, []byte(`{"errors":[{"message":"POST body is not JSON","extensions":{"code":"BAD_REQUEST"}}]}`))
		}
		name := ""
		if m := graphqlOperation.FindStringSubmatch(op.Query); m != nil {
			name = m[1]
		}
		v := op.Variables
		switch name {
		case "FindPost":
			var found any
			for i := range h.posts {
				if h.posts[i].Slug == v.Slug {
					found = h.posts[i]
				}
			}
			return marshalled(http.StatusOK, map[string]any{"data": map[string]any{"publication": map[string]any{"id": v.PublicationID, "post": found}}})
		case "FindPosts":
			edges := []any{}
			for _, p := range h.posts {
				edges = append(edges, map[string]any{"node": p})
			}
			return marshalled(http.StatusOK, map[string]any{"data": map[string]any{"publication": map[string]any{"id": v.PublicationID,
				"posts": map[string]any{"edges": edges, "pageInfo": map[string]any{"hasNextPage": false, "endCursor": nil}}}}})
		case "PublishPost":
			p := hashnodePost{ID: fmt.Sprintf("6495648d1c0a2b7e9f3d%04x", len(h.posts)+1), Slug: v.Input.Slug,
				URL: "https://blog.cloudysky.link/" + v.Input.Slug, CanonicalURL: v.Input.OriginalArticleURL,
				PublishedAt: time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}
			h.posts = append(h.posts, p)
			return h.written(fixture("hashnode/published.handmade.json"), "publishPost", p)
		case "UpdatePost":
			for i := range h.posts {
				if h.posts[i].ID == v.Input.ID {
					now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
					h.posts[i].UpdatedAt = &now
					if v.Input.OriginalArticleURL != "" {
						h.posts[i].CanonicalURL = v.Input.OriginalArticleURL
					}
					return h.written(fixture("hashnode/updated.handmade.json"), "updatePost", h.posts[i])
				}
			}
			return jsonReply(http.StatusOK, []byte(`{"errors":[{"message":"Post not found","extensions":{"code":"NOT_FOUND"}}],"data":null}`))
		}
		return jsonReply(http.StatusBadRequest, []byte(`{"errors":[{"message":"stand-in does not know this operation","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`))
	})
}

// written is the recorded mutation reply with the post's id, slug and URL.
func (h *Hashnode) written(recordedReply []byte, field string, p hashnodePost) reply {
	var rep map[string]map[string]map[string]map[string]any
	if json.Unmarshal(recordedReply, &rep) != nil {
		return jsonReply(http.StatusInternalServerError, []byte(`{"message":"stand-in could not read its recorded reply"}`))
	}
	post := rep["data"][field]["post"]
	post["id"], post["slug"], post["url"] = p.ID, p.Slug, p.URL
	return marshalled(http.StatusOK, rep)
}
