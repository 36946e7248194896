package vtl

func (p *parser) skipSpace() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// word reports whether the keyword w starts at p.i, and consumes it.
func (p *parser) word(w string) bool {
	if p.hasPrefix(w) && !isIdent(p.peek(len(w))) {
		p.i += len(w)
		return true
	}
	return false
}

// templateRef parses a reference in template text; ok is false when the $ is plain text.
func (p *parser) templateRef() (*refExpr, bool, error) {
	start := p.i
	r, err := p.ref(true)
	if err != nil {
		return nil, false, err
	}
	if r == nil {
		p.i = start
		return nil, false, nil
	}
	return r, true, nil
}

// exprRef parses a reference inside a directive or method argument.
func (p *parser) exprRef() (*refExpr, error) {
	start := p.i
	r, err := p.ref(false)
	if err == nil && r == nil {
		err = p.errAt(start, "expected a reference after $")
	}
	return r, err
}

func (p *parser) ident() string {
	j := p.i
	if j < len(p.src) && isIdentStart(p.src[j]) {
		j++
		for j < len(p.src) && isIdent(p.src[j]) {
			j++
		}
	}
	s := p.src[p.i:j]
	p.i = j
	return s
}

// ref parses $name, $!name, ${name}, $!{name} with its tail; nil means no reference here.
func (p *parser) ref(inText bool) (*refExpr, error) {
	start := p.i
	p.i++ // $
	r := &refExpr{pos: p.base + start}
	if p.peek(0) == '!' {
		r.quiet = true
		p.i++
	}
	braced := p.peek(0) == '{'
	if braced {
		p.i++
	}
	if !isIdentStart(p.peek(0)) {
		return nil, nil
	}
	j := p.i
	for j < len(p.src) && (isIdentStart(p.src[j]) || p.src[j] >= '0' && p.src[j] <= '9' || p.src[j] == '_') {
		j++
	}
	r.name, p.i = p.src[p.i:j], j
	for {
		if p.peek(0) == '.' && isIdentStart(p.peek(1)) {
			p.i++
			name := p.ident()
			if p.peek(0) == '(' {
				p.i++
				args, err := p.list(')')
				if err != nil {
					return nil, err
				}
				r.parts = append(r.parts, refPart{kind: partMethod, name: name, args: args})
			} else {
				r.parts = append(r.parts, refPart{kind: partProp, name: name})
			}
			continue
		}
		if p.peek(0) == '[' {
			save := p.i
			p.i++
			idx, err := p.expr()
			if err == nil {
				p.skipSpace()
				if p.peek(0) == ']' {
					p.i++
					r.parts = append(r.parts, refPart{kind: partIndex, index: idx})
					continue
				}
			}
			if !inText {
				if err == nil {
					err = p.errAt(p.i, "expected ] after index")
				}
				return nil, err
			}
			p.i = save
		}
		break
	}
	if braced {
		if p.peek(0) != '}' {
			if inText {
				return nil, nil
			}
			return nil, p.errAt(p.i, "expected } to close ${")
		}
		p.i++
	}
	r.raw = p.src[start:p.i]
	return r, nil
}

// list parses comma-separated expressions up to the closing byte.
func (p *parser) list(closer byte) ([]expr, error) {
	var out []expr
	p.skipSpace()
	if p.peek(0) == closer {
		p.i++
		return out, nil
	}
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		p.skipSpace()
		switch p.peek(0) {
		case ',':
			p.i++
		case closer:
			p.i++
			return out, nil
		default:
			return nil, p.errAt(p.i, "expected , or %c", closer)
		}
	}
}

func (p *parser) expr() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errAt(p.i, "expression nested too deep")
	}
	return p.binary(0)
}

// levels lists binary operators from loosest to tightest; words are Velocity's aliases.
var levels = [][][2]string{
	{{"||", "||"}, {"or", "||"}},
	{{"&&", "&&"}, {"and", "&&"}},
	{{"==", "=="}, {"!=", "!="}, {"eq", "=="}, {"ne", "!="}},
	{{"<=", "<="}, {">=", ">="}, {"<", "<"}, {">", ">"}, {"le", "<="}, {"ge", ">="}, {"lt", "<"}, {"gt", ">"}},
	{{"+", "+"}, {"-", "-"}},
	{{"*", "*"}, {"/", "/"}, {"%", "%"}},
}

func (p *parser) op(level int) (string, bool) {
	p.skipSpace()
	for _, o := range levels[level] {
		if isIdentStart(o[0][0]) {
			if p.word(o[0]) {
				return o[1], true
			}
		} else if p.hasPrefix(o[0]) {
			p.i += len(o[0])
			return o[1], true
		}
	}
	return "", false
}

func (p *parser) binary(level int) (expr, error) {
	if level == len(levels) {
		return p.unary()
	}
	p.skipSpace()
	start := p.i
	l, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	lraw := p.src[start:p.i]
	for {
		pos := p.i
		op, ok := p.op(level)
		if !ok {
			p.i = pos
			return l, nil
		}
		p.skipSpace()
		rstart := p.i
		r, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		rraw := p.src[rstart:p.i]
		l = binExpr{op: op, l: l, r: r, lraw: lraw, rraw: rraw, pos: p.base + pos}
		lraw = p.src[start:p.i]
	}
}

func (p *parser) unary() (expr, error) {
	p.skipSpace()
	if (p.peek(0) == '!' && p.peek(1) != '=') || p.word("not") {
		if p.peek(0) == '!' {
			p.i++
		}
		x, err := p.unaryNested()
		return unExpr{op: "!", x: x}, err
	}
	if p.peek(0) == '-' {
		p.i++
		x, err := p.unaryNested()
		return unExpr{op: "-", x: x}, err
	}
	return p.primary()
}

func (p *parser) unaryNested() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errAt(p.i, "expression nested too deep")
	}
	return p.unary()
}

func (p *parser) primary() (expr, error) {
	p.skipSpace()
	start := p.i
	c := p.peek(0)
	switch {
	case c == '(':
		p.i++
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek(0) != ')' {
			return nil, p.errAt(p.i, "expected )")
		}
		p.i++
		return e, nil
	case c == '$':
		return p.exprRef()
	case c == '"' || c == '\'':
		return p.str(c)
	case c >= '0' && c <= '9':
		return p.number()
	case c == '[':
		// One pass decides between a range and a list: retrying would be
		// exponential in nested brackets.
		p.i++
		p.skipSpace()
		if p.peek(0) == ']' {
			p.i++
			return listExpr{}, nil
		}
		first, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.hasPrefix("..") {
			p.i += 2
			to, err := p.expr()
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if p.peek(0) != ']' {
				return nil, p.errAt(p.i, "expected ] to close range")
			}
			p.i++
			return rangeExpr{first, to}, nil
		}
		items := []expr{first}
		for {
			p.skipSpace()
			switch p.peek(0) {
			case ']':
				p.i++
				return listExpr{items}, nil
			case ',':
				p.i++
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				items = append(items, e)
			default:
				return nil, p.errAt(p.i, "expected , or ]")
			}
		}
	case c == '{':
		p.i++
		var m mapExpr
		p.skipSpace()
		if p.peek(0) == '}' {
			p.i++
			return m, nil
		}
		for {
			k, err := p.expr()
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if p.peek(0) != ':' {
				return nil, p.errAt(p.i, "expected : in map literal")
			}
			p.i++
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			m.keys, m.vals = append(m.keys, k), append(m.vals, v)
			p.skipSpace()
			if p.peek(0) == ',' {
				p.i++
				continue
			}
			if p.peek(0) != '}' {
				return nil, p.errAt(p.i, "expected , or } in map literal")
			}
			p.i++
			return m, nil
		}
	case p.word("true"):
		return litExpr{true}, nil
	case p.word("false"):
		return litExpr{false}, nil
	case p.word("null"):
		return litExpr{nil}, nil
	}
	if start >= len(p.src) {
		return nil, p.errAt(start, "unexpected end of template in expression")
	}
	return nil, p.errAt(start, "unexpected %q in expression", c)
}
