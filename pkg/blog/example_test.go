package blog_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/stepforge/stepforge/pkg/blog"
)

func ExampleEncodeJSON() {
	b, _ := blog.EncodeJSON(blog.Post{ID: "p1", Title: "Go <3", Body: "a && b"})
	fmt.Println(string(b))
	// Output:
	// {"id":"p1","title":"Go <3","body":"a && b","categories":null,"createdAt":"0001-01-01T00:00:00Z","updatedAt":"0001-01-01T00:00:00Z"}
}

func ExampleNewJSONRequest() {
	req, _ := blog.NewJSONRequest(context.Background(), http.MethodPost, "https://api.example/posts", map[string]string{"title": "Hello"})
	fmt.Println(req.Method, req.URL, req.Header.Get("Content-Type"))
	// Output:
	// POST https://api.example/posts application/json
}

func ExampleIsCredentialRefused() {
	err := fmt.Errorf("publish: %w", &blog.PlatformRejected{Platform: "devto", Status: http.StatusUnauthorized, Reason: "unauthorized"})
	fmt.Println(blog.IsCredentialRefused(err))
	// Output:
	// true
}
