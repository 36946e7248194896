package jsonpath

import (
	"fmt"
	"maps"
	"slices"
)

// Get evaluates p against doc, whatever p's root: pass the state input for
// "$", the context object for "$$" and the variable's value for "$name".
// A definite path yields its node, or a States.Runtime *Error naming the
// path when there is none; any other path yields a []any of every match,
// empty when nothing matches. Results share structure with doc: treat them
// as read-only.
func (p *Path) Get(doc any) (any, error) {
	if !p.definite {
		nodes := evaluate(p.segs, doc, doc)
		if nodes == nil {
			nodes = []any{}
		}
		return nodes, nil
	}
	segs := p.segs
	if !p.simple {
		segs = segs[:len(segs)-1] // the trailing union of names, merged below
	}
	v, failed := walk(segs, doc)
	if failed >= 0 {
		return nil, p.notFound(failed, v)
	}
	if !p.simple {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, p.notFound(len(segs), v)
		}
		return p.segs[len(segs)].selectFrom(nil, m, doc, true, false)[0], nil
	}
	return v, nil
}

// notFound words the error as AWS does for InputPath and OutputPath: the
// message of Jayway's PathNotFoundException after "Invalid path '...' : ".
// A missing member before the last step is a "Missing property"; anything
// else selects no result. at is the failing step and parent the node it
// was applied to.
func (p *Path) notFound(at int, parent any) error {
	var msg string
	if m, ok := parent.(map[string]any); ok && at < len(p.segs)-1 && p.segs[at].kind == segName {
		if _, present := m[p.segs[at].names[0]]; !present {
			prefix := &Path{root: p.root, variable: p.variable, segs: p.segs[:at+1]}
			msg = "Missing property in path " + prefix.canonical()
		}
	}
	if msg == "" {
		msg = "No results for path: " + p.canonical()
	}
	return &Error{Name: errRuntime, Cause: fmt.Sprintf("Invalid path '%s' : %s", p.src, msg)}
}

// walk follows plain names and indexes without allocating. On a miss it
// returns the node the failing step was applied to and that step's index;
// otherwise the selected node and -1.
func walk(segs []segment, v any) (any, int) {
	for i := range segs {
		s := &segs[i]
		switch s.kind {
		case segName:
			m, ok := v.(map[string]any)
			if !ok {
				return v, i
			}
			x, ok := m[s.names[0]]
			if !ok {
				return v, i
			}
			v = x
		case segIndex:
			a, ok := v.([]any)
			if !ok {
				return v, i
			}
			j, ok := index(s.indexes[0], len(a))
			if !ok {
				return v, i
			}
			v = a[j]
		}
	}
	return v, -1
}

// index resolves a possibly negative index against an array's length.
func index(i, n int) (int, bool) {
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

// evaluate applies segs to start and returns every selected node in
// document order; root is what "$" means inside filters.
func evaluate(segs []segment, start, root any) []any {
	nodes := []any{start}
	for i := range segs {
		s := &segs[i]
		leaf := i == len(segs)-1
		var next []any
		for _, n := range nodes {
			if s.deep {
				descend(n, func(d any) { next = s.selectFrom(next, d, root, leaf, true) })
				continue
			}
			next = s.selectFrom(next, n, root, leaf, false)
		}
		if len(next) == 0 {
			return nil
		}
		nodes = next
	}
	return nodes
}

// descend calls f on v and every node below it, parents before children,
// as Jayway's deep scan does. Go maps keep no order, so object members are
// visited by sorted key to stay deterministic.
func descend(v any, f func(any)) {
	f(v)
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			descend(v[k], f)
		}
	case []any:
		for _, e := range v {
			descend(e, f)
		}
	}
}

// selectFrom appends to out what s selects in v. Under a deep scan, a
// filter tests every object and scalar reached (arrays' elements are
// reached on their own), so no node is selected twice.
func (s *segment) selectFrom(out []any, v, root any, leaf, deep bool) []any {
	switch s.kind {
	case segName:
		if m, ok := v.(map[string]any); ok {
			if x, ok := m[s.names[0]]; ok {
				out = append(out, x)
			}
		}
	case segNames:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		if leaf {
			// Jayway merges a union of names at the end of a path into
			// one object holding the members present.
			merged := make(map[string]any, len(s.names))
			for _, n := range s.names {
				if x, ok := m[n]; ok {
					merged[n] = x
				}
			}
			out = append(out, merged)
			break
		}
		for _, n := range s.names {
			if x, ok := m[n]; ok {
				out = append(out, x)
			}
		}
	case segIndex, segIndexes:
		if a, ok := v.([]any); ok {
			for _, i := range s.indexes {
				if i, ok := index(i, len(a)); ok {
					out = append(out, a[i])
				}
			}
		}
	case segSlice:
		if a, ok := v.([]any); ok {
			out = s.slice.apply(out, a)
		}
	case segWildcard:
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				out = append(out, v[k])
			}
		case []any:
			out = append(out, v...)
		}
	case segFilter:
		switch x := v.(type) {
		case []any:
			if deep {
				break
			}
			for _, e := range x {
				if s.filter.eval(e, root) {
					out = append(out, e)
				}
			}
		case map[string]any:
			// Jayway tests an object against a filter as a whole.
			if s.filter.eval(x, root) {
				out = append(out, x)
			}
		default:
			if deep && s.filter.eval(x, root) {
				out = append(out, x)
			}
		}
	}
	return out
}

// apply selects a slice with Python's semantics: negative bounds count
// from the end, bounds are clamped, a negative step walks backwards.
func (sl sliceSpec) apply(out []any, a []any) []any {
	n := len(a)
	step := 1
	if sl.hasStep {
		step = sl.step
	}
	bound := func(v int, has bool, def, lo, hi int) int {
		if !has {
			return def
		}
		if v < 0 {
			v += n
		}
		return min(max(v, lo), hi)
	}
	if step > 0 {
		start := bound(sl.start, sl.hasStart, 0, 0, n)
		end := bound(sl.end, sl.hasEnd, n, 0, n)
		for i := start; i < end; i += step {
			out = append(out, a[i])
		}
		return out
	}
	start := bound(sl.start, sl.hasStart, n-1, -1, n-1)
	end := bound(sl.end, sl.hasEnd, -1, -1, n-1)
	for i := start; i > end; i += step {
		out = append(out, a[i])
	}
	return out
}
