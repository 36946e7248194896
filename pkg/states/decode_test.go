package states

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// stdDecode is encoding/json's answer, the one fastDecode must give.
func stdDecode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errSyntax
	}
	// Decode stops after the value; anything but space after it is an error.
	rest := b[dec.InputOffset():]
	if len(bytes.TrimLeft(rest, " \t\r\n")) > 0 {
		return nil, errSyntax
	}
	return v, nil
}

var decodeSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e-3`, `-12E+2`, `"a"`,
	`{"a":[1,{"b":null}],"c":"\u00e9\ud83d\ude00\n\"\\/"}`, `{"a":1,"a":2}`,
	`"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`, "\"\xff\xfe\"", "\"é\"",
	` [1 , 2 ] `, `01`, `1.`, `.5`, `-`, `1e`, `[1,]`, `{"a"}`, `{"a":}`, `tru`, `nul`,
	`"\x"`, `"\u12"`, "\"\x01\"", `[1] x`, `{"a":1}}`, `""`, `[[[[]]]]`, "\ufeff{}",
}

func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecode(t, []byte(s))
	}
}

func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecode(t, b) })
}

func checkDecode(t *testing.T, b []byte) {
	t.Helper()
	want, werr := stdDecode(b)
	got, gerr := fastDecode(b)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: encoding/json err %v, fastDecode err %v", b, werr, gerr)
	}
	if werr == nil && !reflect.DeepEqual(want, got) {
		t.Fatalf("%q: encoding/json %#v, fastDecode %#v", b, want, got)
	}
}
