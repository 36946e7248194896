package cfnengine

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// awsSpecificTypes are the AWS-specific parameter types: CloudFormation
// checks their values against the account's EC2 or Route 53 resources,
// which the local cloud does not have.
var awsSpecificTypes = map[string]bool{
	"AWS::EC2::AvailabilityZone::Name": true, "AWS::EC2::Image::Id": true, "AWS::EC2::Instance::Id": true,
	"AWS::EC2::KeyPair::KeyName": true, "AWS::EC2::SecurityGroup::GroupName": true, "AWS::EC2::SecurityGroup::Id": true,
	"AWS::EC2::Subnet::Id": true, "AWS::EC2::Volume::Id": true, "AWS::EC2::VPC::Id": true,
	"AWS::Route53::HostedZone::Id": true,
}

// parameterType sorts a parameter's Type: "String", "Number",
// "List<Number>", "CommaDelimitedList", "aws" (AWS-specific and SSM types,
// valid in a template but not supported locally), or "" if unknown.
func parameterType(typ string) string {
	switch typ {
	case "String", "Number", "List<Number>", "CommaDelimitedList":
		return typ
	case "AWS::SSM::Parameter::Name":
		return "aws"
	}
	if inner, ok := strings.CutPrefix(typ, "List<"); ok && strings.HasSuffix(inner, ">") && awsSpecificTypes[strings.TrimSuffix(inner, ">")] {
		return "aws"
	}
	if awsSpecificTypes[typ] {
		return "aws"
	}
	if inner, ok := strings.CutPrefix(typ, "AWS::SSM::Parameter::Value<"); ok && strings.HasSuffix(inner, ">") {
		switch inner = strings.TrimSuffix(inner, ">"); inner {
		case "String", "List<String>", "CommaDelimitedList":
			return "aws"
		default:
			if parameterType(inner) == "aws" {
				return "aws"
			}
		}
	}
	return ""
}

var alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// checkParameterDecl checks one entry of Parameters as CloudFormation
// does when it reads the template.
func checkParameterDecl(name string, decl map[string]any) error {
	if !alphanumeric.MatchString(name) {
		return formatErr("Parameter name %s is non alphanumeric.", name)
	}
	typ, _ := decl["Type"].(string)
	if parameterType(typ) == "" {
		return formatErr("Unrecognized parameter type: %v", decl["Type"])
	}
	if d, ok := decl["Default"]; ok {
		if _, ok := scalarString(d); !ok {
			return formatErr("Every Default member must be a string.")
		}
	}
	if av, ok := decl["AllowedValues"]; ok {
		list, ok := av.([]any)
		if !ok {
			return formatErr("Every AllowedValues member must be a list.")
		}
		for _, v := range list {
			if _, ok := scalarString(v); !ok {
				return formatErr("Every AllowedValues member must be a list of strings.")
			}
		}
	}
	if _, err := allowedPattern(name, decl); err != nil {
		return err
	}
	for _, k := range []string{"MinLength", "MaxLength", "MinValue", "MaxValue"} {
		if v, ok := decl[k]; ok {
			if _, ok := numberOf(v); !ok {
				return formatErr("Parameter %s: %s must be a number.", name, k)
			}
		}
	}
	return nil
}

func allowedPattern(name string, decl map[string]any) (*regexp.Regexp, error) {
	p, ok := decl["AllowedPattern"]
	if !ok {
		return nil, nil
	}
	s, ok := p.(string)
	if !ok {
		return nil, formatErr("Parameter %s: AllowedPattern must be a string.", name)
	}
	// AWS matches the pattern against the whole value.
	re, err := regexp.Compile(`^(?:` + s + `)$`)
	if err != nil {
		return nil, formatErr("Parameter %s: AllowedPattern %s is not a valid regular expression.", name, s)
	}
	return re, nil
}

func numberOf(v any) (float64, bool) {
	s, ok := scalarString(v)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// ResolveParameters gives each of the template's parameters its value:
// the one given, else (when usePrevious says so) the stack's previous
// value, else its Default; then checks the value against its type and
// constraints. Values are strings, or []any of strings for the list types.
// usePrevious may be nil; it returns ok for the parameters whose caller
// asked for UsePreviousValue and that had a value.
func ResolveParameters(t *Template, given map[string]string, usePrevious func(name string) (string, bool)) (map[string]any, error) {
	var unknown []string
	for name := range given {
		if _, ok := t.Parameters[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, resolveErr("Parameters: [%s] do not exist in the template", strings.Join(unknown, ", "))
	}
	values := map[string]string{}
	var missing []string
	for _, name := range sortedKeys(t.Parameters) {
		decl := t.Parameters[name]
		if err := checkParameterDecl(name, decl); err != nil {
			return nil, err
		}
		if v, ok := given[name]; ok {
			values[name] = v
		} else if v, ok := previous(usePrevious, name); ok {
			values[name] = v
		} else if d, ok := decl["Default"]; ok {
			values[name], _ = scalarString(d)
		} else {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, resolveErr("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	out := make(map[string]any, len(values))
	for _, name := range sortedKeys(values) {
		v, err := parameterValue(name, t.Parameters[name], values[name])
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

func previous(usePrevious func(string) (string, bool), name string) (string, bool) {
	if usePrevious == nil {
		return "", false
	}
	return usePrevious(name)
}

// parameterValue checks a parameter's value against its declaration.
func parameterValue(name string, decl map[string]any, value string) (any, error) {
	typ, _ := decl["Type"].(string)
	switch parameterType(typ) {
	case "aws":
		return nil, resolveErr("Parameter %s is of type %s, which the local cloud does not support: it has no EC2, Route 53 or Systems Manager Parameter Store to check or look up the value in. Use Type String.", name, typ)
	case "String":
		return value, checkMember(name, decl, value, false)
	case "Number":
		return value, checkMember(name, decl, value, true)
	case "List<Number>", "CommaDelimitedList":
		number := typ == "List<Number>"
		parts := strings.Split(value, ",")
		list := make([]any, len(parts))
		for i, p := range parts {
			if number {
				p = strings.TrimSpace(p)
			}
			if err := checkMember(name, decl, p, number); err != nil {
				return nil, err
			}
			list[i] = p
		}
		return list, nil
	}
	return nil, formatErr("Unrecognized parameter type: %s", typ)
}

// checkMember checks one value (or one member of a list) against the
// declaration's constraints, worded as CloudFormation words them; a
// ConstraintDescription replaces the wording of a failed constraint.
func checkMember(name string, decl map[string]any, v string, number bool) error {
	failed := func(format string, args ...any) error {
		if d, ok := decl["ConstraintDescription"].(string); ok && d != "" {
			return resolveErr("Parameter %s failed to satisfy constraint: %s", name, d)
		}
		return resolveErr(format, args...)
	}
	if number {
		f, ok := numberOf(v)
		if !ok {
			return resolveErr("Parameter '%s' must be a number", name)
		}
		if lo, ok := numberOf(decl["MinValue"]); ok && f < lo {
			return failed("Parameter '%s' must be a number not less than %s", name, numString(decl["MinValue"]))
		}
		if hi, ok := numberOf(decl["MaxValue"]); ok && f > hi {
			return failed("Parameter '%s' must be a number not greater than %s", name, numString(decl["MaxValue"]))
		}
	}
	if av, ok := decl["AllowedValues"].([]any); ok {
		found := false
		for _, a := range av {
			if s, _ := scalarString(a); s == v {
				found = true
				break
			}
		}
		if !found {
			return failed("Parameter '%s' must be one of AllowedValues", name)
		}
	}
	if number {
		return nil
	}
	re, err := allowedPattern(name, decl)
	if err != nil {
		return err
	}
	if re != nil && !re.MatchString(v) {
		return failed("Parameter '%s' must match pattern %s", name, decl["AllowedPattern"])
	}
	n := len([]rune(v))
	if lo, ok := numberOf(decl["MinLength"]); ok && float64(n) < lo {
		return failed("Parameter '%s' must contain at least %s characters", name, numString(decl["MinLength"]))
	}
	if hi, ok := numberOf(decl["MaxLength"]); ok && float64(n) > hi {
		return failed("Parameter '%s' must contain at most %s characters", name, numString(decl["MaxLength"]))
	}
	return nil
}

func numString(v any) string {
	s, _ := scalarString(v)
	return strings.TrimSpace(s)
}

// NoEchoParameters names the parameters declared NoEcho, sorted: their
// values are shown as "****" by DescribeStacks.
func NoEchoParameters(t *Template) []string {
	var out []string
	for _, name := range sortedKeys(t.Parameters) {
		switch v := t.Parameters[name]["NoEcho"].(type) {
		case bool:
			if v {
				out = append(out, name)
			}
		case string:
			if strings.EqualFold(v, "true") {
				out = append(out, name)
			}
		}
	}
	return out
}

// DeclaredTransforms lists the transforms a template's Transform section
// declares (a name, a list of names, or {"Name": ...} objects), which
// Parse does not keep. The engine sets Resolver.LanguageExtensions and
// CheckOptions.LanguageExtensions when "AWS::LanguageExtensions" is among
// them.
func DeclaredTransforms(body []byte) ([]string, error) {
	var top map[string]any
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var doc struct {
			Transform any `json:"Transform"`
		}
		if err := json.Unmarshal(trimmed, &doc); err != nil {
			return nil, formatErr("JSON not well-formed. (%v)", err)
		}
		top = map[string]any{"Transform": doc.Transform}
	} else {
		var n yaml.Node
		if err := yaml.Unmarshal(body, &n); err != nil {
			return nil, formatErr("YAML not well-formed. (%v)", err)
		}
		top = map[string]any{}
		if len(n.Content) == 1 && n.Content[0].Kind == yaml.MappingNode {
			m := n.Content[0]
			for i := 0; i+1 < len(m.Content); i += 2 {
				if m.Content[i].Value == "Transform" {
					var v any
					if err := m.Content[i+1].Decode(&v); err != nil {
						return nil, formatErr("Transform must be a string or a list of strings")
					}
					top["Transform"] = v
				}
			}
		}
	}
	var names []string
	var add func(v any, nested bool) error
	add = func(v any, nested bool) error {
		switch x := v.(type) {
		case nil:
		case string:
			names = append(names, x)
		case map[string]any:
			s, ok := x["Name"].(string)
			if !ok {
				return formatErr("Transform must be a string or a list of strings")
			}
			names = append(names, s)
		case []any:
			if nested {
				return formatErr("Transform must be a string or a list of strings")
			}
			for _, e := range x {
				if err := add(e, true); err != nil {
					return err
				}
			}
		default:
			return formatErr("Transform must be a string or a list of strings")
		}
		return nil
	}
	if err := add(top["Transform"], false); err != nil {
		return nil, err
	}
	return names, nil
}
