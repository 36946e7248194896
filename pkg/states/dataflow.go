package states

import (
	"strings"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/intrinsic"
	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

// The JSONPath data flow of a state, in the order AWS applies it:
// InputPath, Parameters, (the work), ResultSelector, ResultPath, OutputPath.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html

// intrinsics evaluates an intrinsic function call inside a payload template.
func intrinsics(expr string, env jsonpath.Env) (any, error) {
	return intrinsic.Eval(expr, env.Resolve)
}

// applyInputPath selects the state's effective input: no InputPath is "$",
// a null InputPath gives an empty object.
func applyInputPath(p asl.Path, env jsonpath.Env) (any, error) {
	switch p {
	case "", "$":
		return env.Input, nil
	case asl.NullPath:
		return map[string]any{}, nil
	}
	return env.Resolve(string(p))
}

// applyTemplate evaluates a payload template (Parameters, ResultSelector,
// ItemSelector, Assign) against env; a nil template leaves doc unchanged.
func applyTemplate(tmpl asl.Object, doc any, env jsonpath.Env) (any, error) {
	if tmpl == nil {
		return doc, nil
	}
	env.Input = doc
	return jsonpath.Template(tmpl, env, intrinsics)
}

// applyResultPath puts result into input: no ResultPath is "$" (the result
// replaces the input), a null ResultPath discards the result.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
func applyResultPath(p asl.Path, input, result any) (any, error) {
	switch p {
	case "", "$":
		return result, nil
	case asl.NullPath:
		return input, nil
	}
	return jsonpath.Set(input, string(p), result)
}

// applyOutputPath selects the state's output: no OutputPath is "$", a null
// OutputPath sends an empty object on.
func applyOutputPath(p asl.Path, doc any, env jsonpath.Env) (any, error) {
	switch p {
	case "", "$":
		return doc, nil
	case asl.NullPath:
		return map[string]any{}, nil
	}
	env.Input = doc
	return env.Resolve(string(p))
}

// pathOrCall evaluates ErrorPath and CausePath: a reference path or an
// intrinsic function call.
func pathOrCall(p asl.Path, env jsonpath.Env) (any, error) {
	s := string(p)
	if strings.HasPrefix(s, "States.") {
		return intrinsic.Eval(s, env.Resolve)
	}
	return env.Resolve(s)
}

// evalAssign evaluates an Assign block; the keys of the result are the
// variables' names.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
func evalAssign(assign asl.Object, doc any, env jsonpath.Env) (map[string]any, error) {
	if assign == nil {
		return nil, nil
	}
	v, err := applyTemplate(assign, doc, env)
	if err != nil {
		return nil, err
	}
	out, _ := v.(map[string]any)
	return out, nil
}
