package asl

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
)

// Walk calls fn for every state of the machine, a state before the states
// nested in its Parallel branches or Map processor, each in declaration
// order. path locates the state, e.g. "States.Publish.Branches[1].States.PublishDevto".
func (m *StateMachine) Walk(fn func(path, name string, s State)) {
	walkStates("", m.States, fn)
}

func walkStates(prefix string, states States, fn func(path, name string, s State)) {
	for _, s := range states {
		if s == nil {
			continue
		}
		path := join(prefix, "States."+s.StateName())
		fn(path, s.StateName(), s)
		for _, sub := range nestedScopes(path, s) {
			walkStates(sub.path, sub.states, fn)
		}
	}
}

// scope is a set of states Next fields can move between: the machine's, a
// Parallel branch's or a Map processor's.
type scope struct {
	path          string
	queryLanguage QueryLanguage
	startAt       string
	states        States
}

func nestedScopes(path string, s State) []scope {
	var out []scope
	switch s := s.(type) {
	case *Parallel:
		for i, b := range s.Branches {
			out = append(out, scope{fmt.Sprintf("%s.Branches[%d]", path, i), b.QueryLanguage, b.StartAt, b.States})
		}
	case *Map:
		if p := s.ItemProcessor; p != nil {
			out = append(out, scope{path + ".ItemProcessor", p.QueryLanguage, p.StartAt, p.States})
		}
		if it := s.Iterator; it != nil {
			out = append(out, scope{path + ".Iterator", it.QueryLanguage, it.StartAt, it.States})
		}
	}
	return out
}

func join(prefix, path string) string {
	if prefix == "" {
		return path
	}
	return prefix + "." + path
}

var placeholder = regexp.MustCompile(`\$\{([^${}\s]+)\}`)

// Placeholders returns, sorted and without repeats, the name of every
// "${Name}" placeholder (see Sub) in the document: in any string, key or
// value, at any depth, nested branches and Map processors included. They
// are the DefinitionSubstitutions the deployed machine needs.
func (m *StateMachine) Placeholders() []string {
	seen := map[string]bool{}
	scanObject(m, func(s string) {
		for _, match := range placeholder.FindAllStringSubmatch(s, -1) {
			seen[match[1]] = true
		}
	})
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// scanObject calls fn with every string an object would be written with.
func scanObject(o object, fn func(string)) {
	for _, f := range o.fields() {
		if f.set() {
			scanValue(reflect.ValueOf(f.ptr).Elem(), fn)
		}
	}
	for key, raw := range o.leftover() {
		fn(key)
		var v any
		if decode(raw, &v) == nil {
			scanValue(reflect.ValueOf(v), fn)
		}
	}
}

var objectType = reflect.TypeFor[object]()

func scanValue(v reflect.Value, fn func(string)) {
	if !v.IsValid() {
		return
	}
	if v.Kind() == reflect.Pointer && v.Type().Implements(objectType) {
		if !v.IsNil() {
			scanObject(v.Interface().(object), fn)
		}
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(objectType) {
		scanObject(v.Addr().Interface().(object), fn)
		return
	}
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			scanValue(v.Index(i), fn)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			scanValue(iter.Key(), fn)
			scanValue(iter.Value(), fn)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scanValue(v.Elem(), fn)
		}
	case reflect.Struct:
		// A struct a workflow put in a payload is written as its JSON.
		b, err := json.Marshal(v.Interface())
		var generic any
		if err == nil && decode(b, &generic) == nil {
			scanValue(reflect.ValueOf(generic), fn)
		}
	}
}
