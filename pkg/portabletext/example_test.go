package portabletext_test

import (
	"fmt"

	"github.com/stepforge/stepforge/pkg/portabletext"
)

func ExampleMarkdown() {
	body := []byte(`[
		{"_type": "block", "style": "h2", "children": [{"_type": "span", "text": "Hello"}]},
		{"_type": "block", "markDefs": [{"_key": "k", "_type": "link", "href": "https://www.sanity.io"}],
		 "children": [
			{"_type": "span", "text": "Written in "},
			{"_type": "span", "text": "Sanity", "marks": ["k", "strong"]},
			{"_type": "span", "text": "."}]},
		{"_type": "image", "alt": "Logo", "asset": {"_ref": "image-abc123-200x100-png"}}
	]`)
	md, err := portabletext.Markdown(body, portabletext.Options{ProjectID: "x7k2pq9r", Dataset: "production"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(md)
	// Output:
	// ## Hello
	//
	// Written in [**Sanity**](https://www.sanity.io).
	//
	// ![Logo](https://cdn.sanity.io/images/x7k2pq9r/production/abc123-200x100.png)
}

func ExampleImageURL() {
	url, err := portabletext.ImageURL("x7k2pq9r", "production", "image-Tb9Ew8CXIwaY6R1kjMvI0uRR-2000x3000-jpg")
	fmt.Println(url, err)
	// Output: https://cdn.sanity.io/images/x7k2pq9r/production/Tb9Ew8CXIwaY6R1kjMvI0uRR-2000x3000.jpg <nil>
}
