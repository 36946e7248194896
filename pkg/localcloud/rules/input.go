package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// targetInput is what a target receives: the event, or its Input, the
// part of the event its InputPath selects, or its InputTransformer's
// template filled in.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
func targetInput(t *Target, d *delivery) ([]byte, error) {
	switch {
	case t.Input != "":
		return []byte(t.Input), nil
	case t.InputPath != "":
		v, ok, err := jsonPath(d.Event, t.InputPath)
		if err != nil {
			return nil, err
		}
		if !ok {
			return []byte("null"), nil
		}
		return v, nil
	case t.InputTransformer != nil:
		return transform(t.InputTransformer, d)
	}
	return d.Event, nil
}

// jsonPath selects a value of doc with a JSONPath of names and indices
// ($.detail.object.key, $.resources[0], $['detail-type']).
func jsonPath(doc []byte, path string) (json.RawMessage, bool, error) {
	if !strings.HasPrefix(path, "$") {
		return nil, false, fmt.Errorf("InputPath %q is not valid JSONPath", path)
	}
	cur := json.RawMessage(doc)
	rest := path[1:]
	for rest != "" {
		var name string
		index := -1
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			name, rest = rest[:end], rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false, fmt.Errorf("JSONPath %q has an unclosed [", path)
			}
			in := rest[1:end]
			rest = rest[end+1:]
			if n, err := strconv.Atoi(in); err == nil {
				index = n
			} else if uq := strings.Trim(in, `'"`); len(in) >= 2 && uq != in {
				name = uq
			} else {
				return nil, false, fmt.Errorf("JSONPath %q: unsupported selector [%s]", path, in)
			}
		default:
			return nil, false, fmt.Errorf("JSONPath %q is not valid", path)
		}
		if index >= 0 {
			var a []json.RawMessage
			if json.Unmarshal(cur, &a) != nil || index >= len(a) {
				return nil, false, nil
			}
			cur = a[index]
			continue
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(cur, &m) != nil {
			return nil, false, nil
		}
		v, ok := m[name]
		if !ok {
			return nil, false, nil
		}
		cur = v
	}
	return cur, true, nil
}

// transform fills an InputTransformer's template: each <name> of
// InputPathsMap (or of the reserved aws.events.* variables) becomes the
// value its path selects. Inside a JSON string a string value goes in
// without its quotes and any other value as its JSON text, escaped;
// outside one the value goes in as JSON. A path that selects nothing
// gives null (or nothing, inside a string).
func transform(it *InputTransformer, d *delivery) ([]byte, error) {
	vars := map[string]json.RawMessage{}
	for name, path := range it.InputPathsMap {
		v, ok, err := jsonPath(d.Event, path)
		if err != nil {
			return nil, err
		}
		if ok {
			vars[name] = v
		} else {
			vars[name] = nil
		}
	}
	str := func(s string) json.RawMessage { b, _ := marshal(s); return b }
	reserved := map[string]json.RawMessage{
		"aws.events.rule-arn":             str(d.RuleArn),
		"aws.events.rule-name":            str(d.RuleName),
		"aws.events.event.ingestion-time": str(d.Ingested.UTC().Format(time.RFC3339)),
		"aws.events.event":                d.Event,
		"aws.events.event.json":           d.Event,
	}
	tmpl := it.InputTemplate
	var out bytes.Buffer
	inString := false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '\\' && inString && i+1 < len(tmpl):
			out.WriteByte(c)
			i++
			out.WriteByte(tmpl[i])
			continue
		case c == '"':
			inString = !inString
		case c == '<':
			if end := strings.IndexByte(tmpl[i:], '>'); end > 0 {
				name := tmpl[i+1 : i+end]
				v, ok := vars[name]
				if !ok {
					v, ok = reserved[name]
				}
				if ok {
					out.Write(render(v, inString))
					i += end
					continue
				}
			}
		}
		out.WriteByte(c)
	}
	return out.Bytes(), nil
}

func render(v json.RawMessage, inString bool) []byte {
	if !inString {
		if v == nil {
			return []byte("null")
		}
		return v
	}
	if v == nil {
		return nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		b, _ := marshal(s)
		return b[1 : len(b)-1]
	}
	var compact bytes.Buffer
	if json.Compact(&compact, v) != nil {
		compact.Reset()
		compact.Write(v)
	}
	b, _ := marshal(compact.String())
	return b[1 : len(b)-1]
}

// marshal is json.Marshal without HTML escaping: events keep their <, >
// and & as they were sent.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
