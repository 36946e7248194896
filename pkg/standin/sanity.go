package standin

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Sanity stands in for the Sanity query API: every GROQ query on a dataset
// is answered with the recorded categories reply, which is the one query the
// webhook initiator sends. Its zero value is ready.
type Sanity struct{ recorder }

var sanityQueryPath = regexp.MustCompile(`^/v[^/]+/data/query/[^/]+$`)

func (s *Sanity) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, func(r *http.Request, _ []byte) reply {
		if r.Method != http.MethodGet || !sanityQueryPath.MatchString(r.URL.Path) || r.URL.Query().Get("query") == "" {
			return notFound(r)
		}
		return jsonReply(http.StatusOK, fixture("sanity/categories.handmade.json"))
	})
}

// SignSanityWebhook returns the sanity-webhook-signature header value Sanity
// sends with body at time at: "t=<unix ms>,v1=<unpadded base64url
// HMAC-SHA256 of "<t>.<body>">", as @sanity/webhook signs it.
func SignSanityWebhook(secret string, body []byte, at time.Time) string {
	t := strconv.FormatInt(at.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t + "."))
	mac.Write(body)
	return "t=" + t + ",v1=" + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// SamplePost returns a published Sanity post document as the blog's webhook
// delivers it: the body of the recorded delivery.
func SamplePost() []byte {
	var event struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(fixture("sanity/publish-post.handmade.json"), &event); err != nil {
		panic(err)
	}
	return []byte(event.Body)
}
