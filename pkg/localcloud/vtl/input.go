package vtl

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// input is $input: the request payload and parameters.
type input struct{ s *state }

// root parses the body once; a body that is not JSON is its own text, which
// is how form posts are read with $input.path('$').split("&").
func (s *state) root() any {
	if !s.bodyP {
		s.bodyP = true
		b := bytes.TrimSpace(s.req.Body)
		if len(b) == 0 {
			s.body = newMap()
		} else if v, err := parseJSON(b); err == nil {
			s.body = v
		} else {
			s.body = string(s.req.Body)
		}
	}
	return s.body
}

func (in *input) call(name string, args []any, pos int) (any, error) {
	s := in.s
	switch {
	case (name == "body" || name == "getBody") && len(args) == 0:
		// An empty payload reads as an empty JSON object, as API Gateway hands it on.
		if len(bytes.TrimSpace(s.req.Body)) == 0 {
			return "{}", nil
		}
		return string(s.req.Body), nil
	case (name == "json" || name == "path") && len(args) == 1:
		v, err := jsonPath(s.root(), str(args[0]))
		if err != nil {
			return nil, s.errorf(pos, "$input.%s(%q): %v", name, str(args[0]), err)
		}
		if name == "path" {
			return v, nil
		}
		if v == "" {
			return "", nil
		}
		var b strings.Builder
		toJSON(&b, v)
		return b.String(), nil
	case name == "params" && len(args) == 0:
		m := newMap()
		m.put("path", stringMap(orEmptyS(s.req.Path), sortedKeys(s.req.Path)))
		m.put("querystring", stringMap(orEmptyS(s.req.QueryString), sortedKeys(s.req.QueryString)))
		m.put("header", stringMap(orEmptyS(s.req.Header), sortedKeys(s.req.Header)))
		return m, nil
	case name == "params" && len(args) == 1:
		k := str(args[0])
		for _, m := range []map[string]string{s.req.Path, s.req.QueryString, s.req.Header} {
			if v, ok := m[k]; ok {
				return v, nil
			}
		}
		for hk, v := range s.req.Header {
			if strings.EqualFold(hk, k) {
				return v, nil
			}
		}
		return "", nil
	}
	return nil, nil
}

// utilObj is $util.
type utilObj struct{}

func (s *state) util(name string, args []any, pos int) (any, error) {
	if len(args) != 1 {
		return nil, nil
	}
	if args[0] == nil {
		return nil, nil
	}
	a := str(args[0])
	switch name {
	case "escapeJavaScript":
		return escapeJavaScript(a), nil
	case "parseJson":
		v, err := parseJSON([]byte(a))
		if err != nil {
			return nil, s.errorf(pos, "$util.parseJson: invalid JSON: %v", err)
		}
		return v, nil
	case "urlEncode":
		return strings.NewReplacer("~", "%7E", "%2A", "*").Replace(url.QueryEscape(a)), nil
	case "urlDecode":
		v, err := url.QueryUnescape(a)
		if err != nil {
			return nil, s.errorf(pos, "$util.urlDecode: %v", err)
		}
		return v, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(a)), nil
	case "base64Decode":
		v, err := base64.StdEncoding.DecodeString(a)
		if err != nil {
			return nil, s.errorf(pos, "$util.base64Decode: %v", err)
		}
		return string(v), nil
	}
	return nil, nil
}

// escapeJavaScript is Apache Commons Lang 2's StringEscapeUtils.escapeJavaScript,
// which API Gateway uses: quotes, backslash and slash are escaped, and
// control and non-ASCII characters become \uXXXX.
func escapeJavaScript(s string) string {
	var b strings.Builder
	for _, ch := range utf16(s) {
		switch {
		case ch > 0x7f:
			fmt.Fprintf(&b, "\\u%04X", ch)
		case ch < 32:
			switch ch {
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				fmt.Fprintf(&b, "\\u%04X", ch)
			}
		case ch == '\'' || ch == '"' || ch == '\\' || ch == '/':
			b.WriteByte('\\')
			b.WriteByte(byte(ch))
		default:
			b.WriteByte(byte(ch))
		}
	}
	return b.String()
}

// jsonPath selects from v with the JSONPath subset API Gateway documents: $,
// .name, ['name'], [n], [*], .* and ..name. A path with a wildcard or deep
// scan yields a list; a missing member yields "", as API Gateway answers.
func jsonPath(v any, path string) (any, error) {
	p := strings.TrimSpace(path)
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("path must start with $")
	}
	p = p[1:]
	cur := []any{v}
	multi := false
	for p != "" {
		var next []any
		switch {
		case strings.HasPrefix(p, ".."):
			p = p[2:]
			name, rest := pathName(p)
			if name == "" {
				return nil, fmt.Errorf("expected a name after ..")
			}
			p, multi = rest, true
			for _, c := range cur {
				next = deepScan(c, name, next)
			}
		case p[0] == '.':
			name, rest := pathName(p[1:])
			if name == "" {
				return nil, fmt.Errorf("expected a name after .")
			}
			p = rest
			if name == "*" {
				multi = true
				next = wildcard(cur)
			} else {
				next = member(cur, name)
			}
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, fmt.Errorf("missing ]")
			}
			sel := strings.TrimSpace(p[1:end])
			p = p[end+1:]
			switch {
			case sel == "*":
				multi = true
				next = wildcard(cur)
			case len(sel) >= 2 && (sel[0] == '\'' || sel[0] == '"') && sel[len(sel)-1] == sel[0]:
				next = member(cur, sel[1:len(sel)-1])
			default:
				i, err := strconv.Atoi(sel)
				if err != nil {
					return nil, fmt.Errorf("unsupported selector [%s]", sel)
				}
				for _, c := range cur {
					if l, ok := c.(*list); ok {
						j := i
						if j < 0 {
							j += len(l.items)
						}
						if j >= 0 && j < len(l.items) {
							next = append(next, l.items[j])
						}
					}
				}
			}
		default:
			return nil, fmt.Errorf("unexpected %q", p)
		}
		cur = next
	}
	if multi {
		return &list{items: cur, json: true}, nil
	}
	if len(cur) == 0 {
		return "", nil
	}
	return cur[0], nil
}

func pathName(p string) (string, string) {
	if strings.HasPrefix(p, "*") {
		return "*", p[1:]
	}
	j := 0
	for j < len(p) && p[j] != '.' && p[j] != '[' {
		j++
	}
	return p[:j], p[j:]
}

func member(cur []any, name string) []any {
	var out []any
	for _, c := range cur {
		if m, ok := c.(*omap); ok {
			if v, ok := m.get(name); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

func wildcard(cur []any) []any {
	var out []any
	for _, c := range cur {
		switch x := c.(type) {
		case *omap:
			for _, k := range x.keys {
				out = append(out, x.vals[k])
			}
		case *list:
			out = append(out, x.items...)
		}
	}
	return out
}

func deepScan(v any, name string, out []any) []any {
	switch x := v.(type) {
	case *omap:
		if r, ok := x.get(name); ok {
			out = append(out, r)
		}
		for _, k := range x.keys {
			out = deepScan(x.vals[k], name, out)
		}
	case *list:
		for _, e := range x.items {
			out = deepScan(e, name, out)
		}
	}
	return out
}
