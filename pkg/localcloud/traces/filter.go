package traces

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// A filter is a parsed subset of X-Ray's filter expressions: the
// keywords error, fault, throttle and ok; ! before a term; responsetime and duration
// compared with a number; http.status, http.url and http.method;
// annotation.<key>; service("name"); joined by AND/OR (&&, ||) and
// grouped with parentheses. Anything else is refused by name, never
// silently matched.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html
type filter interface{ match(*TraceSummary) bool }

type orFilter []filter
type andFilter []filter
type funcFilter func(*TraceSummary) bool

func (o orFilter) match(s *TraceSummary) bool {
	for _, f := range o {
		if f.match(s) {
			return true
		}
	}
	return false
}

func (a andFilter) match(s *TraceSummary) bool {
	for _, f := range a {
		if !f.match(s) {
			return false
		}
	}
	return true
}

func (f funcFilter) match(s *TraceSummary) bool { return f(s) }

const supported = `service("name"), error, fault, throttle, ok, responsetime, duration, http.status, http.url, http.method, annotation.<key>, !, AND, OR and parentheses`

// parseFilter parses expr; an empty one is nil (every trace).
func parseFilter(expr string) (filter, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	toks, err := tokenize(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, unsupportedFilter(p.toks[p.pos].text)
	}
	return f, nil
}

func unsupportedFilter(what string) error {
	return invalidRequest("Invalid filter expression: the local cloud's X-Ray does not support %q (it supports %s)", what, supported)
}

type token struct {
	kind byte // 'w' word, 's' string, 'o' operator, '(' or ')'
	text string
}

func tokenize(expr string) ([]token, error) {
	var toks []token
	rs := []rune(expr)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')':
			toks = append(toks, token{kind: byte(r), text: string(r)})
			i++
		case r == '"':
			j := i + 1
			var b strings.Builder
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				b.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, invalidRequest("Invalid filter expression: a string is not closed: %s", expr)
			}
			toks = append(toks, token{kind: 's', text: b.String()})
			i = j + 1
		case strings.ContainsRune("=!<>&|", r):
			j := i + 1
			for j < len(rs) && strings.ContainsRune("=&|", rs[j]) {
				j++
			}
			toks = append(toks, token{kind: 'o', text: string(rs[i:j])})
			i = j
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune(`()"=!<>&|`, rs[j]) {
				j++
			}
			toks = append(toks, token{kind: 'w', text: string(rs[i:j])})
			i = j
		}
	}
	return toks, nil
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{}, false
}

func (p *parser) next() (token, error) {
	t, ok := p.peek()
	if !ok {
		return t, invalidRequest("Invalid filter expression: it ends too soon")
	}
	p.pos++
	return t, nil
}

func (p *parser) or() (filter, error) {
	return p.joined(p.and, "OR", "||", func(fs []filter) filter { return orFilter(fs) })
}

func (p *parser) and() (filter, error) {
	return p.joined(p.term, "AND", "&&", func(fs []filter) filter { return andFilter(fs) })
}

func (p *parser) joined(sub func() (filter, error), word, sym string, join func([]filter) filter) (filter, error) {
	f, err := sub()
	if err != nil {
		return nil, err
	}
	fs := []filter{f}
	for {
		t, ok := p.peek()
		if !ok || !(strings.EqualFold(t.text, word) && t.kind == 'w' || t.kind == 'o' && t.text == sym) {
			break
		}
		p.pos++
		f, err := sub()
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	if len(fs) == 1 {
		return fs[0], nil
	}
	return join(fs), nil
}

func (p *parser) term() (filter, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	if t.kind == '(' {
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if c, err := p.next(); err != nil || c.kind != ')' {
			return nil, invalidRequest("Invalid filter expression: a parenthesis is not closed")
		}
		return f, nil
	}
	if t.kind == 'o' && t.text == "!" {
		f, err := p.term()
		if err != nil {
			return nil, err
		}
		return funcFilter(func(s *TraceSummary) bool { return !f.match(s) }), nil
	}
	if t.kind != 'w' {
		return nil, unsupportedFilter(t.text)
	}
	word := strings.ToLower(t.text)
	switch {
	case word == "service":
		return p.service()
	case word == "error" || word == "fault" || word == "throttle" || word == "ok":
		return p.flag(word)
	case word == "responsetime" || word == "duration":
		op, v, err := p.comparison(t.text)
		if err != nil {
			return nil, err
		}
		n, ok := v.(float64)
		if !ok {
			return nil, invalidRequest("Invalid filter expression: %s compares with a number", t.text)
		}
		return funcFilter(func(s *TraceSummary) bool {
			x := s.ResponseTime
			if word == "duration" {
				x = s.Duration
			}
			return compareNumber(x, op, n)
		}), nil
	case strings.HasPrefix(word, "http."):
		return p.http(t.text)
	case strings.HasPrefix(t.text, "annotation."):
		return p.annotation(strings.TrimPrefix(t.text, "annotation."))
	}
	return nil, unsupportedFilter(t.text)
}

func (p *parser) service() (filter, error) {
	open, err := p.next()
	if err != nil || open.kind != '(' {
		return nil, invalidRequest(`Invalid filter expression: service takes a name in parentheses: service("name")`)
	}
	name, err := p.next()
	if err != nil {
		return nil, err
	}
	if name.kind == ')' {
		return funcFilter(func(s *TraceSummary) bool { return true }), nil
	}
	if name.kind != 's' {
		return nil, unsupportedFilter("service(" + name.text)
	}
	if c, err := p.next(); err != nil || c.kind != ')' {
		return nil, invalidRequest("Invalid filter expression: service(%q is not closed", name.text)
	}
	return funcFilter(func(s *TraceSummary) bool {
		for _, id := range s.ServiceIDs {
			if id.Name == name.text {
				return true
			}
		}
		return false
	}), nil
}

// flag is a bare keyword, or one compared with true or false.
func (p *parser) flag(word string) (filter, error) {
	want := true
	if t, ok := p.peek(); ok && (t.text == "=" || t.text == "!=") {
		op, v, err := p.comparison(word)
		if err != nil {
			return nil, err
		}
		b, ok := v.(bool)
		if !ok || (op != "=" && op != "!=") {
			return nil, invalidRequest("Invalid filter expression: %s compares with = true or = false", word)
		}
		want = b == (op == "=")
	}
	return funcFilter(func(s *TraceSummary) bool {
		var got bool
		switch word {
		case "error":
			got = s.HasError
		case "fault":
			got = s.HasFault
		case "throttle":
			got = s.HasThrottle
		default:
			got = !s.HasError && !s.HasFault && !s.HasThrottle
		}
		return got == want
	}), nil
}

func (p *parser) http(field string) (filter, error) {
	op, v, err := p.comparison(field)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(field) {
	case "http.status":
		n, ok := v.(float64)
		if !ok {
			return nil, invalidRequest("Invalid filter expression: http.status compares with a number")
		}
		return funcFilter(func(s *TraceSummary) bool {
			return s.HTTP.HTTPStatus != nil && compareNumber(float64(*s.HTTP.HTTPStatus), op, n)
		}), nil
	case "http.url", "http.method":
		str, ok := v.(string)
		if !ok || (op != "=" && op != "!=") {
			return nil, invalidRequest("Invalid filter expression: %s compares with = or != and a string", field)
		}
		return funcFilter(func(s *TraceSummary) bool {
			got := s.HTTP.HTTPURL
			if strings.EqualFold(field, "http.method") {
				got = s.HTTP.HTTPMethod
			}
			return (got == str) == (op == "=")
		}), nil
	}
	return nil, unsupportedFilter(field)
}

func (p *parser) annotation(key string) (filter, error) {
	op, v, err := p.comparison("annotation." + key)
	if err != nil {
		return nil, err
	}
	return funcFilter(func(s *TraceSummary) bool {
		for _, val := range s.Annotations[key] {
			a := val.AnnotationValue
			switch want := v.(type) {
			case float64:
				if a.NumberValue != nil && compareNumber(*a.NumberValue, op, want) {
					return true
				}
			case bool:
				if a.BooleanValue != nil && (*a.BooleanValue == want) == (op == "=") {
					return true
				}
			case string:
				if a.StringValue != nil && (*a.StringValue == want) == (op == "=") {
					return true
				}
			}
		}
		return false
	}), nil
}

// comparison reads an operator and a value: a number, true, false or a
// string.
func (p *parser) comparison(field string) (string, any, error) {
	opTok, err := p.next()
	if err != nil {
		return "", nil, err
	}
	switch opTok.text {
	case "=", "!=", "<", "<=", ">", ">=":
	default:
		return "", nil, unsupportedFilter(field + " " + opTok.text)
	}
	val, err := p.next()
	if err != nil {
		return "", nil, err
	}
	var v any
	switch {
	case val.kind == 's':
		v = val.text
	case val.kind == 'w' && (val.text == "true" || val.text == "false"):
		v = val.text == "true"
	case val.kind == 'w':
		n, err := strconv.ParseFloat(val.text, 64)
		if err != nil {
			return "", nil, unsupportedFilter(val.text)
		}
		v = n
	default:
		return "", nil, unsupportedFilter(val.text)
	}
	if _, ok := v.(float64); !ok && opTok.text != "=" && opTok.text != "!=" {
		return "", nil, invalidRequest("Invalid filter expression: %s %s takes a number", field, opTok.text)
	}
	return opTok.text, v, nil
}

func compareNumber(x float64, op string, n float64) bool {
	switch op {
	case "=":
		return x == n
	case "!=":
		return x != n
	case "<":
		return x < n
	case "<=":
		return x <= n
	case ">":
		return x > n
	case ">=":
		return x >= n
	}
	panic(fmt.Sprintf("traces: comparison %q", op))
}
