package jsonpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFilterSelectsMatchingElements pins filter expressions. InputPath,
// Parameters and ResultSelector take full JsonPath syntax (paths page:
// https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html;
// only Reference Paths exclude "?"), which Step Functions evaluates with
// Jayway JsonPath: numbers compare as numbers, strings as strings, and
// values of different types are never equal.
func TestFilterSelectsMatchingElements(t *testing.T) {
	store := fixture(t, "store.json")
	items := doc(t, `[
		{"id": 1, "n": 1, "s": "a", "b": true, "z": null},
		{"id": 2, "n": 1.0, "s": "b", "b": false},
		{"id": 3, "n": 2.5, "s": "1"},
		{"id": 4, "n": -3e2, "s": "ab", "tags": ["x"]},
		{"id": 5, "n": "1", "o": {"k": [1, 2]}}
	]`)
	cases := []struct {
		name   string
		in     any
		path   string
		wanted string
	}{
		{"books cheaper than 10", store, "$.store.book[?(@.price < 10)].title", `["Sayings of the Century", "Moby Dick"]`},
		{"books with an isbn: existence test", store, "$..book[?(@.isbn)].title", `["Moby Dick", "The Lord of the Rings"]`},
		{"existence holds for a member that is null", store, "$..book[?(@.discount)].title", `["The Lord of the Rings"]`},
		{"negated existence", store, "$..book[?(!(@.isbn))].title", `["Sayings of the Century", "Sword of Honour"]`},
		{"negation without parentheses", store, "$..book[?(!@.isbn)].title", `["Sayings of the Century", "Sword of Honour"]`},
		{"comparison with the root document", store, "$.store.book[?(@.price > $.expensive)].title", `["Sword of Honour", "The Lord of the Rings"]`},
		{"string equality with single quotes", store, "$.store.book[?(@.category == 'reference')].author", `["Nigel Rees"]`},
		{"string equality with double quotes", store, `$.store.book[?(@.category == "reference")].author`, `["Nigel Rees"]`},
		{"and", store, "$.store.book[?(@.category == 'fiction' && @.price < 10)].title", `["Moby Dick"]`},
		{"or", store, "$.store.book[?(@.price < 9 || @.price > 20)].title", `["Sayings of the Century", "Moby Dick", "The Lord of the Rings"]`},
		{"and binds tighter than or", store, "$.store.book[?(@.price > 20 || @.category == 'fiction' && @.price < 9)].title", `["Moby Dick", "The Lord of the Rings"]`},
		{"parentheses group", store, "$.store.book[?((@.price > 20 || @.category == 'fiction') && @.price < 13)].title", `["Sword of Honour", "Moby Dick"]`},
		{"boolean equality", store, "$.store.book[?(@.inStock == true)].title", `["The Lord of the Rings"]`},
		{"numbers equal by value: 1 == 1.0", items, "$[?(@.n == 1)].id", `[1, 2]`},
		{"a number never equals a string", items, "$[?(@.s == 1)].id", `[]`},
		{"a string never equals a number", items, "$[?(@.n == '1')].id", `[5]`},
		{"exponent and negative numbers", items, "$[?(@.n < -299.5)].id", `[4]`},
		{"a literal on the left", items, "$[?(2 <= @.n)].id", `[3]`},
		{"<= and >=", items, "$[?(@.n >= 1 && @.n <= 2.5)].id", `[1, 2, 3]`},
		{"ordering needs two numbers or two strings", items, "$[?(@.n > 0)].id", `[1, 2, 3]`},
		{"strings order lexicographically", items, "$[?(@.s > 'a')].id", `[2, 4]`},
		{"!= includes elements lacking the member (Jayway)", items, "$[?(@.s != 'a')].id", `[2, 3, 4, 5]`},
		{"null equality needs a present null", items, "$[?(@.z == null)].id", `[1]`},
		{"false is a value", items, "$[?(@.b == false)].id", `[2]`},
		{"nested paths in a filter", items, "$[?(@.o.k[1] == 2)].id", `[5]`},
		{"array equality", items, "$[?(@.tags == $[3].tags)].id", `[4]`},
		{"numbers beyond float64 precision stay distinct", doc(t, `[12345678901234567, 12345678901234568]`), "$[?(@ > 12345678901234567)]", `[12345678901234568]`},
		{"a tiny number is not zero", doc(t, `[1e-400, 0, 0.0, -0e5]`), "$[?(@ == 0)]", `[0, 0.0, -0e5]`},
		{"decimals compare exactly: 0.1 == 0.10", doc(t, `[0.1, 0.10, 0.11]`), "$[?(@ == 0.1)]", `[0.1, 0.10]`},
		{"huge exponents compare", doc(t, `[1e400, 1e300]`), "$[?(@ > 1e399)]", `[1e400]`},
		{"@ alone is the element", doc(t, `[1, 5, 10]`), "$[?(@ > 3)]", `[5, 10]`},
		{"a filter on an object tests the object itself (Jayway)", doc(t, `{"o": {"x": 1}}`), "$.o[?(@.x == 1)]", `[{"x": 1}]`},
		{"filter then descend", store, "$.store.book[?(@.isbn)].price", `[8.99, 22.99]`},
		{"deep scan then filter", store, "$..[?(@.price > 19)].price", `[19.95, 22.99]`},
		{"literal true alone keeps everything", doc(t, `[1, 2]`), "$[?(true)]", `[1, 2]`},
		{"a filter on a scalar selects nothing", doc(t, `{"a": 1}`), "$.a[?(@ == 1)]", `[]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile(c.path)
			require.NoError(t, err)
			got, err := p.Get(c.in)
			require.NoError(t, err)
			assert.Equal(t, doc(t, c.wanted), got)
		})
	}
}
