package asl

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// arity is how many arguments an intrinsic function takes; max -1 means
// any number.
type arity struct{ min, max int }

// intrinsics are the functions JSONPath states may call in ".$" values.
var intrinsics = map[string]arity{
	"States.Format":         {1, -1},
	"States.StringToJson":   {1, 1},
	"States.JsonToString":   {1, 1},
	"States.Array":          {0, -1},
	"States.ArrayPartition": {2, 2},
	"States.ArrayContains":  {2, 2},
	"States.ArrayRange":     {3, 3},
	"States.ArrayGetItem":   {2, 2},
	"States.ArrayLength":    {1, 1},
	"States.ArrayUnique":    {1, 1},
	"States.Base64Encode":   {1, 1},
	"States.Base64Decode":   {1, 1},
	"States.Hash":           {2, 2},
	"States.JsonMerge":      {3, 3},
	"States.MathRandom":     {2, 3},
	"States.MathAdd":        {2, 2},
	"States.StringSplit":    {2, 2},
	"States.UUID":           {0, 0},
}

func (a arity) String() string {
	switch {
	case a.max == a.min:
		return plural(a.min, "argument")
	case a.max < 0:
		return fmt.Sprintf("at least %s", plural(a.min, "argument"))
	}
	return fmt.Sprintf("%d to %d arguments", a.min, a.max)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// checkIntrinsic reports the first error in an intrinsic function call such
// as "States.Format('Hello, {}', $.name)": a known function name, balanced
// parentheses, the right number of arguments, and arguments that are
// 'quoted strings', numbers, true, false, null, paths or nested calls.
func checkIntrinsic(s string) error {
	p := &callParser{src: s}
	if err := p.call(); err != nil {
		return err
	}
	p.space()
	if p.pos < len(s) {
		return fmt.Errorf("unexpected %q after the call", s[p.pos:])
	}
	return nil
}

type callParser struct {
	src string
	pos int
}

// argument is a parsed argument: its kind and, for strings, its raw text.
type argument struct {
	kind string // "string", "number", "literal", "path" or "call"
	text string
}

var numberRe = regexp.MustCompile(`^-?\d+(\.\d+)?([eE][+-]?\d+)?`)

func (p *callParser) call() error {
	start := p.pos
	for p.pos < len(p.src) && (isIdentByte(p.src[p.pos]) || p.src[p.pos] == '.') {
		p.pos++
	}
	name := p.src[start:p.pos]
	want, ok := intrinsics[name]
	if !ok {
		return fmt.Errorf("unknown intrinsic function %q", name)
	}
	if !p.eat('(') {
		return fmt.Errorf(`%s: expected "(" after the name`, name)
	}
	var args []argument
	p.space()
	if !p.eat(')') {
		for {
			a, err := p.arg()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			args = append(args, a)
			p.space()
			if p.eat(',') {
				p.space()
				continue
			}
			if p.eat(')') {
				break
			}
			if p.pos >= len(p.src) {
				return fmt.Errorf(`%s: missing ")"`, name)
			}
			return fmt.Errorf(`%s: unexpected %q, expected "," or ")"`, name, p.src[p.pos:])
		}
	}
	if len(args) < want.min || (want.max >= 0 && len(args) > want.max) {
		return fmt.Errorf("%s takes %s, got %d", name, want, len(args))
	}
	if name == "States.Format" && args[0].kind == "string" {
		if n := countFormatHoles(args[0].text); n != len(args)-1 {
			return fmt.Errorf("States.Format template has %s but %s follow it",
				plural(n, "{} placeholder"), plural(len(args)-1, "argument"))
		}
	}
	return nil
}

func (p *callParser) arg() (argument, error) {
	rest := p.src[p.pos:]
	switch {
	case rest == "":
		return argument{}, errors.New(`missing ")"`)
	case rest[0] == '\'':
		return p.str()
	case rest[0] == '$':
		end := pathEnd(rest)
		path := rest[:end]
		p.pos += end
		if err := checkPath(path, anyPath); err != nil {
			return argument{}, fmt.Errorf("argument %q: %w", path, err)
		}
		return argument{kind: "path"}, nil
	case strings.HasPrefix(rest, "States."):
		return argument{kind: "call"}, p.call()
	case numberRe.MatchString(rest):
		p.pos += len(numberRe.FindString(rest))
		return argument{kind: "number"}, nil
	}
	for _, lit := range []string{"true", "false", "null"} {
		if strings.HasPrefix(rest, lit) {
			p.pos += len(lit)
			return argument{kind: "literal"}, nil
		}
	}
	return argument{}, fmt.Errorf("unexpected %q: an argument is a 'string', a number, true, false, null, a path or a call", rest)
}

// str reads a single-quoted string, where \' \{ \} and \\ are the escapes
// the language defines.
func (p *callParser) str() (argument, error) {
	start := p.pos
	for i := p.pos + 1; i < len(p.src); i++ {
		switch p.src[i] {
		case '\\':
			if i+1 >= len(p.src) || !strings.ContainsRune(`'{}\`, rune(p.src[i+1])) {
				return argument{}, fmt.Errorf(`unsupported escape in %s: only \' \{ \} and \\ are allowed`, p.src[start:])
			}
			i++
		case '\'':
			p.pos = i + 1
			return argument{kind: "string", text: p.src[start+1 : i]}, nil
		}
	}
	return argument{}, fmt.Errorf("unterminated string %s", p.src[start:])
}

// pathEnd finds where a path argument ends: at a comma, closing parenthesis
// or space outside brackets and quotes.
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
				if rest, _, err := quoted(s[i:]); err == nil {
					i = len(s) - len(rest) - 1
				}
			}
		case ',', ' ', '\t':
			if depth == 0 {
				return i
			}
		}
	}
	return len(s)
}

// countFormatHoles counts the unescaped "{}" in a States.Format template.
func countFormatHoles(template string) int {
	n := 0
	for i := 0; i < len(template); i++ {
		switch {
		case template[i] == '\\':
			i++
		case strings.HasPrefix(template[i:], "{}"):
			n++
			i++
		}
	}
	return n
}

func (p *callParser) eat(c byte) bool {
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *callParser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
