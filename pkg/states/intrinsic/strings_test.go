package intrinsic

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Doc examples are from docPage ("Intrinsics for generic operations", "for
// String operation", "for data encoding and decoding", "for hash
// calculation", "for generating unique identifiers"); the other outcomes from
// localstack + test_generic, test_string_operations, test_encode_decode and
// test_hash_calculations snapshots.

func TestFormatFillsPlaceholdersInOrder(t *testing.T) {
	obj := `{"Arg1": 1, "Arg2": []}`
	runCases(t, []evalCase{
		{name: "doc: Hello, my name is Arnav.", expr: "States.Format('Hello, my name is {}.', $.name)",
			paths: map[string]string{"$.name": `"Arnav"`}, want: `"Hello, my name is Arnav."`},
		{name: `doc: \' is a quote inside a string`, expr: `States.Format('Welcome to {} {}\'s playlist.', $.firstName, $.lastName)`,
			paths: map[string]string{"$.firstName": `"John"`, "$.lastName": `"Doe"`}, want: `"Welcome to John Doe's playlist."`},
		{name: `doc: \{ and \} are literal braces, not a placeholder`, expr: `States.Format('\{\} {} \\ \{x\}', $.a)`,
			paths: map[string]string{"$.a": `"A"`}, want: `"{} A \\ {x}"`},
		{name: "a lone brace is kept", expr: `States.Format('{ {} }', 'x')`, want: `"{ x }"`},
		{name: "localstack test_format_1: an empty string", expr: "States.Format('Formatting argument {}.', $.a)",
			paths: map[string]string{"$.a": `""`}, want: `"Formatting argument ."`},
		{name: "localstack test_format_1: null prints null", expr: "States.Format('Formatting argument {}.', $.a)",
			paths: map[string]string{"$.a": `null`}, want: `"Formatting argument null."`},
		{name: "localstack test_format_1: numbers print as written", expr: "States.Format('{} {} {}', $.a, $.b, 1.50)",
			paths: map[string]string{"$.a": `1`, "$.b": `1.1`}, want: `"1 1.1 1.50"`},
		{name: "localstack test_format_1: a JSON string prints bare", expr: "States.Format('{}', $.a)",
			paths: map[string]string{"$.a": `"{\"Arg1\": 1, \"Arg2\": []}"`}, want: `"{\"Arg1\": 1, \"Arg2\": []}"`},
		{name: "localstack test_format_2: objects print Java style", expr: "States.Format('Formatting arguments fst={} and snd={}.', $.fst, $.snd)",
			paths: map[string]string{"$.fst": obj, "$.snd": obj}, want: `"Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}."`},
		{name: "arrays print Java style with bare strings", expr: "States.Format('{}', $.a)",
			paths: map[string]string{"$.a": `["x", 1, true, null, {"k": "v"}]`}, want: `"[x, 1, true, null, {k=v}]"`},
		{name: "booleans print as true and false", expr: "States.Format('{}{}', true, false)", want: `"truefalse"`},
		{name: "a template read from a path", expr: "States.Format($.t, 'x')",
			paths: map[string]string{"$.t": `"<{}>"`}, want: `"<x>"`},
		{name: "a template with no placeholder and no argument", expr: "States.Format('plain')", want: `"plain"`},
		{name: "too few arguments fail", expr: "States.Format('{} {}', 'a')", fails: "2 {} placeholders but 1 argument follow"},
		{name: "too many arguments fail", expr: "States.Format('{}', 'a', 'b')", fails: "1 {} placeholder but 2 arguments follow"},
		{name: "a template from a path is counted too", expr: "States.Format($.t)",
			paths: map[string]string{"$.t": `"{}"`}, fails: "1 {} placeholder but 0 arguments"},
		{name: "a non-string template fails", expr: "States.Format(1)", fails: "template (argument 1) must be a string, got a number"},
		{name: "a template from a path must be a string", expr: "States.Format($.t)",
			paths: map[string]string{"$.t": `{"a":1}`}, fails: "must be a string, got an object"},
	})
}

func TestStringSplitSplitsOnEachDelimiterCharacter(t *testing.T) {
	runCases(t, []evalCase{
		{name: "doc: 1,2,3,4,5 split on a comma", expr: "States.StringSplit($.inputString, $.splitter)",
			paths: map[string]string{"$.inputString": `"1,2,3,4,5"`, "$.splitter": `","`}, want: `["1","2","3","4","5"]`},
		{name: "doc: This.is+a,test=string split on .+,=", expr: "States.StringSplit($.inputString, $.splitter)",
			paths: map[string]string{"$.inputString": `"This.is+a,test=string"`, "$.splitter": `".+,="`}, want: `["This","is","a","test","string"]`},
		{name: "localstack: only delimiters give []", expr: "States.StringSplit(',,,,', ',')", want: `[]`},
		{name: "localstack: empty pieces are dropped", expr: "States.StringSplit(', , ,', ',')", want: `[" "," "]`},
		{name: "localstack: a newline delimiter", expr: "States.StringSplit($.s, $.d)",
			paths: map[string]string{"$.s": `"split on T and \nnew line"`, "$.d": `"T\n"`}, want: `["split on "," and ","new line"]`},
		{name: "localstack test_escape_sequence: a raw newline in a literal", expr: "States.StringSplit('Hello\nWorld', '\n')", want: `["Hello","World"]`},
		{name: "multi-byte delimiters split by character", expr: "States.StringSplit('aébéc', 'é')", want: `["a","b","c"]`},
		{name: "an empty delimiter keeps the string whole", expr: "States.StringSplit('abc', '')", want: `["abc"]`},
		{name: "a number input fails", expr: "States.StringSplit(1, ',')", fails: "input (argument 1) must be a string, got a number"},
		{name: "a null delimiter fails", expr: "States.StringSplit('a', null)", fails: "delimiter (argument 2) must be a string, got null"},
	})
}

func TestBase64EncodesAndDecodes(t *testing.T) {
	long := strings.Repeat("a", maxEncodeLen)
	runCases(t, []evalCase{
		{name: "doc: Data to encode", expr: "States.Base64Encode($.input)",
			paths: map[string]string{"$.input": `"Data to encode"`}, want: `"RGF0YSB0byBlbmNvZGU="`},
		// docPage shows the decoded result as "Decoded data", a slip: the
		// bytes are "Data to encode", as AWS returned to LocalStack.
		{name: "doc: RGF0YSB0byBlbmNvZGU= decodes", expr: "States.Base64Decode($.base64)",
			paths: map[string]string{"$.base64": `"RGF0YSB0byBlbmNvZGU="`}, want: `"Data to encode"`},
		{name: "localstack: an empty string both ways", expr: "States.Base64Decode(States.Base64Encode(''))", want: `""`},
		{name: "doc: 10,000 characters encode", expr: "States.ArrayLength(States.Array(States.Base64Encode($.s)))",
			paths: map[string]string{"$.s": `"` + long + `"`}, want: `1`},
		{name: "doc: 10,001 characters fail to encode", expr: "States.Base64Encode($.s)",
			paths: map[string]string{"$.s": `"` + long + `a"`}, fails: "at most 10000"},
		{name: "doc: 10,001 characters fail to decode", expr: "States.Base64Decode($.s)",
			paths: map[string]string{"$.s": `"` + long + `a"`}, fails: "at most 10000"},
		{name: "invalid base64 fails", expr: "States.Base64Decode('@@@')", fails: "not valid base64"},
		{name: "a number fails", expr: "States.Base64Encode(1)", fails: "must be a string, got a number"},
	})
}

func TestHashDigestsWithEveryAlgorithm(t *testing.T) {
	runCases(t, []evalCase{
		// docPage prints this digest with a digit missing (39 characters);
		// the 40-character value is the one AWS returned to LocalStack.
		{name: "doc: SHA-1 of input data", expr: "States.Hash($.Data, $.Algorithm)",
			paths: map[string]string{"$.Data": `"input data"`, "$.Algorithm": `"SHA-1"`}, want: `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{name: "localstack: MD5", expr: "States.Hash('input data', 'MD5')", want: `"812f45842bc6d66ee14572ce20db8e86"`},
		{name: "localstack: SHA-256", expr: "States.Hash('input data', 'SHA-256')",
			want: `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{name: "localstack: SHA-384", expr: "States.Hash('input data', 'SHA-384')",
			want: `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{name: "localstack: SHA-512", expr: "States.Hash('input data', 'SHA-512')",
			want: `"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"`},
		{name: "an unknown algorithm fails", expr: "States.Hash('x', 'SHA256')", fails: `unsupported algorithm "SHA256"`},
		{name: "doc: more than 10,000 characters fail", expr: "States.Hash($.s, 'MD5')",
			paths: map[string]string{"$.s": `"` + strings.Repeat("b", maxEncodeLen+1) + `"`}, fails: "at most 10000"},
		{name: "non-string data fails", expr: "States.Hash(1, 'MD5')", fails: "data (argument 1) must be a string"},
	})
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUIDIsARandomVersion4UUID(t *testing.T) {
	// docPage: "States.UUID ... returns a version 4 universally unique
	// identifier (v4 UUID) generated using random numbers".
	seen := map[any]bool{}
	for range 50 {
		v, err := Eval("States.UUID()", nil)
		require.NoError(t, err)
		s, ok := v.(string)
		require.True(t, ok)
		assert.Regexp(t, uuidV4, s)
		assert.False(t, seen[s], "repeated %s", s)
		seen[s] = true
	}
	_, err := Eval("States.UUID(1)", nil)
	assert.ErrorContains(t, err, "takes 0 arguments, got 1")
}
