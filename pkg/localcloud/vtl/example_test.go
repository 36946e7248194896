package vtl_test

import (
	"fmt"

	"github.com/stepforge/stepforge/pkg/localcloud/vtl"
)

func Example() {
	tmpl, err := vtl.Parse(`#set($root = $input.path('$'))
{
  "user": "$input.params('user')",
  "ids": [#foreach($item in $root.items)$item.id#if($foreach.hasNext), #end#end],
  "stage": "$context.stage"
}`)
	if err != nil {
		panic(err)
	}
	out, err := tmpl.Render(vtl.Request{
		Body:        []byte(`{"items":[{"id":1},{"id":2}]}`),
		QueryString: map[string]string{"user": "ann"},
		Context:     map[string]any{"stage": "main"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(out)
	// Output:
	// {
	//   "user": "ann",
	//   "ids": [1, 2],
	//   "stage": "main"
	// }
}
