package vtl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// list is a Java-style mutable list: templates share it by reference. A list
// read from JSON is json-smart's JSONArray, whose toString is JSON, while a
// list literal is an ArrayList rendering as [a, b].
type list struct {
	items []any
	json  bool
}

// omap is an insertion-ordered map, as Java's LinkedHashMap and JSON objects are.
type omap struct {
	keys []string
	vals map[string]any
}

func newMap() *omap { return &omap{vals: map[string]any{}} }

func (m *omap) get(k string) (any, bool) { v, ok := m.vals[k]; return v, ok }

func (m *omap) put(k string, v any) any {
	old, ok := m.vals[k]
	if !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
	return old
}

func (m *omap) remove(k string) any {
	old, ok := m.vals[k]
	if ok {
		delete(m.vals, k)
		for i, x := range m.keys {
			if x == k {
				m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
				break
			}
		}
	}
	return old
}

// entry is a Map.Entry from entrySet.
type entry struct {
	key string
	val any
}

func stringMap(m map[string]string, keys []string) *omap {
	out := newMap()
	for _, k := range keys {
		out.put(k, m[k])
	}
	return out
}

// fromGo turns a Request's Go values into template values.
func fromGo(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := newMap()
		for _, k := range sortedKeys(x) {
			out.put(k, fromGo(x[k]))
		}
		return out
	case map[string]string:
		return stringMap(x, sortedKeys(x))
	case []any:
		l := &list{}
		for _, e := range x {
			l.items = append(l.items, fromGo(e))
		}
		return l
	case []string:
		l := &list{}
		for _, e := range x {
			l.items = append(l.items, e)
		}
		return l
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// parseJSON decodes JSON into ordered template values: objects keep their key
// order and integral numbers stay integers, as API Gateway's JsonPath does.
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := newMap()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				m.put(kt.(string), v)
			}
			_, err := dec.Token()
			return m, err
		case '[':
			l := &list{json: true}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, v)
			}
			_, err := dec.Token()
			return l, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n, nil
		}
		f, err := t.Float64()
		return f, err
	}
	return tok, nil
}

// toJSON writes v as compact JSON, keeping map order.
func toJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case *omap:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			toJSON(b, x.vals[k])
		}
		b.WriteByte('}')
	case *list:
		b.WriteByte('[')
		for i, e := range x.items {
			if i > 0 {
				b.WriteByte(',')
			}
			toJSON(b, e)
		}
		b.WriteByte(']')
	case string:
		writeJSONString(b, x)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			b.WriteString("null")
		} else {
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	default:
		b.WriteString(str(v))
	}
}

func writeJSONString(b *strings.Builder, s string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Write(bytes.TrimRight(buf.Bytes(), "\n"))
}

// str renders a value as Java's toString does.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x)
	case *list:
		if x.json {
			var b strings.Builder
			toJSON(&b, x)
			return b.String()
		}
		parts := make([]string, len(x.items))
		for i, e := range x.items {
			parts[i] = str(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *omap:
		parts := make([]string, len(x.keys))
		for i, k := range x.keys {
			parts[i] = k + "=" + str(x.vals[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case entry:
		return x.key + "=" + str(x.val)
	case *foreachScope:
		return "foreach"
	}
	return fmt.Sprint(v)
}

func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	a := math.Abs(f)
	if a != 0 && (a < 1e-3 || a >= 1e7) {
		s := strconv.FormatFloat(f, 'E', -1, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		return mant + "E" + strings.TrimPrefix(exp, "+")
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// truthy is Velocity 1.7's #if test: everything but null and false is true.
func truthy(v any) bool {
	if b, ok := v.(bool); ok {
		return b
	}
	return v != nil
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

func toFloat(v any) float64 {
	if n, ok := v.(int64); ok {
		return float64(n)
	}
	f, _ := v.(float64)
	return f
}

// equal compares as Velocity does: numbers by value, like types with equals,
// anything else by its string form.
func equal(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if isNumber(a) && isNumber(b) {
		return toFloat(a) == toFloat(b)
	}
	switch x := a.(type) {
	case string, bool:
		return str(x) == str(b)
	case *list:
		y, ok := b.(*list)
		if ok {
			if len(x.items) != len(y.items) {
				return false
			}
			for i := range x.items {
				if !equal(x.items[i], y.items[i]) {
					return false
				}
			}
			return true
		}
	case *omap:
		y, ok := b.(*omap)
		if ok {
			if len(x.keys) != len(y.keys) {
				return false
			}
			for _, k := range x.keys {
				yv, ok := y.vals[k]
				if !ok || !equal(x.vals[k], yv) {
					return false
				}
			}
			return true
		}
	}
	return str(a) == str(b)
}
