package standin_test

import (
	"fmt"
	"time"

	"github.com/stepforge/stepforge/pkg/standin"
)

// The header value a webhook delivery of body carries, as Sanity signs it.
func ExampleSignSanityWebhook() {
	at := time.UnixMilli(1687514291482)
	fmt.Println(standin.SignSanityWebhook("whsec", []byte(`{"_id":"p1","_type":"post"}`), at))
	// Output: t=1687514291482,v1=RhLVX-JgqHHKHvzibeLfre2bBFsG0yHt-xppbzrJ3eU
}

// Start every stand-in on ports the system picks, as a test does; `mage up`
// passes DefaultPorts instead.
func ExampleStart() {
	s, err := standin.Start(standin.Ports{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	fmt.Println(s.URLs.Medium != "", len(s.Medium.Requests()))
	// Output: true 0
}
