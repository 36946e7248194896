package cfncheck

// documentProperties are properties that hold a document in another language (ASL,
// OpenAPI) whose empty strings and objects are that language's business, not
// CloudFormation's.
var documentProperties = map[string]map[string]bool{
	"AWS::StepFunctions::StateMachine": {"Definition": true},
	"AWS::ApiGatewayV2::Api":           {"Body": true},
	"AWS::ApiGateway::RestApi":         {"Body": true},
}

// checkValues looks for values CloudFormation rejects and goformation produces when a
// field is left at its zero value: "" for a required string, {} for a struct pointer
// set but not filled, and null for a literal intrinsic map inside an interface{} field
// (template.JSON evaluates those maps and most evaluate to nothing).
func (c *checker) checkValues() {
	for _, id := range sortedKeys(c.t.resources) {
		r, ok := c.t.resources[id].(map[string]any)
		if !ok {
			continue
		}
		props, ok := r["Properties"].(map[string]any)
		if !ok {
			continue
		}
		docs := documentProperties[c.t.types[id]]
		for _, k := range sortedKeys(props) {
			c.checkValue("Resources."+id+".Properties."+k, props[k], docs[k])
		}
	}
	for _, id := range sortedKeys(c.t.outputs) {
		if o, ok := c.t.outputs[id].(map[string]any); ok {
			for _, k := range []string{"Value", "Export"} {
				if v, ok := o[k]; ok {
					c.checkValue("Outputs."+id+"."+k, v, false)
				}
			}
		}
	}
}

// checkValue reports null anywhere under v, and empty strings, lists and objects unless
// v is free-form content where those are meaningful.
func (c *checker) checkValue(path string, v any, freeForm bool) {
	switch v := v.(type) {
	case nil:
		c.report(path, "null is not allowed in a template (goformation turns a literal intrinsic map in an interface{} field into null: build it with cloudformation.Ref/GetAtt/Sub)")
	case string:
		if v == "" && !freeForm {
			c.report(path, "empty string: CloudFormation rejects it, and it is what goformation emits for a required string field left unset")
		}
	case []any:
		if len(v) == 0 && !freeForm {
			c.report(path, "empty list: leave the property out instead")
		}
		for i, e := range v {
			c.checkValue(index(path, i), e, freeForm)
		}
	case map[string]any:
		if len(v) == 0 && !freeForm {
			c.report(path, "empty object: usually a goformation struct pointer set but never filled in")
		}
		if fn, arg, ok := intrinsic(v); ok {
			c.checkIntrinsicValue(path+"."+fn, fn, arg, freeForm)
			return
		}
		// A policy statement's Condition may legitimately match empty strings.
		_, isStatement := v["Effect"]
		for _, k := range sortedKeys(v) {
			c.checkValue(path+"."+k, v[k], freeForm || (isStatement && k == "Condition"))
		}
	}
}

// checkIntrinsicValue checks the arguments of an intrinsic function, leaving the shape
// of the argument list to the reference checks and sparing the arguments where "" has
// a meaning: the delimiter of Fn::Join and the region of Fn::GetAZs (the stack's own).
func (c *checker) checkIntrinsicValue(path, fn string, arg any, freeForm bool) {
	args, isList := arg.([]any)
	switch {
	case fn == "Fn::GetAZs":
	case isList:
		for i, a := range args {
			if fn == "Fn::Join" && i == 0 {
				continue
			}
			c.checkValue(index(path, i), a, freeForm)
		}
	default:
		c.checkValue(path, arg, freeForm)
	}
}
