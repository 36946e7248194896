package vtl

import (
	"os"
	"strings"
	"testing"
)

// FuzzRender checks that Parse and Render never panic, whatever the template and body.
func FuzzRender(f *testing.F) {
	photos, _ := os.ReadFile("testdata/photos-output.vtl")
	body, _ := os.ReadFile("testdata/photos.json")
	f.Add(string(photos), string(body))
	for _, s := range []string{
		`#set($a = [1..3])#foreach($x in $a)$x#if($foreach.hasNext),#end#end`,
		`$input.json('$.a[0]') $input.path('$..b') $util.escapeJavaScript($input.body).replaceAll("\\'", "'")`,
		`#set($m = {"k": [1, "a", 2.5]})$m.k.get(1).substring(0, 1) ${m.k[0]} $!nope \$m \#if`,
		`#if($a && !$b || 1 < 2.0 and "x" == 'x')y#elseif(false)n#{else}z#end ## c
#* block *#`,
		`#set($s = "a$!{b}c")$s.split("b").size() $s.matches("a.*") $s.replaceAll("(a)", "$1$1")`,
	} {
		f.Add(s, `{"a":[{"b":1}],"c":"it's"}`)
	}
	f.Fuzz(func(t *testing.T, src, body string) {
		tmpl, err := Parse(src)
		if err != nil {
			return
		}
		// Render recovers panics into an error so that one request fails, not the cloud: catch them here.
		if _, err := tmpl.Render(Request{Body: []byte(body), QueryString: map[string]string{"q": "1"}}); err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("render of %q panicked: %v", src, err)
		}
	})
}

// BenchmarkRenderPhotos renders the developer guide's photos output template.
func BenchmarkRenderPhotos(b *testing.B) {
	src, err := os.ReadFile("testdata/photos-output.vtl")
	if err != nil {
		b.Fatal(err)
	}
	body, err := os.ReadFile("testdata/photos.json")
	if err != nil {
		b.Fatal(err)
	}
	tmpl, err := Parse(string(src))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Render(Request{Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderWebhook renders the express-webhook StartExecution template.
func BenchmarkRenderWebhook(b *testing.B) {
	tmpl, err := Parse(requestTemplate(b, "arn:aws:states:us-east-1:000000000000:stateMachine:Webhook"))
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"event":"order.created","id":42,"customer":{"name":"Ann","note":"it's fine"},"items":[1,2,3]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Render(Request{Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
