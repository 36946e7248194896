package portabletext

import (
	"strings"
)

// codeBlock is the block the @sanity/code-input plugin stores.
type codeBlock struct {
	Language string `json:"language"`
	Code     string `json:"code"`
}

// markdown renders the block as a fenced code block. The fence is longer
// than any backtick run in the code, so the code cannot close it early.
func (c codeBlock) markdown() string {
	code := strings.ReplaceAll(c.Code, "\r\n", "\n")
	fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
	// The info string of a backtick fence may not hold a backtick, and only
	// its first word names the language.
	lang := strings.Map(func(r rune) rune {
		if r == '`' || r < ' ' {
			return -1
		}
		return r
	}, c.Language)
	if f := strings.Fields(lang); len(f) > 0 {
		lang = f[0]
	} else {
		lang = ""
	}
	if !strings.HasSuffix(code, "\n") {
		code += "\n"
	}
	return fence + lang + "\n" + code + fence
}

// imageBlock is an image in the body: a reference to an uploaded asset, or
// the asset itself when the webhook projection dereferenced it.
type imageBlock struct {
	Asset *struct {
		Ref string `json:"_ref"`
		URL string `json:"url"`
	} `json:"asset"`
	Alt     string `json:"alt"`
	Caption string `json:"caption"`
}

func (img imageBlock) markdown(opts Options) (string, bool) {
	if img.Asset == nil {
		return "", false
	}
	url := img.Asset.URL
	if url == "" {
		var err error
		if url, err = ImageURL(opts.ProjectID, opts.Dataset, img.Asset.Ref); err != nil {
			return "", false
		}
	}
	dest, ok := destination(url)
	if !ok {
		return "", false
	}
	alt := img.Alt
	if alt == "" {
		alt = img.Caption
	}
	var b strings.Builder
	b.WriteString("![")
	escapeText(&b, strings.Join(strings.Fields(alt), " "))
	b.WriteString("](")
	b.WriteString(dest)
	b.WriteString(")")
	return b.String(), true
}
