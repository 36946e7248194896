package jsonpath_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

func decode(s string) any {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		panic(err)
	}
	return v
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func ExamplePath_Get() {
	input := decode(`{"items": [{"sku": "pizza", "qty": 2}, {"sku": "cola", "qty": 1}]}`)

	one, _ := jsonpath.Compile("$.items[0].sku")
	v, _ := one.Get(input)
	fmt.Println(one.Definite(), show(v))

	many, _ := jsonpath.Compile("$.items[?(@.qty > 1)].sku")
	v, _ = many.Get(input)
	fmt.Println(many.Definite(), show(v))

	_, err := one.Get(decode(`{"items": [{}]}`))
	fmt.Println(err)
	// Output:
	// true "pizza"
	// false ["pizza"]
	// States.Runtime: Invalid path '$.items[0].sku' : No results for path: $['items'][0]['sku']
}

func ExampleTemplate() {
	env := jsonpath.Env{
		Input:   decode(`{"order": {"id": "o-1"}}`),
		Context: decode(`{"State": {"Name": "Bake"}}`),
		Vars:    map[string]any{"oven": "hot"},
	}
	params := decode(`{"id.$": "$.order.id", "state.$": "$$.State.Name", "oven.$": "$oven", "static": 1}`)
	out, err := jsonpath.Template(params, env, nil)
	fmt.Println(show(out), err)
	// Output:
	// {"id":"o-1","oven":"hot","state":"Bake","static":1} <nil>
}

func ExampleSet() {
	input := decode(`{"order": {"id": "o-1"}}`)
	out, _ := jsonpath.Set(input, "$.order.result", decode(`{"ok": true}`))
	fmt.Println(show(out))
	fmt.Println(show(input))

	_, err := jsonpath.Set(decode(`"text"`), "$.result", 1)
	fmt.Println(err)
	// Output:
	// {"order":{"id":"o-1","result":{"ok":true}}}
	// {"order":{"id":"o-1"}}
	// States.ResultPathMatchFailure: Unable to apply ReferencePath $.result to input "text"
}
