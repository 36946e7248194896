package vtl

import (
	"strings"
)

type ctl int

const (
	ctlNone ctl = iota
	ctlBreak
)

// foreachScope is $foreach inside a #foreach loop.
type foreachScope struct {
	index   int
	hasNext bool
	parent  *foreachScope
}

func (s *state) write(w *strings.Builder, text string, pos int) error {
	if w.Len()+len(text) > maxOutput {
		return s.errorf(pos, "output exceeds %d bytes", maxOutput)
	}
	w.WriteString(text)
	return nil
}

func (s *state) render(nodes []node) (ctl, error) { return s.renderTo(&s.out, nodes) }

func (s *state) renderTo(w *strings.Builder, nodes []node) (ctl, error) {
	for _, n := range nodes {
		switch n := n.(type) {
		case textNode:
			if err := s.write(w, n.s, 0); err != nil {
				return ctlNone, err
			}
		case refNode:
			v, err := s.evalRef(n.ref)
			if err != nil {
				return ctlNone, err
			}
			var text string
			switch {
			case v == nil && n.ref.quiet && n.esc == 0:
			case v == nil:
				text = strings.Repeat("\\", n.esc) + n.ref.raw
			case n.esc%2 == 1:
				text = strings.Repeat("\\", n.esc/2) + n.ref.raw
			default:
				text = strings.Repeat("\\", n.esc/2) + str(v)
			}
			if err := s.write(w, text, n.ref.pos); err != nil {
				return ctlNone, err
			}
		case setNode:
			if err := s.set(n); err != nil {
				return ctlNone, err
			}
		case ifNode:
			body := n.els
			for i, c := range n.conds {
				v, err := s.eval(c)
				if err != nil {
					return ctlNone, err
				}
				if truthy(v) {
					body = n.bodies[i]
					break
				}
			}
			if c, err := s.renderTo(w, body); c != ctlNone || err != nil {
				return c, err
			}
		case foreachNode:
			if err := s.foreach(w, n); err != nil {
				return ctlNone, err
			}
		case breakNode:
			return ctlBreak, nil
		case stopNode:
			return ctlNone, errStop
		}
	}
	return ctlNone, nil
}

func (s *state) foreach(w *strings.Builder, n foreachNode) error {
	v, err := s.eval(n.list)
	if err != nil {
		return err
	}
	var items []any
	switch x := v.(type) {
	case *list:
		items = append(items, x.items...)
	case *omap:
		for _, k := range x.keys {
			items = append(items, x.vals[k])
		}
	}
	oldVar, hadVar := s.vars[n.varName]
	oldScope, hadScope := s.vars["foreach"]
	oldCount, hadCount := s.vars["velocityCount"]
	defer func() {
		restore(s.vars, n.varName, oldVar, hadVar)
		restore(s.vars, "foreach", oldScope, hadScope)
		restore(s.vars, "velocityCount", oldCount, hadCount)
	}()
	parent, _ := oldScope.(*foreachScope)
	for i, it := range items {
		s.steps++
		if s.steps > maxIterations {
			return s.errorf(n.pos, "more than %d #foreach iterations", maxIterations)
		}
		s.vars[n.varName] = it
		s.vars["foreach"] = &foreachScope{index: i, hasNext: i+1 < len(items), parent: parent}
		s.vars["velocityCount"] = int64(i + 1)
		c, err := s.renderTo(w, n.body)
		if err != nil {
			return err
		}
		if c == ctlBreak {
			break
		}
	}
	return nil
}

func restore(m map[string]any, k string, v any, had bool) {
	if had {
		m[k] = v
	} else {
		delete(m, k)
	}
}

func (s *state) set(n setNode) error {
	v, err := s.eval(n.value)
	if err != nil {
		return err
	}
	// Velocity 1.7 leaves the left side alone when the right side is null.
	if v == nil {
		return nil
	}
	t := n.target
	if len(t.parts) == 0 {
		s.vars[t.name] = v
		return nil
	}
	head := &refExpr{name: t.name, parts: t.parts[:len(t.parts)-1], pos: t.pos}
	obj, err := s.evalRef(head)
	if err != nil || obj == nil {
		return err
	}
	last := t.parts[len(t.parts)-1]
	switch last.kind {
	case partProp:
		if m, ok := obj.(*omap); ok {
			m.put(last.name, v)
		}
	case partIndex:
		idx, err := s.eval(last.index)
		if err != nil {
			return err
		}
		switch o := obj.(type) {
		case *omap:
			o.put(str(idx), v)
		case *list:
			i, ok := idx.(int64)
			if !ok || i < 0 || i >= int64(len(o.items)) {
				return s.errorf(t.pos, "index %s out of bounds for length %d", str(idx), len(o.items))
			}
			o.items[i] = v
		}
	default:
		return s.errorf(t.pos, "cannot assign to a method call in #set")
	}
	return nil
}

// evalRef resolves a reference; an undefined step yields nil, as in Velocity.
func (s *state) evalRef(r *refExpr) (any, error) {
	cur, ok := s.vars[r.name]
	if !ok {
		return nil, nil
	}
	for _, p := range r.parts {
		if cur == nil {
			return nil, nil
		}
		var err error
		switch p.kind {
		case partProp:
			cur, err = s.property(cur, p.name, r.pos)
		case partIndex:
			var idx any
			if idx, err = s.eval(p.index); err == nil {
				cur, err = s.index(cur, idx, r.pos)
			}
		case partMethod:
			args := make([]any, len(p.args))
			for i, a := range p.args {
				if args[i], err = s.eval(a); err != nil {
					return nil, err
				}
			}
			cur, err = s.call(cur, p.name, args, r.pos)
		}
		if err != nil {
			return nil, err
		}
	}
	return cur, nil
}

func (s *state) index(v, idx any, pos int) (any, error) {
	switch x := v.(type) {
	case *omap:
		r, _ := x.get(str(idx))
		return r, nil
	case *list:
		i, ok := idx.(int64)
		if !ok {
			return nil, nil
		}
		if i < 0 || i >= int64(len(x.items)) {
			return nil, s.errorf(pos, "index %d out of bounds for length %d", i, len(x.items))
		}
		return x.items[i], nil
	}
	return nil, nil
}

func (s *state) eval(e expr) (any, error) {
	switch e := e.(type) {
	case litExpr:
		return e.v, nil
	case *refExpr:
		return s.evalRef(e)
	case strExpr:
		var b strings.Builder
		if _, err := s.renderTo(&b, e.nodes); err != nil {
			return nil, err
		}
		return b.String(), nil
	case listExpr:
		l := &list{items: make([]any, 0, len(e.items))}
		for _, it := range e.items {
			v, err := s.eval(it)
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, v)
		}
		return l, nil
	case mapExpr:
		m := newMap()
		for i := range e.keys {
			k, err := s.eval(e.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := s.eval(e.vals[i])
			if err != nil {
				return nil, err
			}
			m.put(str(k), v)
		}
		return m, nil
	case rangeExpr:
		return s.rangeList(e)
	case unExpr:
		v, err := s.eval(e.x)
		if err != nil {
			return nil, err
		}
		if e.op == "!" {
			return !truthy(v), nil
		}
		switch n := v.(type) {
		case int64:
			return -n, nil
		case float64:
			return -n, nil
		}
		return nil, nil
	case binExpr:
		return s.binary(e)
	}
	return nil, nil
}
