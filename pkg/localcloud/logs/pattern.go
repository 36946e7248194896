package logs

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// A Pattern is a parsed CloudWatch Logs filter pattern: terms (all must
// appear, case-sensitive), "quoted phrases", ?term (any of), -term (none
// of), %regular expressions%, a JSON pattern { $.field = "value" && ... },
// or a space-delimited pattern [ip, user, ..., status = 4*].
//
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
type Pattern struct {
	match func(message string) bool
}

// Match reports whether a log event's message matches the pattern.
func (p Pattern) Match(message string) bool { return p.match == nil || p.match(message) }

// errPattern is any pattern that does not parse; the service answers it
// as AWS does, with no detail.
var errPattern = errors.New("Invalid filter pattern")

// ParsePattern parses a filter pattern; the empty pattern matches every
// event.
func ParsePattern(src string) (Pattern, error) {
	s := strings.TrimSpace(src)
	switch {
	case s == "" || s == `""`:
		return Pattern{}, nil
	case strings.HasPrefix(s, "{"):
		if !strings.HasSuffix(s, "}") {
			return Pattern{}, errPattern
		}
		p := &jsonParser{src: s[1 : len(s)-1]}
		cond, err := p.parse()
		if err != nil {
			return Pattern{}, err
		}
		return Pattern{match: func(m string) bool {
			var doc any
			if json.Unmarshal([]byte(m), &doc) != nil {
				return false
			}
			return cond(doc)
		}}, nil
	case strings.HasPrefix(s, "["):
		if !strings.HasSuffix(s, "]") {
			return Pattern{}, errPattern
		}
		return parseDelimited(s[1 : len(s)-1])
	}
	return parseTerms(s)
}

// term is one word, phrase or regular expression of an unstructured
// pattern.
type term struct {
	text string
	re   *regexp.Regexp
}

func (t term) in(m string) bool {
	if t.re != nil {
		return t.re.MatchString(m)
	}
	return strings.Contains(m, t.text)
}

// parseTerms reads an unstructured pattern. A ?term starts a new group of
// alternatives (terms after it without ? join its group, as the CDK's
// anyTermGroup writes them); -term excludes.
func parseTerms(s string) (Pattern, error) {
	var groups [][]term
	var exclude []term
	var cur []term
	anyOf := false
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		mode := byte(0)
		if s[0] == '?' || s[0] == '-' {
			mode, s = s[0], s[1:]
		}
		t, rest, err := readTerm(s)
		if err != nil {
			return Pattern{}, err
		}
		s = rest
		switch mode {
		case '-':
			exclude = append(exclude, t)
		case '?':
			anyOf = true
			if len(cur) > 0 {
				groups = append(groups, cur)
			}
			cur = []term{t}
		default:
			cur = append(cur, t)
		}
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	if !anyOf && len(groups) > 1 {
		groups = [][]term{concat(groups)}
	}
	return Pattern{match: func(m string) bool {
		for _, t := range exclude {
			if t.in(m) {
				return false
			}
		}
		if len(groups) == 0 {
			return true
		}
		for _, g := range groups {
			all := true
			for _, t := range g {
				if !t.in(m) {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
		return false
	}}, nil
}

func concat(groups [][]term) []term {
	var out []term
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// readTerm reads a word, a "quoted phrase" or a %regex% from the start of s.
func readTerm(s string) (term, string, error) {
	if s == "" {
		return term{}, "", errPattern
	}
	switch s[0] {
	case '"':
		text, rest, err := readQuoted(s)
		return term{text: text}, rest, err
	case '%':
		end := strings.IndexByte(s[1:], '%')
		if end < 1 {
			return term{}, "", errPattern
		}
		re, err := regexp.Compile(s[1 : end+1])
		if err != nil {
			return term{}, "", errPattern
		}
		return term{re: re}, s[end+2:], nil
	}
	end := strings.IndexAny(s, " \t")
	if end < 0 {
		end = len(s)
	}
	word := s[:end]
	if strings.ContainsAny(word, `"{}[]()`) {
		return term{}, "", errPattern
	}
	return term{text: word}, s[end:], nil
}

// readQuoted reads a double-quoted string with backslash escapes.
func readQuoted(s string) (string, string, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) {
				return "", "", errPattern
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errPattern
}

// A value is the right-hand side of a comparison.
type value struct {
	text   string
	quoted bool
	num    *float64
	re     *regexp.Regexp
}

// readValue reads a quoted string, a %regex%, a number or a bare word,
// ended by a space or any of stop.
func readValue(s, stop string) (value, string, error) {
	s = strings.TrimLeft(s, " \t")
	if s == "" {
		return value{}, "", errPattern
	}
	switch s[0] {
	case '"':
		text, rest, err := readQuoted(s)
		return value{text: text, quoted: true}, rest, err
	case '%':
		t, rest, err := readTerm(s)
		return value{re: t.re}, rest, err
	}
	end := strings.IndexAny(s, " \t"+stop)
	if end < 0 {
		end = len(s)
	}
	if end == 0 || strings.ContainsAny(s[:end], `"{}[]()<>=!`) {
		return value{}, "", errPattern
	}
	v := value{text: s[:end]}
	if n, err := strconv.ParseFloat(v.text, 64); err == nil {
		v.num = &n
	}
	return v, s[end:], nil
}

// glob matches s against text where * stands for any run of characters.
func glob(text, s string) bool {
	parts := strings.Split(text, "*")
	if len(parts) == 1 {
		return text == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// compare applies op to a field's value (a JSON value or a delimited
// field's text) and v.
func compare(field any, op string, v value) bool {
	var text string
	var num *float64
	switch f := field.(type) {
	case string:
		text = f
		if n, err := strconv.ParseFloat(f, 64); err == nil && !v.quoted {
			num = &n
		}
	case float64:
		text, num = strconv.FormatFloat(f, 'f', -1, 64), &f
	case bool:
		text = strconv.FormatBool(f)
	default:
		return false
	}
	if op != "=" && op != "!=" {
		if num == nil || v.num == nil {
			return false
		}
		a, b := *num, *v.num
		switch op {
		case "<":
			return a < b
		case "<=":
			return a <= b
		case ">":
			return a > b
		default:
			return a >= b
		}
	}
	var eq bool
	switch {
	case v.re != nil:
		eq = v.re.MatchString(text)
	case num != nil && v.num != nil && !v.quoted:
		eq = *num == *v.num
	default:
		eq = glob(v.text, text)
	}
	return eq == (op == "=")
}

// readOp reads a comparison operator.
func readOp(s string) (string, string, error) {
	s = strings.TrimLeft(s, " \t")
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(s, op) {
			return op, s[len(op):], nil
		}
	}
	return "", "", errPattern
}

func isIdent(r rune) bool {
	return r == '_' || r == '-' || r == '@' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
