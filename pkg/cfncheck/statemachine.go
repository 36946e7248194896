package cfncheck

import "github.com/stepforge/stepforge/pkg/localcloud/cfnengine"

// checkStateMachines matches the ${Key} placeholders of each state machine definition
// with its DefinitionSubstitutions. Step Functions fills these in itself, after
// CloudFormation has resolved any intrinsics, so a plain DefinitionString is not an
// Fn::Sub: its ${Key} must be a substitution key, and inside an Fn::Sub only the
// escaped form ${!Key} survives to become one.
func (c *checker) checkStateMachines() {
	for _, id := range sortedKeys(c.t.resources) {
		if c.t.types[id] != "AWS::StepFunctions::StateMachine" {
			continue
		}
		r, _ := c.t.resources[id].(map[string]any)
		props, ok := r["Properties"].(map[string]any)
		if !ok {
			continue
		}
		path := "Resources." + id + ".Properties"
		subs, ok := props["DefinitionSubstitutions"].(map[string]any)
		if !ok && props["DefinitionSubstitutions"] != nil {
			c.report(path+".DefinitionSubstitutions", "must be an object of key to value")
		}
		used := map[string]bool{}
		for _, k := range []string{"DefinitionString", "Definition"} {
			v, ok := props[k]
			if !ok {
				continue
			}
			placeholders(path+"."+k, v, func(p, name string) {
				if _, ok := subs[name]; !ok && !used[name] {
					c.report(p, "${%s} has no DefinitionSubstitutions entry, so Step Functions would keep it literally", name)
				}
				used[name] = true
			})
		}
		if props["DefinitionS3Location"] != nil {
			continue // the definition lives elsewhere; its placeholders cannot be seen
		}
		for _, k := range sortedKeys(subs) {
			if !used[k] {
				c.report(path+".DefinitionSubstitutions."+k, "substitution is not used by the definition")
			}
		}
	}
}

// placeholders calls found for every Step Functions placeholder in a definition value.
func placeholders(path string, v any, found func(path, name string)) {
	switch v := v.(type) {
	case string:
		for _, sv := range cfnengine.SubVariables(v) {
			name := sv.Name
			if sv.Escaped {
				name = "!" + name // no escape outside Fn::Sub: Step Functions sees "!name"
			}
			found(path, name)
		}
	case []any:
		for i, e := range v {
			placeholders(index(path, i), e, found)
		}
	case map[string]any:
		fn, arg, ok := intrinsic(v)
		if !ok {
			for _, k := range sortedKeys(v) {
				placeholders(path+"."+k, v[k], found)
			}
			return
		}
		path += "." + fn
		switch fn {
		case "Fn::Sub":
			text, textPath := "", path
			switch a := arg.(type) {
			case string:
				text = a
			case []any:
				if len(a) == 2 {
					text, _ = a[0].(string)
					textPath = index(path, 0)
					placeholders(index(path, 1), a[1], found)
				}
			}
			for _, sv := range cfnengine.SubVariables(text) {
				if sv.Escaped {
					found(textPath, sv.Name)
				}
			}
		case "Fn::Join":
			if a, ok := arg.([]any); ok && len(a) == 2 {
				placeholders(index(path, 1), a[1], found)
			}
		case "Fn::If":
			if a, ok := arg.([]any); ok && len(a) == 3 {
				placeholders(index(path, 1), a[1], found)
				placeholders(index(path, 2), a[2], found)
			}
		default:
			// Ref, Fn::GetAtt and friends produce values known only at deploy time.
		}
	}
}
