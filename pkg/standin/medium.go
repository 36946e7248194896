package standin

import (
	"net/http"
	"regexp"
	"strings"
)

// Medium stands in for Medium's REST API (base URL without /v1): GET /me
// answers the recorded user and POST /users/{id}/posts the recorded created
// post. A request without a bearer token gets Medium's 401. Medium cannot
// look posts up, so there is no state: not publishing twice is the
// publisher's ledger's job. Its zero value is ready.
type Medium struct{ recorder }

var mediumPostsPath = regexp.MustCompile(`^(/v1)?/users/[^/]+/posts$`)

func (m *Medium) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.serve(w, r, func(r *http.Request, _ []byte) reply {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			return jsonReply(http.StatusUnauthorized, fixture("medium/error-401.handmade.json"))
		}
		switch {
		case r.Method == http.MethodGet && (r.URL.Path == "/me" || r.URL.Path == "/v1/me"):
			return jsonReply(http.StatusOK, fixture("medium/me.json"))
		case r.Method == http.MethodPost && mediumPostsPath.MatchString(r.URL.Path):
			return jsonReply(http.StatusCreated, fixture("medium/created.json"))
		}
		return notFound(r)
	})
}
