package cfnengine

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Pseudo are the pseudo parameters' values.
type Pseudo struct {
	StackName, StackID, Region, AccountID, Partition, URLSuffix string
	NotificationARNs                                            []string
}

// Resolver resolves a template's values for one stack. Its fields are
// read, never written, by Resolve: one Resolver may serve concurrent calls
// once EvalConditions has run.
type Resolver struct {
	Template   *Template
	Pseudo     Pseudo
	Parameters map[string]any  // from ResolveParameters: string, or []any of strings for list types
	Conditions map[string]bool // from EvalConditions
	// Resource returns a resource's Ref value and attributes once it
	// exists; ok false if not (yet).
	Resource func(logicalID string) (ref any, attrs map[string]any, ok bool)
	// Export returns an export's value (Fn::ImportValue); ok false if none.
	Export func(name string) (string, bool)
	// LanguageExtensions is true when the template declares the
	// AWS::LanguageExtensions transform: it enables Fn::Length,
	// Fn::ToJsonString and Fn::FindInMap's DefaultValue. (Template does not
	// keep the Transform section; see DeclaredTransforms.)
	LanguageExtensions bool
}

// ResolveError is a value CloudFormation cannot resolve for this stack
// (a missing parameter value, an index out of range, an export that does
// not exist, ...), worded as AWS words it. Errors in the template itself
// are *FormatError.
type ResolveError struct{ Message string }

func (e *ResolveError) Error() string { return e.Message }

func resolveErr(format string, args ...any) error {
	return &ResolveError{Message: fmt.Sprintf(format, args...)}
}

// templateErr is a *FormatError worded "Template error: ...", the prefix
// AWS gives errors in the use of an intrinsic function.
func templateErr(format string, args ...any) error {
	return &FormatError{Message: "Template error: " + fmt.Sprintf(format, args...)}
}

// Bounds on one Resolve call: nesting depth, values visited and bytes of
// strings produced (Fn::Sub, Fn::Join and Fn::Split can multiply them).
const (
	maxResolveDepth = 200
	maxResolveNodes = 1 << 20
	maxResolveBytes = 16 << 20
	maxSplitParts   = 1 << 16
)

// noValue is what Ref AWS::NoValue gives: the enclosing key or list item
// is removed.
type noValueT struct{}

var noValue any = noValueT{}

// Sections a value is resolved in; they change what is allowed and how
// errors are worded.
const (
	secResources  = "Resources"
	secOutputs    = "Outputs"
	secConditions = "Conditions"
)

// supportedFunctions is the list AWS's "unsupported function" error gives.
const supportedFunctions = "[Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr]"

func unsupportedFn(name string) error {
	return formatErr("Encountered unsupported function: %s Supported functions are: %s", name, supportedFunctions)
}

// isFunction reports whether a one-key map with key k is an intrinsic
// function call in section sec. "Condition" is a function only among
// conditions: elsewhere (an IAM statement's Condition) it is data.
func isFunction(k, sec string) bool {
	return k == "Ref" || strings.HasPrefix(k, "Fn::") || (k == "Condition" && sec == secConditions)
}

func unresolvedErr(sec string, names ...string) error {
	slices.Sort(names)
	names = slices.Compact(names)
	if sec == secConditions {
		return formatErr("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", strings.Join(names, ", "))
	}
	return formatErr("Unresolved resource dependencies [%s] in the %s block of the template", strings.Join(names, ", "), sec)
}

// evaluator is the state of one Resolve or EvalConditions call.
type evaluator struct {
	r     *Resolver
	sec   string
	nodes int
	bytes int
	// conds memoises conditions evaluated from the template when
	// r.Conditions lacks them; visiting detects circles.
	conds    map[string]bool
	visiting []string
}

func (r *Resolver) newEval(sec string) *evaluator {
	return &evaluator{r: r, sec: sec, conds: map[string]bool{}}
}

// Resolve resolves the intrinsic functions of a resource's value tree
// (properties, metadata). Ref AWS::NoValue removes its key or list item;
// a whole value that is AWS::NoValue resolves to nil.
func (r *Resolver) Resolve(v any) (any, error) { return r.resolveIn(secResources, v) }

// ResolveOutput is Resolve for a value of the Outputs section (an output's
// Value or Export Name): errors name the Outputs block.
func (r *Resolver) ResolveOutput(v any) (any, error) { return r.resolveIn(secOutputs, v) }

func (r *Resolver) resolveIn(sec string, v any) (any, error) {
	if r.Template == nil {
		r = &Resolver{Template: &Template{}, Pseudo: r.Pseudo, Parameters: r.Parameters, Conditions: r.Conditions,
			Resource: r.Resource, Export: r.Export, LanguageExtensions: r.LanguageExtensions}
	}
	out, err := r.newEval(sec).resolve(v, 0)
	if err != nil {
		return nil, err
	}
	if out == noValue {
		return nil, nil
	}
	return out, nil
}

// Condition reports a condition's value: from r.Conditions, else
// evaluated from the template.
func (r *Resolver) Condition(name string) (bool, error) {
	return r.newEval(secResources).condition(name, "Resources", 0)
}

// EvalConditions fills r.Conditions from the template's Conditions
// section. A condition may use others ({"Condition": "X"}); a circle is an
// error.
func (r *Resolver) EvalConditions() error {
	if r.Template == nil {
		r.Conditions = map[string]bool{}
		return nil
	}
	e := &evaluator{r: &Resolver{Template: r.Template, Pseudo: r.Pseudo, Parameters: r.Parameters,
		Resource: r.Resource, Export: r.Export, LanguageExtensions: r.LanguageExtensions},
		sec: secConditions, conds: map[string]bool{}}
	for _, name := range sortedKeys(r.Template.Conditions) {
		if _, err := e.condition(name, "Conditions", 0); err != nil {
			return err
		}
	}
	r.Conditions = e.conds
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (e *evaluator) charge(depth, bytes int) error {
	if depth > maxResolveDepth {
		return templateErr("the template's values are nested too deeply")
	}
	e.nodes++
	e.bytes += bytes
	if e.nodes > maxResolveNodes || e.bytes > maxResolveBytes {
		return templateErr("the template's values resolve to too large a value")
	}
	return nil
}

func (e *evaluator) resolve(v any, depth int) (any, error) {
	if err := e.charge(depth, 0); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if isFunction(k, e.sec) {
					return e.call(k, arg, depth+1)
				}
			}
		}
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			rv, err := e.resolve(x[k], depth+1)
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out[k] = rv
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, item := range x {
			rv, err := e.resolve(item, depth+1)
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out = append(out, rv)
			}
		}
		return out, nil
	}
	return v, nil
}

func (e *evaluator) call(fn string, arg any, depth int) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, formatErr("Every Ref object must have a single String value.")
		}
		return e.ref(name, depth)
	case "Fn::GetAtt":
		res, attr, err := e.getAttArgs(arg, depth)
		if err != nil {
			return nil, err
		}
		return e.getAtt(res, attr)
	case "Fn::Sub":
		return e.sub(arg, depth)
	case "Fn::Join":
		return e.join(arg, depth)
	case "Fn::Select":
		return e.selectFn(arg, depth)
	case "Fn::Split":
		return e.split(arg, depth)
	case "Fn::If":
		return e.ifFn(arg, depth)
	case "Fn::FindInMap":
		return e.findInMap(arg, depth)
	case "Fn::Base64":
		s, err := e.resolveString(arg, depth, "Fn::Base64", "every Fn::Base64 object must have a String-typed value")
		if err != nil {
			return nil, err
		}
		out := base64.StdEncoding.EncodeToString([]byte(s))
		return out, e.charge(depth, len(out))
	case "Fn::GetAZs":
		region, err := e.resolveString(arg, depth, "Fn::GetAZs", "every Fn::GetAZs object requires a String-typed region (\"\" for the stack's region)")
		if err != nil {
			return nil, err
		}
		if region == "" {
			region = e.r.Pseudo.Region
		}
		if region == "" {
			region = "us-east-1"
		}
		return []any{region + "a", region + "b", region + "c"}, nil
	case "Fn::ImportValue":
		if e.sec == secConditions {
			return nil, templateErr("Cannot use Fn::ImportValue in Conditions.")
		}
		name, err := e.resolveString(arg, depth, "Fn::ImportValue", "every Fn::ImportValue object requires a String-typed export name")
		if err != nil {
			return nil, err
		}
		if e.r.Export != nil {
			if v, ok := e.r.Export(name); ok {
				return v, nil
			}
		}
		return nil, resolveErr("No export named %s found.", name)
	case "Fn::Cidr":
		return e.cidr(arg, depth)
	case "Fn::Length":
		if !e.r.LanguageExtensions {
			return nil, unsupportedFn(fn)
		}
		v, err := e.resolve(arg, depth)
		if err != nil {
			return nil, err
		}
		list, ok := v.([]any)
		if !ok {
			return nil, templateErr("Fn::Length requires a list or a function that returns a list")
		}
		return json.Number(strconv.Itoa(len(list))), nil
	case "Fn::ToJsonString":
		if !e.r.LanguageExtensions {
			return nil, unsupportedFn(fn)
		}
		v, err := e.resolve(arg, depth)
		if err != nil {
			return nil, err
		}
		switch v.(type) {
		case map[string]any, []any:
		default:
			return nil, templateErr("Fn::ToJsonString requires an object or a list")
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, templateErr("Fn::ToJsonString: %v", err)
		}
		return string(b), e.charge(depth, len(b))
	case "Fn::Transform":
		return nil, templateErr("Fn::Transform (a macro) is not supported by the local cloud")
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		if e.sec != secConditions {
			return nil, templateErr("%s can only be used in the Conditions section of the template", fn)
		}
		b, err := e.evalCond(map[string]any{fn: arg}, depth)
		if err != nil {
			return nil, err
		}
		return strconv.FormatBool(b), nil
	}
	return nil, unsupportedFn(fn)
}

// ref is Ref: a pseudo parameter, a parameter or a resource.
func (e *evaluator) ref(name string, depth int) (any, error) {
	if v, ok := e.pseudo(name); ok {
		return v, nil
	}
	t := e.r.Template
	if _, ok := t.Parameters[name]; ok {
		v, ok := e.r.Parameters[name]
		if !ok {
			return nil, resolveErr("Parameters: [%s] must have values", name)
		}
		return copyValue(v), nil
	}
	res, ok := t.Resources[name]
	if !ok {
		return nil, unresolvedErr(e.sec, name)
	}
	if e.sec == secConditions {
		return nil, unresolvedErr(e.sec, name)
	}
	if err := e.resourceActive(name, res, depth); err != nil {
		return nil, err
	}
	if e.r.Resource != nil {
		if ref, _, ok := e.r.Resource(name); ok {
			return copyValue(ref), nil
		}
	}
	return nil, resolveErr("Template error: resource %s is referenced before it has been created", name)
}

// resourceActive refuses a resource whose Condition is false: it is not
// part of the stack, so nothing can refer to it.
func (e *evaluator) resourceActive(name string, res *Resource, depth int) error {
	if res.Condition == "" {
		return nil
	}
	on, err := e.condition(res.Condition, "Resources", depth)
	if err != nil {
		return err
	}
	if !on {
		return unresolvedErr(e.sec, name)
	}
	return nil
}

func (e *evaluator) pseudo(name string) (any, bool) {
	p := e.r.Pseudo
	switch name {
	case "AWS::NoValue":
		return noValue, true
	case "AWS::StackName":
		return p.StackName, true
	case "AWS::StackId":
		return p.StackID, true
	case "AWS::Region":
		return orDefault(p.Region, "us-east-1"), true
	case "AWS::AccountId":
		return orDefault(p.AccountID, "123456789012"), true
	case "AWS::Partition":
		return orDefault(p.Partition, "aws"), true
	case "AWS::URLSuffix":
		return orDefault(p.URLSuffix, "amazonaws.com"), true
	case "AWS::NotificationARNs":
		out := make([]any, len(p.NotificationARNs))
		for i, a := range p.NotificationARNs {
			out[i] = a
		}
		return out, true
	}
	return nil, false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// getAttArgs reads Fn::GetAtt's [resource, attribute] or "resource.attribute";
// the attribute may itself be a Ref.
func (e *evaluator) getAttArgs(arg any, depth int) (string, string, error) {
	bad := templateErr("every Fn::GetAtt object requires two non-empty parameters")
	switch a := arg.(type) {
	case string:
		res, attr, ok := strings.Cut(a, ".")
		if !ok || res == "" || attr == "" {
			return "", "", bad
		}
		return res, attr, nil
	case []any:
		if len(a) != 2 {
			return "", "", bad
		}
		res, ok := a[0].(string)
		if !ok || res == "" {
			return "", "", bad
		}
		av, err := e.resolve(a[1], depth)
		if err != nil {
			return "", "", err
		}
		attr, ok := av.(string)
		if !ok || attr == "" {
			return "", "", bad
		}
		return res, attr, nil
	}
	return "", "", bad
}

func (e *evaluator) getAtt(name, attr string) (any, error) {
	res, ok := e.r.Template.Resources[name]
	if !ok {
		return nil, templateErr("instance of Fn::GetAtt references undefined resource %s", name)
	}
	if e.sec == secConditions {
		return nil, unresolvedErr(e.sec, name)
	}
	if err := e.resourceActive(name, res, 0); err != nil {
		return nil, err
	}
	if e.r.Resource == nil {
		return nil, resolveErr("Template error: resource %s is referenced before it has been created", name)
	}
	_, attrs, ok := e.r.Resource(name)
	if !ok {
		return nil, resolveErr("Template error: resource %s is referenced before it has been created", name)
	}
	if v, ok := lookupAttr(attrs, attr); ok {
		return copyValue(v), nil
	}
	return nil, resolveErr("Template error: resource %s does not support attribute type %s in Fn::GetAtt", name, attr)
}

// lookupAttr finds attr ("Endpoint.Address") as a key, else by walking
// nested maps along its dots.
func lookupAttr(attrs map[string]any, attr string) (any, bool) {
	if v, ok := attrs[attr]; ok {
		return v, true
	}
	head, rest, ok := strings.Cut(attr, ".")
	for ok {
		if inner, isMap := attrs[head].(map[string]any); isMap {
			if v, found := lookupAttr(inner, rest); found {
				return v, true
			}
		}
		var more string
		more, rest, ok = strings.Cut(rest, ".")
		head = head + "." + more
	}
	return nil, false
}

var subArgsErr = templateErr("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")

// subArgs reads Fn::Sub's string and variable map.
func subArgs(arg any) (string, map[string]any, error) {
	switch a := arg.(type) {
	case string:
		return a, nil, nil
	case []any:
		if len(a) < 1 || len(a) > 2 {
			return "", nil, subArgsErr
		}
		s, ok := a[0].(string)
		if !ok {
			return "", nil, subArgsErr
		}
		if len(a) == 1 {
			return s, nil, nil
		}
		vars, ok := a[1].(map[string]any)
		if !ok {
			return "", nil, subArgsErr
		}
		return s, vars, nil
	}
	return "", nil, subArgsErr
}

// validSubName is the syntax AWS allows inside ${...}.
func validSubName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !(c == '_' || c == '.' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

var subNameErr = templateErr("variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons")

func (e *evaluator) sub(arg any, depth int) (any, error) {
	text, vars, err := subArgs(arg)
	if err != nil {
		return nil, err
	}
	values := make(map[string]string, len(vars))
	for _, k := range sortedKeys(vars) {
		v, err := e.resolve(vars[k], depth+1)
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, templateErr("variable %s in Fn::Sub expression does not resolve to a string", k)
		}
		values[k] = s
	}
	var b strings.Builder
	rest := text
	for _, sv := range SubVariables(text) {
		// SubVariables found the first "${" of rest and the first "}"
		// after it: the same cut, made here to replace it.
		i := strings.Index(rest, "${")
		raw := sv.Name
		if sv.Escaped {
			raw = "!" + raw
		}
		b.WriteString(rest[:i])
		rest = rest[i+len("${")+len(raw)+len("}"):]
		if sv.Escaped {
			b.WriteString("${" + sv.Name + "}")
			continue
		}
		name := strings.TrimSpace(sv.Name)
		s, err := e.subValue(name, values, depth)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
		if err := e.charge(depth, len(s)); err != nil {
			return nil, err
		}
	}
	b.WriteString(rest)
	out := b.String()
	return out, e.charge(depth, len(out))
}

func (e *evaluator) subValue(name string, values map[string]string, depth int) (string, error) {
	if s, ok := values[name]; ok {
		return s, nil
	}
	if !validSubName(name) {
		return "", subNameErr
	}
	var v any
	var err error
	if res, attr, ok := strings.Cut(name, "."); ok && e.r.Template.Resources[res] != nil {
		v, err = e.getAtt(res, attr)
	} else if ok {
		return "", unresolvedErr(e.sec, res)
	} else {
		v, err = e.ref(name, depth)
	}
	if err != nil {
		return "", err
	}
	s, ok := scalarString(v)
	if !ok {
		return "", templateErr("variable %s in Fn::Sub expression does not resolve to a string", name)
	}
	return s, nil
}

// scalarString is a resolved scalar as CloudFormation stringifies it.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// resolveString resolves v and requires a string (or number) of it.
func (e *evaluator) resolveString(v any, depth int, fn, msg string) (string, error) {
	rv, err := e.resolve(v, depth)
	if err != nil {
		return "", err
	}
	s, ok := scalarString(rv)
	if !ok {
		return "", templateErr("%s", msg)
	}
	return s, nil
}

func twoArgs(arg any) ([]any, bool) {
	a, ok := arg.([]any)
	return a, ok && len(a) == 2
}

var joinErr = templateErr("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")

func (e *evaluator) join(arg any, depth int) (any, error) {
	a, ok := twoArgs(arg)
	if !ok {
		return nil, joinErr
	}
	dv, err := e.resolve(a[0], depth)
	if err != nil {
		return nil, err
	}
	delim, ok := dv.(string)
	if !ok {
		return nil, joinErr
	}
	lv, err := e.resolve(a[1], depth)
	if err != nil {
		return nil, err
	}
	list, ok := lv.([]any)
	if !ok {
		return nil, joinErr
	}
	parts := make([]string, len(list))
	for i, item := range list {
		s, ok := scalarString(item)
		if !ok {
			return nil, joinErr
		}
		parts[i] = s
		if err := e.charge(depth, len(s)+len(delim)); err != nil {
			return nil, err
		}
	}
	return strings.Join(parts, delim), nil
}

var selectErr = templateErr("every Fn::Select object requires two parameters, (1) an index and (2) a list of values or a function that returns a list of values")

func (e *evaluator) selectFn(arg any, depth int) (any, error) {
	a, ok := twoArgs(arg)
	if !ok {
		return nil, selectErr
	}
	iv, err := e.resolve(a[0], depth)
	if err != nil {
		return nil, err
	}
	is, ok := scalarString(iv)
	if !ok {
		return nil, selectErr
	}
	idx, err := strconv.Atoi(strings.TrimSpace(is))
	if err != nil {
		return nil, templateErr("Fn::Select requires an integer index: %q is not one", is)
	}
	lv, err := e.resolve(a[1], depth)
	if err != nil {
		return nil, err
	}
	list, ok := lv.([]any)
	if !ok {
		return nil, selectErr
	}
	if idx < 0 || idx >= len(list) {
		return nil, resolveErr("Template error: Fn::Select cannot select nonexistent value at index %d", idx)
	}
	return list[idx], nil
}

var splitErr = templateErr("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")

func (e *evaluator) split(arg any, depth int) (any, error) {
	a, ok := twoArgs(arg)
	if !ok {
		return nil, splitErr
	}
	dv, err := e.resolve(a[0], depth)
	if err != nil {
		return nil, err
	}
	delim, ok := dv.(string)
	if !ok || delim == "" {
		return nil, splitErr
	}
	sv, err := e.resolve(a[1], depth)
	if err != nil {
		return nil, err
	}
	s, ok := scalarString(sv)
	if !ok {
		return nil, splitErr
	}
	if strings.Count(s, delim) >= maxSplitParts {
		return nil, templateErr("Fn::Split would make more than %d values", maxSplitParts)
	}
	parts := strings.Split(s, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	e.nodes += len(parts)
	return out, e.charge(depth, len(s))
}

func (e *evaluator) ifFn(arg any, depth int) (any, error) {
	if e.sec == secConditions {
		return nil, templateErr("Fn::If can only be used in the Resources and Outputs sections of the template")
	}
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, templateErr("Fn::If requires a list argument with three elements")
	}
	name, ok := a[0].(string)
	if !ok {
		return nil, templateErr("Fn::If requires a condition name as its first element")
	}
	on, err := e.condition(name, "Fn::If", depth)
	if err != nil {
		return nil, err
	}
	if on {
		return e.resolve(a[1], depth)
	}
	return e.resolve(a[2], depth)
}

func (e *evaluator) findInMap(arg any, depth int) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) < 3 || len(a) > 4 || (len(a) == 4 && !e.r.LanguageExtensions) {
		return nil, templateErr("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
	}
	keys := make([]string, 3)
	for i := range 3 {
		s, err := e.resolveString(a[i], depth, "Fn::FindInMap", "every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
		if err != nil {
			return nil, err
		}
		keys[i] = s
	}
	mapping, ok := e.r.Template.Mappings[keys[0]].(map[string]any)
	if !ok {
		return nil, templateErr("Mapping named '%s' is not present in the 'Mappings' section of template.", keys[0])
	}
	if top, ok := mapping[keys[1]].(map[string]any); ok {
		if v, ok := top[keys[2]]; ok {
			return copyValue(v), nil
		}
	}
	if len(a) == 4 {
		d, ok := a[3].(map[string]any)
		if dv, has := d["DefaultValue"]; ok && has && len(d) == 1 {
			return e.resolve(dv, depth)
		}
		return nil, templateErr("the fourth parameter of Fn::FindInMap must be {\"DefaultValue\": value}")
	}
	return nil, resolveErr("Template error: Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
}

// cidr is Fn::Cidr [ipBlock, count, cidrBits]: count consecutive subnets
// of the block, each with cidrBits host bits.
func (e *evaluator) cidr(arg any, depth int) (any, error) {
	bad := templateErr("Fn::Cidr requires three parameters: (1) an ipBlock in CIDR notation, (2) the count of subnets (1 to 256) and (3) the number of subnet bits")
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, bad
	}
	var s [3]string
	for i := range 3 {
		v, err := e.resolveString(a[i], depth, "Fn::Cidr", "Fn::Cidr parameters must be strings or numbers")
		if err != nil {
			return nil, err
		}
		s[i] = strings.TrimSpace(v)
	}
	prefix, err := netip.ParsePrefix(s[0])
	if err != nil {
		return nil, resolveErr("Template error: Fn::Cidr: %s is not a CIDR block", s[0])
	}
	prefix = prefix.Masked()
	count, err1 := strconv.Atoi(s[1])
	bits, err2 := strconv.Atoi(s[2])
	total := prefix.Addr().BitLen()
	if err1 != nil || err2 != nil || count < 1 || count > 256 || bits < 1 || bits > total {
		return nil, bad
	}
	newLen := total - bits
	if newLen < prefix.Bits() {
		return nil, resolveErr("Template error: Fn::Cidr: subnets with %d bits do not fit in %s", bits, prefix)
	}
	if newLen-prefix.Bits() < 31 && count > 1<<(newLen-prefix.Bits()) {
		return nil, resolveErr("Template error: Fn::Cidr: %s cannot hold %d subnets of %d bits", prefix, count, bits)
	}
	base := new(big.Int).SetBytes(prefix.Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	out := make([]any, count)
	for i := range count {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		buf := n.FillBytes(make([]byte, total/8))
		addr, _ := netip.AddrFromSlice(buf)
		out[i] = netip.PrefixFrom(addr, newLen).String()
	}
	return out, nil
}

// condition is a named condition's value.
func (e *evaluator) condition(name, from string, depth int) (bool, error) {
	if v, ok := e.r.Conditions[name]; ok {
		return v, nil
	}
	if v, ok := e.conds[name]; ok {
		return v, nil
	}
	def, ok := e.r.Template.Conditions[name]
	if !ok {
		if from == "Fn::If" {
			return false, templateErr("unresolved condition dependency %s in Fn::If", name)
		}
		return false, formatErr("Unresolved condition dependency %s in the %s block of the template", name, from)
	}
	if i := slices.Index(e.visiting, name); i >= 0 {
		circle := slices.Clone(e.visiting[i:])
		slices.Sort(circle)
		return false, formatErr("Circular dependency between conditions: [%s]", strings.Join(circle, ", "))
	}
	e.visiting = append(e.visiting, name)
	sec := e.sec
	e.sec = secConditions
	v, err := e.evalCond(def, depth+1)
	e.sec = sec
	e.visiting = e.visiting[:len(e.visiting)-1]
	if err != nil {
		return false, err
	}
	e.conds[name] = v
	return v, nil
}

var condShapeErr = formatErr("Conditions can only be boolean operations on parameters and other conditions")

// evalCond evaluates a condition function.
func (e *evaluator) evalCond(v any, depth int) (bool, error) {
	if err := e.charge(depth, 0); err != nil {
		return false, err
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, condShapeErr
	}
	for fn, arg := range m {
		switch fn {
		case "Condition":
			name, ok := arg.(string)
			if !ok {
				return false, formatErr("Every Condition object must have a single String value.")
			}
			return e.condition(name, "Conditions", depth)
		case "Fn::Equals":
			a, ok := twoArgs(arg)
			if !ok {
				return false, templateErr("every Fn::Equals object requires a list of 2 string parameters.")
			}
			x, err := e.resolve(a[0], depth)
			if err != nil {
				return false, err
			}
			y, err := e.resolve(a[1], depth)
			if err != nil {
				return false, err
			}
			return equalValues(x, y), nil
		case "Fn::And", "Fn::Or":
			a, ok := arg.([]any)
			if !ok || len(a) < 2 || len(a) > 10 {
				return false, templateErr("every %s object requires a list of at least 2 and at most 10 boolean parameters.", fn)
			}
			and := fn == "Fn::And"
			for _, c := range a {
				b, err := e.evalCond(c, depth+1)
				if err != nil {
					return false, err
				}
				if and && !b {
					return false, nil
				}
				if !and && b {
					return true, nil
				}
			}
			return and, nil
		case "Fn::Not":
			a, ok := arg.([]any)
			if !ok || len(a) != 1 {
				return false, templateErr("every Fn::Not object requires a list of 1 boolean parameter.")
			}
			b, err := e.evalCond(a[0], depth+1)
			return !b, err
		}
	}
	return false, condShapeErr
}

// equalValues is Fn::Equals: scalars compare as the strings CloudFormation
// makes of them, lists and maps member by member.
func equalValues(x, y any) bool {
	if xs, ok := scalarString(x); ok {
		ys, ok := scalarString(y)
		return ok && xs == ys
	}
	switch a := x.(type) {
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalValues(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	}
	return x == nil && y == nil
}

// copyValue deep-copies a value of the JSON model so that callers may
// change what Resolve returns.
func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	}
	return v
}

// CheckOptions are what StaticCheckWith needs beyond the template.
type CheckOptions struct {
	// LanguageExtensions is true when the template declares the
	// AWS::LanguageExtensions transform (see DeclaredTransforms).
	LanguageExtensions bool
}

// StaticCheck is what ValidateTemplate and CreateStack reject before
// creating anything: Ref, Fn::GetAtt and Fn::Sub naming undefined things,
// unknown functions, wrong arity, conditions naming undefined conditions
// or forming a circle, Fn::If outside Resources and Outputs, condition
// functions outside Conditions, unknown parameter types, malformed
// mappings and outputs. The errors are *FormatError.
func (t *Template) StaticCheck() error { return t.StaticCheckWith(CheckOptions{}) }

// StaticCheckWith is StaticCheck for a template with the given transforms.
func (t *Template) StaticCheckWith(o CheckOptions) error {
	c := &checker{t: t, le: o.LanguageExtensions, condDeps: map[string][]string{}}
	for _, name := range sortedKeys(t.Parameters) {
		if err := checkParameterDecl(name, t.Parameters[name]); err != nil {
			return err
		}
	}
	if err := c.mappings(); err != nil {
		return err
	}
	c.sec = secConditions
	for _, name := range sortedKeys(t.Conditions) {
		c.cond = name
		if err := c.checkCond(t.Conditions[name], 0); err != nil {
			return err
		}
	}
	if err := c.conditionCircles(); err != nil {
		return err
	}
	c.sec = secResources
	for _, name := range t.Names() {
		r := t.Resources[name]
		if r.Condition != "" {
			if _, ok := t.Conditions[r.Condition]; !ok {
				return formatErr("Unresolved condition dependency %s in the Resources block of the template", r.Condition)
			}
		}
		for _, d := range r.DependsOn {
			if _, ok := t.Resources[d]; !ok {
				c.unresolved = append(c.unresolved, d)
			}
		}
		if err := c.check(r.Properties, 0, nil); err != nil {
			return err
		}
	}
	if len(c.unresolved) > 0 {
		return unresolvedErr(secResources, c.unresolved...)
	}
	c.sec = secOutputs
	for _, name := range sortedKeys(t.Outputs) {
		out, ok := t.Outputs[name].(map[string]any)
		if !ok {
			return formatErr("Every Outputs member must be an object")
		}
		if _, ok := out["Value"]; !ok {
			return formatErr("Every Outputs member must contain a Value object")
		}
		if cond, ok := out["Condition"]; ok {
			s, _ := cond.(string)
			if _, ok := t.Conditions[s]; !ok {
				return formatErr("Unresolved condition dependency %v in the Outputs block of the template", cond)
			}
		}
		if err := c.check(out["Value"], 0, nil); err != nil {
			return err
		}
		if ex, ok := out["Export"]; ok {
			m, ok := ex.(map[string]any)
			if !ok || m["Name"] == nil {
				return formatErr("Output %s is malformed. The Export field must contain a Name.", name)
			}
			if err := c.check(m["Name"], 0, nil); err != nil {
				return err
			}
		}
	}
	if len(c.unresolved) > 0 {
		return unresolvedErr(secOutputs, c.unresolved...)
	}
	return nil
}

type checker struct {
	t          *Template
	le         bool
	sec        string
	cond       string // the condition being checked
	condDeps   map[string][]string
	unresolved []string
}

func (c *checker) mappings() error {
	for _, name := range sortedKeys(c.t.Mappings) {
		m, ok := c.t.Mappings[name].(map[string]any)
		if !ok {
			return formatErr("Every Mappings member %s must be a map", name)
		}
		for _, top := range sortedKeys(m) {
			inner, ok := m[top].(map[string]any)
			if !ok {
				return formatErr("Every Mappings member %s must be a map", top)
			}
			for _, v := range inner {
				if !mappingValue(v, true) {
					return formatErr("Every Mappings attribute must be a String or a List.")
				}
			}
		}
	}
	return nil
}

func mappingValue(v any, list bool) bool {
	switch x := v.(type) {
	case string, json.Number, bool:
		return true
	case []any:
		if !list {
			return false
		}
		for _, e := range x {
			if !mappingValue(e, false) {
				return false
			}
		}
		return true
	}
	return false
}

// conditionCircles finds conditions that refer to themselves through
// others.
func (c *checker) conditionCircles() error {
	state := map[string]int{} // 1 visiting, 2 done
	var stack []string
	var visit func(string) error
	visit = func(n string) error {
		state[n] = 1
		stack = append(stack, n)
		for _, d := range c.condDeps[n] {
			switch state[d] {
			case 1:
				circle := slices.Clone(stack[slices.Index(stack, d):])
				slices.Sort(circle)
				return formatErr("Circular dependency between conditions: [%s]", strings.Join(circle, ", "))
			case 0:
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		return nil
	}
	for _, n := range sortedKeys(c.condDeps) {
		if state[n] == 0 {
			if err := visit(n); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *checker) checkCond(v any, depth int) error {
	if depth > maxResolveDepth {
		return templateErr("the template's values are nested too deeply")
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return condShapeErr
	}
	for fn, arg := range m {
		switch fn {
		case "Condition":
			name, ok := arg.(string)
			if !ok {
				return formatErr("Every Condition object must have a single String value.")
			}
			if _, ok := c.t.Conditions[name]; !ok {
				return formatErr("Unresolved condition dependency %s in the Conditions block of the template", name)
			}
			c.condDeps[c.cond] = append(c.condDeps[c.cond], name)
			return nil
		case "Fn::Equals":
			a, ok := twoArgs(arg)
			if !ok {
				return templateErr("every Fn::Equals object requires a list of 2 string parameters.")
			}
			if err := c.check(a[0], depth+1, nil); err != nil {
				return err
			}
			return c.check(a[1], depth+1, nil)
		case "Fn::And", "Fn::Or":
			a, ok := arg.([]any)
			if !ok || len(a) < 2 || len(a) > 10 {
				return templateErr("every %s object requires a list of at least 2 and at most 10 boolean parameters.", fn)
			}
			for _, x := range a {
				if err := c.checkCond(x, depth+1); err != nil {
					return err
				}
			}
			return nil
		case "Fn::Not":
			a, ok := arg.([]any)
			if !ok || len(a) != 1 {
				return templateErr("every Fn::Not object requires a list of 1 boolean parameter.")
			}
			return c.checkCond(a[0], depth+1)
		}
	}
	return condShapeErr
}

// name checks a name Ref or Fn::Sub refers to.
func (c *checker) name(name string) error {
	if pseudoParameters[name] || c.t.Parameters[name] != nil {
		return nil
	}
	if c.t.Resources[name] != nil && c.sec != secConditions {
		return nil
	}
	if c.sec == secConditions {
		return unresolvedErr(secConditions, name)
	}
	c.unresolved = append(c.unresolved, name)
	return nil
}

func (c *checker) check(v any, depth int, local map[string]bool) error {
	if depth > maxResolveDepth {
		return templateErr("the template's values are nested too deeply")
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if isFunction(k, c.sec) {
					return c.fn(k, arg, depth+1)
				}
			}
		}
		for _, k := range sortedKeys(x) {
			if err := c.check(x[k], depth+1, local); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := c.check(e, depth+1, local); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *checker) all(depth int, vs ...any) error {
	for _, v := range vs {
		if err := c.check(v, depth, nil); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) fn(fn string, arg any, depth int) error {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return formatErr("Every Ref object must have a single String value.")
		}
		return c.name(name)
	case "Fn::GetAtt":
		var res string
		var attr any
		switch a := arg.(type) {
		case string:
			r, at, ok := strings.Cut(a, ".")
			if ok && at != "" {
				res, attr = r, at
			}
		case []any:
			if len(a) == 2 {
				res, _ = a[0].(string)
				attr = a[1]
			}
		}
		if s, ok := attr.(string); res == "" || attr == nil || (ok && s == "") {
			return templateErr("every Fn::GetAtt object requires two non-empty parameters")
		}
		if c.t.Resources[res] == nil {
			return templateErr("instance of Fn::GetAtt references undefined resource %s", res)
		}
		if c.sec == secConditions {
			return unresolvedErr(secConditions, res)
		}
		return c.check(attr, depth, nil)
	case "Fn::Sub":
		text, vars, err := subArgs(arg)
		if err != nil {
			return err
		}
		for _, k := range sortedKeys(vars) {
			if err := c.check(vars[k], depth, nil); err != nil {
				return err
			}
		}
		for _, sv := range SubVariables(text) {
			if sv.Escaped {
				continue
			}
			name := strings.TrimSpace(sv.Name)
			if _, ok := vars[name]; ok {
				continue
			}
			if !validSubName(name) {
				return subNameErr
			}
			if res, _, ok := strings.Cut(name, "."); ok {
				if c.t.Resources[res] == nil {
					c.unresolved = append(c.unresolved, res)
				} else if c.sec == secConditions {
					return unresolvedErr(secConditions, res)
				}
				continue
			}
			if err := c.name(name); err != nil {
				return err
			}
		}
		return nil
	case "Fn::Join":
		a, ok := twoArgs(arg)
		if !ok {
			return joinErr
		}
		switch a[1].(type) {
		case string, json.Number, bool, nil:
			return joinErr
		}
		return c.all(depth, a...)
	case "Fn::Select":
		a, ok := twoArgs(arg)
		if !ok {
			return selectErr
		}
		if err := c.all(depth, a...); err != nil {
			return err
		}
		if is, ok := scalarString(a[0]); ok {
			idx, err := strconv.Atoi(strings.TrimSpace(is))
			if err != nil {
				return templateErr("Fn::Select requires an integer index: %q is not one", is)
			}
			if list, ok := a[1].([]any); ok && !containsFunction(list) && (idx < 0 || idx >= len(list)) {
				return templateErr("Fn::Select cannot select nonexistent value at index %d", idx)
			}
		}
		return nil
	case "Fn::Split":
		a, ok := twoArgs(arg)
		if !ok {
			return splitErr
		}
		if d, ok := a[0].(string); ok && d == "" {
			return splitErr
		}
		return c.all(depth, a...)
	case "Fn::If":
		if c.sec == secConditions {
			return templateErr("Fn::If can only be used in the Resources and Outputs sections of the template")
		}
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return templateErr("Fn::If requires a list argument with three elements")
		}
		name, ok := a[0].(string)
		if !ok {
			return templateErr("Fn::If requires a condition name as its first element")
		}
		if _, ok := c.t.Conditions[name]; !ok {
			return templateErr("unresolved condition dependency %s in Fn::If", name)
		}
		return c.all(depth, a[1], a[2])
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		if c.sec != secConditions {
			return templateErr("%s can only be used in the Conditions section of the template", fn)
		}
		return c.checkCond(map[string]any{fn: arg}, depth)
	case "Fn::FindInMap":
		a, ok := arg.([]any)
		if !ok || len(a) < 3 || len(a) > 4 || (len(a) == 4 && !c.le) {
			return templateErr("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
		}
		if err := c.all(depth, a[:3]...); err != nil {
			return err
		}
		if len(a) == 4 {
			d, ok := a[3].(map[string]any)
			if _, has := d["DefaultValue"]; !ok || !has || len(d) != 1 {
				return templateErr("the fourth parameter of Fn::FindInMap must be {\"DefaultValue\": value}")
			}
			return c.check(d["DefaultValue"], depth, nil)
		}
		name, ok := a[0].(string)
		if !ok {
			return nil
		}
		mapping, ok := c.t.Mappings[name].(map[string]any)
		if !ok {
			return templateErr("Mapping named '%s' is not present in the 'Mappings' section of template.", name)
		}
		top, ok1 := scalarString(a[1])
		second, ok2 := scalarString(a[2])
		if ok1 && ok2 {
			inner, _ := mapping[top].(map[string]any)
			if _, ok := inner[second]; !ok {
				return templateErr("Unable to get mapping for %s::%s::%s", name, top, second)
			}
		}
		return nil
	case "Fn::Base64", "Fn::GetAZs":
		return c.check(arg, depth, nil)
	case "Fn::ImportValue":
		if c.sec == secConditions {
			return templateErr("Cannot use Fn::ImportValue in Conditions.")
		}
		return c.check(arg, depth, nil)
	case "Fn::Cidr":
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return templateErr("Fn::Cidr requires three parameters: (1) an ipBlock in CIDR notation, (2) the count of subnets (1 to 256) and (3) the number of subnet bits")
		}
		return c.all(depth, a...)
	case "Fn::Length", "Fn::ToJsonString":
		if !c.le {
			return unsupportedFn(fn)
		}
		return c.check(arg, depth, nil)
	case "Fn::Transform":
		return templateErr("Fn::Transform (a macro) is not supported by the local cloud")
	}
	return unsupportedFn(fn)
}

// containsFunction reports whether a list holds an intrinsic function at
// its top level (whose value may be a list that changes its length).
func containsFunction(list []any) bool {
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && len(m) == 1 {
			for k := range m {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return true
				}
			}
		}
	}
	return false
}
