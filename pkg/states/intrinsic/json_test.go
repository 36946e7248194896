package intrinsic

import "testing"

// Doc examples are from docPage, "Intrinsics for JSON data manipulation"; the
// other outcomes from localstack + "test_json_manipulation.snapshot.json".

func TestStringToJsonParsesJSONText(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: an escaped JSON string becomes an object", expr: "States.StringToJson($.escapedJsonString)",
			paths: map[string]string{"$.escapedJsonString": `"{\"foo\": \"bar\"}"`}, want: `{"foo": "bar"}`},
		{name: "localstack: an empty string is null", expr: "States.StringToJson('')", want: `null`},
		{name: "localstack: a blank string is null", expr: "States.StringToJson(' ')", want: `null`},
		{name: "localstack: null", expr: "States.StringToJson('null')", want: `null`},
		{name: "localstack: -0 is 0", expr: "States.StringToJson('-0')", want: `0`},
		{name: "localstack: 1.1 keeps its digits", expr: "States.StringToJson('1.1')", want: `1.1`},
		{name: "localstack: true", expr: "States.StringToJson('true')", want: `true`},
		{name: "localstack: a JSON string", expr: `States.StringToJson('"HelloWorld"')`, want: `"HelloWorld"`},
		{name: "localstack: an array", expr: `States.StringToJson('[1, 2, "HelloWorld"]')`, want: `[1, 2, "HelloWorld"]`},
		{name: "localstack test_json_merge_escaped_argument: a literal object", expr: `States.StringToJson('{"constant_in_literal": "false"}')`,
			want: `{"constant_in_literal": "false"}`},
		{name: "braces in a literal are plain text outside States.Format", expr: "States.StringToJson('{}')", want: `{}`},
		{name: "malformed JSON fails", expr: "States.StringToJson('{')", fails: "not valid JSON"},
		{name: "two values fail", expr: "States.StringToJson('1 2')", fails: "text follows the value"},
		{name: "a non-string fails", expr: "States.StringToJson($.a)",
			paths: map[string]string{"$.a": `{"a": 1}`}, fails: "must be a string, got an object"},
	})
}

func TestJsonToStringWritesCompactJSON(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: an object becomes its JSON text", expr: "States.JsonToString($.unescapedJson)",
			paths: map[string]string{"$.unescapedJson": `{"foo": "bar"}`}, want: `"{\"foo\":\"bar\"}"`},
		{name: "localstack: null", expr: "States.JsonToString(null)", want: `"null"`},
		{name: "localstack: 1.1", expr: "States.JsonToString(1.1)", want: `"1.1"`},
		{name: "localstack: true", expr: "States.JsonToString(true)", want: `"true"`},
		{name: "localstack: a string is quoted", expr: "States.JsonToString('HelloWorld')", want: `"\"HelloWorld\""`},
		{name: "localstack: an array", expr: "States.JsonToString($.a)",
			paths: map[string]string{"$.a": `[1, 2, "HelloWorld"]`}, want: `"[1,2,\"HelloWorld\"]"`},
		{name: "localstack: an object", expr: "States.JsonToString($.a)",
			paths: map[string]string{"$.a": `{"Arg1": 1, "Arg2": []}`}, want: `"{\"Arg1\":1,\"Arg2\":[]}"`},
		{name: "HTML characters are not escaped", expr: "States.JsonToString('<a&b>')", want: `"\"<a&b>\""`},
		{name: "a round trip through StringToJson", expr: "States.StringToJson(States.JsonToString($.a))",
			paths: map[string]string{"$.a": `{"x": [1, {"y": null}]}`}, want: `{"x": [1, {"y": null}]}`},
	})
}

func TestJsonMergeIsShallowAndTheSecondObjectWins(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: key a is replaced, not merged", expr: "States.JsonMerge($.json1, $.json2, false)",
			paths: map[string]string{"$.json1": `{"a": {"a1": 1, "a2": 2}, "b": 2}`, "$.json2": `{"a": {"a3": 1, "a4": 2}, "c": 3}`},
			want:  `{"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}`},
		{name: "localstack: d takes the second value", expr: "States.JsonMerge($.fst, $.snd, false)",
			paths: map[string]string{"$.fst": `{"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}`, "$.snd": `{"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}`},
			want:  `{"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4}`},
		{name: "localstack test_json_merge_escaped_argument: a parsed literal and a path", expr: `States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), $$.Execution.Input.input_field, false)`,
			paths: map[string]string{"$$.Execution.Input.input_field": `{"constant_input_field": "constant_value"}`},
			want:  `{"constant_input_field": "constant_value", "constant_in_literal": "false"}`},
		{name: "doc: deep merging (true) is not supported", expr: "States.JsonMerge($.a, $.a, true)",
			paths: map[string]string{"$.a": `{}`}, fails: "deep merging is not supported"},
		{name: "a non-boolean flag fails", expr: "States.JsonMerge($.a, $.a, 'false')",
			paths: map[string]string{"$.a": `{}`}, fails: "must be a boolean, got a string"},
		{name: "an array fails", expr: "States.JsonMerge($.a, $.b, false)",
			paths: map[string]string{"$.a": `{}`, "$.b": `[]`}, fails: "argument 2 must be an object, got an array"},
	})
}
