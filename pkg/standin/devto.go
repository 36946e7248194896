package standin

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Devto stands in for the Forem (Dev.to) articles API at its base URL
// (without /api). POST /articles answers the recorded created article and
// PUT /articles/{id} the recorded updated one, each carrying the title,
// body, canonical URL and published flag sent; GET /articles/me/all lists
// the articles created so far, so a redelivered post is found and updated
// rather than published twice. A request without an api-key header gets
// Forem's 401. Its zero value is ready.
type Devto struct {
	recorder
	articles []map[string]any
}

func (d *Devto) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.serve(w, r, func(r *http.Request, body []byte) reply {
		if r.Header.Get("api-key") == "" {
			return jsonReply(http.StatusUnauthorized, fixture("devto/error-401.handmade.json"))
		}
		path := strings.TrimPrefix(r.URL.Path, "/api")
		switch {
		case r.Method == http.MethodGet && path == "/articles/me/all":
			page := d.articles
			if p := r.URL.Query().Get("page"); p != "" && p != "1" {
				page = nil // every article fits on the first page
			}
			return marshalled(http.StatusOK, append([]map[string]any{}, page...))
		case r.Method == http.MethodPost && path == "/articles":
			a, ok := d.write(fixture("devto/created.handmade.json"), body, int64(1520931+len(d.articles)))
			if !ok {
				return jsonReply(http.StatusUnprocessableEntity, []byte(`{"error":"article is missing or not JSON","status":422}`))
			}
			d.articles = append(d.articles, a)
			return marshalled(http.StatusCreated, a)
		case r.Method == http.MethodPut && strings.HasPrefix(path, "/articles/"):
			id, err := strconv.ParseInt(strings.TrimPrefix(path, "/articles/"), 10, 64)
			for i, a := range d.articles {
				if err == nil && a["id"] == float64(id) {
					updated, ok := d.write(fixture("devto/updated.handmade.json"), body, id)
					if !ok {
						return jsonReply(http.StatusUnprocessableEntity, []byte(`{"error":"article is missing or not JSON","status":422}`))
					}
					d.articles[i] = updated
					return marshalled(http.StatusOK, updated)
				}
			}
			return jsonReply(http.StatusNotFound, []byte(`{"error":"not found","status":404}`))
		}
		return notFound(r)
	})
}

// write lays the fields a client sent over a recorded article.
func (d *Devto) write(recordedArticle, body []byte, id int64) (map[string]any, bool) {
	var in struct {
		Article *struct {
			Title        string `json:"title"`
			BodyMarkdown string `json:"body_markdown"`
			Published    bool   `json:"published"`
			CanonicalURL string `json:"canonical_url"`
		} `json:"article"`
	}
	var a map[string]any
	if json.Unmarshal(body, &in) != nil || in.Article == nil || json.Unmarshal(recordedArticle, &a) != nil {
		return nil, false
	}
	a["id"] = float64(id)
	a["title"] = in.Article.Title
	a["body_markdown"] = in.Article.BodyMarkdown
	a["published"] = in.Article.Published
	a["canonical_url"] = in.Article.CanonicalURL
	return a, true
}

// marshalled is a JSON reply of v.
func marshalled(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		return jsonReply(http.StatusInternalServerError, []byte(`{"message":"stand-in could not encode its reply"}`))
	}
	return jsonReply(status, b)
}
