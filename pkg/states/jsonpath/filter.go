package jsonpath

import (
	"encoding/json"
	"strings"
)

// expr is a filter expression: logical operators over comparisons of
// operands (relative "@" paths, absolute "$" paths and literals).
type expr interface {
	eval(current, root any) bool
	write(b *strings.Builder)
}

type logical struct {
	and         bool
	left, right expr
}

type not struct{ x expr }

type comparison struct {
	op          string // "", "==", "!=", "<", "<=", ">", ">="; "" tests existence
	left, right operand
}

// operand is a path (relative to the current node or to the root) or a
// literal JSON value.
type operand struct {
	isPath   bool
	absolute bool
	segs     []segment
	definite bool
	value    any
}

func (l logical) eval(cur, root any) bool {
	if l.and {
		return l.left.eval(cur, root) && l.right.eval(cur, root)
	}
	return l.left.eval(cur, root) || l.right.eval(cur, root)
}

func (l logical) write(b *strings.Builder) {
	b.WriteByte('(')
	l.left.write(b)
	if l.and {
		b.WriteString(" && ")
	} else {
		b.WriteString(" || ")
	}
	l.right.write(b)
	b.WriteByte(')')
}

func (n not) eval(cur, root any) bool { return !n.x.eval(cur, root) }

func (n not) write(b *strings.Builder) {
	b.WriteString("!(")
	n.x.write(b)
	b.WriteByte(')')
}

// resolve evaluates an operand; ok is false when a path selects nothing.
// An indefinite path yields the list of its matches, as in Jayway.
func (o operand) resolve(cur, root any) (v any, ok bool) {
	if !o.isPath {
		return o.value, true
	}
	start := cur
	if o.absolute {
		start = root
	}
	nodes := evaluate(o.segs, start, root)
	if !o.definite {
		return nodes, true
	}
	if len(nodes) == 0 {
		return nil, false
	}
	return nodes[0], true
}

func (c comparison) eval(cur, root any) bool {
	l, lok := c.left.resolve(cur, root)
	if c.op == "" {
		if !c.left.isPath {
			b, isBool := l.(bool)
			return isBool && b
		}
		return lok
	}
	r, rok := c.right.resolve(cur, root)
	switch c.op {
	case "==":
		return lok && rok && equal(l, r)
	case "!=":
		return !(lok && rok && equal(l, r))
	}
	if !lok || !rok {
		return false
	}
	cmp, comparable := order(l, r)
	if !comparable {
		return false
	}
	switch c.op {
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	default: // ">="
		return cmp >= 0
	}
}

func (c comparison) write(b *strings.Builder) {
	c.left.write(b)
	if c.op != "" {
		b.WriteString(" " + c.op + " ")
		c.right.write(b)
	}
}

func (o operand) write(b *strings.Builder) {
	if !o.isPath {
		writeLiteral(b, o.value)
		return
	}
	if o.absolute {
		b.WriteByte('$')
	} else {
		b.WriteByte('@')
	}
	writeSegments(b, o.segs)
}

func writeLiteral(b *strings.Builder, v any) {
	switch v := v.(type) {
	case string:
		writeQuoted(b, v)
	case json.Number:
		b.WriteString(v.String())
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	default:
		b.WriteString("null")
	}
}

// Filter grammar, loosest first:
//
//	or      = and { "||" and }
//	and     = unary { "&&" unary }
//	unary   = "!" unary | "(" or ")" | operand [ cmp operand ]
//	operand = "@" steps | "$" steps | 'string' | "string" | number | true | false | null
func (p *parser) orExpr() (expr, error) {
	left, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !p.eat("||") {
			return left, nil
		}
		right, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		left = logical{left: left, right: right}
	}
}

func (p *parser) andExpr() (expr, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !p.eat("&&") {
			return left, nil
		}
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = logical{and: true, left: left, right: right}
	}
}

// maxDepth bounds nesting so a hostile path cannot exhaust the stack.
const maxDepth = 64

func (p *parser) unary() (expr, error) {
	p.skipSpace()
	if strings.HasPrefix(p.src[p.pos:], "!=") {
		return nil, p.errorf(`unexpected "!="`)
	}
	if p.eat("!") {
		if err := p.descend(); err != nil {
			return nil, err
		}
		defer p.ascend()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return not{x}, nil
	}
	if p.eat("(") {
		if err := p.descend(); err != nil {
			return nil, err
		}
		defer p.ascend()
		x, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if !p.eat(")") {
			return nil, p.errorf(`expected ")"`)
		}
		return x, nil
	}
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if p.eat(op) {
			p.skipSpace()
			right, err := p.operand()
			if err != nil {
				return nil, err
			}
			return comparison{op: op, left: left, right: right}, nil
		}
	}
	if !left.isPath {
		if _, ok := left.value.(bool); !ok {
			return nil, p.errorf("a literal alone is not a condition")
		}
	}
	return comparison{left: left}, nil
}

func (p *parser) descend() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("filter nested too deeply")
	}
	return nil
}

func (p *parser) ascend() { p.depth-- }

func (p *parser) operand() (operand, error) {
	switch c := p.peek(); {
	case c == '@' || c == '$':
		p.pos++
		if err := p.descend(); err != nil {
			return operand{}, err
		}
		defer p.ascend()
		segs, err := p.segments()
		if err != nil {
			return operand{}, err
		}
		definite, _ := classify(segs)
		return operand{isPath: true, absolute: c == '$', segs: segs, definite: definite}, nil
	case c == '\'' || c == '"':
		s, err := p.quoted()
		return operand{value: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.numberLiteral()
	}
	for word, v := range map[string]any{"true": true, "false": false, "null": nil} {
		if p.eat(word) {
			return operand{value: v}, nil
		}
	}
	return operand{}, p.errorf(`expected "@", "$", a string, a number, true, false or null`)
}

func (p *parser) numberLiteral() (operand, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	digits := func() int {
		s := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		return p.pos - s
	}
	if digits() == 0 {
		return operand{}, p.errorf("malformed number")
	}
	if p.eat(".") && digits() == 0 {
		return operand{}, p.errorf("malformed number")
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if digits() == 0 {
			return operand{}, p.errorf("malformed number")
		}
	}
	return operand{value: json.Number(p.src[start:p.pos])}, nil
}
