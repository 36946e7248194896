// Package cfnengine is the local cloud's CloudFormation engine: it reads
// templates (JSON, or YAML with the short-form tags), works out which
// resource depends on which, and orders their creation. (Named so as not to
// shadow the SDK's cloudformation package in the tests that use both.)
package cfnengine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Template is a parsed template. Values are the shared JSON model:
// map[string]any, []any, string, json.Number, bool, nil; intrinsic
// functions appear in their long form ({"Ref": ...}, {"Fn::Sub": ...}).
type Template struct {
	Description string
	Parameters  map[string]map[string]any
	Mappings    map[string]any
	Conditions  map[string]any
	Resources   map[string]*Resource
	Outputs     map[string]any
}

// Resource is one entry of Resources.
type Resource struct {
	Type                string
	Properties          map[string]any
	DependsOn           []string
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Metadata            any
}

// FormatError is a template CloudFormation refuses, worded as AWS words it
// ("Template format error: ...").
type FormatError struct{ Message string }

func (e *FormatError) Error() string { return e.Message }

func formatErr(format string, args ...any) error {
	return &FormatError{Message: "Template format error: " + fmt.Sprintf(format, args...)}
}

// Parse reads a JSON or YAML template.
func Parse(body []byte) (*Template, error) {
	var doc any
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, formatErr("JSON not well-formed. (%v)", err)
		}
	} else {
		var n yaml.Node
		if err := yaml.Unmarshal(body, &n); err != nil {
			return nil, formatErr("YAML not well-formed. (%v)", err)
		}
		budget := maxNodes
		v, err := fromYAML(&n, 0, &budget)
		if err != nil {
			return nil, err
		}
		doc = v
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, formatErr("the template is not an object")
	}
	return build(top)
}

func build(top map[string]any) (*Template, error) {
	t := &Template{Resources: map[string]*Resource{}, Parameters: map[string]map[string]any{}}
	for k, v := range top {
		switch k {
		case "AWSTemplateFormatVersion", "Transform", "Metadata", "Rules":
		case "Description":
			t.Description, _ = v.(string)
		case "Parameters":
			ps, ok := v.(map[string]any)
			if !ok {
				return nil, formatErr("Every Parameters object must contain a Type member.")
			}
			for name, p := range ps {
				pm, ok := p.(map[string]any)
				if !ok || pm["Type"] == nil {
					return nil, formatErr("Every Parameters object must contain a Type member.")
				}
				t.Parameters[name] = pm
			}
		case "Mappings":
			t.Mappings, _ = v.(map[string]any)
		case "Conditions":
			t.Conditions, _ = v.(map[string]any)
		case "Outputs":
			t.Outputs, _ = v.(map[string]any)
		case "Resources":
			rs, ok := v.(map[string]any)
			if !ok {
				return nil, formatErr("The Resources section must be an object")
			}
			for name, r := range rs {
				res, err := resource(name, r)
				if err != nil {
					return nil, err
				}
				t.Resources[name] = res
			}
		default:
			return nil, formatErr("Invalid template property or properties [%s]", k)
		}
	}
	if len(t.Resources) == 0 {
		return nil, formatErr("At least one Resources member must be defined.")
	}
	return t, nil
}

func resource(name string, v any) (*Resource, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, formatErr("[/Resources/%s] resource definition is malformed", name)
	}
	r := &Resource{}
	for k, x := range m {
		switch k {
		case "Type":
			r.Type, _ = x.(string)
		case "Properties":
			if r.Properties, ok = x.(map[string]any); !ok && x != nil {
				return nil, formatErr("[/Resources/%s/Properties] must be an object", name)
			}
		case "DependsOn":
			switch d := x.(type) {
			case string:
				r.DependsOn = []string{d}
			case []any:
				for _, e := range d {
					s, ok := e.(string)
					if !ok {
						return nil, formatErr("[/Resources/%s/DependsOn] must be a string or a list of strings", name)
					}
					r.DependsOn = append(r.DependsOn, s)
				}
			default:
				return nil, formatErr("[/Resources/%s/DependsOn] must be a string or a list of strings", name)
			}
		case "Condition":
			r.Condition, _ = x.(string)
		case "DeletionPolicy":
			r.DeletionPolicy, _ = x.(string)
		case "UpdateReplacePolicy":
			r.UpdateReplacePolicy, _ = x.(string)
		case "Metadata", "CreationPolicy", "UpdatePolicy":
			r.Metadata = x
		default:
			return nil, formatErr("Invalid template resource property '%s'", k)
		}
	}
	if r.Type == "" {
		return nil, formatErr("[/Resources/%s] Every Resources object must contain a Type member.", name)
	}
	return r, nil
}

// shortTags maps YAML's short-form tags to their long form.
var shortTags = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join",
	"!Select": "Fn::Select", "!Split": "Fn::Split", "!If": "Fn::If", "!Equals": "Fn::Equals", "!And": "Fn::And",
	"!Or": "Fn::Or", "!Not": "Fn::Not", "!FindInMap": "Fn::FindInMap", "!Base64": "Fn::Base64", "!GetAZs": "Fn::GetAZs",
	"!ImportValue": "Fn::ImportValue", "!Cidr": "Fn::Cidr", "!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString",
	"!Transform": "Fn::Transform",
}

// maxNesting bounds a YAML document's depth, maxNodes the values it
// expands to: aliases can make a small document enormous.
const (
	maxNesting = 200
	maxNodes   = 1 << 20
)

func fromYAML(n *yaml.Node, depth int, budget *int) (any, error) {
	if depth > maxNesting {
		return nil, formatErr("YAML nested too deeply")
	}
	if *budget--; *budget < 0 {
		return nil, formatErr("YAML expands to too many values")
	}
	v, err := plainYAML(n, depth, budget)
	if err != nil {
		return nil, err
	}
	if long, ok := shortTags[n.Tag]; ok {
		if long == "Fn::GetAtt" {
			if s, ok := v.(string); ok {
				res, attr, found := strings.Cut(s, ".")
				if !found {
					return nil, formatErr("Template error: every Fn::GetAtt object requires two non-empty parameters")
				}
				v = []any{res, attr}
			}
		}
		return map[string]any{long: v}, nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, formatErr("unknown YAML tag %s", n.Tag)
	}
	return v, nil
}

func plainYAML(n *yaml.Node, depth int, budget *int) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromYAML(n.Content[0], depth+1, budget)
	case yaml.AliasNode:
		return fromYAML(n.Alias, depth+1, budget)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			v, err := fromYAML(n.Content[i+1], depth+1, budget)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromYAML(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", nil
		case "!!int":
			var i int64
			if n.Decode(&i) == nil {
				return json.Number(strconv.FormatInt(i, 10)), nil
			}
		case "!!float":
			var f float64
			if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
			}
		}
		return n.Value, nil
	}
	return nil, formatErr("unsupported YAML node")
}

// Names returns the resources' logical ids, sorted.
func (t *Template) Names() []string {
	out := make([]string, 0, len(t.Resources))
	for k := range t.Resources {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
