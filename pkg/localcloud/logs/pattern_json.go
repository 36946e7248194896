package logs

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// cond is a compiled JSON pattern condition over a decoded document.
type cond func(doc any) bool

// jsonParser reads the inside of a JSON pattern's braces:
//
//	expr := and ('||' and)*
//	and  := unit ('&&' unit)*
//	unit := '(' expr ')' | selector test
//	test := op value | IS NULL | IS TRUE | IS FALSE | EXISTS | NOT EXISTS
type jsonParser struct {
	src string
}

func (p *jsonParser) skip() { p.src = strings.TrimLeft(p.src, " \t\r\n") }

func (p *jsonParser) eat(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.src, tok) {
		p.src = p.src[len(tok):]
		return true
	}
	return false
}

// word reads a keyword (IS, NOT, NULL, ...) case-insensitively.
func (p *jsonParser) word(w string) bool {
	p.skip()
	if len(p.src) >= len(w) && strings.EqualFold(p.src[:len(w)], w) {
		rest := p.src[len(w):]
		if r, _ := utf8.DecodeRuneInString(rest); rest == "" || !isIdent(r) {
			p.src = rest
			return true
		}
	}
	return false
}

func (p *jsonParser) parse() (cond, error) {
	c, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.src != "" {
		return nil, errPattern
	}
	return c, nil
}

// maxDepth bounds nested parentheses, so a hostile pattern cannot
// exhaust the stack.
const maxDepth = 64

func (p *jsonParser) expr(depth int) (cond, error) {
	left, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.eat("||") {
		right, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		l := left
		left = func(d any) bool { return l(d) || right(d) }
	}
	return left, nil
}

func (p *jsonParser) and(depth int) (cond, error) {
	left, err := p.unit(depth)
	if err != nil {
		return nil, err
	}
	for p.eat("&&") {
		right, err := p.unit(depth)
		if err != nil {
			return nil, err
		}
		l := left
		left = func(d any) bool { return l(d) && right(d) }
	}
	return left, nil
}

func (p *jsonParser) unit(depth int) (cond, error) {
	if p.eat("(") {
		if depth >= maxDepth {
			return nil, errPattern
		}
		c, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if !p.eat(")") {
			return nil, errPattern
		}
		return c, nil
	}
	sel, err := p.selector()
	if err != nil {
		return nil, err
	}
	switch {
	case p.word("IS"):
		switch {
		case p.word("NULL"):
			return func(d any) bool { v, ok := sel.get(d); return ok && v == nil }, nil
		case p.word("TRUE"):
			return func(d any) bool { v, ok := sel.get(d); return ok && v == true }, nil
		case p.word("FALSE"):
			return func(d any) bool { v, ok := sel.get(d); return ok && v == false }, nil
		}
		return nil, errPattern
	case p.word("NOT"):
		if !p.word("EXISTS") {
			return nil, errPattern
		}
		return func(d any) bool { _, ok := sel.get(d); return !ok }, nil
	case p.word("EXISTS"):
		return func(d any) bool { _, ok := sel.get(d); return ok }, nil
	}
	op, rest, err := readOp(p.src)
	if err != nil {
		return nil, err
	}
	v, rest, err := readValue(rest, ")&|")
	if err != nil {
		return nil, err
	}
	if op != "=" && op != "!=" && v.num == nil {
		return nil, errPattern
	}
	p.src = rest
	return func(d any) bool {
		f, ok := sel.get(d)
		return ok && compare(f, op, v)
	}, nil
}

// step is one part of a selector: a member name or an array index.
type step struct {
	name  string
	index int // -1 for a member
}

type selector []step

// selector reads $.a.b[0].c.
func (p *jsonParser) selector() (selector, error) {
	if !p.eat("$") {
		return nil, errPattern
	}
	var sel selector
	for {
		switch {
		case strings.HasPrefix(p.src, "."):
			p.src = p.src[1:]
			n := 0
			for n < len(p.src) {
				r, size := utf8.DecodeRuneInString(p.src[n:])
				if !isIdent(r) {
					break
				}
				n += size
			}
			if n == 0 {
				return nil, errPattern
			}
			sel = append(sel, step{name: p.src[:n], index: -1})
			p.src = p.src[n:]
		case strings.HasPrefix(p.src, "["):
			end := strings.IndexByte(p.src, ']')
			if end < 0 {
				return nil, errPattern
			}
			i, err := strconv.Atoi(p.src[1:end])
			if err != nil || i < 0 {
				return nil, errPattern
			}
			sel = append(sel, step{index: i})
			p.src = p.src[end+1:]
		default:
			if len(sel) == 0 {
				return nil, errPattern
			}
			return sel, nil
		}
	}
}

// get walks the selector through a decoded document; ok is false when a
// step is missing.
func (s selector) get(doc any) (any, bool) {
	cur := doc
	for _, st := range s {
		switch c := cur.(type) {
		case map[string]any:
			if st.index >= 0 {
				return nil, false
			}
			v, ok := c[st.name]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			if st.index < 0 || st.index >= len(c) {
				return nil, false
			}
			cur = c[st.index]
		default:
			return nil, false
		}
	}
	return cur, true
}
