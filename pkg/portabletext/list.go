package portabletext

import (
	"strconv"
	"strings"
)

// listState follows the list items rendered since the last block that was
// not one. Portable Text has no list container: each item carries its kind
// and level, and consecutive items make up the list.
type listState struct {
	// open holds the innermost item of each open nesting level, outermost
	// first.
	open []openItem
}

type openItem struct {
	level  int
	kind   string // "bullet" or "number"
	number int    // number of the item, for numbered lists
	indent int    // column the item's marker starts at
	width  int    // width of the marker with its space: where content starts
}

// item renders one list item of kind at level whose content is ls, indented
// under its parent so that CommonMark nests it: a child must start at or
// after the column where its parent's content starts, which depends on the
// width of the parent's marker ("- ", "9. ", "10. ").
func (s *listState) item(kind string, level int, ls []string) string {
	for len(s.open) > 0 && s.open[len(s.open)-1].level > level {
		s.open = s.open[:len(s.open)-1]
	}
	it := openItem{level: level, kind: kind, number: 1}
	if n := len(s.open); n > 0 && s.open[n-1].level == level {
		prev := s.open[n-1]
		it.indent = prev.indent
		if prev.kind == kind {
			it.number = prev.number + 1
		}
		s.open = s.open[:n-1]
	} else if n > 0 {
		parent := s.open[n-1]
		it.indent = parent.indent + parent.width
	}
	marker := "- "
	if kind == "number" {
		marker = strconv.Itoa(it.number) + ". "
	}
	it.width = len(marker)
	s.open = append(s.open, it)

	var b strings.Builder
	b.WriteString(strings.Repeat(" ", it.indent))
	b.WriteString(marker)
	for i, l := range ls {
		if i > 0 {
			b.WriteString(hardBreak)
			b.WriteString(strings.Repeat(" ", it.indent+it.width))
		}
		b.WriteString(l)
	}
	return b.String()
}
