package jsonpath

import (
	"reflect"
	"testing"
)

// FuzzCompile pins the "no input panics" for the JSONPath parser,
// and that a path's written form and its canonical form both compile back
// to the same path with the same results.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"$", "$.a.b", "$['a b']", `$["q\"x"]`, "$.a[0]", "$.a[-1:]", "$.a[1:3]", "$.a[::-1]", "$.a[0,2]",
		"$.a[*].b", "$..b", "$..*", "$.a[?(@.x == 1)]", "$[?(@.a && !(@.b) || @.c != 'x')]",
		"$[?(@.p < $.max && @.q >= -1.5e3)]", "$[?(@ == null)]", "$[?(true)]", "$$.Execution.Id", "$name.field",
		"$['a','b']", "$.abc.['def ghi']", "$[?(@.a[?(@.b)])]", "$['\\u00e9']", "$.a[", "$[?(", "$..[?(@.x)]",
	} {
		f.Add(s)
	}
	sample := doc(f, `{"a": [{"x": 1, "b": "s"}, {"x": 2.5, "b": null}, [1, 2]], "b": {"b": {"c": true}}, "p": 3, "max": 10}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Compile(s)
		if err != nil {
			return
		}
		got, gotErr := p.Get(sample)
		_, _ = Set(sample, s, "v")
		_, _ = Env{Input: sample, Context: sample, Vars: map[string]any{}}.Resolve(s)

		again, err := Compile(p.String())
		if err != nil {
			t.Fatalf("Compile(%q).String() = %q does not compile: %v", s, p.String(), err)
		}
		if again.String() != p.String() {
			t.Fatalf("String round trip: %q became %q", p.String(), again.String())
		}

		c := p.canonical()
		q, err := Compile(c)
		if err != nil {
			t.Fatalf("canonical %q of %q does not compile: %v", c, s, err)
		}
		if q.canonical() != c {
			t.Fatalf("canonical form unstable: %q became %q", c, q.canonical())
		}
		if q.Definite() != p.Definite() || q.Root() != p.Root() || q.Variable() != p.Variable() {
			t.Fatalf("canonical %q of %q classifies differently", c, s)
		}
		qGot, qErr := q.Get(sample)
		if (gotErr == nil) != (qErr == nil) || !reflect.DeepEqual(got, qGot) {
			t.Fatalf("canonical %q of %q selects differently: %v/%v vs %v/%v", c, s, got, gotErr, qGot, qErr)
		}
	})
}

// BenchmarkGet measures the common case: a short definite path, as in
// InputPath, OutputPath and most ".$" fields.
func BenchmarkGet(b *testing.B) {
	in := doc(b, `{"order": {"id": "o-1", "items": [{"sku": "pizza", "qty": 2}], "total": 42}, "customer": {"name": "Ada"}}`)
	p, err := Compile("$.order.items[0].sku")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetFilter is the costlier path kind, for comparison.
func BenchmarkGetFilter(b *testing.B) {
	in := fixture(b, "store.json")
	p, err := Compile("$.store.book[?(@.price < 10 && @.category == 'fiction')].title")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(in); err != nil {
			b.Fatal(err)
		}
	}
}
