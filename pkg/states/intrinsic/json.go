package intrinsic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// stringToJSON parses a JSON text. A blank string gives null, and the integer
// -0 gives 0, as AWS returns (LocalStack test_string_to_json snapshot).
func stringToJSON(c *call, args []any) (any, error) {
	s, err := stringArg(c, args, 0, "input")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, failure(c.name, fmt.Sprintf("the input is not valid JSON: %v", err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, failure(c.name, "the input is not valid JSON: text follows the value")
	}
	return normalizeZero(v), nil
}

// normalizeZero turns every integer "-0" into "0": Step Functions reads
// integers as integers, which have no negative zero.
func normalizeZero(v any) any {
	switch x := v.(type) {
	case json.Number:
		if x == "-0" {
			return json.Number("0")
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeZero(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeZero(e)
		}
	}
	return v
}

// jsonToString writes the value as compact JSON, without Go's HTML escaping
// of <, > and &, which AWS does not do.
func jsonToString(c *call, args []any) (any, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(args[0]); err != nil {
		return nil, failure(c.name, fmt.Sprintf("the value cannot be written as JSON: %v", err))
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// jsonMerge merges two objects shallowly: a key in both takes the second
// object's value. AWS supports only the shallow mode, so the third argument
// must be false.
func jsonMerge(c *call, args []any) (any, error) {
	var objs [2]map[string]any
	for i := range objs {
		m, ok := args[i].(map[string]any)
		if !ok {
			return nil, failure(c.name, fmt.Sprintf("argument %d must be an object, got %s", i+1, kind(args[i])))
		}
		objs[i] = m
	}
	deep, ok := args[2].(bool)
	if !ok {
		return nil, failure(c.name, fmt.Sprintf("the deep merge flag (argument 3) must be a boolean, got %s", kind(args[2])))
	}
	if deep {
		return nil, failure(c.name, "deep merging is not supported: the third argument must be false")
	}
	out := make(map[string]any, len(objs[0])+len(objs[1]))
	for _, m := range objs {
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}
