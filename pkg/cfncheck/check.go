// Package cfncheck finds structural mistakes in CloudFormation JSON templates before
// CloudFormation does: dangling references, goformation's zero-value traps and IAM
// statements that grant more than the workflow needs.
package cfncheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Problem is one finding, located by a dotted path into the template such as
// Resources.PizzaFunction.Properties.Role or ...Statement[0].Action.
type Problem struct {
	Path    string
	Message string
}

// String renders the problem as "path: message".
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Error carries every problem of a template that Validate rejected.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	lines = append(lines, fmt.Sprintf("cfncheck: template has %d problem(s):", len(e.Problems)))
	for _, p := range e.Problems {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}

// Check returns every problem found in a CloudFormation JSON template, ordered by path.
// A clean template yields nil.
func Check(template []byte) []Problem {
	t, err := parse(template)
	if err != nil {
		return []Problem{{Message: err.Error()}}
	}
	c := &checker{t: t}
	c.checkSections()
	c.checkResources()
	c.checkParameters()
	c.checkOutputs()
	c.checkReferences()
	c.checkValues()
	c.checkStateMachines()
	c.checkPolicies()
	sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].Path < c.problems[j].Path })
	return c.problems
}

// Validate is Check as an error: nil for a clean template, otherwise an *Error.
func Validate(template []byte) error {
	if problems := Check(template); len(problems) > 0 {
		return &Error{Problems: problems}
	}
	return nil
}

// template is a decoded template with its sections indexed by logical id. Sections that
// are missing or malformed are left empty so that the other checks can still run.
type template struct {
	root       map[string]any
	parameters map[string]any
	resources  map[string]any
	types      map[string]string // logical id of each resource with a string Type
	conditions map[string]any
	mappings   map[string]any
	outputs    map[string]any
}

func parse(b []byte) (*template, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var root any
	if err := d.Decode(&root); err != nil {
		return nil, fmt.Errorf("template is not valid JSON: %w", err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("template is not valid JSON: data after the top-level object")
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, errors.New("template is not a JSON object")
	}
	t := &template{root: obj, types: map[string]string{}}
	t.parameters, _ = obj["Parameters"].(map[string]any)
	t.resources, _ = obj["Resources"].(map[string]any)
	t.conditions, _ = obj["Conditions"].(map[string]any)
	t.mappings, _ = obj["Mappings"].(map[string]any)
	t.outputs, _ = obj["Outputs"].(map[string]any)
	for id, r := range t.resources {
		if m, ok := r.(map[string]any); ok {
			if typ, ok := m["Type"].(string); ok {
				t.types[id] = typ
			}
		}
	}
	return t, nil
}

type checker struct {
	t        *template
	problems []Problem
}

func (c *checker) report(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

var (
	sectionNames = set("AWSTemplateFormatVersion", "Description", "Metadata", "Parameters",
		"Rules", "Mappings", "Conditions", "Transform", "Resources", "Outputs")
	resourceKeys = set("Type", "Properties", "DependsOn", "Condition", "Metadata",
		"DeletionPolicy", "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy")
	retainPolicies = set("Delete", "Retain", "RetainExceptOnCreate", "Snapshot")
	logicalID      = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	resourceType   = regexp.MustCompile(`^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$`)
)

func (c *checker) checkSections() {
	for _, k := range sortedKeys(c.t.root) {
		if !sectionNames[k] {
			c.report(k, "unknown top-level section")
		}
	}
	if v, ok := c.t.root["AWSTemplateFormatVersion"]; ok && v != "2010-09-09" {
		c.report("AWSTemplateFormatVersion", `must be "2010-09-09", got %v`, v)
	}
	if _, ok := c.t.root["Transform"]; ok {
		// The design keeps templates plain: what is generated is what is deployed.
		c.report("Transform", "templates are plain CloudFormation; a transform would rewrite them after this check")
	}
	for _, name := range []string{"Parameters", "Resources", "Conditions", "Mappings", "Outputs"} {
		v, ok := c.t.root[name]
		if !ok {
			continue
		}
		m, isObj := v.(map[string]any)
		if !isObj {
			c.report(name, "must be an object")
			continue
		}
		for _, id := range sortedKeys(m) {
			c.checkLogicalID(name+"."+id, id)
		}
	}
	// A Resources that is not an object was reported above.
	if _, ok := c.t.root["Resources"]; !ok || (c.t.resources != nil && len(c.t.resources) == 0) {
		c.report("Resources", "a template needs at least one resource")
	}
	for _, id := range sortedKeys(c.t.parameters) {
		if _, clash := c.t.resources[id]; clash {
			c.report("Parameters."+id, "a resource has the same logical id, so Ref %q is ambiguous", id)
		}
	}
}

func (c *checker) checkLogicalID(path, id string) {
	if !logicalID.MatchString(id) {
		c.report(path, "logical id must be alphanumeric (A-Za-z0-9)")
	}
	if len(id) > 255 {
		c.report(path, "logical id is %d characters long; the limit is 255", len(id))
	}
}

func (c *checker) checkResources() {
	for _, id := range sortedKeys(c.t.resources) {
		path := "Resources." + id
		r, ok := c.t.resources[id].(map[string]any)
		if !ok {
			c.report(path, "resource must be an object")
			continue
		}
		for _, k := range sortedKeys(r) {
			if !resourceKeys[k] {
				c.report(path+"."+k, "unknown resource attribute")
			}
		}
		c.checkType(path+".Type", r["Type"])
		if p, ok := r["Properties"]; ok {
			if _, isObj := p.(map[string]any); !isObj {
				c.report(path+".Properties", "must be an object")
			}
		}
		c.checkDependsOn(id, path+".DependsOn", r["DependsOn"])
		if v, ok := r["Condition"]; ok {
			c.checkConditionName(path+".Condition", v)
		}
		for _, k := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
			if v, ok := r[k]; ok {
				if s, isStr := v.(string); !isStr || !retainPolicies[s] {
					c.report(path+"."+k, "must be one of Delete, Retain, RetainExceptOnCreate, Snapshot")
				}
			}
		}
	}
}

func (c *checker) checkType(path string, v any) {
	typ, ok := v.(string)
	switch {
	case v == nil:
		c.report(path, "every resource needs a Type")
	case !ok || typ == "":
		c.report(path, "Type must be a non-empty string")
	case isCustomResource(typ):
	case !resourceType.MatchString(typ):
		c.report(path, "malformed resource type %q", typ)
	case !knownType(typ):
		c.report(path, "unknown resource type %q: add its Fn::GetAtt attributes to the table in attributes.go", typ)
	}
}

func (c *checker) checkDependsOn(self, path string, v any) {
	switch d := v.(type) {
	case nil:
	case string:
		c.checkDependency(self, path, d)
	case []any:
		for i, n := range d {
			if name, ok := n.(string); ok {
				c.checkDependency(self, index(path, i), name)
			} else {
				c.report(index(path, i), "DependsOn entries must be strings")
			}
		}
	default:
		c.report(path, "DependsOn must be a logical id or a list of them")
	}
}

func (c *checker) checkDependency(self, path, name string) {
	switch {
	case name == self:
		c.report(path, "a resource cannot depend on itself")
	case c.t.resources[name] == nil:
		c.report(path, "DependsOn names %q, which is not a resource in this template", name)
	}
}

func (c *checker) checkConditionName(path string, v any) {
	name, ok := v.(string)
	if !ok {
		c.report(path, "a condition name must be a string")
		return
	}
	if _, ok := c.t.conditions[name]; !ok {
		c.report(path, "condition %q is not declared in Conditions", name)
	}
}

func (c *checker) checkParameters() {
	for _, id := range sortedKeys(c.t.parameters) {
		path := "Parameters." + id
		p, ok := c.t.parameters[id].(map[string]any)
		if !ok {
			c.report(path, "parameter must be an object")
			continue
		}
		if typ, ok := p["Type"].(string); !ok || typ == "" {
			c.report(path+".Type", "every parameter needs a Type")
		}
	}
}

func (c *checker) checkOutputs() {
	for _, id := range sortedKeys(c.t.outputs) {
		path := "Outputs." + id
		o, ok := c.t.outputs[id].(map[string]any)
		if !ok {
			c.report(path, "output must be an object")
			continue
		}
		if _, ok := o["Value"]; !ok {
			c.report(path+".Value", "every output needs a Value")
		}
		if v, ok := o["Condition"]; ok {
			c.checkConditionName(path+".Condition", v)
		}
	}
}

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		m[it] = true
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// index extends a path with a list position.
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
