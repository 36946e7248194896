package asl_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stepforge/stepforge/pkg/asl"
)

// TestPathsAndIntrinsicsAreChecked pins the syntax checks of JSONPath
// fields, ".$" payload values and intrinsic functions.
func TestPathsAndIntrinsicsAreChecked(t *testing.T) {
	pass := func(edit func(*asl.Pass)) *asl.StateMachine {
		p := &asl.Pass{Name: "P", End: true}
		edit(p)
		return machine(p)
	}
	param := func(value string) *asl.StateMachine {
		return pass(func(p *asl.Pass) { p.Parameters = asl.Object{"v.$": value} })
	}
	tests := []struct {
		name    string
		machine *asl.StateMachine
		want    asl.Problem
	}{
		{
			name:    "InputPath without $",
			machine: pass(func(p *asl.Pass) { p.InputPath = "detail" }),
			want:    asl.Problem{Path: "States.P", Message: `InputPath "detail" is not a valid path: must start with "$"`},
		},
		{
			name:    "OutputPath ending in a dot",
			machine: pass(func(p *asl.Pass) { p.OutputPath = "$.detail." }),
			want:    asl.Problem{Path: "States.P", Message: `OutputPath "$.detail." is not a valid path: ends with "."`},
		},
		{
			name:    "ResultPath with a wildcard",
			machine: pass(func(p *asl.Pass) { p.ResultPath = "$.items[*]" }),
			want:    asl.Problem{Path: "States.P", Message: `ResultPath "$.items[*]" is not a valid path: wildcard "[*]" may select several nodes; a Reference Path selects one`},
		},
		{
			name:    "ResultPath into the context object",
			machine: pass(func(p *asl.Pass) { p.ResultPath = "$$.Execution" }),
			want:    asl.Problem{Path: "States.P", Message: `ResultPath "$$.Execution" is not a valid path: cannot write into the context object "$$"`},
		},
		{
			name: "ItemsPath with a filter",
			machine: machine(&asl.Map{Name: "M", ItemsPath: "$.items[?(@.ok)]", End: true,
				ItemProcessor: &asl.ItemProcessor{StartAt: "E", States: asl.States{&asl.Succeed{Name: "E"}}}}),
			want: asl.Problem{Path: "States.M", Message: `ItemsPath "$.items[?(@.ok)]" is not a valid path: a filter may select several nodes; a Reference Path selects one`},
		},
		{
			name: "Variable with a deep scan",
			machine: machine(&asl.Choice{Name: "C", Default: "E", Choices: []asl.ChoiceRule{asl.IsPresent("$..id", true).Then("E")}},
				&asl.Succeed{Name: "E"}),
			want: asl.Problem{Path: "States.C.Choices[0]", Message: `Variable "$..id" is not a valid path: ".." may select several nodes; a Reference Path selects one`},
		},
		{
			name:    "unclosed bracket in a .$ value",
			machine: param("$.a['b'"),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"$.a['b'": not a valid path: expected "]" after a quoted name`},
		},
		{
			name:    ".$ value that is neither path nor intrinsic",
			machine: param("hello"),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"hello": neither a path nor an intrinsic function`},
		},
		{
			name:    ".$ value that is not a string",
			machine: pass(func(p *asl.Pass) { p.Parameters = asl.Object{"v.$": 3} }),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `a field ending in ".$" takes a path or an intrinsic function as a string`},
		},
		{
			name:    "same field given twice",
			machine: pass(func(p *asl.Pass) { p.Parameters = asl.Object{"v.$": "$.v", "v": 1} }),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"v" and "v.$" both give the field "v"`},
		},
		{
			name:    "unknown intrinsic",
			machine: param("States.Concat('a', 'b')"),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"States.Concat('a', 'b')": unknown intrinsic function "States.Concat"`},
		},
		{
			name:    "unbalanced parentheses",
			machine: param("States.Array(States.UUID()"),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"States.Array(States.UUID()": States.Array: missing ")"`},
		},
		{
			name:    "unterminated string literal",
			machine: param("States.Format('oops)"),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"States.Format('oops)": States.Format: unterminated string 'oops)`},
		},
		{
			name:    "unsupported escape",
			machine: param(`States.Format('a\nb')`),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"States.Format('a\\nb')": States.Format: unsupported escape in 'a\nb'): only \' \{ \} and \\ are allowed`},
		},
		{
			name:    "wrong number of arguments",
			machine: param("States.MathAdd($.a)"),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"States.MathAdd($.a)": States.MathAdd takes 2 arguments, got 1`},
		},
		{
			name:    "Format holes and arguments disagree",
			machine: param("States.Format('{} and {}', $.a)"),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"States.Format('{} and {}', $.a)": States.Format template has 2 {} placeholders but 1 argument follow it`},
		},
		{
			name:    "bad path inside an intrinsic",
			machine: param("States.ArrayLength($.items[x])"),
			want:    asl.Problem{Path: "States.P.Parameters.v.$", Message: `"States.ArrayLength($.items[x])": States.ArrayLength: argument "$.items[x]": invalid subscript "[x]": expected an index, ['name'], [*] or a filter [?(...)]`},
		},
		{
			name:    "CausePath that is a filter",
			machine: machine(&asl.Fail{Name: "F", CausePath: "$.errors[?(@.fatal)]"}),
			want:    asl.Problem{Path: "States.F", Message: `CausePath "$.errors[?(@.fatal)]": not a valid path: a filter may select several nodes; a Reference Path selects one`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, problems(t, tt.machine), tt.want)
		})
	}
}
