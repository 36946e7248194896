package vtl

import (
	"fmt"
	"regexp"
	"strings"
)

// javaRegexp compiles a java.util.regex pattern with Go's regexp. Java lets a
// backslash quote any punctuation ("\'"), which RE2 refuses, so such escapes
// are rewritten; constructs RE2 lacks (lookaround, backreferences) fail.
func (s *state) javaRegexp(pat string) (*regexp.Regexp, error) {
	if re, ok := s.regex[pat]; ok {
		return re, nil
	}
	re, err := compileJava(pat)
	if err != nil {
		return nil, err
	}
	if s.regex == nil {
		s.regex = map[string]*regexp.Regexp{}
	}
	s.regex[pat] = re
	return re, nil
}

func compileJava(pat string) (*regexp.Regexp, error) {
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		if c != '\\' || i+1 == len(pat) {
			b.WriteByte(c)
			continue
		}
		n := pat[i+1]
		switch {
		case n == 'Q':
			end := strings.Index(pat[i+2:], `\E`)
			if end < 0 {
				b.WriteString(regexp.QuoteMeta(pat[i+2:]))
				i = len(pat)
			} else {
				b.WriteString(regexp.QuoteMeta(pat[i+2 : i+2+end]))
				i += 2 + end + 1
			}
			continue
		case n < 0x80 && !isIdent(n):
			b.WriteString(regexp.QuoteMeta(string(n)))
		default:
			b.WriteByte('\\')
			b.WriteByte(n)
		}
		i++
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("unsupported or invalid regular expression %q: %w", pat, err)
	}
	return re, nil
}

// javaReplacement turns a Java Matcher replacement ($1, ${name}, \$) into Go's template syntax.
func javaReplacement(r string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch c {
		case '\\':
			if i+1 == len(r) {
				return "", fmt.Errorf("character to be escaped is missing")
			}
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case '$':
			if i+1 == len(r) {
				return "", fmt.Errorf("illegal group reference: group index is missing")
			}
			if r[i+1] == '{' {
				end := strings.IndexByte(r[i:], '}')
				if end < 0 {
					return "", fmt.Errorf("named capturing group is missing trailing '}'")
				}
				b.WriteString(r[i : i+end+1])
				i += end
				continue
			}
			j := i + 1
			for j < len(r) && r[j] >= '0' && r[j] <= '9' {
				j++
			}
			if j == i+1 {
				return "", fmt.Errorf("illegal group reference")
			}
			b.WriteString("${" + r[i+1:j] + "}")
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// javaSplit is String.split(regex): trailing empty strings are dropped and a
// leading zero-width match yields no empty first element.
func javaSplit(re *regexp.Regexp, s string) *list {
	locs := re.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return &list{items: []any{s}}
	}
	var parts []string
	last := 0
	for _, loc := range locs {
		if loc[1] == 0 {
			continue
		}
		parts = append(parts, s[last:loc[0]])
		last = loc[1]
	}
	parts = append(parts, s[last:])
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	l := &list{items: make([]any, len(parts))}
	for i, p := range parts {
		l.items[i] = p
	}
	return l
}
