package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
)

// field binds a JSON member to the Go field holding it. Each type lists its
// fields once, in the order they are written, and that one table drives
// marshalling, parsing, Placeholders and the generic checks of Validate, so
// the four cannot drift apart.
type field struct {
	key  string
	ptr  any           // pointer to the Go field
	only QueryLanguage // the one query language the field belongs to, "" for both
	kind fieldKind
}

// fieldKind says what Validate checks in a field's value.
type fieldKind int

const (
	kindPlain          fieldKind = iota
	kindPath                     // a Path: may select several nodes
	kindNullablePath             // a Path that may be NullPath (InputPath, OutputPath)
	kindRefPath                  // a Reference Path: selects one node
	kindResultPath               // a Reference Path into the input, or NullPath
	kindPathOrCall               // a Reference Path or an intrinsic function (ErrorPath, CausePath)
	kindTemplate                 // a payload template (JSONPath) or a JSONata template
	kindTemplateOrExpr           // like kindTemplate, but a string must be a whole JSONata expression
	kindExpr                     // a whole JSONata expression "{% ... %}"
)

// object is implemented by every type written as a JSON object.
type object interface {
	fields() []field
	leftover() map[string]json.RawMessage
	setLeftover(map[string]json.RawMessage)
}

// leftovers keeps the members Parse found no field for, so Validate can
// report them and marshalling writes the document back unchanged.
type leftovers struct {
	unknown map[string]json.RawMessage
}

func (l *leftovers) leftover() map[string]json.RawMessage     { return l.unknown }
func (l *leftovers) setLeftover(m map[string]json.RawMessage) { l.unknown = m }

// member is a JSON member written ahead of an object's fields, such as Type.
type member struct {
	key   string
	value any
}

// set reports whether a field holds a value worth writing: nil pointers,
// empty strings, false and nil slices or maps are left out; a pointer to 0 and
// an empty but non-nil map are written.
func (f field) set() bool {
	return !reflect.ValueOf(f.ptr).Elem().IsZero()
}

// value returns what the field holds.
func (f field) value() any { return reflect.ValueOf(f.ptr).Elem().Interface() }

func marshalObject(o object, head ...member) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	write := func(key string, v any) error {
		b, err := marshalValue(v)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		k, _ := marshalValue(key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(b)
		return nil
	}
	for _, m := range head {
		if err := write(m.key, m.value); err != nil {
			return nil, err
		}
	}
	for _, f := range o.fields() {
		if !f.set() {
			continue
		}
		if err := write(f.key, f.ptr); err != nil {
			return nil, err
		}
	}
	for _, key := range sortedKeys(o.leftover()) {
		if err := write(key, o.leftover()[key]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshalValue is json.Marshal without HTML escaping and trailing newline.
func marshalValue(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// unmarshalObject fills o's fields from a JSON object. Two fields may share a
// key (TimeoutSeconds as a number or as a JSONata string): the first one the
// value decodes into wins. Members matching no field are kept as leftovers;
// those named in skip are the caller's (Type).
func unmarshalObject(data []byte, o object, skip ...string) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return err
	}
	if members == nil {
		return fmt.Errorf("expected a JSON object, got %s", data)
	}
	fs := o.fields()
	var unknown map[string]json.RawMessage
	for _, key := range sortedKeys(members) {
		if slices.Contains(skip, key) {
			continue
		}
		raw := members[key]
		matched := false
		var firstErr error
		for _, f := range fs {
			if f.key != key {
				continue
			}
			err := decode(raw, f.ptr)
			if err == nil {
				matched = true
				break
			}
			// A failed decode may have allocated the pointer it was filling.
			reflect.ValueOf(f.ptr).Elem().SetZero()
			if firstErr == nil {
				firstErr = err
			}
		}
		if matched {
			continue
		}
		if firstErr != nil {
			return fmt.Errorf("%s: %w", key, firstErr)
		}
		if unknown == nil {
			unknown = map[string]json.RawMessage{}
		}
		unknown[key] = raw
	}
	o.setLeftover(unknown)
	return nil
}

// decode reads numbers inside free-form values as json.Number, so a payload
// template writes back exactly the number it was given.
func decode(raw json.RawMessage, ptr any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(ptr)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
