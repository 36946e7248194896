package apis

import (
	"net/url"
	"strings"
)

// match is a route or resource path a request matched, with how
// specific the match was: both API kinds prefer literal segments to
// {param} ones and those to a greedy {proxy+}, segment by segment.
type match struct {
	params map[string]string
	score  []int // per segment: 2 literal, 1 {param}, 0 {proxy+}
}

// better reports whether m is more specific than o.
func (m match) better(o match) bool {
	for i := 0; i < len(m.score) && i < len(o.score); i++ {
		if m.score[i] != o.score[i] {
			return m.score[i] > o.score[i]
		}
	}
	return len(m.score) > len(o.score)
}

// matchPath matches a request path against a route or resource path
// with {param} and a last {proxy+} segment; a greedy segment takes one or
// more segments, never none.
func matchPath(pattern, path string) (match, bool) {
	m := match{}
	pat := splitPath(pattern)
	segs := splitPath(path)
	for i, p := range pat {
		if name, ok := strings.CutSuffix(strings.TrimPrefix(p, "{"), "+}"); ok && strings.HasPrefix(p, "{") {
			if i >= len(segs) {
				return m, false
			}
			m.set(name, unescape(strings.Join(segs[i:], "/")))
			m.score = append(m.score, 0)
			return m, true
		}
		if i >= len(segs) {
			return m, false
		}
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if segs[i] == "" {
				return m, false
			}
			m.set(p[1:len(p)-1], unescape(segs[i]))
			m.score = append(m.score, 1)
			continue
		}
		if unescape(segs[i]) != p {
			return m, false
		}
		m.score = append(m.score, 2)
	}
	return m, len(segs) == len(pat)
}

func (m *match) set(k, v string) {
	if m.params == nil {
		m.params = map[string]string{}
	}
	m.params[k] = v
}

// splitPath is a path's segments: "/" has none, a trailing slash is
// dropped as API Gateway drops it.
func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
