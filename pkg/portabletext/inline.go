package portabletext

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode"
)

type span struct {
	Type  string   `json:"_type"`
	Text  string   `json:"text"`
	Marks []string `json:"marks"`
}

type markDef struct {
	Key  string `json:"_key"`
	Type string `json:"_type"`
	Href string `json:"href"`
}

// renderInline renders a text block's children as Markdown inline content.
// The result may hold newlines where the author broke a line.
func renderInline(children, defs []json.RawMessage) string {
	var spans []span
	for _, raw := range children {
		var s span
		if json.Unmarshal(raw, &s) != nil || (s.Type != "span" && s.Type != "") {
			continue
		}
		spans = append(spans, s)
	}
	links := map[string]string{}
	for _, raw := range defs {
		var d markDef
		if json.Unmarshal(raw, &d) == nil && d.Type == "link" && d.Key != "" {
			links[d.Key] = d.Href
		}
	}
	in := inline{links: links}
	var b strings.Builder
	for _, n := range markTree(spans) {
		in.render(&b, n)
	}
	return b.String()
}

// node is a run of text under one mark, or a leaf of plain text.
type node struct {
	mark     string
	text     string
	leaf     bool
	children []*node
}

// markTree nests the spans of a block under their marks. Portable Text gives
// each span a flat list of marks; Markdown needs properly nested delimiters,
// so a mark that covers more of the following spans is opened outside one
// that covers fewer, which keeps a bold run containing an italic word as one
// bold run.
func markTree(spans []span) []*node {
	runs := markRuns(spans)
	root := &node{}
	stack := []*node{root}
	for i, s := range spans {
		marks := uniqueMarks(s.Marks)
		slices.SortStableFunc(marks, func(a, b string) int { return runs[i][b] - runs[i][a] })
		keep := 1
		for keep < len(stack) && slices.Contains(marks, stack[keep].mark) {
			keep++
		}
		stack = stack[:keep]
		for _, m := range marks {
			if !slices.ContainsFunc(stack[1:], func(n *node) bool { return n.mark == m }) {
				n := &node{mark: m}
				top := stack[len(stack)-1]
				top.children = append(top.children, n)
				stack = append(stack, n)
			}
		}
		top := stack[len(stack)-1]
		top.children = append(top.children, &node{text: s.Text, leaf: true})
	}
	return root.children
}

// markRuns returns, for each span and each of its marks, how many spans from
// that one on carry the mark without a gap. Counting from the end keeps this
// linear in the number of marks.
func markRuns(spans []span) []map[string]int {
	runs := make([]map[string]int, len(spans))
	for i := len(spans) - 1; i >= 0; i-- {
		runs[i] = make(map[string]int, len(spans[i].Marks))
		for _, m := range spans[i].Marks {
			n := 1
			if i+1 < len(spans) {
				n += runs[i+1][m]
			}
			runs[i][m] = n
		}
	}
	return runs
}

func uniqueMarks(marks []string) []string {
	out := make([]string, 0, len(marks))
	for _, m := range marks {
		if m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

type inline struct {
	links map[string]string
}

func (in inline) render(b *strings.Builder, n *node) {
	if n.leaf {
		escapeText(b, n.text)
		return
	}
	switch n.mark {
	case "code":
		var raw strings.Builder
		plainText(&raw, n)
		b.WriteString(codeSpan(raw.String()))
	case "strong":
		wrap(b, in.children(n), "**", "**")
	case "em":
		wrap(b, in.children(n), "*", "*")
	case "underline":
		// Markdown has no underline; the publishers' renderers all pass this
		// one inline tag through.
		wrap(b, in.children(n), "<u>", "</u>")
	case "strike-through":
		wrap(b, in.children(n), "~~", "~~")
	default:
		inner := in.children(n)
		href, ok := in.links[n.mark]
		if !ok {
			// An annotation this package does not render keeps its text.
			b.WriteString(inner)
			return
		}
		dest, ok := destination(href)
		if !ok {
			b.WriteString(inner)
			return
		}
		wrap(b, inner, "[", "]("+dest+")")
	}
}

func (in inline) children(n *node) string {
	var b strings.Builder
	for _, c := range n.children {
		in.render(&b, c)
	}
	return b.String()
}

func plainText(b *strings.Builder, n *node) {
	if n.leaf {
		b.WriteString(n.text)
	}
	for _, c := range n.children {
		plainText(b, c)
	}
}

// wrap writes inner between open and close, keeping its leading and trailing
// white space outside: CommonMark does not take "** bold **" as emphasis.
// White space alone is written without delimiters.
func wrap(b *strings.Builder, inner, open, close string) {
	core := strings.TrimSpace(inner)
	if core == "" {
		b.WriteString(inner)
		return
	}
	start := len(inner) - len(strings.TrimLeftFunc(inner, unicode.IsSpace))
	if start == 0 && (open == "*" || open == "**") && strings.HasSuffix(b.String(), "*") {
		// Right after another emphasis closes, "*" would merge into one
		// delimiter run ("***" + "*c*") that a reader pairs differently.
		open = strings.Repeat("_", len(open))
		close = open
	}
	b.WriteString(inner[:start])
	b.WriteString(open)
	b.WriteString(core)
	b.WriteString(close)
	b.WriteString(inner[start+len(core):])
}

// codeSpan renders s as inline code, fenced by more backticks than any run
// inside it. Code spans cannot hold line breaks, so newlines become spaces,
// as a CommonMark reader would make them anyway.
func codeSpan(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", " ")
	if strings.TrimSpace(s) == "" {
		return s
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ') {
		// A reader strips one space from each end when both have one.
		s = " " + s + " "
	}
	return fence + s + fence
}

func longestRun(s string, c byte) int {
	longest, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}

// escapeText writes author text with the characters that would start inline
// Markdown syntax escaped. Line-start syntax is handled per line by lines.
func escapeText(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '~':
			b.WriteByte('\\')
		case '&':
			if looksLikeEntity(s[i+1:]) {
				b.WriteByte('\\')
			}
		case '\r':
			continue
		}
		b.WriteByte(c)
	}
}

// looksLikeEntity reports whether s, the text after an '&', starts like an
// HTML entity a reader would decode ("amp;", "#38;", "#x26;").
func looksLikeEntity(s string) bool {
	end := strings.IndexByte(s, ';')
	if end <= 0 || end > 32 {
		return false
	}
	name := strings.TrimPrefix(s[:end], "#")
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return name != ""
}
