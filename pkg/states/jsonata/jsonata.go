// Package jsonata evaluates the JSONata expressions of Step Functions states
// (QueryLanguage: JSONata) the way AWS does: a field value "{% expr %}" is one
// expression, evaluated with the reserved variable $states (input, context and,
// where the state has them, result and errorOutput) and every workflow
// variable bound as $name, plus Step Functions' own functions ($partition,
// $range, $hash, $random, $uuid, $parse).
//
// The JSONata language itself is github.com/recolabs/gnata; this package owns
// the boundary: values go in and come out in the shared contract (encoding/json
// values decoded with UseNumber: json.Number, never float64), JSON null stays
// distinct from JSONata's undefined (see Undefined), definition-time checks
// return AWS's validation codes, and runtime failures are
// States.QueryEvaluationError with AWS's cause text.
//
// AWS reference: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
package jsonata

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/recolabs/gnata"
)

// QueryEvaluationError is the error name AWS gives every runtime failure of a
// JSONata expression (a Catch with States.ALL or this name catches it).
const QueryEvaluationError = "States.QueryEvaluationError"

// Definition-time diagnostic codes AWS reports for JSONata expressions
// (ValidateStateMachineDefinition / CreateStateMachine InvalidDefinition).
const (
	// CodeInvalid: the expression does not parse, e.g.
	// "INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/Main/Output".
	CodeInvalid = "INVALID_JSONATA_EXPRESSION"
	// CodeUnsupported: the expression reads something Step Functions does not
	// offer, e.g. "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the
	// top level is not supported. at /States/E/Output/v".
	CodeUnsupported = "UNSUPPORTED_JSONATA_EXPRESSION"
)

// Error is a failure a state machine can see (and Catch) by name.
type Error struct {
	Name, Cause string
}

func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// StatesError reports the error name and cause for the executor's matching.
func (e *Error) StatesError() (name, cause string) { return e.Name, e.Cause }

// DefinitionError is a definition-time rejection of an expression: AWS's
// diagnostic Code and Message. The validator appends " at <location>".
type DefinitionError struct {
	Code, Message string
}

func (e *DefinitionError) Error() string { return e.Code + ": " + e.Message }

type undefined struct{}

func (undefined) String() string { return "undefined" }

// Undefined is what Eval returns when the expression yields nothing (JSONata's
// undefined, e.g. a missing field or $doesNotExist). It is never a JSON value:
// JSON null comes back as nil. What AWS does with it depends on the field; for
// Arguments, Output and Assign (whole or any nested value) the state fails with
// States.QueryEvaluationError "The JSONata expression '$doesNotExist' specified
// for the field 'Output/result' returned nothing (undefined)." (recorded on AWS
// in LocalStack's test_assign_reference_variables snapshot,
// test_undefined_reference); Template applies that rule itself.
var Undefined any = undefined{}

// Env is what one evaluation sees. States holds the members of $states:
// "input" and "context" always, "result" and "errorOutput" where the state has
// them. Vars holds the workflow variables, each bound as $name.
type Env struct {
	States map[string]any
	Vars   map[string]any
}

// Expr is one compiled field value "{% ... %}". It is safe for concurrent use.
type Expr struct {
	src  string // the field value as written
	body string // the expression between the delimiters, trimmed, as AWS quotes it
	prog *gnata.Expression
}

// IsExpression reports whether a field value is a JSONata expression: a
// string that starts with "{%" and ends with "%}". Anything else, such as
// " {% x %} " with spaces outside the delimiters, is a literal string (AWS
// passes it through unchanged; LocalStack's test_output BASE_LITERALS records
// "constant_not_jsonata": " {% states.input %} " verbatim).
func IsExpression(s string) bool {
	return len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}

// Compile parses a field value "{% expr %}" and applies the checks AWS makes
// when a definition is created: the expression must parse
// (INVALID_JSONATA_EXPRESSION with the parser's message) and must not read the
// context at the top level, neither an unqualified field name, "$" nor "$$"
// (UNSUPPORTED_JSONATA_EXPRESSION "Reference to 'x' at the top level is not
// supported."), as the States Language requires: a JSONata expression MUST NOT
// reference "$" or unqualified field names at the top level, but MAY inside
// a nested expression (a predicate, a path step, a function body).
// Errors are *DefinitionError.
func Compile(expr string) (*Expr, error) {
	if !IsExpression(expr) {
		return nil, &DefinitionError{Code: CodeInvalid, Message: "a JSONata expression must start with '{%' and end with '%}'"}
	}
	body := strings.TrimSpace(expr[2 : len(expr)-2])
	if body == "" {
		return nil, &DefinitionError{Code: CodeInvalid, Message: "Empty expression"}
	}
	prog, err := gnata.Compile(body)
	if err != nil {
		return nil, &DefinitionError{Code: CodeInvalid, Message: parseMessage(err)}
	}
	if name, ok := topLevelReference(body); ok {
		return nil, &DefinitionError{Code: CodeUnsupported, Message: fmt.Sprintf("Reference to '%s' at the top level is not supported.", name)}
	}
	return &Expr{src: expr, body: body, prog: prog}, nil
}

// String returns the field value as written, delimiters included.
func (e *Expr) String() string { return e.src }

// Body returns the expression between the delimiters, trimmed: the text AWS
// quotes in its error causes.
func (e *Expr) Body() string { return e.body }

// Eval evaluates the expression. The result is a contract JSON value, or
// Undefined when the expression yields nothing. Failures are
// *Error{Name: States.QueryEvaluationError}; see EvalField for their cause.
func (e *Expr) Eval(env Env) (any, error) {
	return e.EvalField(env, "")
}

// EvalField is Eval for the field at location (e.g. "Output/result",
// "Items"), which AWS names in the cause:
// "The JSONata expression '<expr>' specified for the field '<location>' threw
// an error during evaluation. T1006: Attempted to invoke a non-function"
// (AWS, LocalStack test_math_operations_jsonata snapshot). The executor
// prefixes "An error occurred while executing the state '<name>' (entered at
// the event id #<id>). " as AWS does. An empty location leaves the
// "specified for the field" clause out.
func (e *Expr) EvalField(env Env, location string) (any, error) {
	vars, err := bindings(env)
	if err != nil {
		return nil, e.fail(location, "threw an error during evaluation. "+err.Error())
	}
	return e.evalBound(vars, location)
}

// evalBound evaluates with an environment bindings already built, so that a
// template converts $states and the variables once for all its expressions.
func (e *Expr) evalBound(vars map[string]any, location string) (any, error) {
	raw, err := e.prog.EvalWithVars(context.Background(), nil, vars)
	if err != nil {
		return nil, e.fail(location, "threw an error during evaluation. "+runtimeMessage(err))
	}
	if raw == nil {
		return Undefined, nil
	}
	out, err := fromGnata(raw)
	if err != nil {
		if errors.Is(err, errUnsupportedType) {
			return nil, e.fail(location, "returned an unsupported result type.")
		}
		return nil, e.fail(location, "threw an error during evaluation. "+err.Error())
	}
	return out, nil
}

// fail builds AWS's cause: "The JSONata expression '<body>' specified for the
// field '<location>' <what>".
func (e *Expr) fail(location, what string) *Error {
	var b strings.Builder
	b.WriteString("The JSONata expression '")
	b.WriteString(e.body)
	b.WriteString("' ")
	if location != "" {
		b.WriteString("specified for the field '")
		b.WriteString(location)
		b.WriteString("' ")
	}
	b.WriteString(what)
	return &Error{Name: QueryEvaluationError, Cause: b.String()}
}

// TypeName is JSONata's $type of a contract value ("null", "number", "string",
// "boolean", "array", "object"), the word AWS uses in causes such as
// "returned an unexpected result type. Expected 'array', but was 'string'".
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case undefined:
		return "undefined"
	default:
		return "number"
	}
}
