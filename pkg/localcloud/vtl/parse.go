package vtl

import (
	"fmt"
	"strings"
)

// maxDepth bounds nesting so that hostile templates cannot exhaust the stack.
const maxDepth = 200

type parser struct {
	src   string
	i     int
	base  int    // offset of src inside the whole template, for positions
	whole string // the whole template, for line and column
	depth int
}

// SyntaxError reports where a template stops being valid Velocity.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("vtl: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// lineCol turns a byte offset of the whole template into 1-based line and column.
func lineCol(src string, off int) (int, int) {
	if off > len(src) {
		off = len(src)
	}
	line := 1 + strings.Count(src[:off], "\n")
	col := off - strings.LastIndex(src[:off], "\n")
	return line, col
}

func (p *parser) errAt(off int, format string, args ...any) error {
	l, c := lineCol(p.whole, p.base+off)
	return &SyntaxError{Line: l, Column: c, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) peek(k int) byte {
	if p.i+k < len(p.src) {
		return p.src[p.i+k]
	}
	return 0
}

func (p *parser) hasPrefix(s string) bool { return strings.HasPrefix(p.src[p.i:], s) }

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdent(c byte) bool      { return isIdentStart(c) || c >= '0' && c <= '9' }

// directive reads "#name" or "#{name}" at p.i and returns the name and its length.
func (p *parser) directive() (string, int) {
	s := p.src[p.i:]
	if len(s) < 2 || s[0] != '#' {
		return "", 0
	}
	if s[1] == '{' {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return "", 0
		}
		return s[2:end], end + 1
	}
	j := 1
	for j < len(s) && isIdentStart(s[j]) {
		j++
	}
	return s[1:j], j
}

var directives = map[string]bool{"set": true, "if": true, "elseif": true, "else": true, "end": true,
	"foreach": true, "break": true, "stop": true}

var unsupported = map[string]bool{"macro": true, "parse": true, "include": true, "define": true, "evaluate": true}

// eatNewline drops the spaces and newline ending a directive's line, as Velocity 1.7 does.
func (p *parser) eatNewline() {
	j := p.i
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	if strings.HasPrefix(p.src[j:], "\r\n") {
		p.i = j + 2
	} else if j < len(p.src) && (p.src[j] == '\n' || p.src[j] == '\r') {
		p.i = j + 1
	}
}

// nodes parses until end of input or one of the block terminators, which it returns.
func (p *parser) nodes(inBlock bool) ([]node, string, error) {
	var out []node
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			out = append(out, textNode{text.String()})
			text.Reset()
		}
	}
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '\\':
			n := 0
			for p.peek(n) == '\\' {
				n++
			}
			next := p.peek(n)
			if next == '$' {
				save := p.i
				p.i += n
				r, ok, err := p.templateRef()
				if err != nil {
					return nil, "", err
				}
				if ok {
					flush()
					out = append(out, refNode{ref: r, esc: n})
					continue
				}
				p.i = save
			} else if next == '#' {
				text.WriteString(strings.Repeat("\\", n/2))
				p.i += n
				if n%2 == 1 {
					text.WriteByte('#')
					p.i++
				}
				continue
			}
			text.WriteString(p.src[p.i : p.i+n])
			p.i += n
		case c == '$':
			r, ok, err := p.templateRef()
			if err != nil {
				return nil, "", err
			}
			if !ok {
				text.WriteByte('$')
				p.i++
				continue
			}
			flush()
			out = append(out, refNode{ref: r})
		case c == '#' && p.hasPrefix("##"):
			end := strings.IndexByte(p.src[p.i:], '\n')
			if end < 0 {
				p.i = len(p.src)
			} else {
				p.i += end + 1
			}
		case c == '#' && p.hasPrefix("#*"):
			end := strings.Index(p.src[p.i+2:], "*#")
			if end < 0 {
				return nil, "", p.errAt(p.i, "unterminated comment")
			}
			p.i += 2 + end + 2
		case c == '#' && p.hasPrefix("#[["):
			end := strings.Index(p.src[p.i+3:], "]]#")
			if end < 0 {
				return nil, "", p.errAt(p.i, "unterminated #[[ ]]# block")
			}
			text.WriteString(p.src[p.i+3 : p.i+3+end])
			p.i += 3 + end + 3
		case c == '#':
			name, n := p.directive()
			if unsupported[name] {
				return nil, "", p.errAt(p.i, "#%s is not supported", name)
			}
			if !directives[name] {
				text.WriteByte('#')
				p.i++
				continue
			}
			if name == "set" {
				// Velocity's #set swallows the indentation before it.
				s := strings.TrimRight(text.String(), " \t")
				text.Reset()
				text.WriteString(s)
			}
			flush()
			start := p.i
			p.i += n
			switch name {
			case "end", "else", "elseif":
				if !inBlock {
					return nil, "", p.errAt(start, "#%s without #if or #foreach", name)
				}
				if name != "elseif" {
					p.eatNewline()
				}
				return out, name, nil
			case "break":
				p.eatNewline()
				out = append(out, breakNode{})
			case "stop":
				p.eatNewline()
				out = append(out, stopNode{})
			default:
				nd, err := p.block(name, start)
				if err != nil {
					return nil, "", err
				}
				out = append(out, nd)
			}
		default:
			j := p.i
			for j < len(p.src) && p.src[j] != '\\' && p.src[j] != '$' && p.src[j] != '#' {
				j++
			}
			text.WriteString(p.src[p.i:j])
			p.i = j
		}
	}
	flush()
	return out, "", nil
}

// args reads a directive's "( ... )" with f and eats the rest of its line.
func (p *parser) args(name string, start int, f func() error) error {
	p.skipSpace()
	if p.peek(0) != '(' {
		return p.errAt(start, "#%s needs (", name)
	}
	p.i++
	if err := f(); err != nil {
		return err
	}
	p.skipSpace()
	if p.peek(0) != ')' {
		return p.errAt(p.i, "expected ) to close #%s", name)
	}
	p.i++
	p.eatNewline()
	return nil
}

func (p *parser) block(name string, start int) (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errAt(start, "nesting too deep")
	}
	switch name {
	case "set":
		var s setNode
		err := p.args(name, start, func() error {
			p.skipSpace()
			if p.peek(0) != '$' {
				return p.errAt(p.i, "#set needs a reference before =")
			}
			r, err := p.exprRef()
			if err != nil {
				return err
			}
			p.skipSpace()
			if p.peek(0) != '=' {
				return p.errAt(p.i, "expected = in #set")
			}
			p.i++
			s.target = r
			s.value, err = p.expr()
			return err
		})
		return s, err
	case "if":
		var n ifNode
		for {
			var cond expr
			if err := p.args(name, start, func() (err error) { cond, err = p.expr(); return }); err != nil {
				return nil, err
			}
			body, term, err := p.nodes(true)
			if err != nil {
				return nil, err
			}
			n.conds, n.bodies = append(n.conds, cond), append(n.bodies, body)
			switch term {
			case "":
				return nil, p.errAt(start, "#if without #end")
			case "end":
				return n, nil
			case "else":
				els, term, err := p.nodes(true)
				if err != nil {
					return nil, err
				}
				if term != "end" {
					return nil, p.errAt(start, "#else must be followed by #end")
				}
				n.els = els
				return n, nil
			}
			name, start = "elseif", p.i
		}
	default: // foreach
		n := foreachNode{pos: p.base + start}
		err := p.args(name, start, func() error {
			p.skipSpace()
			if p.peek(0) != '$' {
				return p.errAt(p.i, "#foreach needs a $variable")
			}
			r, err := p.exprRef()
			if err != nil {
				return err
			}
			if len(r.parts) > 0 {
				return p.errAt(r.pos, "#foreach variable must be a plain $name")
			}
			n.varName = r.name
			p.skipSpace()
			if !p.hasPrefix("in") || isIdent(p.peek(2)) {
				return p.errAt(p.i, "expected in after #foreach variable")
			}
			p.i += 2
			n.list, err = p.expr()
			return err
		})
		if err != nil {
			return nil, err
		}
		body, term, err := p.nodes(true)
		if err != nil {
			return nil, err
		}
		if term != "end" {
			return nil, p.errAt(start, "#foreach without #end")
		}
		n.body = body
		return n, nil
	}
}
