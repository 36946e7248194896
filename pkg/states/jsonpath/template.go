package jsonpath

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Env is what a path can read: the state input for "$", the context object
// for "$$" and the variables for "$name".
//
// Context may also be a func() any that builds the context object when a
// path reads it: most states never do, and building it costs allocations.
type Env struct {
	Input, Context any
	Vars           map[string]any
}

// ContextObject returns e.Context, built when it is a func() any.
func (e Env) ContextObject() any {
	if f, ok := e.Context.(func() any); ok {
		return f()
	}
	return e.Context
}

// Resolve compiles path and gets it from the document its root names.
// Definite paths to nothing and undefined variables are States.Runtime
// *Errors.
func (e Env) Resolve(path string) (any, error) {
	p, err := compileCached(path)
	if err != nil {
		return nil, err
	}
	doc, err := e.document(p)
	if err != nil {
		return nil, err
	}
	return p.Get(doc)
}

func (e Env) document(p *Path) (any, error) {
	switch p.root {
	case RootContext:
		return e.ContextObject(), nil
	case RootVariable:
		v, ok := e.Vars[p.variable]
		if !ok {
			return nil, &Error{Name: errRuntime, Cause: fmt.Sprintf("Invalid path '%s': the variable '%s' is not defined", p.src, p.variable)}
		}
		return v, nil
	}
	return e.Input, nil
}

// The executor resolves the same few paths of a definition over and over;
// caching their compiled form saves the parse. The cap keeps paths built at
// run time from growing the cache without bound.
var (
	compiled      sync.Map // string -> *Path
	compiledCount atomic.Int64
)

const compiledCap = 4096

func compileCached(path string) (*Path, error) {
	if p, ok := compiled.Load(path); ok {
		return p.(*Path), nil
	}
	p, err := Compile(path)
	if err != nil {
		return nil, err
	}
	if compiledCount.Add(1) <= compiledCap {
		compiled.Store(path, p)
	}
	return p, nil
}

// Intrinsics evaluates one intrinsic function call such as
// "States.Format('{}', $.name)" against env.
type Intrinsics func(expr string, env Env) (any, error)

// Template evaluates a payload template (Parameters, ResultSelector,
// ItemSelector): a member whose key ends in ".$" is replaced by the member
// without the suffix, valued by its path (via env.Resolve) or its intrinsic
// call (via call); objects and arrays are recursed into and other values
// copied. tmpl is not modified. A path that selects nothing is a
// States.Runtime *Error naming the path and the field, as AWS words it.
func Template(tmpl any, env Env, call Intrinsics) (any, error) {
	switch t := tmpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		// Sorted keys make the outcome deterministic when "a" and "a.$"
		// both appear: the evaluated member, sorted last, wins.
		var few [8]string // most templates are small: keys stay on the stack
		keys := few[:0]
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v := t[k]
			if name, dynamic := strings.CutSuffix(k, ".$"); dynamic {
				x, err := evalField(k, v, env, call)
				if err != nil {
					return nil, err
				}
				out[name] = x
				continue
			}
			x, err := Template(v, env, call)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			x, err := Template(v, env, call)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return tmpl, nil
}

// evalField evaluates the value of a ".$" member named field.
func evalField(field string, v any, env Env, call Intrinsics) (any, error) {
	expr, _ := v.(string)
	switch {
	case strings.HasPrefix(expr, "$"):
		p, err := compileCached(expr)
		if err != nil {
			return nil, err
		}
		doc, err := env.document(p)
		if err != nil {
			return nil, err
		}
		x, err := p.Get(doc)
		var se *Error
		if errors.As(err, &se) && se.Name == errRuntime {
			return nil, &Error{Name: errRuntime, Cause: fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", expr, field, compactJSON(doc))}
		}
		return x, err
	case strings.HasPrefix(expr, "States."):
		if call == nil {
			return nil, &Error{Name: errRuntime, Cause: fmt.Sprintf("The field '%s' calls the intrinsic function %s, but no intrinsic functions are available", field, expr)}
		}
		x, err := call(expr, env)
		if err != nil {
			var se interface{ StatesError() (string, string) }
			if errors.As(err, &se) {
				return nil, err
			}
			return nil, fmt.Errorf("field '%s': %w", field, err)
		}
		return x, nil
	}
	return nil, &Error{Name: errRuntime, Cause: fmt.Sprintf("The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", field)}
}
