package intrinsic

import "testing"

// Doc examples are from docPage, "Intrinsics for arrays"; the other outcomes
// from localstack + "test_array.snapshot.json".

func TestArrayBuildsAnArrayOfItsArguments(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: States.Array($.Id) of 123456 is [123456]", expr: "States.Array($.Id)",
			paths: map[string]string{"$.Id": `123456`}, want: `[123456]`},
		{name: "localstack test_array_0: no arguments give []", expr: "States.Array()", want: `[]`},
		{name: "localstack test_array_2: values keep their types", expr: "States.Array($.a, $.b, $.c, $.d)",
			paths: map[string]string{"$.a": `null`, "$.b": `1.1`, "$.c": `{"Arg1": 1, "Arg2": []}`, "$.d": `"{\"Arg1\": 1}"`},
			want:  `[null, 1.1, {"Arg1": 1, "Arg2": []}, "{\"Arg1\": 1}"]`},
		{name: "literals of every kind", expr: "States.Array('a', 1, -2.5e3, true, false, null)",
			want: `["a", 1, -2.5e3, true, false, null]`},
	})
}

func TestArrayPartitionSplitsIntoChunks(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: [1..9] in chunks of 4 is [[1,2,3,4],[5,6,7,8],[9]]", expr: "States.ArrayPartition($.inputArray, 4)",
			paths: map[string]string{"$.inputArray": `[1,2,3,4,5,6,7,8,9]`}, want: `[[1,2,3,4],[5,6,7,8],[9]]`},
		{name: "localstack: an empty array gives []", expr: "States.ArrayPartition($.a, 3)",
			paths: map[string]string{"$.a": `[]`}, want: `[]`},
		{name: "localstack: a chunk larger than the array holds it whole", expr: "States.ArrayPartition($.a, 5)",
			paths: map[string]string{"$.a": `[0,1,2,3]`}, want: `[[0,1,2,3]]`},
		{name: "localstack: chunks of 3 of [0,1,2,3]", expr: "States.ArrayPartition($.a, 3)",
			paths: map[string]string{"$.a": `[0,1,2,3]`}, want: `[[0,1,2],[3]]`},
		{name: "a huge chunk size does not overflow", expr: "States.ArrayPartition($.a, 9223372036854775807)",
			paths: map[string]string{"$.a": `[0,1]`}, want: `[[0,1]]`},
		{name: "a zero chunk size fails", expr: "States.ArrayPartition($.a, 0)",
			paths: map[string]string{"$.a": `[1]`}, fails: "chunk size must be greater than 0"},
		{name: "doc: a fractional chunk size is rounded", expr: "States.ArrayPartition($.a, 1.5)",
			paths: map[string]string{"$.a": `[1,2,3]`}, want: `[[1,2],[3]]`},
		{name: "a chunk size rounding to 0 fails", expr: "States.ArrayPartition($.a, 0.4)",
			paths: map[string]string{"$.a": `[1]`}, fails: "chunk size must be greater than 0"},
		{name: "a string chunk size fails", expr: "States.ArrayPartition($.a, '2')",
			paths: map[string]string{"$.a": `[1]`}, fails: "chunk size (argument 2) must be a number, got a string"},
		{name: "a non-array fails", expr: "States.ArrayPartition('abc', 1)", fails: "argument 1 must be an array, got a string"},
	})
}

func TestArrayContainsComparesWholeValues(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: [1..9] contains 5", expr: "States.ArrayContains($.inputArray, $.lookingFor)",
			paths: map[string]string{"$.inputArray": `[1,2,3,4,5,6,7,8,9]`, "$.lookingFor": `5`}, want: `true`},
		{name: "localstack: [] does not contain null", expr: "States.ArrayContains($.a, null)",
			paths: map[string]string{"$.a": `[]`}, want: `false`},
		{name: "localstack: an array item matches an equal array", expr: "States.ArrayContains($.a, $.b)",
			paths: map[string]string{"$.a": `[[1,2,3],2]`, "$.b": `[1,2,3]`}, want: `true`},
		{name: "localstack: an object item matches an equal object", expr: "States.ArrayContains($.a, $.b)",
			paths: map[string]string{"$.a": `[{"1":2,"2":[]}]`, "$.b": `{"2":[],"1":2}`}, want: `true`},
		{name: "localstack: an object does not match []", expr: "States.ArrayContains($.a, $.b)",
			paths: map[string]string{"$.a": `[{"1":2,"2":[]}]`, "$.b": `[]`}, want: `false`},
		{name: "localstack: booleans match", expr: "States.ArrayContains($.a, false)",
			paths: map[string]string{"$.a": `[true,false]`}, want: `true`},
		{name: "numbers compare by value", expr: "States.ArrayContains($.a, 1.0)",
			paths: map[string]string{"$.a": `[1]`}, want: `true`},
		{name: "a string does not match a number", expr: "States.ArrayContains($.a, '1')",
			paths: map[string]string{"$.a": `[1]`}, want: `false`},
		{name: "a non-array fails", expr: "States.ArrayContains($.a, 1)",
			paths: map[string]string{"$.a": `{"x":1}`}, fails: "must be an array, got an object"},
	})
}

func TestArrayRangeCountsUpToTheEndInclusive(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: States.ArrayRange(1, 9, 2) is [1,3,5,7,9]", expr: "States.ArrayRange(1, 9, 2)", want: `[1,3,5,7,9]`},
		{name: "localstack: 0 to 10 by 3 stops at 9", expr: "States.ArrayRange($.a, $.b, $.c)",
			paths: map[string]string{"$.a": `0`, "$.b": `10`, "$.c": `3`}, want: `[0,3,6,9]`},
		{name: "localstack: a step past the end gives the start alone", expr: "States.ArrayRange(1, 9, 9)", want: `[1]`},
		{name: "negative bounds", expr: "States.ArrayRange(-3, 0, 1)", want: `[-3,-2,-1,0]`},
		{name: "doc: 1000 items is the limit", expr: "States.ArrayRange(1, 1000, 1)", want: rangeJSON(1, 1000)},
		{name: "doc: 1000 items counting down", expr: "States.ArrayLength(States.ArrayRange(999, 0, -1))", want: `1000`},
		{name: "doc: 1001 items fail", expr: "States.ArrayRange(0, 1000, 1)", fails: "at most 1000"},
		{name: "the full int64 span fails without overflowing", expr: "States.ArrayRange(-9223372036854775808, 9223372036854775807, 1)", fails: "at most 1000"},
		{name: "the full int64 span counting down fails", expr: "States.ArrayRange(9223372036854775807, -9223372036854775808, -9223372036854775808)",
			want: `[9223372036854775807, -1]`},
		{name: "doc: a zero step fails", expr: "States.ArrayRange(1, 9, 0)", fails: "step must not be 0"},
		{name: "doc: a negative step counts down", expr: "States.ArrayRange(9, 1, -2)", want: `[9,7,5,3,1]`},
		{name: "a step away from the end gives []", expr: "States.ArrayRange(1, 9, -1)", want: `[]`},
		{name: "doc: fractional arguments are rounded", expr: "States.ArrayRange(0.5, 4.4, 1.5)", want: `[1,3]`},
		{name: "a string bound fails", expr: "States.ArrayRange(1, '9', 1)", fails: "end (argument 2) must be a number, got a string"},
	})
}

func rangeJSON(from, to int) string {
	b := []byte{'['}
	for i := from; i <= to; i++ {
		if i > from {
			b = append(b, ',')
		}
		b = append(b, []byte(itoa(i))...)
	}
	return string(append(b, ']'))
}

func itoa(i int) string { return string(intNumber(int64(i))) }

func TestArrayGetItemReadsOneIndex(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: index 5 of [1..9] is 6", expr: "States.ArrayGetItem($.inputArray, $.index)",
			paths: map[string]string{"$.inputArray": `[1,2,3,4,5,6,7,8,9]`, "$.index": `5`}, want: `6`},
		{name: "the item keeps its type", expr: "States.ArrayGetItem($.a, 0)",
			paths: map[string]string{"$.a": `[{"k":[1]}]`}, want: `{"k":[1]}`},
		{name: "an index past the end fails", expr: "States.ArrayGetItem($.a, 3)",
			paths: map[string]string{"$.a": `[1,2,3]`}, fails: "index 3 is out of bounds for an array of 3 items"},
		{name: "a negative index fails", expr: "States.ArrayGetItem($.a, -1)",
			paths: map[string]string{"$.a": `[1,2,3]`}, fails: "out of bounds"},
		{name: "a string index fails", expr: "States.ArrayGetItem($.a, '0')",
			paths: map[string]string{"$.a": `[1]`}, fails: "index (argument 2) must be an integer, got a string"},
	})
}

func TestArrayLengthCountsItems(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: [1..9] has length 9", expr: "States.ArrayLength($.inputArray)",
			paths: map[string]string{"$.inputArray": `[1,2,3,4,5,6,7,8,9]`}, want: `9`},
		{name: "localstack test_array_unique: duplicates count", expr: "States.ArrayLength($.a)",
			paths: map[string]string{"$.a": `[null,null,true,true,false,false,1,1,1.1,0,0,"HelloWorld","HelloWorld",[],[],[null],[null],{"a":1,"b":2},{"a":1,"b":2},{"a":1,"b":1}]`},
			want:  `20`},
		{name: "[] has length 0", expr: "States.ArrayLength(States.Array())", want: `0`},
		{name: "a string fails", expr: "States.ArrayLength('abc')", fails: "must be an array, got a string"},
	})
}

func TestArrayUniqueKeepsFirstOccurrences(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: [1,2,3,3,3,3,3,3,4] is [1,2,3,4]", expr: "States.ArrayUnique($.inputArray)",
			paths: map[string]string{"$.inputArray": `[1,2,3,3,3,3,3,3,4]`}, want: `[1,2,3,4]`},
		{name: "values of every kind, compared whole", expr: "States.ArrayUnique($.a)",
			paths: map[string]string{"$.a": `[null,null,true,true,false,1,1,1.1,"HelloWorld","HelloWorld",[],[],[null],[null],{"a":1,"b":2},{"b":2,"a":1},{"a":1,"b":1}]`},
			want:  `[null,true,false,1,1.1,"HelloWorld",[],[null],{"a":1,"b":2},{"a":1,"b":1}]`},
		{name: "a null fails", expr: "States.ArrayUnique(null)", fails: "must be an array, got null"},
	})
}
