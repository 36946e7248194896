package cfncheck

import (
	"fmt"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// scope says what a Ref may name where it appears.
type scope int

const (
	// resourceScope: properties and outputs, where Ref names parameters, resources and
	// pseudo parameters.
	resourceScope scope = iota
	// conditionScope: the Conditions section, evaluated before any resource exists, so
	// only parameters and pseudo parameters are visible.
	conditionScope
)

var (
	pseudoParameters = set("AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
		"AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix")
	plainFunctions = set("Fn::Base64", "Fn::Cidr", "Fn::GetAZs", "Fn::ImportValue",
		"Fn::Join", "Fn::Select", "Fn::Split")
	conditionFunctions = set("Fn::And", "Fn::Equals", "Fn::Not", "Fn::Or")
)

// intrinsic reports whether m is an intrinsic function call, a one-key object whose key
// names a function, and returns the function and its argument.
func intrinsic(m map[string]any) (fn string, arg any, ok bool) {
	if len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, v, true
		}
	}
	return "", nil, false
}

func (c *checker) checkReferences() {
	for _, id := range sortedKeys(c.t.resources) {
		if r, ok := c.t.resources[id].(map[string]any); ok {
			if p, ok := r["Properties"]; ok {
				c.walk("Resources."+id+".Properties", p, resourceScope)
			}
		}
	}
	for _, id := range sortedKeys(c.t.outputs) {
		if o, ok := c.t.outputs[id].(map[string]any); ok {
			for _, k := range []string{"Value", "Export"} {
				if v, ok := o[k]; ok {
					c.walk("Outputs."+id+"."+k, v, resourceScope)
				}
			}
		}
	}
	for _, id := range sortedKeys(c.t.conditions) {
		c.walk("Conditions."+id, c.t.conditions[id], conditionScope)
	}
}

// walk visits every value under v, checking each intrinsic function it meets.
func (c *checker) walk(path string, v any, s scope) {
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			c.walk(index(path, i), e, s)
		}
	case map[string]any:
		if fn, arg, ok := intrinsic(v); ok {
			c.checkIntrinsic(path+"."+fn, fn, arg, s)
			return
		}
		if s == conditionScope && len(v) == 1 && v["Condition"] != nil {
			c.checkConditionName(path+".Condition", v["Condition"])
			return
		}
		for _, k := range sortedKeys(v) {
			if k == "Ref" || strings.HasPrefix(k, "Fn::") {
				c.report(path, "an intrinsic function object must have %s as its only key", k)
			}
			c.walk(path+"."+k, v[k], s)
		}
	}
}

func (c *checker) checkIntrinsic(path, fn string, arg any, s scope) {
	switch {
	case fn == "Ref":
		name, ok := arg.(string)
		if !ok {
			c.report(path, "Ref takes a logical id string")
		} else if msg := c.refProblem(name, s); msg != "" {
			c.report(path, "%s", msg)
		}
	case fn == "Fn::GetAtt":
		c.checkGetAtt(path, arg, s)
	case fn == "Fn::Sub":
		c.checkSub(path, arg, s)
	case fn == "Fn::If":
		args, ok := arg.([]any)
		if !ok || len(args) != 3 {
			c.report(path, "Fn::If takes [condition, value if true, value if false]")
			c.walk(path, arg, s)
			return
		}
		c.checkConditionName(index(path, 0), args[0])
		c.walk(index(path, 1), args[1], s)
		c.walk(index(path, 2), args[2], s)
	case fn == "Fn::FindInMap":
		args, ok := arg.([]any)
		if !ok || len(args) < 3 {
			c.report(path, "Fn::FindInMap takes [map, top-level key, second-level key]")
		} else if name, ok := args[0].(string); ok && c.t.mappings[name] == nil {
			c.report(index(path, 0), "mapping %q is not declared in Mappings", name)
		}
		c.walk(path, arg, s)
	case conditionFunctions[fn]:
		if s != conditionScope {
			c.report(path, "%s belongs in the Conditions section; use Fn::If with a condition here", fn)
		}
		c.walk(path, arg, s)
	case plainFunctions[fn]:
		c.walk(path, arg, s)
	default:
		c.report(path, "unknown intrinsic function %s (Fn::Length, Fn::ToJsonString and Fn::ForEach need the AWS::LanguageExtensions transform)", fn)
	}
}

// refProblem explains why Ref name cannot resolve, or returns "" when it can.
func (c *checker) refProblem(name string, s scope) string {
	switch {
	case pseudoParameters[name]:
		return ""
	case strings.HasPrefix(name, "AWS::"):
		return fmt.Sprintf("%q is not a pseudo parameter", name)
	case c.t.parameters[name] != nil:
		return ""
	case c.t.resources[name] != nil:
		if s == conditionScope {
			return fmt.Sprintf("conditions can reference parameters only, and %q is a resource", name)
		}
		return ""
	}
	return fmt.Sprintf("Ref %q names no parameter, resource or pseudo parameter", name)
}

// getAttProblem explains why Fn::GetAtt of res.attr cannot resolve, or returns "".
func (c *checker) getAttProblem(res, attr string, s scope) string {
	if s == conditionScope {
		return "conditions can reference parameters only, not resource attributes"
	}
	if c.t.resources[res] == nil {
		if c.t.parameters[res] != nil {
			return fmt.Sprintf("Fn::GetAtt needs a resource, and %q is a parameter", res)
		}
		return fmt.Sprintf("Fn::GetAtt names %q, which is not a resource in this template", res)
	}
	typ, ok := c.t.types[res]
	if !ok || attr == "" || hasAttribute(typ, attr) {
		return ""
	}
	if valid := attributes[typ]; len(valid) > 0 {
		return fmt.Sprintf("%s has no attribute %q (it has %s)", typ, attr, strings.Join(valid, ", "))
	}
	return fmt.Sprintf("%s has no Fn::GetAtt attributes; use Ref", typ)
}

func (c *checker) checkGetAtt(path string, arg any, s scope) {
	switch a := arg.(type) {
	case string:
		res, attr, ok := strings.Cut(a, ".")
		if !ok {
			c.report(path, "Fn::GetAtt %q needs the form Resource.Attribute", a)
			return
		}
		if msg := c.getAttProblem(res, attr, s); msg != "" {
			c.report(path, "%s", msg)
		}
	case []any:
		if len(a) != 2 {
			c.report(path, "Fn::GetAtt takes [resource, attribute]")
			return
		}
		res, ok := a[0].(string)
		if !ok {
			c.report(path, "Fn::GetAtt takes [resource, attribute]")
			return
		}
		attr, isStr := a[1].(string)
		if !isStr {
			// The attribute name may itself be computed (a Ref); only the resource is known.
			c.walk(index(path, 1), a[1], s)
		}
		if msg := c.getAttProblem(res, attr, s); msg != "" {
			c.report(path, "%s", msg)
		}
	default:
		c.report(path, "Fn::GetAtt takes [resource, attribute]")
	}
}

func (c *checker) checkSub(path string, arg any, s scope) {
	var (
		text     string
		vars     map[string]any
		textPath = path
	)
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		str, okStr := "", false
		m, okMap := map[string]any(nil), false
		if len(a) == 2 {
			str, okStr = a[0].(string)
			m, okMap = a[1].(map[string]any)
		}
		if !okStr || !okMap {
			c.report(path, "Fn::Sub takes a string or [string, {variables}]")
			return
		}
		text, vars, textPath = str, m, index(path, 0)
		for _, k := range sortedKeys(vars) {
			c.walk(index(path, 1)+"."+k, vars[k], s)
		}
	default:
		c.report(path, "Fn::Sub takes a string or [string, {variables}]")
		return
	}
	for _, v := range cfnengine.SubVariables(text) {
		if v.Escaped {
			continue
		}
		if _, ok := vars[v.Name]; ok {
			continue
		}
		var msg string
		if res, attr, ok := strings.Cut(v.Name, "."); ok {
			msg = c.getAttProblem(res, attr, s)
		} else {
			msg = c.refProblem(v.Name, s)
		}
		if msg != "" {
			c.report(textPath, "${%s}: %s", v.Name, msg)
		}
	}
}
