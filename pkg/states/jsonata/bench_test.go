package jsonata

import "testing"

func BenchmarkTemplateOutput(b *testing.B) {
	env := input(b, `{"input_value":"string literal","input_values":[1,2,3]}`)
	env.Vars = map[string]any{"var_constant_1": j(b, `1`)}
	tmpl := j(b, `{"ja_states_input":"{% $states.input %}","ja_expr":"{% $sum($states.input.input_values) + $var_constant_1 %}","static":"x"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := TemplateField(tmpl, env, "Output"); err != nil {
			b.Fatal(err)
		}
	}
}
