package jsonata

import "strings"

// topLevelReference finds the first read of the context item at the top level
// of an expression: an unqualified field name (a path's first step), "$" or
// "$$". In a Step Functions JSONata expression there is no context item (the
// input is $states.input), so AWS refuses these at definition time:
// "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is
// not supported." (measured on AWS, floci-io/floci#2670). Inside a nested
// expression the context is whatever the enclosing step provides, so names
// there are fine: after ".", inside a predicate or a path-step block, in a
// function body or a group-by object.
//
// It is a scanner, not a parser: Compile runs it only on expressions gnata
// has already parsed, so it can assume balanced brackets and closed strings.
func topLevelReference(src string) (string, bool) {
	type frame struct {
		top     bool
		closing byte
		params  bool // a lambda's parameter list
		pipes   int  // a transform "| location | update |": pipes seen
	}
	stack := []frame{{top: true}}
	cur := func() frame { return stack[len(stack)-1] }
	// prev is the kind of the previous significant token: 'v' a value (name,
	// variable, literal, closing bracket), '.' a path dot, 'o' anything else.
	prev := byte('o')
	lambdaBody := false // the next '{' opens a function body
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return "", false
			}
			i += end + 4
			continue
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if c == '`' && prev != '.' && cur().top {
				return src[i+1 : min(j, len(src))], true
			}
			i = j + 1
			prev = 'v'
			continue
		case c == '/' && prev != 'v':
			// a regular expression literal
			j := i + 1
			for j < len(src) && src[j] != '/' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j++
			for j < len(src) && isNameByte(src[j]) {
				j++
			}
			i = j
			prev = 'v'
			continue
		case c == '$':
			j := i + 1
			for j < len(src) && (isNameByte(src[j]) || src[j] == '$') {
				j++
			}
			name := src[i:j]
			if (name == "$" || name == "$$") && prev != '.' && cur().top {
				return name, true
			}
			i = j
			prev = 'v'
			continue
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (isNameByte(src[j]) || src[j] == '.' && j+1 < len(src) && src[j+1] >= '0' && src[j+1] <= '9') {
				j++
			}
			i = j
			prev = 'v'
			continue
		case isNameByte(c) || c >= 0x80:
			j := i
			for j < len(src) && (isNameByte(src[j]) || src[j] >= 0x80) {
				j++
			}
			word := src[i:j]
			i = j
			switch word {
			case "and", "or", "in":
				prev = 'o'
				continue
			case "true", "false", "null":
				prev = 'v'
				continue
			case "function", "λ":
				lambdaBody = true
				prev = 'f'
				continue
			}
			if prev != '.' && cur().top && !cur().params {
				return word, true
			}
			prev = 'v'
			continue
		}
		// punctuation
		i++
		switch c {
		case '(':
			if prev == 'f' {
				stack = append(stack, frame{top: false, closing: ')', params: true})
			} else {
				// a path-step block after '.' or '^' reads the step's context;
				// a call's arguments and a plain block keep the current one.
				stack = append(stack, frame{top: cur().top && prev != '.', closing: ')'})
			}
			prev = 'o'
		case '[':
			// after a value it is a predicate or an index (nested context);
			// otherwise an array constructor.
			stack = append(stack, frame{top: cur().top && prev != 'v' && prev != '.', closing: ']'})
			prev = 'o'
		case '{':
			nested := lambdaBody || prev == 'v' || prev == '.'
			lambdaBody = false
			stack = append(stack, frame{top: cur().top && !nested, closing: '}'})
			prev = 'o'
		case ')', ']', '}':
			wasParams := cur().params
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			if wasParams {
				// a signature "<n-n:n>" may sit between the parameters and the body
				if k := skipSpace(src, i); k < len(src) && src[k] == '<' {
					i = skipSignature(src, k)
				}
				prev = 'o'
				continue
			}
			prev = 'v'
		case '.':
			if i < len(src) && src[i] == '.' { // range operator ".."
				i++
				prev = 'o'
				continue
			}
			prev = '.'
		case '|':
			// a transform "~> | location | update |" reads the matched
			// objects: its location and update are nested contexts.
			if f := &stack[len(stack)-1]; f.closing == '|' {
				if f.pipes++; f.pipes == 3 {
					stack = stack[:len(stack)-1]
					prev = 'v'
					continue
				}
			} else {
				stack = append(stack, frame{top: false, closing: '|', pipes: 1})
			}
			prev = 'o'
		case '^', '@', '#':
			prev = '.' // sort, focus and index bindings continue a path
		default:
			if c == ':' && i < len(src) && src[i] == '=' {
				i++
			}
			prev = 'o'
		}
	}
	return "", false
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// skipSignature returns the index after a function signature "<...>" that
// starts at k, nested "<a<n>>" included.
func skipSignature(s string, k int) int {
	depth := 0
	for i := k; i < len(s); i++ {
		switch s[i] {
		case '<':
			depth++
		case '>':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}
