package jsonata_test

import (
	"encoding/json"
	"fmt"

	"github.com/stepforge/stepforge/pkg/states/jsonata"
)

// The conversion example of the AWS guide "Transforming data with JSONata in
// Step Functions": an Arguments template with $states.input and a variable.
func ExampleTemplate() {
	env := jsonata.Env{
		States: map[string]any{"input": map[string]any{"title": "Doctor"}},
		Vars:   map[string]any{"customerName": "María"},
	}
	out, err := jsonata.TemplateField(map[string]any{
		"static":        "Hello",
		"title":         "{% $states.input.title %}",
		"name":          "{% $customerName %}",
		"not-evaluated": "$customerName",
	}, env, "Arguments")
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	// Output: {"name":"María","not-evaluated":"$customerName","static":"Hello","title":"Doctor"}
}

func ExampleCompile() {
	_, err := jsonata.Compile("{% phone %}")
	fmt.Println(err)
	e, _ := jsonata.Compile("{% $partition([1, 2, 3, 4], 2) %}")
	v, _ := e.Eval(jsonata.Env{})
	fmt.Println(v)
	// Output:
	// UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported.
	// [[1 2] [3 4]]
}
