package vtl

import (
	"strings"
)

// property resolves $v.name the way Velocity does: a map's get("name"), else
// the getter getName() or isName().
func (s *state) property(v any, name string, pos int) (any, error) {
	switch x := v.(type) {
	case *omap:
		r, _ := x.get(name)
		return r, nil
	case *foreachScope:
		switch name {
		case "index":
			return int64(x.index), nil
		case "count":
			return int64(x.index + 1), nil
		case "hasNext":
			return x.hasNext, nil
		case "first":
			return x.index == 0, nil
		case "last":
			return !x.hasNext, nil
		case "parent":
			if x.parent == nil {
				return nil, nil
			}
			return x.parent, nil
		}
		return nil, nil
	case entry:
		switch name {
		case "key":
			return x.key, nil
		case "value":
			return x.val, nil
		}
		return nil, nil
	}
	up := strings.ToUpper(name[:1]) + name[1:]
	getters := []string{"get" + up, "is" + up}
	if _, ok := v.(*input); ok {
		getters = append(getters, name) // $input.body
	}
	for _, m := range getters {
		r, err := s.call(v, m, nil, pos)
		if r != nil || err != nil {
			return r, err
		}
	}
	return nil, nil
}

// call invokes a Java-style method; a method the value lacks yields nil, which
// Velocity renders as the reference's own text.
func (s *state) call(v any, name string, args []any, pos int) (any, error) {
	if name == "toString" && len(args) == 0 {
		return str(v), nil
	}
	if name == "equals" && len(args) == 1 {
		return equal(v, args[0]), nil
	}
	switch x := v.(type) {
	case string:
		return s.stringMethod(x, name, args, pos)
	case *list:
		return s.listMethod(x, name, args, pos)
	case *omap:
		return mapMethod(x, name, args), nil
	case int64, float64:
		return numberMethod(x, name, args), nil
	case *foreachScope:
		if len(args) == 0 {
			switch name {
			case "hasNext", "getHasNext":
				return x.hasNext, nil
			case "getIndex", "getCount", "isFirst", "isLast", "getFirst", "getLast", "getParent":
				p := strings.TrimPrefix(strings.TrimPrefix(name, "get"), "is")
				return s.property(x, strings.ToLower(p[:1])+p[1:], pos)
			}
		}
	case entry:
		if len(args) == 0 {
			switch name {
			case "getKey":
				return x.key, nil
			case "getValue":
				return x.val, nil
			}
		}
	case *input:
		return x.call(name, args, pos)
	case utilObj:
		return s.util(name, args, pos)
	}
	return nil, nil
}

func intArg(args []any, i int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	switch n := args[i].(type) {
	case int64:
		return int(n), true
	}
	return 0, false
}

func strArgs(args []any, n int) ([]string, bool) {
	if len(args) != n {
		return nil, false
	}
	out := make([]string, n)
	for i, a := range args {
		if a == nil {
			return nil, false
		}
		out[i] = str(a)
	}
	return out, true
}

func (s *state) listMethod(x *list, name string, args []any, pos int) (any, error) {
	switch {
	case name == "size" && len(args) == 0:
		return int64(len(x.items)), nil
	case name == "isEmpty" && len(args) == 0:
		return len(x.items) == 0, nil
	case name == "get" && len(args) == 1:
		return s.index(x, args[0], pos)
	case name == "contains" && len(args) == 1:
		return indexOf(x, args[0]) >= 0, nil
	case name == "indexOf" && len(args) == 1:
		return int64(indexOf(x, args[0])), nil
	case name == "add" && len(args) == 1:
		if len(x.items) >= maxIterations {
			return nil, s.errorf(pos, "list exceeds %d elements", maxIterations)
		}
		x.items = append(x.items, args[0])
		return true, nil
	case name == "set" && len(args) == 2:
		i, ok := intArg(args, 0)
		if !ok || i < 0 || i >= len(x.items) {
			return nil, s.errorf(pos, "index %s out of bounds for length %d", str(args[0]), len(x.items))
		}
		old := x.items[i]
		x.items[i] = args[1]
		return old, nil
	case name == "remove" && len(args) == 1:
		i, ok := intArg(args, 0)
		if !ok || i < 0 || i >= len(x.items) {
			return nil, s.errorf(pos, "index %s out of bounds for length %d", str(args[0]), len(x.items))
		}
		old := x.items[i]
		x.items = append(x.items[:i:i], x.items[i+1:]...)
		return old, nil
	}
	return nil, nil
}

func indexOf(x *list, v any) int {
	for i, e := range x.items {
		if equal(e, v) {
			return i
		}
	}
	return -1
}

func mapMethod(x *omap, name string, args []any) any {
	switch {
	case name == "size" && len(args) == 0:
		return int64(len(x.keys))
	case name == "isEmpty" && len(args) == 0:
		return len(x.keys) == 0
	case name == "get" && len(args) == 1:
		v, _ := x.get(str(args[0]))
		return v
	case name == "containsKey" && len(args) == 1:
		_, ok := x.get(str(args[0]))
		return ok
	case name == "containsValue" && len(args) == 1:
		for _, k := range x.keys {
			if equal(x.vals[k], args[0]) {
				return true
			}
		}
		return false
	case name == "put" && len(args) == 2:
		return x.put(str(args[0]), args[1])
	case name == "remove" && len(args) == 1:
		return x.remove(str(args[0]))
	case name == "keySet" && len(args) == 0:
		l := &list{}
		for _, k := range x.keys {
			l.items = append(l.items, k)
		}
		return l
	case name == "values" && len(args) == 0:
		l := &list{}
		for _, k := range x.keys {
			l.items = append(l.items, x.vals[k])
		}
		return l
	case name == "entrySet" && len(args) == 0:
		l := &list{}
		for _, k := range x.keys {
			l.items = append(l.items, entry{k, x.vals[k]})
		}
		return l
	}
	return nil
}

func numberMethod(x any, name string, args []any) any {
	if len(args) != 0 {
		return nil
	}
	switch name {
	case "intValue", "longValue":
		if f, ok := x.(float64); ok {
			return int64(f)
		}
		return x
	case "doubleValue", "floatValue":
		return toFloat(x)
	}
	return nil
}
