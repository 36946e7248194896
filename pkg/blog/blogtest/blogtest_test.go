package blogtest

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// publisher is the smallest publisher: it reads a token and posts the title.
type publisher struct {
	apiURL string
	creds  blog.Credentials
}

type token struct {
	Token secrets.Value `json:"TOKEN"`
}

func (t *token) Missing() string {
	if t.Token == "" {
		return "TOKEN"
	}
	return ""
}

func (p *publisher) handle(ctx context.Context, post blog.Post) (blog.Result, error) {
	var tok token
	if err := p.creds.Read(ctx, &tok); err != nil {
		return blog.Result{}, err
	}
	req, err := blog.NewJSONRequest(ctx, http.MethodPost, p.apiURL+"/posts?draft=1", map[string]string{"title": post.Title})
	if err != nil {
		return blog.Result{}, err
	}
	req.Header.Set("Authorization", tok.Token.Reveal())
	var created struct{ ID, URL string }
	if err := blog.Send(http.DefaultClient, "example", req, &created); err != nil {
		p.creds.ForgetIfRefused(err)
		return blog.Result{}, err
	}
	return blog.Result{Platform: "example", ID: created.ID, URL: created.URL}, nil
}

func TestReplayAnswersAndRecords(t *testing.T) {
	platform := NewReplay(t, map[string]Reply{"POST /posts?draft=1": {Status: 201, File: "created.handmade.json"}})
	store := NewSecretStore("app", `{"TOKEN":"t-1"}`)
	p := &publisher{apiURL: platform.URL, creds: blog.Credentials{Platform: "Example", SecretID: "app", Secrets: store.Cache()}}

	got, fail, logs := Invoke(t, p.handle, "publishexample", ReadFile(t, "post.handmade.json"))

	require.Nil(t, fail)
	assert.Equal(t, blog.Result{Platform: "example", ID: "a1", URL: "https://blog.example/a1"}, got)
	assert.Equal(t, []string{"POST /posts?draft=1"}, platform.Targets())
	req := platform.Requests()[0]
	assert.Equal(t, "t-1", req.Header.Get("Authorization"))
	assert.JSONEq(t, `{"title":"Hello"}`, string(req.Body))
	assert.True(t, strings.HasPrefix(platform.URL, "http://"+req.Host))
	assert.Equal(t, 1, store.Reads())
	assert.NotContains(t, logs, "t-1")
}

func TestRefusedCredentialsAreReadAgain(t *testing.T) {
	platform := NewReplay(t, map[string]Reply{"POST /posts?draft=1": {Status: 401, Header: map[string]string{"Content-Type": "text/plain"}}})
	store := NewSecretStore("app", `{"TOKEN":"t-1"}`)
	p := &publisher{apiURL: platform.URL, creds: blog.Credentials{Platform: "Example", SecretID: "app", Secrets: store.Cache()}}

	for range 2 {
		_, fail, logs := Invoke(t, p.handle, "publishexample", ReadFile(t, "post.handmade.json"))
		AssertFailed(t, fail, logs, "PlatformRejected", "HTTP 401", "t-1")
	}
	assert.Equal(t, 2, store.Reads())
}

func TestMissingSecretAndUnreachablePlatformReachTheHandlerTyped(t *testing.T) {
	tests := []struct {
		name, secret, apiURL, wantType string
	}{
		{"no secret", "", "http://127.0.0.1:1", "NotConfigured"},
		{"refused connection", `{"TOKEN":"t-1"}`, RefusedURL(t), "PlatformUnavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := NewSecretStore("app", tt.secret)
			p := &publisher{apiURL: tt.apiURL, creds: blog.Credentials{Platform: "Example", SecretID: "app", Secrets: store.Cache()}}
			_, fail, logs := Invoke(t, p.handle, "publishexample", ReadFile(t, "post.handmade.json"))
			AssertFailed(t, fail, logs, tt.wantType, "", "t-1")
		})
	}
}
