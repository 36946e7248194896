package cfnengine

import (
	"fmt"
	"slices"
	"strings"
)

// pseudoParameters are the names Ref takes besides parameters and
// resources.
var pseudoParameters = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true, "AWS::Partition": true,
	"AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true,
}

// Dependencies returns, for each resource, the resources it needs first:
// those its properties (and Condition-free metadata) name with Ref,
// Fn::GetAtt or Fn::Sub, and those in DependsOn. A name that is neither a
// resource, a parameter nor a pseudo parameter is refused as AWS refuses it.
func (t *Template) Dependencies() (map[string][]string, error) {
	deps := make(map[string][]string, len(t.Resources))
	var unresolved []string
	for _, name := range t.Names() {
		r := t.Resources[name]
		set := map[string]bool{}
		for _, d := range r.DependsOn {
			if _, ok := t.Resources[d]; !ok {
				return nil, formatErr("Unresolved resource dependencies [%s] in the Resources block of the template", d)
			}
			set[d] = true
		}
		refs(r.Properties, nil, func(target string) {
			switch {
			case t.Resources[target] != nil:
				set[target] = true
			case t.Parameters[target] != nil, pseudoParameters[target]:
			default:
				unresolved = append(unresolved, target)
			}
		})
		delete(set, name) // a self-reference is caught as a cycle below
		list := make([]string, 0, len(set))
		for d := range set {
			list = append(list, d)
		}
		slices.Sort(list)
		deps[name] = list
		if t.refersToItself(name) {
			deps[name] = append(deps[name], name)
		}
	}
	if len(unresolved) > 0 {
		slices.Sort(unresolved)
		unresolved = slices.Compact(unresolved)
		return nil, formatErr("Unresolved resource dependencies [%s] in the Resources block of the template", strings.Join(unresolved, ", "))
	}
	return deps, nil
}

func (t *Template) refersToItself(name string) bool {
	self := false
	refs(t.Resources[name].Properties, nil, func(target string) { self = self || target == name })
	return self || slices.Contains(t.Resources[name].DependsOn, name)
}

// refs calls fn with every logical name v refers to through Ref,
// Fn::GetAtt or Fn::Sub; local holds the variables of an enclosing
// Fn::Sub's map, which are not references.
func refs(v any, local map[string]bool, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					if s, ok := arg.(string); ok && !local[s] {
						fn(s)
					}
					return
				case "Fn::GetAtt":
					switch a := arg.(type) {
					case []any:
						if len(a) > 0 {
							if s, ok := a[0].(string); ok {
								fn(s)
							}
						}
						if len(a) > 1 {
							refs(a[1], local, fn)
						}
					case string:
						res, _, _ := strings.Cut(a, ".")
						fn(res)
					}
					return
				case "Fn::Sub":
					str, vars := "", map[string]any(nil)
					switch a := arg.(type) {
					case string:
						str = a
					case []any:
						if len(a) > 0 {
							str, _ = a[0].(string)
						}
						if len(a) > 1 {
							vars, _ = a[1].(map[string]any)
						}
					}
					inner := map[string]bool{}
					for k := range local {
						inner[k] = true
					}
					for k, val := range vars {
						inner[k] = true
						refs(val, local, fn)
					}
					for _, sv := range SubVariables(str) {
						name := strings.TrimSpace(sv.Name)
						if sv.Escaped || name == "" {
							continue
						}
						base, _, _ := strings.Cut(name, ".")
						if !inner[name] && !inner[base] {
							fn(base)
						}
					}
					return
				}
			}
		}
		for _, e := range x {
			refs(e, local, fn)
		}
	case []any:
		for _, e := range x {
			refs(e, local, fn)
		}
	}
}

// SubVar is one ${...} of an Fn::Sub string; ${!Name} is an escape that
// Fn::Sub turns into the literal ${Name}, not a reference.
type SubVar struct {
	Name    string
	Escaped bool
}

// SubVariables lists the ${...} of an Fn::Sub string in order.
func SubVariables(text string) []SubVar {
	var vars []SubVar
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			return vars
		}
		text = text[i+2:]
		j := strings.IndexByte(text, '}')
		if j < 0 {
			return vars
		}
		name := text[:j]
		text = text[j+1:]
		if rest, ok := strings.CutPrefix(name, "!"); ok {
			vars = append(vars, SubVar{Name: rest, Escaped: true})
		} else {
			vars = append(vars, SubVar{Name: name})
		}
	}
}

// CycleError is a template whose resources depend on each other in a
// circle, worded as AWS words it.
type CycleError struct{ Resources []string }

func (e *CycleError) Error() string {
	return fmt.Sprintf("Circular dependency between resources: [%s]", strings.Join(e.Resources, ", "))
}

// Order groups the resources in waves: each wave depends only on earlier
// ones, so a wave's resources can be created in parallel (and deleted in
// reverse). Resources in a cycle are reported in a *CycleError.
func Order(deps map[string][]string) ([][]string, error) {
	indegree := make(map[string]int, len(deps))
	users := map[string][]string{}
	for name, ds := range deps {
		indegree[name] += 0
		for _, d := range ds {
			indegree[name]++
			users[d] = append(users[d], name)
		}
	}
	var waves [][]string
	var ready []string
	for name, n := range indegree {
		if n == 0 {
			ready = append(ready, name)
		}
	}
	done := 0
	for len(ready) > 0 {
		slices.Sort(ready)
		waves = append(waves, ready)
		done += len(ready)
		var next []string
		for _, name := range ready {
			for _, u := range users[name] {
				indegree[u]--
				if indegree[u] == 0 {
					next = append(next, u)
				}
			}
		}
		ready = next
	}
	if done < len(indegree) {
		// Of the resources left, those on a circle (that reach themselves);
		// the ones merely waiting on a circle are not named.
		left := map[string]bool{}
		for name, n := range indegree {
			if n > 0 {
				left[name] = true
			}
		}
		var cycle []string
		for name := range left {
			if reaches(deps, left, name, name, map[string]bool{}) {
				cycle = append(cycle, name)
			}
		}
		slices.Sort(cycle)
		return nil, &CycleError{Resources: cycle}
	}
	return waves, nil
}

// reaches reports whether from leads back to target through deps among
// the resources in left.
func reaches(deps map[string][]string, left map[string]bool, from, target string, seen map[string]bool) bool {
	for _, d := range deps[from] {
		if d == target {
			return true
		}
		if left[d] && !seen[d] {
			seen[d] = true
			if reaches(deps, left, d, target, seen) {
				return true
			}
		}
	}
	return false
}
