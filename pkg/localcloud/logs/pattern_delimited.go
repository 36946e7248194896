package logs

import (
	"strings"
)

// field is one comma-separated field of a space-delimited pattern: a
// name that matches any token, "..." that matches any run of tokens, or
// a name with conditions on its token.
type field struct {
	ellipsis bool
	test     func(token string) bool
}

// parseDelimited reads the inside of [ip, user, ..., status = 4*, bytes > 1000].
func parseDelimited(s string) (Pattern, error) {
	parts, err := splitFields(s)
	if err != nil {
		return Pattern{}, err
	}
	fields := make([]field, 0, len(parts))
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "..." {
			fields = append(fields, field{ellipsis: true})
			continue
		}
		f, err := parseField(part)
		if err != nil {
			return Pattern{}, err
		}
		fields = append(fields, f)
	}
	return Pattern{match: func(m string) bool { return matchFields(fields, tokens(m)) }}, nil
}

// splitFields splits at commas outside quotes.
func splitFields(s string) ([]string, error) {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if quoted {
		return nil, errPattern
	}
	return append(out, s[start:]), nil
}

// parseField reads name, or name op value joined by && or ||.
func parseField(s string) (field, error) {
	name := 0
	for name < len(s) && isIdent(rune(s[name])) {
		name++
	}
	if name == 0 {
		return field{}, errPattern
	}
	rest := strings.TrimSpace(s[name:])
	if rest == "" {
		return field{test: func(string) bool { return true }}, nil
	}
	test, rest, err := fieldCond(rest)
	if err != nil {
		return field{}, err
	}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		var join string
		switch {
		case strings.HasPrefix(rest, "&&"), strings.HasPrefix(rest, "||"):
			join = rest[:2]
		default:
			return field{}, errPattern
		}
		rest = strings.TrimSpace(rest[2:])
		n := 0
		for n < len(rest) && isIdent(rune(rest[n])) {
			n++
		}
		if n == 0 {
			return field{}, errPattern
		}
		next, r, err := fieldCond(rest[n:])
		if err != nil {
			return field{}, err
		}
		rest = r
		left := test
		if join == "&&" {
			test = func(t string) bool { return left(t) && next(t) }
		} else {
			test = func(t string) bool { return left(t) || next(t) }
		}
	}
	return field{test: test}, nil
}

func fieldCond(s string) (func(string) bool, string, error) {
	op, rest, err := readOp(s)
	if err != nil {
		return nil, "", err
	}
	v, rest, err := readValue(rest, "&|")
	if err != nil {
		return nil, "", err
	}
	if op != "=" && op != "!=" && v.num == nil {
		return nil, "", errPattern
	}
	return func(t string) bool { return compare(t, op, v) }, rest, nil
}

// tokens splits a message at spaces; a "quoted" or [bracketed] run is one
// token, without its quotes or brackets.
func tokens(m string) []string {
	var out []string
	for {
		m = strings.TrimLeft(m, " \t")
		if m == "" {
			return out
		}
		closing := ""
		switch m[0] {
		case '"':
			closing = `"`
		case '[':
			closing = "]"
		}
		if closing != "" {
			if end := strings.Index(m[1:], closing); end >= 0 {
				out = append(out, m[1:end+1])
				m = m[end+2:]
				continue
			}
		}
		end := strings.IndexAny(m, " \t")
		if end < 0 {
			end = len(m)
		}
		out = append(out, m[:end])
		m = m[end:]
	}
}

// matchFields matches fields against tokens; "..." takes any number of
// tokens. ok[i][j] says fields[i:] match toks[j:].
func matchFields(fields []field, toks []string) bool {
	ok := make([][]bool, len(fields)+1)
	for i := range ok {
		ok[i] = make([]bool, len(toks)+1)
	}
	ok[len(fields)][len(toks)] = true
	for i := len(fields) - 1; i >= 0; i-- {
		for j := len(toks); j >= 0; j-- {
			f := fields[i]
			switch {
			case f.ellipsis:
				ok[i][j] = ok[i+1][j] || (j < len(toks) && ok[i][j+1])
			case j < len(toks):
				ok[i][j] = ok[i+1][j+1] && f.test(toks[j])
			}
		}
	}
	return ok[0][0]
}
