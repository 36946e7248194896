package vtl

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func render(t *testing.T, src string, r Request) string {
	t.Helper()
	tmpl, err := Parse(src)
	require.NoError(t, err, "parse %q", src)
	out, err := tmpl.Render(r)
	require.NoError(t, err, "render %q", src)
	return out
}

func TestRenderMatchesVelocity(t *testing.T) {
	body := Request{Body: []byte(`{"name":"Ann","n":3,"f":1.5,"items":[{"id":1},{"id":2},{"id":3}],"tags":["a","b"],"m":{"k":"v","x":"y"}}`)}
	cases := []struct{ name, src, want string }{
		{"plain text", "hello", "hello"},
		{"variable", `#set($a = "x")$a`, "x"},
		{"braced", `#set($a = "x")${a}y`, "xy"},
		{"undefined renders literally", `$nope $nope.a.b ${nope}`, "$nope $nope.a.b ${nope}"},
		{"quiet undefined renders nothing", `[$!nope][$!{nope}]`, "[][]"},
		{"dollar not a reference", `cost $5 and $ alone`, "cost $5 and $ alone"},
		{"escaped defined reference", `#set($a = 1)\$a \\$a`, `$a \1`},
		{"escaped undefined reference", `\$nope`, `\$nope`},
		{"escaped directive", `\#if(true) x`, `#if(true) x`},
		{"line comment eats line", "a## comment\nb", "ab"},
		{"block comment", "a#* x\ny *#b", "ab"},
		{"unparsed block", "#[[$a #if]]#", "$a #if"},
		{"set eats its line", "#set($a = 1)\nv=$a\n", "v=1\n"},
		{"indented set eats indent", "  #set($a = 1)\n$a", "1"},
		{"if else", `#if(false)a#elseif(1 == 1)b#else c#end`, "b"},
		{"if lines", "#if(true)\nyes\n#else\nno\n#end\nafter", "yes\nafter"},
		{"null is false", `#if($nope)a#{else}b#end`, "b"},
		{"text after else is kept", `#if(false)a#else b#end`, " b"},
		{"empty string is true", `#if("")a#end`, "a"},
		{"foreach", `#foreach($i in [1..3])$i#if($foreach.hasNext),#end#end`, "1,2,3"},
		{"foreach scope", `#foreach($x in ["a","b"])$foreach.index$foreach.count$velocityCount$foreach.first$foreach.last;#end`, "011truefalse;122falsetrue;"},
		{"foreach restores", `#set($x = "o")#foreach($x in [1,2])#end$x`, "o"},
		{"foreach over map values", `#foreach($v in {"a": 1, "b": 2})$v#end`, "12"},
		{"descending range", `#foreach($i in [3..1])$i#end`, "321"},
		{"break", `#foreach($i in [1..5])#if($i == 3)#break#end$i#end`, "12"},
		{"stop", `a#stop b`, "a"},
		{"nested foreach parent", `#foreach($a in [1,2])#foreach($b in [1])$foreach.parent.index#end#end`, "01"},
		{"arithmetic", `#set($a = 7)$a ${a} #set($b = $a / 2)$b #set($c = $a % 4)$c #set($d = $a * 1.5)$d #set($e = -$a + 1)$e`, "7 73310.5-6"}, // #set swallows the blanks before it, as Velocity 1.7's lexer does,
		{"division by zero is null", `#set($z = 1 / 0)$!z.`, "."},
		{"string concatenation", `#set($s = "a" + 1 + 2)$s`, "a12"},
		{"concatenating undefined writes its text", `#set($s = "a" + $nope.x)$s`, "a$nope.x"},
		{"unicode escape in string", `#set($s = "caf\u00e9 \n")$s`, `café \n`},
		{"doubled single quote", `#set($s = 'it''s')$s`, "it's"},
		{"comparisons", `#if(1 < 2 && 2 >= 2 && !(3 <= 1) && 2 > 1.5 && 1 != 2)ok#end`, "ok"},
		{"word operators", `#if(1 lt 2 and 2 ge 2 and not false and 1 eq 1 and 1 ne 2 or false)ok#end`, "ok"},
		{"equality across types", `#if(1 == 1.0 && "1" == 1 && $nope == $nope2)ok#end`, "ok"},
		{"interpolated string", `#set($n = "Ann")#set($s = "hi $n!")$s`, "hi Ann!"},
		{"single quotes are literal", `#set($s = 'hi $n')$s`, "hi $n"},
		{"doubled quote", `#set($s = "say ""hi""")$s`, `say "hi"`},
		{"list literal and index", `#set($l = [1, "a", true])$l $l[1] $l.size() $l.get(2)`, "[1, a, true] a 3 true"},
		{"map literal", `#set($m = {"k": "v", "n": 2})$m $m.k $m["n"] $m.get("k")`, "{k=v, n=2} v 2 v"},
		{"set property", `#set($m = {})#set($m.a = 1)#set($m["b"] = 2)$m`, "{a=1, b=2}"},
		{"set null keeps value", `#set($a = 1)#set($a = $nope)$a`, "1"},
		{"list add", `#set($l = [])#set($ok = $l.add("x"))$l.add("y")$l`, "true[x, y]"},
		{"map methods", `#set($m = {"a": 1})$m.put("b", 2)$m.containsKey("a") $m.keySet() $m.values() $m.size() $m.isEmpty()#foreach($e in $m.entrySet()) $e.key=$e.value#end`, "$m.put(\"b\", 2)true [a, b] [1, 2] 2 false a=1 b=2"},
		{"string methods", `#set($s = " Hello World ")$s.trim().length() $s.trim().toLowerCase() $s.toUpperCase().trim() $s.substring(1, 6) $s.indexOf("o") $s.lastIndexOf("o") $s.contains("World") $s.trim().startsWith("He") $s.trim().endsWith("ld") $s.charAt(1) $s.isEmpty()`, "11 hello world HELLO WORLD Hello 5 8 true true true H false"},
		{"string replace", `#set($s = "a.b.c")$s.replace(".", "-") $s.replaceAll("\.", "/") $s.replaceAll("(\w)", "<$1>") $s.replaceFirst("[a-z]", "X")`, "a-b-c a/b/c <a>.<b>.<c> X.b.c"},
		{"split drops trailing empties", `#set($s = "a,b,,c,,")#foreach($p in $s.split(","))[$p]#end`, "[a][b][][c]"},
		{"matches and equals", `$"abc".matches("a.c") "abc".matches("b")`, `$"abc".matches("a.c") "abc".matches("b")`},
		{"matches", `#set($s = "abc")$s.matches("a.c") $s.matches("b") $s.equals("abc") $s.equalsIgnoreCase("ABC")`, "true false true true"},
		{"numbers", `#set($f = 2.75)$f.intValue() $f.toString() #set($i = 10)$i.toString() ${i}`, "2 2.7510 10"},
		{"properties are getters only", `#set($s = "abc")$s.length $s.bytes.size() $input.body.length()`, "$s.length 3 104"},
		{"unknown method renders literally", `#set($s = "x")$s.nope() $!s.nope()`, "$s.nope() "},
		{"input body", `$input.body`, `{"name":"Ann","n":3,"f":1.5,"items":[{"id":1},{"id":2},{"id":3}],"tags":["a","b"],"m":{"k":"v","x":"y"}}`},
		{"input json", `$input.json('$.name') $input.json('$.items[1]') $input.json('$.tags') $input.json('$.m')`, `"Ann" {"id":2} ["a","b"] {"k":"v","x":"y"}`},
		{"input path", `$input.path('$.name') $input.path('$.n') $input.path('$.f') $input.path('$.items').size() $input.path('$.items[0].id') $input.path("$['name']")`, "Ann 3 1.5 3 1 Ann"},
		{"input path wildcard", `$input.path('$.items[*].id') $input.json('$..id') $input.json('$.m.*')`, `[1,2,3] [1,2,3] ["v","y"]`},
		{"JSON arrays render as JSON, JSON objects as Java maps", `$input.path('$.tags') $input.path('$.items') $input.path('$')`,
			`["a","b"] [{"id":1},{"id":2},{"id":3}] {name=Ann, n=3, f=1.5, items=[{"id":1},{"id":2},{"id":3}], tags=["a","b"], m={k=v, x=y}}`},
		{"input json missing is empty", `[$input.json('$.missing')][$input.path('$.missing')][$input.json('$.items[9]')]`, "[][][]"},
		{"jsonpath forms", `$input.path('$.items[-1].id') $input.path('$["m"]["k"]') $input.json('$.*').length() $input.path('$.tags[0]')`, "3 v 70 a"},
		{"input path missing", `[$!input.path('$.missing')]`, "[]"},
		{"path object renders as Java map", `$input.path('$.m')`, "{k=v, x=y}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, render(t, c.src, body))
		})
	}
}

func TestRequestVariables(t *testing.T) {
	r := Request{
		Path:           map[string]string{"id": "p1"},
		QueryString:    map[string]string{"id": "q1", "name": "Ann"},
		Header:         map[string]string{"X-Trace": "h1", "name": "hdr"},
		Context:        map[string]any{"requestId": "req-1", "stage": "main", "identity": map[string]any{"sourceIp": "192.0.2.1"}, "requestTimeEpoch": int64(1700000000000)},
		StageVariables: map[string]string{"table": "orders"},
	}
	cases := []struct{ name, src, want string }{
		{"params searches path first", `$input.params('id')`, "p1"},
		{"params then querystring", `$input.params('name')`, "Ann"},
		{"params then header", `$input.params('X-Trace') $input.params('x-trace')`, "h1 h1"},
		{"missing param is empty", `[$input.params('zzz')]`, "[]"},
		{"all params", `$input.params()`, "{path={id=p1}, querystring={id=q1, name=Ann}, header={X-Trace=h1, name=hdr}}"},
		{"params map access", `$input.params().querystring.name $input.params().header.get("X-Trace")`, "Ann h1"},
		{"context", `$context.requestId $context.stage $context.identity.sourceIp $context.requestTimeEpoch`, "req-1 main 192.0.2.1 1700000000000"},
		{"stage variables", `$stageVariables.table $stageVariables['table'] ${stageVariables['table']}`, "orders orders orders"},
		{"empty body", `$input.json('$') $input.body $input.path('$').size()`, "{} {} 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, render(t, c.src, r))
		})
	}
}

func TestUtilFunctions(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"escapeJavaScript", `$util.escapeJavaScript("it's ""q"" a\b/c")`, `it\'s \"q\" a\\b\/c`},
		{"escapeJavaScript control and unicode", "$util.escapeJavaScript(\"\t\u00e9\u20ac\x01\")", "\\t\\u00E9\\u20AC\\u0001"},
		{"escapeJavaScript single quote fix", `$util.escapeJavaScript("it's").replaceAll("\\'", "'")`, `it's`},
		{"parseJson", `#set($o = $util.parseJson('{"a":{"arr":[1,2,3]}}'))$o.a.arr[0] $o.a.arr.size()`, "1 3"},
		{"urlEncode", `$util.urlEncode("a b&c=d/é*~")`, "a+b%26c%3Dd%2F%C3%A9*%7E"},
		{"urlDecode", `$util.urlDecode("a+b%26c")`, "a b&c"},
		{"base64Encode", `$util.base64Encode("hello")`, "aGVsbG8="},
		{"base64Decode", `$util.base64Decode("aGVsbG8=")`, "hello"},
		{"unknown util function renders literally", `$util.nope("x")`, `$util.nope("x")`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, render(t, c.src, Request{}))
		})
	}
}

func TestSyntaxErrorNamesLineAndColumn(t *testing.T) {
	cases := []struct{ src, want string }{
		{"ok\n#if(true)\nno end", "vtl: line 2, column 1: #if without #end"},
		{"#set($a = )", "vtl: line 1, column 11: unexpected ')' in expression"},
		{"a\n  #foreach($x [1])#end", "vtl: line 2, column 15: expected in after #foreach variable"},
		{"#end", "vtl: line 1, column 1: #end without #if or #foreach"},
		{"x #* open", "vtl: line 1, column 3: unterminated comment"},
		{`#set($a = "open)`, "vtl: line 1, column 11: unterminated string"},
		{"#macro(x)#end", "vtl: line 1, column 1: #macro is not supported"},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		var se *SyntaxError
		require.ErrorAs(t, err, &se, c.src)
		assert.Equal(t, c.want, err.Error(), c.src)
	}
}

func TestRuntimeErrorsFailTheRender(t *testing.T) {
	cases := []struct{ src, want string }{
		{`#set($s = "abc")$s.substring(5)`, "vtl: line 1, column 17: String index out of range: begin 5, end 3, length 3"},
		{`#set($l = [1])$l.get(3)`, "vtl: line 1, column 15: index 3 out of bounds for length 1"},
		{"\n $util.parseJson('{bad')", "vtl: line 2, column 2: $util.parseJson: invalid JSON"},
		{`$input.json('a.b')`, `vtl: line 1, column 1: $input.json("a.b"): path must start with $`},
		{`#set($s = "a")$s.replaceAll("(?<=a)b", "")`, "vtl: line 1, column 15: replaceAll: unsupported or invalid regular expression"},
		{`#foreach($i in [1..2000000])#end`, "is too large"},
		{`#set($s = "ab")#foreach($i in [1..40])#set($s = "$s$s")#end`, "exceeds"},
	}
	for _, c := range cases {
		tmpl, err := Parse(c.src)
		require.NoError(t, err, c.src)
		_, err = tmpl.Render(Request{})
		require.Error(t, err, c.src)
		assert.Contains(t, err.Error(), c.want, c.src)
	}
}

func TestNonJSONBodyIsItsOwnText(t *testing.T) {
	out := render(t, `#foreach($kv in $input.path('$').split("&"))#set($p = $kv.split("="))$p[0]:$util.urlDecode($p[1]);#end`,
		Request{Body: []byte("name=Ann+Lee&city=Oslo")})
	assert.Equal(t, "name:Ann Lee;city:Oslo;", out)
}

func TestTemplateRendersConcurrently(t *testing.T) {
	tmpl, err := Parse(`#set($l = [])#foreach($i in $input.path('$.v'))#set($ok = $l.add($i))#end$l.size()`)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			out, err := tmpl.Render(Request{Body: []byte(`{"v":[1,2,3]}`)})
			assert.NoError(t, err)
			assert.Equal(t, "3", out)
		})
	}
	wg.Wait()
}

func TestTemplateIsReusable(t *testing.T) {
	tmpl, err := Parse(`#set($l = [])#set($ok = $l.add($input.path('$.v')))$l`)
	require.NoError(t, err)
	for _, v := range []string{"1", "2"} {
		out, err := tmpl.Render(Request{Body: []byte(`{"v":` + v + `}`)})
		require.NoError(t, err)
		assert.Equal(t, "["+v+"]", out)
	}
	assert.False(t, strings.Contains(tmpl.src, "x"))
}
