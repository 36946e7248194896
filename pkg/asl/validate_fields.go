package asl

import (
	"fmt"
	"strings"
	"unicode"
)

// fields runs the checks every object's field table drives: members Parse
// could not place, fields of the other query language, and the syntax of
// paths, payload templates and JSONata expressions. what names the object
// in messages, e.g. "a Fail state".
func (c *checker) fields(path string, o object, lang QueryLanguage, what string) {
	for _, key := range sortedKeys(o.leftover()) {
		c.add(path, "field %q is not allowed in %s", key, what)
	}
	fs := o.fields()
	for _, f := range fs {
		if !f.set() {
			continue
		}
		if f.only != "" && f.only != lang {
			if sharesKey(fs, f) {
				c.add(path, "%s as a JSONata expression is not allowed in a %s state", f.key, lang)
			} else {
				c.add(path, "%s is not allowed in a %s state", f.key, lang)
			}
			continue
		}
		c.value(path, f, lang)
	}
}

// sharesKey reports whether another field is written under f's key.
func sharesKey(fs []field, f field) bool {
	n := 0
	for _, g := range fs {
		if g.key == f.key {
			n++
		}
	}
	return n > 1
}

func (c *checker) value(path string, f field, lang QueryLanguage) {
	switch f.kind {
	case kindPath, kindNullablePath, kindRefPath, kindResultPath:
		p := *f.ptr.(*Path)
		if p == NullPath {
			if f.kind != kindNullablePath && f.kind != kindResultPath {
				c.add(path, "%s cannot be null", f.key)
			}
			return
		}
		mode := map[fieldKind]pathMode{kindPath: anyPath, kindNullablePath: anyPath, kindRefPath: refPath, kindResultPath: resultPath}[f.kind]
		if err := checkPath(string(p), mode); err != nil {
			c.add(path, "%s %q is not a valid path: %v", f.key, p, err)
		}
	case kindPathOrCall:
		p := string(*f.ptr.(*Path))
		if err := checkPathOrCall(p, refPath); err != nil {
			c.add(path, "%s %q: %v", f.key, p, err)
		}
	case kindExpr:
		if s := *f.ptr.(*string); !isExpr(s) {
			c.add(path, "%s %q must be a JSONata expression written \"{%% ... %%}\"", f.key, s)
		}
	case kindTemplate, kindTemplateOrExpr:
		v, err := generic(f.value())
		if err != nil {
			c.add(path, "%s cannot be written as JSON: %v", f.key, err)
			return
		}
		at := join(path, f.key)
		if s, ok := v.(string); ok && f.kind == kindTemplateOrExpr && !isExpr(s) {
			c.add(path, "%s must be a JSON value or a JSONata expression \"{%% ... %%}\", not the string %q", f.key, s)
			return
		}
		if lang == JSONata {
			c.jsonataTemplate(at, v)
		} else {
			c.payloadTemplate(at, v)
		}
		if f.key == "Assign" {
			c.variables(at, v)
		}
	}
}

// checkPathOrCall accepts a path, or an intrinsic function call.
func checkPathOrCall(s string, mode pathMode) error {
	if strings.HasPrefix(s, "States.") {
		return checkIntrinsic(s)
	}
	if !strings.HasPrefix(s, "$") {
		return fmt.Errorf("neither a path nor an intrinsic function")
	}
	if err := checkPath(s, mode); err != nil {
		return fmt.Errorf("not a valid path: %w", err)
	}
	return nil
}

// generic turns a Go value into what it reads as once written as JSON, so
// templates built from any Go types are checked the way AWS will see them.
func generic(v any) (any, error) {
	b, err := marshalValue(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, decode(b, &out)
}

// payloadTemplate checks a JSONPath payload template: the value of a key
// ending in ".$" must be a path or an intrinsic function.
func (c *checker) payloadTemplate(path string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, key := range sortedKeys(v) {
			at := join(path, key)
			name, dynamic := strings.CutSuffix(key, ".$")
			if !dynamic {
				c.payloadTemplate(at, v[key])
				continue
			}
			if _, clash := v[name]; clash {
				c.add(at, "%q and %q both give the field %q", name, key, name)
			}
			s, ok := v[key].(string)
			if !ok {
				c.add(at, "a field ending in \".$\" takes a path or an intrinsic function as a string")
				continue
			}
			if err := checkPathOrCall(s, anyPath); err != nil {
				c.add(at, "%q: %v", s, err)
			}
		}
	case []any:
		for i, e := range v {
			c.payloadTemplate(fmt.Sprintf("%s[%d]", path, i), e)
		}
	}
}

// jsonataTemplate checks a JSONata template: every string that opens or
// closes like an expression must be a whole "{% ... %}" expression.
func (c *checker) jsonataTemplate(path string, v any) {
	switch v := v.(type) {
	case string:
		if (strings.HasPrefix(v, "{%") || strings.HasSuffix(v, "%}")) && !isExpr(v) {
			c.add(path, "%q is not a JSONata expression: write \"{%% ... %%}\"", v)
		}
	case map[string]any:
		for _, key := range sortedKeys(v) {
			c.jsonataTemplate(join(path, key), v[key])
		}
	case []any:
		for i, e := range v {
			c.jsonataTemplate(fmt.Sprintf("%s[%d]", path, i), e)
		}
	}
}

// isExpr reports whether s is a whole JSONata expression "{% ... %}".
func isExpr(s string) bool {
	inner, ok := strings.CutPrefix(s, "{%")
	if !ok {
		return false
	}
	inner, ok = strings.CutSuffix(inner, "%}")
	return ok && strings.TrimSpace(inner) != ""
}

// variables checks the names Assign gives variables: JSONata identifiers,
// which JSONPath states reference as "$name" too.
func (c *checker) variables(path string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.add(path, "Assign must be a JSON object")
		return
	}
	for _, key := range sortedKeys(m) {
		name := strings.TrimSuffix(key, ".$")
		if name == "states" {
			c.add(join(path, key), "the variable name \"states\" is reserved for $states")
			continue
		}
		if !validVariable(name) {
			c.add(join(path, key), "%q is not a variable name: use letters, digits and _, not starting with a digit", name)
		}
	}
}

func validVariable(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		if r != '_' && !unicode.IsLetter(r) && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}
