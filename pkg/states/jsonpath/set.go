package jsonpath

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Set applies a ResultPath: it returns doc with value placed at refPath.
// "$" replaces the whole document; "$.a.b" sets member b of a, creating the
// objects on the way. Stepping into something that is not an object, or
// naming an array index, is a States.ResultPathMatchFailure *Error worded as
// AWS words it. doc is never mutated: the objects on the path are copied and
// everything else is shared. A null ResultPath (discard the result) is the
// caller's business: it never reaches Set.
func Set(doc any, refPath string, value any) (any, error) {
	p, err := compileCached(refPath)
	if err != nil {
		return nil, err
	}
	if p.root != RootInput {
		return nil, &Error{Name: errRuntime, Cause: fmt.Sprintf("Invalid ResultPath '%s': a ResultPath can only write into the state input", refPath)}
	}
	for _, s := range p.segs {
		switch {
		case s.deep || (s.kind != segName && s.kind != segIndex):
			return nil, &Error{Name: errRuntime, Cause: fmt.Sprintf("Invalid ResultPath '%s': a ResultPath must be a Reference Path selecting a single node", refPath)}
		case s.kind == segIndex:
			return nil, matchFailure(refPath, doc)
		}
	}
	if len(p.segs) == 0 {
		return value, nil
	}
	out, ok := setIn(doc, p.segs, value)
	if !ok {
		return nil, matchFailure(refPath, doc)
	}
	return out, nil
}

// setIn returns a copy of v, an object, with value at the path segs, or
// false when a step meets something other than an object. A missing member
// becomes a new object.
func setIn(v any, segs []segment, value any) (any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	name := segs[0].names[0]
	child := value
	if len(segs) > 1 {
		next, present := m[name]
		if !present {
			next = map[string]any{}
		}
		if child, ok = setIn(next, segs[1:], value); !ok {
			return nil, false
		}
	}
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out[name] = child
	return out, true
}

// matchFailure is AWS's cause for a ResultPath that cannot be applied, e.g.
// `Unable to apply ReferencePath $.partitioned to input "{\"a\":1}"` for a
// string input.
func matchFailure(refPath string, doc any) error {
	return &Error{Name: errResultPathMismatch, Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", refPath, compactJSON(doc))}
}

// compactJSON renders v as Step Functions quotes documents in causes:
// compact, with <, > and & left alone.
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
