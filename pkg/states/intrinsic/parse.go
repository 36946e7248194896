package intrinsic

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxDepth bounds how deeply calls nest. AWS allows up to 10 intrinsic
// functions in one field, so no valid field nests deeper than 10; the bound
// also keeps hostile input from exhausting the stack.
const maxDepth = 10

// Expr is a parsed intrinsic function call, ready to be evaluated many times.
type Expr struct {
	src  string
	call *call
}

// String returns the expression as it was written.
func (e *Expr) String() string { return e.src }

// node is one argument of a call: a *literal, a *path or a *call.
type node interface{}

// literal is a constant argument: a string, json.Number, bool or nil.
type literal struct {
	value any
	// parts is a string literal split at its unescaped "{}" placeholders,
	// kept because States.Format must tell "{}" from "\{\}".
	parts []string
}

// path is a reference to the input, the context object or a variable, read
// through the caller's resolver.
type path struct{ text string }

type call struct {
	name string
	fn   *function
	args []node
}

// Compile parses expr, one intrinsic function call such as
// "States.Format('Hello, {}', $.name)", and checks each call's argument count.
// Syntax errors are *Error with the name States.IntrinsicFailure.
func Compile(expr string) (*Expr, error) {
	p := &parser{src: expr}
	p.space()
	c, err := p.call(1)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, p.fail("", fmt.Sprintf("unexpected %q after the call", p.src[p.pos:]))
	}
	return &Expr{src: expr, call: c}, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) fail(fn, cause string) *Error {
	return failure(fn, fmt.Sprintf("%s (in %q)", cause, p.src))
}

func (p *parser) call(depth int) (*call, error) {
	if depth > maxDepth {
		return nil, p.fail("", fmt.Sprintf("intrinsic functions nest more than %d deep", maxDepth))
	}
	start := p.pos
	for p.pos < len(p.src) && (isIdentByte(p.src[p.pos]) || p.src[p.pos] == '.') {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn, ok := functions[name]
	if !ok {
		if name == "" {
			return nil, p.fail("", fmt.Sprintf("expected an intrinsic function at %q", p.src[start:]))
		}
		return nil, p.fail("", fmt.Sprintf("unknown intrinsic function %q", name))
	}
	if !p.eat('(') {
		return nil, p.fail(name, `expected "(" after the function name`)
	}
	c := &call{name: name, fn: fn}
	p.space()
	if !p.eat(')') {
		for {
			a, err := p.arg(name, depth)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.space()
			if p.eat(',') {
				p.space()
				continue
			}
			if p.eat(')') {
				break
			}
			if p.pos >= len(p.src) {
				return nil, p.fail(name, `missing ")"`)
			}
			return nil, p.fail(name, fmt.Sprintf(`unexpected %q, expected "," or ")"`, p.src[p.pos:]))
		}
	}
	if n := len(c.args); n < fn.min || (fn.max >= 0 && n > fn.max) {
		return nil, p.fail(name, fmt.Sprintf("takes %s, got %d", fn.arity(), n))
	}
	return c, nil
}

func (p *parser) arg(fn string, depth int) (node, error) {
	rest := p.src[p.pos:]
	switch {
	case rest == "":
		return nil, p.fail(fn, `missing ")"`)
	case rest[0] == '\'':
		return p.str(fn)
	case rest[0] == '$':
		end := pathEnd(rest)
		p.pos += end
		return &path{text: rest[:end]}, nil
	case strings.HasPrefix(rest, "States."):
		return p.call(depth + 1)
	case rest[0] == '-' || isDigit(rest[0]):
		return p.number(fn)
	}
	for _, lit := range []struct {
		text  string
		value any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(rest, lit.text) && endsToken(rest[len(lit.text):]) {
			p.pos += len(lit.text)
			return &literal{value: lit.value}, nil
		}
	}
	return nil, p.fail(fn, fmt.Sprintf("unexpected %q: an argument is a 'string', a number, true, false, null, a path or a call", rest))
}

// number reads a JSON-style number literal and keeps it as written.
func (p *parser) number(fn string) (node, error) {
	s := p.src
	i := p.pos
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && isDigit(s[i]) {
			i++
			n++
		}
		return n
	}
	bad := func() (node, error) {
		return nil, p.fail(fn, fmt.Sprintf("malformed number at %q", s[p.pos:]))
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && s[start] == '0') {
		return bad() // JSON has no leading zeros: 007 is not a number
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return bad()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return bad()
		}
	}
	if !endsToken(s[i:]) {
		return bad()
	}
	lit := &literal{value: json.Number(s[p.pos:i])}
	p.pos = i
	return lit, nil
}

// str reads a single-quoted string. \' \{ \} and \\ are the escapes the
// language defines; an escaped brace is never a States.Format placeholder.
func (p *parser) str(fn string) (node, error) {
	start := p.pos
	var cur strings.Builder
	var parts []string
	for i := p.pos + 1; i < len(p.src); i++ {
		switch c := p.src[i]; c {
		case '\\':
			if i+1 >= len(p.src) || !strings.ContainsRune(`'{}\`, rune(p.src[i+1])) {
				return nil, p.fail(fn, `unsupported escape in a string: only \' \{ \} and \\ are allowed`)
			}
			i++
			cur.WriteByte(p.src[i])
		case '\'':
			p.pos = i + 1
			parts = append(parts, cur.String())
			return &literal{value: strings.Join(parts, "{}"), parts: parts}, nil
		case '{':
			if i+1 < len(p.src) && p.src[i+1] == '}' {
				parts = append(parts, cur.String())
				cur.Reset()
				i++
				continue
			}
			cur.WriteByte(c)
		default:
			cur.WriteByte(c)
		}
	}
	return nil, p.fail(fn, fmt.Sprintf("unterminated string %s", p.src[start:]))
}

// pathEnd finds where a path argument ends: at a comma, closing parenthesis
// or blank outside brackets and quotes.
func pathEnd(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '[', '(':
			depth++
		case ']', ')':
			if depth == 0 {
				return i
			}
			depth--
		case '\'', '"':
			if depth > 0 {
				// Skip the quoted name or string, honouring backslash escapes.
				for i++; i < len(s) && s[i] != c; i++ {
					if s[i] == '\\' {
						i++
					}
				}
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	return len(s)
}

// endsToken reports whether a literal may end before rest.
func endsToken(rest string) bool {
	return rest == "" || strings.ContainsRune(",) \t\n\r", rune(rest[0]))
}

func (p *parser) eat(c byte) bool {
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *parser) space() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\n\r", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c)
}
