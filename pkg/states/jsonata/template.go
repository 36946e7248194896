package jsonata

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"
)

// compiled caches the expressions of templates: a definition's templates are
// finite, and compiling once keeps Template cheap on the hot path.
var compiled sync.Map // string -> *Expr

func compileCached(s string) (*Expr, error) {
	if e, ok := compiled.Load(s); ok {
		return e.(*Expr), nil
	}
	e, err := Compile(s)
	if err != nil {
		return nil, err
	}
	compiled.Store(s, e)
	return e, nil
}

// Template evaluates an Arguments, Output or Assign value: every string that
// is a JSONata expression (IsExpression), at any depth of objects and arrays,
// is replaced by its value; every other value is copied. Keys are never
// evaluated and keep no ".$" meaning. See TemplateField for failures.
//
// AWS: "Arguments": {"static": "Hello", "title": "{% $states.input.title %}",
// "not-evaluated": "$customerName"} gives {"static": "Hello", "title":
// "Doctor", "not-evaluated": "$customerName"} for input {"title": "Doctor"}
// (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
func Template(tmpl any, env Env) (any, error) {
	return TemplateField(tmpl, env, "")
}

// TemplateField is Template for the state field named field ("Output",
// "Arguments", "Assign"); a failure's cause names the location as AWS does,
// the field and the keys down to the expression joined by "/"
// ("Output/result", "Assign/result"). An expression that yields nothing
// fails with States.QueryEvaluationError "... returned nothing (undefined)."
// (AWS, LocalStack test_assign_reference_variables snapshot). A string that
// is an expression but does not compile fails with the *DefinitionError;
// validation should have refused it first (ValidateTemplate).
func TemplateField(tmpl any, env Env, field string) (any, error) {
	w := walker{env: env}
	return w.walk(tmpl, field)
}

// walker evaluates one template; it builds the evaluation bindings on the
// first expression and reuses them for the rest.
type walker struct {
	env  Env
	vars map[string]any
	err  error
}

func (w *walker) walk(v any, loc string) (any, error) {
	switch x := v.(type) {
	case string:
		if !IsExpression(x) {
			return x, nil
		}
		e, err := compileCached(x)
		if err != nil {
			return nil, err
		}
		if w.vars == nil && w.err == nil {
			w.vars, w.err = bindings(w.env)
		}
		if w.err != nil {
			return nil, e.fail(loc, "threw an error during evaluation. "+w.err.Error())
		}
		out, err := e.evalBound(w.vars, loc)
		if err != nil {
			return nil, err
		}
		if out == Undefined {
			return nil, e.fail(loc, "returned nothing (undefined).")
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			r, err := w.walk(c, join(loc, k))
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			r, err := w.walk(c, join(loc, strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	default:
		return v, nil
	}
}

func join(loc, key string) string {
	if loc == "" {
		return key
	}
	return loc + "/" + key
}

// LocatedError is a *DefinitionError found at Location inside a template
// ("Output/v"), for the validator's " at /States/<state>/<Location>".
type LocatedError struct {
	Location string
	Err      *DefinitionError
}

func (e *LocatedError) Error() string { return e.Err.Error() + " at " + e.Location }

func (e *LocatedError) Unwrap() error { return e.Err }

// ValidateTemplate compiles every expression in a template at definition
// time, as AWS does at CreateStateMachine, and reports the first refusal as a
// *LocatedError whose Location starts with field.
func ValidateTemplate(tmpl any, field string) error {
	switch x := tmpl.(type) {
	case string:
		if !IsExpression(x) {
			return nil
		}
		if _, err := compileCached(x); err != nil {
			var de *DefinitionError
			if errors.As(err, &de) {
				return &LocatedError{Location: field, Err: de}
			}
			return err
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) { // deterministic: the first key in order
			if err := ValidateTemplate(x[k], join(field, k)); err != nil {
				return err
			}
		}
	case []any:
		for i, c := range x {
			if err := ValidateTemplate(c, join(field, strconv.Itoa(i))); err != nil {
				return err
			}
		}
	}
	return nil
}
