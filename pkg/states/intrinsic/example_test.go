package intrinsic_test

import (
	"encoding/json"
	"fmt"

	"github.com/stepforge/stepforge/pkg/states/intrinsic"
)

func ExampleEval() {
	input := map[string]any{"name": "Arnav", "items": []any{json.Number("1"), json.Number("2"), json.Number("2")}}
	resolve := func(path string) (any, error) {
		switch path {
		case "$.name":
			return input["name"], nil
		case "$.items":
			return input["items"], nil
		}
		return nil, fmt.Errorf("no path %s", path)
	}
	greeting, _ := intrinsic.Eval("States.Format('Hello, my name is {}.', $.name)", resolve)
	unique, _ := intrinsic.Eval("States.ArrayLength(States.ArrayUnique($.items))", resolve)
	_, err := intrinsic.Eval("States.ArrayGetItem($.items, 5)", resolve)
	fmt.Println(greeting)
	fmt.Println(unique)
	fmt.Println(err)
	// Output:
	// Hello, my name is Arnav.
	// 2
	// States.IntrinsicFailure: States.ArrayGetItem: index 5 is out of bounds for an array of 3 items
}
