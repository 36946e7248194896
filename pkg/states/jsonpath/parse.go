package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Compile parses a JSONPath: "$" (the input), "$$" (the context object) or
// "$name" (a variable), followed by ".name", "['name']", "[0]", "[-1]",
// "[0,2]", "[1:3]", "[::2]", "[*]", ".*", "..name" and filters
// "[?(@.x == 1 && !(@.y))]". A malformed path is a States.Runtime *Error.
func Compile(path string) (*Path, error) {
	p := &parser{src: path}
	out, err := p.path()
	if err != nil {
		return nil, &Error{Name: errRuntime, Cause: fmt.Sprintf("Invalid path '%s': %v", path, err)}
	}
	return out, nil
}

type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: "+format, append([]any{p.pos}, args...)...)
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) eat(s string) bool {
	if strings.HasPrefix(p.src[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	return false
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *parser) path() (*Path, error) {
	if !p.eat("$") {
		return nil, p.errorf(`a path must start with "$"`)
	}
	out := &Path{src: p.src}
	switch {
	case p.eat("$"):
		out.root = RootContext
	case p.pos < len(p.src) && startsVariable(p.src[p.pos:]):
		n := variableLen(p.src[p.pos:])
		out.root, out.variable = RootVariable, p.src[p.pos:p.pos+n]
		p.pos += n
	}
	segs, err := p.segments()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.src) {
		r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
		return nil, p.errorf(`unexpected %q: expected ".name" or "[...]"`, r)
	}
	out.segs = segs
	out.definite, out.simple = classify(segs)
	return out, nil
}

// classify reports whether segs select at most one node (Jayway's
// isDefinite) and whether they are plain names and single indexes.
func classify(segs []segment) (definite, simple bool) {
	definite, simple = true, true
	for i, s := range segs {
		switch {
		case s.deep:
			definite, simple = false, false
		case s.kind == segName || s.kind == segIndex:
		case s.kind == segNames && i == len(segs)-1:
			simple = false
		default:
			definite, simple = false, false
		}
	}
	return definite, simple
}

func startsVariable(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}

func variableLen(s string) int {
	for i, r := range s {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return i
		}
	}
	return len(s)
}

// segments reads steps until something that cannot start one, so a filter
// operand such as "@.price" stops at " <".
func (p *parser) segments() ([]segment, error) {
	var segs []segment
	for p.pos < len(p.src) {
		var s segment
		switch {
		case p.eat(".."):
			s.deep = true
			if p.peek() == '[' {
				if err := p.bracket(&s); err != nil {
					return nil, err
				}
			} else if err := p.dotStep(&s); err != nil {
				return nil, err
			}
		case p.eat("."):
			// Jayway, and the paths page's own example "$.abc.['def ghi']",
			// allow a dot before a bracket.
			if p.peek() == '[' {
				if err := p.bracket(&s); err != nil {
					return nil, err
				}
			} else if err := p.dotStep(&s); err != nil {
				return nil, err
			}
		case p.peek() == '[':
			if err := p.bracket(&s); err != nil {
				return nil, err
			}
		default:
			return segs, nil
		}
		segs = append(segs, s)
	}
	return segs, nil
}

// nameBreakers end a dot-notation name; bracket notation takes any name.
// The set matches pkg/asl's validation.
const nameBreakers = " \t\r\n]'\"()*,?@=<>!&|.["

func (p *parser) dotStep(s *segment) error {
	if p.eat("*") {
		s.kind = segWildcard
		return nil
	}
	start := p.pos
	for p.pos < len(p.src) && !strings.ContainsRune(nameBreakers, rune(p.src[p.pos])) {
		p.pos++
	}
	if p.pos == start {
		return p.errorf(`expected a name after "."`)
	}
	s.kind, s.names = segName, []string{p.src[start:p.pos]}
	return nil
}

func (p *parser) bracket(s *segment) error {
	p.pos++ // '['
	p.skipSpace()
	switch c := p.peek(); {
	case c == '\'' || c == '"':
		for {
			name, err := p.quoted()
			if err != nil {
				return err
			}
			s.names = append(s.names, name)
			p.skipSpace()
			if !p.eat(",") {
				break
			}
			p.skipSpace()
		}
		s.kind = segName
		if len(s.names) > 1 {
			s.kind = segNames
		}
	case c == '*':
		p.pos++
		s.kind = segWildcard
	case c == '?':
		p.pos++
		p.skipSpace()
		if !p.eat("(") {
			return p.errorf(`expected "(" after "[?"`)
		}
		e, err := p.orExpr()
		if err != nil {
			return err
		}
		p.skipSpace()
		if !p.eat(")") {
			return p.errorf(`expected ")" closing the filter`)
		}
		s.kind, s.filter = segFilter, e
	default:
		if err := p.subscript(s); err != nil {
			return err
		}
	}
	p.skipSpace()
	if !p.eat("]") {
		return p.errorf(`expected "]"`)
	}
	return nil
}

// subscript reads an index, a union of indexes or a slice.
func (p *parser) subscript(s *segment) error {
	first, hasFirst, err := p.integer()
	if err != nil {
		return err
	}
	p.skipSpace()
	switch p.peek() {
	case ':':
		s.kind = segSlice
		s.slice.start, s.slice.hasStart = first, hasFirst
		p.pos++
		p.skipSpace()
		if s.slice.end, s.slice.hasEnd, err = p.integer(); err != nil {
			return err
		}
		p.skipSpace()
		if p.eat(":") {
			p.skipSpace()
			if s.slice.step, s.slice.hasStep, err = p.integer(); err != nil {
				return err
			}
			if s.slice.hasStep && s.slice.step == 0 {
				return p.errorf("slice step cannot be zero")
			}
		}
		return nil
	case ',', ']':
	default:
		if !hasFirst {
			return p.errorf(`expected an index, ['name'], [*] or a filter [?(...)]`)
		}
	}
	if !hasFirst {
		return p.errorf("expected an index")
	}
	s.kind, s.indexes = segIndex, []int{first}
	for {
		p.skipSpace()
		if !p.eat(",") {
			break
		}
		p.skipSpace()
		n, ok, err := p.integer()
		if err != nil {
			return err
		}
		if !ok {
			return p.errorf(`expected an index after ","`)
		}
		s.indexes = append(s.indexes, n)
	}
	if len(s.indexes) > 1 {
		s.kind = segIndexes
	}
	return nil
}

// integer reads an optional signed decimal integer.
func (p *parser) integer() (int, bool, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == digits {
		if p.pos != start {
			return 0, false, p.errorf(`expected digits after "-"`)
		}
		return 0, false, nil
	}
	n, err := strconv.ParseInt(p.src[start:p.pos], 10, 32)
	if err != nil {
		return 0, false, p.errorf("index %s out of range", p.src[start:p.pos])
	}
	return int(n), true, nil
}

// quoted reads a '...' or "..." string with JSON-style backslash escapes.
func (p *parser) quoted() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.errorf("expected a quoted name")
	}
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		p.pos++
		switch c {
		case q:
			return b.String(), nil
		case '\\':
			if p.pos >= len(p.src) {
				return "", p.errorf("unterminated string")
			}
			e := p.src[p.pos]
			p.pos++
			switch e {
			case '\\', '\'', '"', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if p.pos+4 > len(p.src) {
					return "", p.errorf(`short \u escape`)
				}
				n, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 16)
				if err != nil {
					return "", p.errorf(`bad \u escape`)
				}
				p.pos += 4
				b.WriteRune(rune(n))
			default:
				return "", p.errorf(`unknown escape "\%c"`, e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", p.errorf("unterminated string")
}
