// Package asl models the Amazon States Language as typed Go values.
//
// A StateMachine is declared as struct literals (one Go type per state type),
// checked with Validate, which reports every problem it finds, and marshalled
// to the same JSON bytes every time: states in declaration order, fields in a
// fixed order, empty fields left out. Parse reads ASL JSON back into the same
// types. Both query languages are modelled: JSONPath (the default) and
// JSONata.
//
// Workflows never write ARNs of their own resources: a value written with Sub
// renders as a DefinitionSubstitutions placeholder, and Placeholders lists
// the names a document needs. A Task with a retrier, a catcher and a Choice
// after it:
//
//	&asl.Task{
//		Name:           "CheckPizza",
//		Resource:       asl.LambdaInvoke,
//		Parameters:     asl.Object{"FunctionName": asl.Sub("PizzaCheckerArn"), "Payload.$": "$"},
//		OutputPath:     "$.Payload",
//		TimeoutSeconds: asl.Int(10),
//		Retry:          []asl.Retrier{{ErrorEquals: asl.LambdaTransientErrors(), BackoffRate: asl.Float(2), JitterStrategy: asl.JitterFull}},
//		Catch:          []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, ResultPath: "$.error", Next: "Alarm"}},
//		Next:           "ContainsPineapple",
//	},
//	&asl.Choice{
//		Name:    "ContainsPineapple",
//		Choices: []asl.ChoiceRule{asl.BooleanEquals("$.containsPineapple", true).Then("RefuseOrder")},
//		Default: "MakePizza",
//	},
package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// QueryLanguage selects how a state reads and shapes its data.
type QueryLanguage string

// The two query languages. A state with no QueryLanguage inherits its
// branch's, then the state machine's, then JSONPath.
const (
	JSONPath QueryLanguage = "JSONPath"
	JSONata  QueryLanguage = "JSONata"
)

// StateMachine is an ASL document. States run in the order Next fields say;
// their order in States only decides the order they are written in.
type StateMachine struct {
	Comment        string
	QueryLanguage  QueryLanguage
	Version        string // "1.0" when set
	TimeoutSeconds *int
	StartAt        string
	States         States
	leftovers
}

func (m *StateMachine) fields() []field {
	return []field{
		{"Comment", &m.Comment, "", kindPlain},
		{"QueryLanguage", &m.QueryLanguage, "", kindPlain},
		{"Version", &m.Version, "", kindPlain},
		{"TimeoutSeconds", &m.TimeoutSeconds, "", kindPlain},
		{"StartAt", &m.StartAt, "", kindPlain},
		{"States", &m.States, "", kindPlain},
	}
}

// MarshalJSON writes the document with its fields and states in a fixed order.
func (m *StateMachine) MarshalJSON() ([]byte, error) { return marshalObject(m) }

// UnmarshalJSON reads an ASL document, keeping the order of its states.
func (m *StateMachine) UnmarshalJSON(data []byte) error { return unmarshalObject(data, m) }

// MarshalIndent is json.MarshalIndent without HTML escaping, so JSONata
// comparisons and intrinsic arguments stay readable; it ends in a newline.
func (m *StateMachine) MarshalIndent(prefix, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, indent)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("asl: marshal state machine: %w", err)
	}
	return buf.Bytes(), nil
}

// Parse reads an ASL JSON document. It checks only the shape of the JSON;
// call Validate for the rules of the language.
func Parse(data []byte) (*StateMachine, error) {
	m := new(StateMachine)
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("asl: parse state machine: %w", err)
	}
	return m, nil
}

// Path is a JSONPath expression such as "$.detail.id", "$$.Execution.Id" or,
// where a variable is meant, "$attempts".
type Path string

// NullPath is the JSON null a Path field can hold: InputPath null gives the
// state an empty object, ResultPath null discards the result, OutputPath null
// sends an empty object on. A path must start with "$", so the string "null"
// can serve as the marker.
const NullPath Path = "null"

// MarshalJSON writes NullPath as JSON null and any other Path as a string.
func (p Path) MarshalJSON() ([]byte, error) {
	if p == NullPath {
		return []byte("null"), nil
	}
	return marshalValue(string(p))
}

// UnmarshalJSON reads JSON null as NullPath.
func (p *Path) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		*p = NullPath
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*p = Path(s)
	return nil
}

// Object is a JSON object in a payload template: Parameters, Arguments,
// ResultSelector, ItemSelector, Assign and the like. In a JSONPath state a
// key ending in ".$" takes its value from a path or an intrinsic function.
type Object = map[string]any

// Sub returns the DefinitionSubstitutions placeholder "${name}", which the
// deployed state machine sees replaced by the value the template gives it.
func Sub(name string) string { return "${" + name + "}" }

// Int returns a pointer to n, for the optional integer fields where 0 is a
// meaningful value and nil means "not set".
func Int(n int) *int { return &n }

// Float returns a pointer to f, for the optional number fields.
func Float(f float64) *float64 { return &f }

// Service integrations the project's workflows call.
const (
	LambdaInvoke = "arn:aws:states:::lambda:invoke"
	SNSPublish   = "arn:aws:states:::sns:publish"
)
