package rules_test

import (
	"fmt"

	"github.com/stepforge/stepforge/pkg/localcloud/rules"
)

func ExampleMatch() {
	pattern := `{"source":["aws.s3"],"detail":{"object":{"key":[{"suffix":".txt"}]}}}`
	for _, key := range []string{"notes/a.txt", "reports/q1.csv"} {
		ok, err := rules.Match(pattern, []byte(`{"source":"aws.s3","detail":{"object":{"key":"`+key+`"}}}`))
		fmt.Println(key, ok, err)
	}
	// Output:
	// notes/a.txt true <nil>
	// reports/q1.csv false <nil>
}
