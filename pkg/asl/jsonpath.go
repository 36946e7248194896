package asl

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pathMode is what a field lets a JSONPath select.
type pathMode int

const (
	// anyPath is a Path: wildcards, deep scans, unions, slices and filters
	// may select several nodes (InputPath, OutputPath, ".$" values).
	anyPath pathMode = iota
	// refPath is a Reference Path: it names one node, with only names and
	// array indexes (ItemsPath, Variable, the ...Path fields).
	refPath
	// resultPath is a Reference Path into the state's input: it is written
	// to, so neither the context object nor a variable can be its root.
	resultPath
)

// checkPath reports the first syntax error in a JSONPath. Roots are "$"
// (the input), "$$" (the context object) and "$name" (a variable).
func checkPath(p string, mode pathMode) error {
	if p == "" {
		return errors.New("path is empty")
	}
	if p[0] != '$' {
		return errors.New(`must start with "$"`)
	}
	rest := p[1:]
	switch {
	case strings.HasPrefix(rest, "$"):
		if mode == resultPath {
			return errors.New(`cannot write into the context object "$$"`)
		}
		rest = rest[1:]
	case rest != "" && startsVariable(rest):
		if mode == resultPath {
			return errors.New("cannot write into a variable; use Assign")
		}
		rest = rest[variableLen(rest):]
	}
	for rest != "" {
		var err error
		if rest, err = pathSegment(rest, mode); err != nil {
			return err
		}
	}
	return nil
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

func pathSegment(s string, mode pathMode) (string, error) {
	switch {
	case strings.HasPrefix(s, ".."):
		if mode != anyPath {
			return "", errors.New(`".." may select several nodes; a Reference Path selects one`)
		}
		s = s[2:]
		if strings.HasPrefix(s, "[") {
			return pathBracket(s, mode)
		}
		return pathName(s, mode)
	case s[0] == '.':
		return pathName(s[1:], mode)
	case s[0] == '[':
		return pathBracket(s, mode)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return "", fmt.Errorf(`unexpected %q: expected ".name" or "[...]"`, r)
}

// nameBreakers cannot appear in a dot-notation name; bracket notation
// ['...'] takes any name.
const nameBreakers = " \t\r\n]'\"()*,?@=<>!&|"

func pathName(s string, mode pathMode) (string, error) {
	if s == "" {
		return "", errors.New(`ends with "."`)
	}
	if s[0] == '*' {
		if mode != anyPath {
			return "", errors.New(`wildcard "*" may select several nodes; a Reference Path selects one`)
		}
		return s[1:], nil
	}
	end := strings.IndexAny(s, ".[")
	if end < 0 {
		end = len(s)
	}
	name := s[:end]
	if name == "" {
		return "", errors.New(`empty name after "."`)
	}
	if i := strings.IndexAny(name, nameBreakers); i >= 0 {
		return "", fmt.Errorf("name %q cannot hold %q in dot notation; use ['...']", name, name[i])
	}
	return s[end:], nil
}

var (
	indexRe = regexp.MustCompile(`^\d+$`)
	// Unions of indexes and slices select several nodes.
	subscriptRe = regexp.MustCompile(`^(-?\d+(\s*,\s*-?\d+)*|-?\d*:-?\d*(:-?\d+)?)$`)
)

func pathBracket(s string, mode pathMode) (string, error) {
	body := s[1:]
	several := func(what string) error {
		return fmt.Errorf("%s may select several nodes; a Reference Path selects one", what)
	}
	switch {
	case strings.HasPrefix(body, "'"), strings.HasPrefix(body, `"`):
		names := 0
		for {
			rest, empty, err := quoted(body)
			if err != nil {
				return "", err
			}
			if empty {
				return "", errors.New("empty quoted name")
			}
			names++
			body = strings.TrimLeft(rest, " ")
			if !strings.HasPrefix(body, ",") {
				break
			}
			body = strings.TrimLeft(body[1:], " ")
		}
		if !strings.HasPrefix(body, "]") {
			return "", errors.New(`expected "]" after a quoted name`)
		}
		if names > 1 && mode != anyPath {
			return "", several("a union of names")
		}
		return body[1:], nil
	case strings.HasPrefix(body, "*]"):
		if mode != anyPath {
			return "", several(`wildcard "[*]"`)
		}
		return body[2:], nil
	case strings.HasPrefix(body, "?("):
		if mode != anyPath {
			return "", several("a filter")
		}
		end, err := closingParen(body[1:])
		if err != nil {
			return "", err
		}
		if strings.TrimSpace(body[2:1+end]) == "" {
			return "", errors.New("empty filter [?()]")
		}
		rest := body[2+end:]
		if !strings.HasPrefix(rest, "]") {
			return "", errors.New(`expected "]" after a filter`)
		}
		return rest[1:], nil
	}
	end := strings.IndexByte(body, ']')
	if end < 0 {
		return "", errors.New(`unclosed "["`)
	}
	sub := body[:end]
	switch {
	case indexRe.MatchString(sub):
	case subscriptRe.MatchString(sub):
		if mode != anyPath {
			return "", several(fmt.Sprintf("[%s]", sub))
		}
	default:
		return "", fmt.Errorf(`invalid subscript "[%s]": expected an index, ['name'], [*] or a filter [?(...)]`, sub)
	}
	return body[end+1:], nil
}

// quoted skips the quoted string at the start of s, honouring backslash
// escapes, and reports whether it was empty.
func quoted(s string) (rest string, empty bool, err error) {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			return s[i+1:], i == 1, nil
		}
	}
	return "", false, fmt.Errorf("unterminated quoted string %s", s)
}

// closingParen returns the index in s, which starts with "(", of the
// parenthesis closing it, skipping quoted strings.
func closingParen(s string) (int, error) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'', '"':
			rest, _, err := quoted(s[i:])
			if err != nil {
				return 0, err
			}
			i = len(s) - len(rest) - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
	}
	return 0, errors.New(`unbalanced "(" in a filter`)
}
