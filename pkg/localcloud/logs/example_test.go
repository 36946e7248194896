package logs_test

import (
	"fmt"

	"github.com/stepforge/stepforge/pkg/localcloud/logs"
)

func ExampleParsePattern() {
	p, err := logs.ParsePattern(`{ $.level = "ERROR" && $.order.total > 20 }`)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Match(`{"level":"ERROR","msg":"oven on fire","order":{"total":23.5}}`))
	fmt.Println(p.Match(`{"level":"INFO","msg":"order received","order":{"total":23.5}}`))
	fmt.Println(p.Match("ERROR not JSON"))
	// Output:
	// true
	// false
	// false
}
