// Package portabletext renders Sanity Portable Text as Markdown, the body
// format every blog publisher accepts.
//
// Text blocks (paragraphs, headings h1-h6, block quotes, bullet and numbered
// lists nested by level), the decorators strong, em, code, underline and
// strike-through, link annotations, code blocks and image blocks are
// rendered. Anything else is left out rather than failing the document, so a
// new block type in the CMS schema never stops a post from being published.
package portabletext

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Options say where a document's images live.
type Options struct {
	// ProjectID and Dataset locate image assets on the Sanity CDN. Without
	// them, image blocks that carry only an asset reference are left out.
	ProjectID string
	Dataset   string
}

// ErrNotDocument reports a value that is not a JSON array, so not a Portable
// Text document.
var ErrNotDocument = errors.New("portabletext: not a JSON array of blocks")

// Markdown renders the Portable Text document doc, a JSON array of blocks, as
// CommonMark ending in a newline; an empty document gives "". Blocks, marks
// and inline objects it does not know, or that are malformed, are left out.
func Markdown(doc []byte, opts Options) (string, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(doc, &raws); err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotDocument, err)
	}
	r := renderer{opts: opts}
	for _, raw := range raws {
		r.block(raw)
	}
	return r.String(), nil
}

// chunk is one rendered block. List items are joined with a single newline so
// that consecutive items form one tight list; everything else is separated by
// a blank line.
type chunk struct {
	text     string
	listItem bool
}

type renderer struct {
	opts   Options
	chunks []chunk
	list   listState
}

func (r *renderer) String() string {
	var b strings.Builder
	for i, c := range r.chunks {
		if i > 0 {
			if c.listItem && r.chunks[i-1].listItem {
				b.WriteByte('\n')
			} else {
				b.WriteString("\n\n")
			}
		}
		b.WriteString(c.text)
	}
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}

func (r *renderer) emit(text string, listItem bool) {
	if !listItem {
		r.list = listState{}
	}
	r.chunks = append(r.chunks, chunk{text: text, listItem: listItem})
}

func (r *renderer) block(raw json.RawMessage) {
	var head struct {
		Type string `json:"_type"`
	}
	if json.Unmarshal(raw, &head) != nil {
		return
	}
	switch head.Type {
	case "block":
		var b textBlock
		if json.Unmarshal(raw, &b) == nil {
			r.textBlock(b)
		}
	case "code":
		var c codeBlock
		if json.Unmarshal(raw, &c) == nil && c.Code != "" {
			r.emit(c.markdown(), false)
		}
	case "image":
		var img imageBlock
		if json.Unmarshal(raw, &img) == nil {
			if md, ok := img.markdown(r.opts); ok {
				r.emit(md, false)
			}
		}
	}
}

// textBlock is a Portable Text block of type "block". Children and mark
// definitions stay raw so that one odd inline object cannot drop the text
// around it.
type textBlock struct {
	Style    string            `json:"style"`
	ListItem string            `json:"listItem"`
	Level    float64           `json:"level"`
	Children []json.RawMessage `json:"children"`
	MarkDefs []json.RawMessage `json:"markDefs"`
}

func (r *renderer) textBlock(b textBlock) {
	text := renderInline(b.Children, b.MarkDefs)
	if strings.TrimSpace(text) == "" {
		return
	}
	if b.ListItem == "bullet" || b.ListItem == "number" {
		r.emit(r.list.item(b.ListItem, level(b.Level), lines(text)), true)
		return
	}
	switch b.Style {
	case "h1", "h2", "h3", "h4", "h5", "h6":
		r.emit(heading(int(b.Style[1]-'0'), lines(text)), false)
	case "blockquote":
		r.emit("> "+strings.Join(lines(text), hardBreak+"> "), false)
	default:
		r.emit(strings.Join(lines(text), hardBreak), false)
	}
}

// hardBreak ends a line inside a paragraph: a Portable Text newline is a line
// break the author typed, not the soft wrap a bare newline means in Markdown.
const hardBreak = "  \n"

// level clamps a list level to a sane range; the schema says 1 or more, but
// a document is not trusted to.
func level(l float64) int {
	switch {
	case l < 1:
		return 1
	case l > 64:
		return 64
	}
	return int(l)
}

func heading(n int, ls []string) string {
	text := strings.Join(ls, " ")
	// A run of '#' after a space at the end would be read as the optional
	// closing sequence of the heading and disappear.
	if j := strings.TrimRight(text, "#"); j != text && (j == "" || strings.HasSuffix(j, " ")) {
		text = j + `\` + text[len(j):]
	}
	return strings.Repeat("#", n) + " " + text
}

// lines splits rendered inline text at its line breaks, dropping empty lines
// (a blank line would end the block) and making each line safe to start a
// Markdown line.
func lines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(strings.TrimLeft(l, " \t"), " \t")
		if l == "" {
			continue
		}
		out = append(out, escapeLineStart(l))
	}
	return out
}

// escapeLineStart keeps text at the start of a line from being read as block
// syntax: a heading, quote, list item, thematic break or setext underline.
// Delimiters this package writes never start with these characters, so any
// found here came from the author's text.
func escapeLineStart(l string) string {
	switch l[0] {
	case '#', '>', '-', '+', '=':
		return `\` + l
	}
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	if i > 0 && i <= 9 && i < len(l) && (l[i] == '.' || l[i] == ')') {
		return l[:i] + `\` + l[i:]
	}
	return l
}
