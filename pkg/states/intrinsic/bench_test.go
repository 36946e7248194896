package intrinsic

import (
	"encoding/json"
	"testing"
)

func BenchmarkFormat(b *testing.B) {
	values := map[string]any{
		"$.name":  "Arnav",
		"$.count": json.Number("3"),
		"$.order": map[string]any{"id": json.Number("7"), "items": []any{"pizza", "salad"}},
	}
	resolve := func(p string) (any, error) { return values[p], nil }
	const expr = "States.Format('Hello, {}: {} orders, last {}', $.name, $.count, $.order)"
	b.Run("Eval", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Eval(expr, resolve); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Compiled", func(b *testing.B) {
		e, err := Compile(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Eval(resolve); err != nil {
				b.Fatal(err)
			}
		}
	})
}
