package vtl

import (
	"strconv"
	"strings"
)

func (p *parser) number() (expr, error) {
	start := p.i
	for p.peek(0) >= '0' && p.peek(0) <= '9' {
		p.i++
	}
	isFloat := false
	if p.peek(0) == '.' && p.peek(1) >= '0' && p.peek(1) <= '9' {
		isFloat = true
		p.i++
		for p.peek(0) >= '0' && p.peek(0) <= '9' {
			p.i++
		}
	}
	if p.peek(0) == 'e' || p.peek(0) == 'E' {
		j := 1
		if p.peek(j) == '+' || p.peek(j) == '-' {
			j++
		}
		if p.peek(j) >= '0' && p.peek(j) <= '9' {
			isFloat = true
			p.i += j
			for p.peek(0) >= '0' && p.peek(0) <= '9' {
				p.i++
			}
		}
	}
	s := p.src[start:p.i]
	if !isFloat {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return litExpr{n}, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, p.errAt(start, "bad number %s", s)
	}
	return litExpr{f}, nil
}

// str parses a string literal. Velocity keeps backslashes as written; a doubled
// quote stands for one; double quotes interpolate references and directives.
func (p *parser) str(q byte) (expr, error) {
	start := p.i
	p.i++
	var b strings.Builder
	for {
		if p.i >= len(p.src) {
			return nil, p.errAt(start, "unterminated string")
		}
		c := p.src[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.src):
			b.WriteString(p.src[p.i : p.i+2])
			p.i += 2
			continue
		case c == q && p.peek(1) == q:
			b.WriteByte(q)
			p.i += 2
			continue
		case c == q:
			p.i++
		default:
			b.WriteByte(c)
			p.i++
			continue
		}
		break
	}
	s := b.String()
	if q == '"' {
		s = unescapeUnicode(s)
	}
	if q == '\'' || !strings.ContainsAny(s, "$#") {
		return litExpr{s}, nil
	}
	sub := &parser{src: s, base: p.base + start + 1, whole: p.whole, depth: p.depth + 1}
	if sub.depth > maxDepth {
		return nil, p.errAt(start, "string nested too deep")
	}
	nodes, _, err := sub.nodes(false)
	if err != nil {
		return nil, err
	}
	return strExpr{nodes}, nil
}

// unescapeUnicode decodes \uXXXX, the only escape Velocity 1.7 decodes in a string literal.
func unescapeUnicode(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+5 < len(s) && s[i+1] == 'u' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 5
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
