package standin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// OpenSearch stands in for an OpenSearch domain's index document API:
// PUT /{index}/_doc/{id} keeps the document's version and answers the
// recorded created (201) or updated (200) reply for that index, id and
// version. With version_type=external, a version not above the stored one
// is refused with the recorded 409 version conflict, as OpenSearch does.
// Signature Version 4 is not checked: any signed or unsigned request is
// accepted. Its zero value is ready.
type OpenSearch struct {
	recorder
	versions map[string]int64 // by index and id
}

var docPath = regexp.MustCompile(`^/([^/_][^/]*)/_doc/([^/]+)$`)

func (o *OpenSearch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.serve(w, r, func(r *http.Request, body []byte) reply {
		m := docPath.FindStringSubmatch(r.URL.EscapedPath())
		if m == nil || (r.Method != http.MethodPut && r.Method != http.MethodPost) {
			return notFound(r)
		}
		if !json.Valid(body) {
			return jsonReply(http.StatusBadRequest, []byte(`{"error":{"root_cause":[{"type":"parse_exception","reason":"request body is required"}],"type":"parse_exception","reason":"request body is required"},"status":400}`))
		}
		index := m[1]
		id, _ := url.PathUnescape(m[2])
		if o.versions == nil {
			o.versions = map[string]int64{}
		}
		key := index + "/" + id
		stored, exists := o.versions[key]
		version := stored + 1
		q := r.URL.Query()
		if q.Get("version_type") == "external" {
			v, err := strconv.ParseInt(q.Get("version"), 10, 64)
			if err != nil || v < 0 {
				return jsonReply(http.StatusBadRequest, []byte(`{"error":{"type":"action_request_validation_exception","reason":"Validation Failed: 1: illegal version value for version type [EXTERNAL];"},"status":400}`))
			}
			if exists && v <= stored {
				return jsonReply(http.StatusConflict, conflict(index, id, stored, v))
			}
			version = v
		}
		o.versions[key] = version
		status, name := http.StatusCreated, "opensearch/created.handmade.json"
		if exists {
			status, name = http.StatusOK, "opensearch/updated.handmade.json"
		}
		var rep map[string]any
		_ = json.Unmarshal(fixture(name), &rep)
		rep["_index"], rep["_id"], rep["_version"] = index, id, version
		return marshalled(status, rep)
	})
}

// conflict is the recorded version conflict for this document and versions.
func conflict(index, id string, current, provided int64) []byte {
	s := string(fixture("opensearch/version-conflict-same.handmade.json"))
	s = strings.ReplaceAll(s, "current version [1687512602000] is higher or equal to the one provided [1687512602000]",
		"current version ["+strconv.FormatInt(current, 10)+"] is higher or equal to the one provided ["+strconv.FormatInt(provided, 10)+"]")
	s = strings.ReplaceAll(s, "7f3c2a9e-51b4-4d0e-9a61-2c8e4b7d1f05", inJSON(id))
	return []byte(strings.ReplaceAll(s, `"index":"posts"`, `"index":"`+inJSON(index)+`"`))
}

// inJSON is s escaped for use inside a JSON string.
func inJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
