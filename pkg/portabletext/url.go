package portabletext

import (
	"errors"
	"fmt"
	"strings"
)

// ErrImageRef reports an image asset reference that is not of the form
// image-<id>-<width>x<height>-<format>, or a project or dataset that cannot
// be part of a CDN URL.
var ErrImageRef = errors.New("portabletext: not a Sanity image reference")

// ImageURL returns the Sanity CDN URL of the image asset ref, such as
// "image-Tb9Ew8CXIwaY6R1kjMvI0uRR-2000x3000-jpg", in the project's dataset.
func ImageURL(projectID, dataset, ref string) (string, error) {
	bad := func(why string) (string, error) { return "", fmt.Errorf("%w: %q: %s", ErrImageRef, ref, why) }
	if !isName(projectID, false) || !isName(dataset, true) {
		return bad("project or dataset is not a valid Sanity name")
	}
	rest, ok := strings.CutPrefix(ref, "image-")
	if !ok {
		return bad("no image- prefix")
	}
	// The id comes first and the format last; cutting from the right keeps
	// an id with dashes in it whole.
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return bad("no format")
	}
	rest, format := rest[:i], rest[i+1:]
	i = strings.LastIndexByte(rest, '-')
	if i < 0 {
		return bad("no dimensions")
	}
	id, dims := rest[:i], rest[i+1:]
	w, h, ok := strings.Cut(dims, "x")
	if !ok || !isDigits(w) || !isDigits(h) {
		return bad("dimensions are not <width>x<height>")
	}
	if !isAlnum(id, true) || !isAlnum(format, false) {
		return bad("id or format has unexpected characters")
	}
	return "https://cdn.sanity.io/images/" + projectID + "/" + dataset + "/" + id + "-" + dims + "." + format, nil
}

// isName reports whether s can be a Sanity project id (lower-case letters,
// digits, dashes) or dataset name (also underscores), at most 64 long.
func isName(s string, dataset bool) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
		case c == '_' && dataset:
		default:
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(s string, dash bool) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || dash && c == '-') {
			return false
		}
	}
	return true
}

// safeSchemes are the URL schemes a link may use; anything else, such as
// javascript:, is rendered as plain text.
var safeSchemes = []string{"http", "https", "mailto", "tel"}

// destination returns href as a Markdown link destination, or false when it
// is empty or uses a scheme that is not safe to publish.
func destination(href string) (string, bool) {
	// URL parsers drop tabs and newlines anywhere, so "java\nscript:" must be
	// judged as "javascript:".
	href = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.TrimSpace(href))
	if href == "" {
		return "", false
	}
	if i := strings.IndexAny(href, ":/?#"); i >= 0 && href[i] == ':' {
		scheme := strings.ToLower(href[:i])
		ok := false
		for _, s := range safeSchemes {
			ok = ok || scheme == s
		}
		if !ok {
			return "", false
		}
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(href); i++ {
		switch c := href[i]; {
		case c == '(' || c == ')':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '\\':
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}
