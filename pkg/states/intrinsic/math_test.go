package intrinsic

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Doc examples are from docPage, "Intrinsics for Math operations"; the other
// outcomes from localstack + "test_math_operations.snapshot.json".

func TestMathAddAddsRoundedIntegers(t *testing.T) {
	cases := []evalCase{
		{name: "doc: 111 + -1 is 110", expr: "States.MathAdd($.value1, $.step)",
			paths: map[string]string{"$.value1": `111`, "$.step": `-1`}, want: `110`},
		{name: "localstack: -9 + 3 is -6", expr: "States.MathAdd(-9, 3)", want: `-6`},
		{name: "doc: the 32-bit bounds are allowed", expr: "States.MathAdd(2147483647, -2147483648)", want: `-1`},
		{name: "doc: past the 32-bit range fails", expr: "States.MathAdd(2147483648, 0)", fails: "outside the range"},
		{name: "a string fails", expr: "States.MathAdd('1', 2)", fails: "first value (argument 1) must be a number, got a string"},
		{name: "null fails", expr: "States.MathAdd(1, null)", fails: "second value (argument 2) must be a number, got null"},
	}
	// localstack test_math_add: AWS rounds each argument half up (Java's
	// Math.round) before adding.
	for _, r := range []struct{ a, b, sum string }{
		{"1.49", "1.5", "3"}, {"1.5", "1.51", "4"}, {"-1.49", "-1.5", "-2"}, {"-1.5", "-1.51", "-3"},
		{"1.49", "0", "1"}, {"1.49", "-1.49", "0"}, {"1.5", "0", "2"}, {"1.51", "0", "2"},
		{"-1.49", "0", "-1"}, {"-1.5", "0", "-1"}, {"-1.51", "0", "-2"}, {"0.5", "0", "1"},
		{"2.5", "0", "3"}, {"3.5", "0", "4"}, {"-0.5", "0.5", "1"}, {"-0.5", "0", "0"},
		{"-2.5", "0", "-2"}, {"-3.5", "0", "-3"},
	} {
		cases = append(cases, evalCase{name: "localstack: " + r.a + " + " + r.b + " is " + r.sum,
			expr: "States.MathAdd($.fst, $.snd)", paths: map[string]string{"$.fst": r.a, "$.snd": r.b}, want: r.sum})
	}
	runCases(t, cases)
}

func TestMathRandomStaysInItsRange(t *testing.T) {
	// docPage: a random number between the start (inclusive) and the end
	// (exclusive); localstack test_math_random uses these bounds.
	for _, r := range []struct {
		start, end string
		lo, hi     int64
	}{{"1", "999", 1, 998}, {"12.5", "44.51", 13, 44}, {"9999", "99999", 9999, 99998}, {"-99999", "-9999", -99999, -10000}, {"0", "1", 0, 0}} {
		for range 200 {
			v, err := Eval("States.MathRandom($.start, $.end)", resolverOf(t, map[string]string{"$.start": r.start, "$.end": r.end}))
			require.NoError(t, err)
			n, ok := v.(json.Number)
			require.True(t, ok, "%T", v)
			i, err := n.Int64()
			require.NoError(t, err)
			require.GreaterOrEqual(t, i, r.lo)
			require.LessOrEqual(t, i, r.hi)
		}
	}
}

func TestMathRandomWithASeedIsDeterministic(t *testing.T) {
	// docPage: the optional seed makes the same number each time.
	first, err := Eval("States.MathRandom(0, 999, 3)", nil)
	require.NoError(t, err)
	for range 20 {
		again, err := Eval("States.MathRandom(0, 999, 3)", nil)
		require.NoError(t, err)
		assert.Equal(t, first, again)
	}
	n, err := first.(json.Number).Int64()
	require.NoError(t, err)
	assert.True(t, n >= 0 && n < 999)
	wide, err := Eval("States.MathRandom(-9223372036854775808, 9223372036854775807, 7)", nil)
	require.NoError(t, err)
	again, err := Eval("States.MathRandom(-9223372036854775808, 9223372036854775807, 7)", nil)
	require.NoError(t, err)
	assert.Equal(t, wide, again)
}

func TestMathRandomRejectsBadArguments(t *testing.T) {
	runCases(t, []evalCase{
		{name: "an empty range fails", expr: "States.MathRandom(5, 5)", fails: "end 5 must be greater than the start 5"},
		{name: "a string bound fails", expr: "States.MathRandom('1', 5)", fails: "start (argument 1) must be a number, got a string"},
		{name: "a string seed fails", expr: "States.MathRandom(1, 5, 'x')", fails: "seed (argument 3) must be a number"},
		{name: "one argument fails", expr: "States.MathRandom(1)", fails: "takes 2 to 3 arguments, got 1"},
	})
}

func TestJavaRandomMatchesJavaUtilRandom(t *testing.T) {
	// new java.util.Random(42).nextInt() is -1170105035, a widely quoted value.
	assert.Equal(t, int32(-1170105035), newJavaRandom(42).next(32))
	// nextInt(bound) stays below the bound for powers of two and others.
	r := newJavaRandom(1)
	for range 1000 {
		assert.Less(t, r.nextInt(16), int32(16))
		assert.Less(t, r.nextInt(1000), int32(1000))
	}
}
