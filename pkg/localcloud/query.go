package localcloud

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// DecodeQuery fills the struct v points to from AWS query-protocol
// parameters: a field is named as its Go name (or its `query:"Name"`
// tag); a list is Name.member.1, Name.member.2, ...; a map is
// Name.entry.1.key / Name.entry.1.value; a nested struct is Name.Field.
// Strings, bools, ints, floats, pointers to them, slices, maps with
// string keys and structs are supported. A malformed number or bool is
// a ValidationError, as AWS answers.
func DecodeQuery(params map[string][]string, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("localcloud: DecodeQuery needs a non-nil pointer")
	}
	return decodeQueryValue(params, "", rv.Elem())
}

func queryName(f reflect.StructField) string {
	if t := f.Tag.Get("query"); t != "" {
		return t
	}
	return f.Name
}

func hasPrefix(params map[string][]string, prefix string) bool {
	for k := range params {
		if k == prefix || strings.HasPrefix(k, prefix+".") {
			return true
		}
	}
	return false
}

func decodeQueryValue(params map[string][]string, name string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		if !hasPrefix(params, name) {
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := decodeQueryValue(params, name, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("query") == "-" {
				continue
			}
			key := queryName(f)
			if name != "" {
				key = name + "." + key
			}
			if err := decodeQueryValue(params, key, v.Field(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		idx := indexes(params, name+".member.")
		if len(idx) == 0 {
			return nil
		}
		s := reflect.MakeSlice(v.Type(), len(idx), len(idx))
		for i, n := range idx {
			if err := decodeQueryValue(params, name+".member."+strconv.Itoa(n), s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Map:
		idx := indexes(params, name+".entry.")
		if len(idx) == 0 {
			return nil
		}
		m := reflect.MakeMapWithSize(v.Type(), len(idx))
		for _, n := range idx {
			base := name + ".entry." + strconv.Itoa(n)
			val := reflect.New(v.Type().Elem()).Elem()
			if err := decodeQueryValue(params, base+".value", val); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(first(params, base+".key")).Convert(v.Type().Key()), val)
		}
		v.Set(m)
		return nil
	}
	vals, ok := params[name]
	if !ok || len(vals) == 0 {
		return nil
	}
	s := vals[0]
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return validation("%s: %q is not a boolean", name, s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return validation("%s: %q is not an integer", name, s)
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return validation("%s: %q is not a number", name, s)
		}
		v.SetFloat(n)
	default:
		return fmt.Errorf("localcloud: DecodeQuery cannot fill a %s (%s)", v.Type(), name)
	}
	return nil
}

// indexes lists the N of prefix+N(.…) keys, in order.
func indexes(params map[string][]string, prefix string) []int {
	seen := map[int]bool{}
	for k := range params {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

func first(params map[string][]string, k string) string {
	if v := params[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func validation(format string, args ...any) error {
	return &Error{Code: "ValidationError", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}
