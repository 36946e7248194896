package standin_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/standin"
)

// startAll starts every stand-in on random ports for one test.
func startAll(t *testing.T) *standin.Servers {
	t.Helper()
	s, err := standin.Start(standin.Ports{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

// call sends one request and returns the status and the decoded body.
func call(t *testing.T, method, u string, header map[string]string, body any) (int, any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(raw, &v), "reply is JSON: %s", raw)
	return res.StatusCode, v
}

func TestSanityAnswersTheCategoriesQuery(t *testing.T) {
	s := startAll(t)
	q := url.Values{"query": {"*[_type == 'post' && _id == $id]{ categories[] -> { title, slug } }"}, "$id": {`"p1"`}}
	status, v := call(t, "GET", s.URLs.Sanity+"/v2022-11-16/data/query/production?"+q.Encode(), map[string]string{"Accept": "application/json"}, nil)
	require.Equal(t, 200, status)
	cats := v.(map[string]any)["result"].([]any)[0].(map[string]any)["categories"].([]any)
	assert.Equal(t, "AWS", cats[0].(map[string]any)["title"])

	status, _ = call(t, "GET", s.URLs.Sanity+"/v2022-11-16/data/mutate/production", nil, nil)
	assert.Equal(t, 404, status, "a request the initiator never sends is refused, not answered with categories")
	reqs := s.Sanity.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/v2022-11-16/data/query/production", reqs[0].Path)
	assert.Equal(t, 404, reqs[1].Status)
}

func TestMediumAnswersMeAndCreatesAPost(t *testing.T) {
	s := startAll(t)
	auth := map[string]string{"Authorization": "Bearer t"}
	status, me := call(t, "GET", s.URLs.Medium+"/me", auth, nil)
	require.Equal(t, 200, status)
	id := me.(map[string]any)["data"].(map[string]any)["id"].(string)
	status, post := call(t, "POST", s.URLs.Medium+"/users/"+id+"/posts", auth, map[string]any{"title": "t", "contentFormat": "markdown", "content": "x"})
	require.Equal(t, 201, status)
	assert.Equal(t, "https://medium.com/@majelbstoat/liverpool-fc-e6f36a", post.(map[string]any)["data"].(map[string]any)["url"])

	status, _ = call(t, "GET", s.URLs.Medium+"/me", nil, nil)
	assert.Equal(t, 401, status, "no token, as Medium answers it")
	assert.Len(t, s.Medium.Requests(), 3)
}

func TestDevtoUpdatesAnArticleItAlreadyHas(t *testing.T) {
	s := startAll(t)
	key := map[string]string{"api-key": "k", "Accept": "application/vnd.forem.api-v1+json"}
	list := func(page string) []any {
		status, v := call(t, "GET", s.URLs.Devto+"/articles/me/all?page="+page+"&per_page=100", key, nil)
		require.Equal(t, 200, status)
		return v.([]any)
	}
	assert.Empty(t, list("1"))
	article := map[string]any{"article": map[string]any{"title": "Hello", "body_markdown": "x", "published": true, "canonical_url": "https://blog.example/hello"}}
	status, created := call(t, "POST", s.URLs.Devto+"/articles", key, article)
	require.Equal(t, 201, status)
	got := list("1")
	require.Len(t, got, 1, "the created article is listed, so a redelivery finds it")
	assert.Equal(t, "https://blog.example/hello", got[0].(map[string]any)["canonical_url"])
	assert.Empty(t, list("2"))

	id := created.(map[string]any)["id"].(float64)
	status, updated := call(t, "PUT", s.URLs.Devto+"/articles/"+strconv.FormatInt(int64(id), 10), key, article)
	require.Equal(t, 200, status)
	assert.Equal(t, id, updated.(map[string]any)["id"])
	status, _ = call(t, "PUT", s.URLs.Devto+"/articles/1", key, article)
	assert.Equal(t, 404, status)
	status, _ = call(t, "POST", s.URLs.Devto+"/articles", nil, article)
	assert.Equal(t, 401, status)
}

func TestHashnodeFindsWhatItPublished(t *testing.T) {
	s := startAll(t)
	auth := map[string]string{"Authorization": "tok"}
	find := map[string]any{"query": "query FindPost($publicationId: ObjectId!, $slug: String!) { publication(id: $publicationId) { id post(slug: $slug) { id } } }",
		"variables": map[string]any{"publicationId": "p", "slug": "hello", "cacheKey": "c1"}}
	_, v := call(t, "POST", s.URLs.Hashnode, auth, find)
	assert.Nil(t, v.(map[string]any)["data"].(map[string]any)["publication"].(map[string]any)["post"])

	publish := map[string]any{"query": "mutation PublishPost($input: PublishPostInput!) { publishPost(input: $input) { post { id slug url } } }",
		"variables": map[string]any{"input": map[string]any{"publicationId": "p", "title": "Hello", "slug": "hello", "originalArticleURL": "https://blog.example/hello", "contentMarkdown": "x"}}}
	status, v := call(t, "POST", s.URLs.Hashnode, auth, publish)
	require.Equal(t, 200, status)
	post := v.(map[string]any)["data"].(map[string]any)["publishPost"].(map[string]any)["post"].(map[string]any)
	assert.Equal(t, "hello", post["slug"])

	_, v = call(t, "POST", s.URLs.Hashnode, auth, find)
	found := v.(map[string]any)["data"].(map[string]any)["publication"].(map[string]any)["post"].(map[string]any)
	assert.Equal(t, "https://blog.example/hello", found["canonicalUrl"])
	assert.Equal(t, post["id"], found["id"])

	list := map[string]any{"query": "query FindPosts($publicationId: ObjectId!, $first: Int!, $after: String) { x }", "variables": map[string]any{"publicationId": "p", "first": 20}}
	_, v = call(t, "POST", s.URLs.Hashnode, auth, list)
	edges := v.(map[string]any)["data"].(map[string]any)["publication"].(map[string]any)["posts"].(map[string]any)["edges"].([]any)
	assert.Len(t, edges, 1)

	update := map[string]any{"query": "mutation UpdatePost($input: UpdatePostInput!) { updatePost(input: $input) { post { id slug url } } }",
		"variables": map[string]any{"input": map[string]any{"id": post["id"], "title": "Hello again"}}}
	_, v = call(t, "POST", s.URLs.Hashnode, auth, update)
	assert.Equal(t, post["id"], v.(map[string]any)["data"].(map[string]any)["updatePost"].(map[string]any)["post"].(map[string]any)["id"])

	_, v = call(t, "POST", s.URLs.Hashnode, nil, find)
	assert.Contains(t, v.(map[string]any)["errors"].([]any)[0].(map[string]any)["extensions"], "code")
	assert.Len(t, s.Hashnode.Requests(), 6)
}

func TestOpenSearchRefusesAVersionItAlreadyHas(t *testing.T) {
	s := startAll(t)
	doc := map[string]any{"title": "Hello"}
	put := func(version string) (int, map[string]any) {
		status, v := call(t, "PUT", s.URLs.OpenSearch+"/posts/_doc/p%2F1?version="+version+"&version_type=external", map[string]string{"Content-Type": "application/json"}, doc)
		return status, v.(map[string]any)
	}
	status, v := put("100")
	require.Equal(t, 201, status)
	assert.Equal(t, "created", v["result"])
	assert.Equal(t, "p/1", v["_id"])
	assert.Equal(t, float64(100), v["_version"])

	status, v = put("100")
	require.Equal(t, 409, status, "a redelivery of the same version is refused")
	assert.Equal(t, "version_conflict_engine_exception", v["error"].(map[string]any)["type"])
	assert.Contains(t, v["error"].(map[string]any)["reason"], "[p/1]: version conflict, current version [100] is higher or equal to the one provided [100]")

	status, v = put("200")
	require.Equal(t, 200, status)
	assert.Equal(t, "updated", v["result"])
	assert.Equal(t, float64(200), v["_version"])
}

func TestStatusFailsTheFirstRequestsThenSucceeds(t *testing.T) {
	s := startAll(t)
	get := func() int {
		res, err := http.Get(s.URLs.Status + "/status")
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, []int{500, 500, 200, 200}, []int{get(), get(), get(), get()})
	s.Status.Reset()
	assert.Equal(t, []int{500, 500, 200}, []int{get(), get(), get()}, "Reset starts the count over")
	s.Status.Fail(1)
	assert.Equal(t, []int{500, 200}, []int{get(), get()})
	s.Status.Fail(-1)
	assert.Equal(t, 200, get())
	assert.Len(t, s.Status.Requests(), 10)
}

func TestSanityWebhookSignatureIsSanitys(t *testing.T) {
	// Computed with Python's hmac module, independently of this package.
	at := time.UnixMilli(1687514291482)
	got := standin.SignSanityWebhook("whsec", []byte(`{"_id":"p1","_type":"post"}`), at)
	assert.Equal(t, "t=1687514291482,v1=RhLVX-JgqHHKHvzibeLfre2bBFsG0yHt-xppbzrJ3eU", got)
}

func TestSamplePostIsAPublishedPost(t *testing.T) {
	var doc struct {
		ID, Type, Title, UpdatedAt string
	}
	var raw map[string]any
	require.NoError(t, json.Unmarshal(standin.SamplePost(), &raw))
	doc.ID, _ = raw["_id"].(string)
	doc.Type, _ = raw["_type"].(string)
	doc.Title, _ = raw["title"].(string)
	doc.UpdatedAt, _ = raw["_updatedAt"].(string)
	assert.Equal(t, "post", doc.Type)
	assert.NotEmpty(t, doc.Title)
	assert.NotEmpty(t, doc.UpdatedAt)
	assert.NotContains(t, doc.ID, "drafts.")
}

func TestDefaultPortsMatchTheLocalParameters(t *testing.T) {
	raw, err := readLocalParams()
	require.NoError(t, err)
	p := standin.DefaultPorts
	want := map[string]string{
		"SanityApiUrl":       "http://127.0.0.1:" + itoa(p.Sanity),
		"MediumApiUrl":       "http://127.0.0.1:" + itoa(p.Medium),
		"DevtoApiUrl":        "http://127.0.0.1:" + itoa(p.Devto),
		"HashnodeApiUrl":     "http://127.0.0.1:" + itoa(p.Hashnode),
		"OpenSearchEndpoint": "http://127.0.0.1:" + itoa(p.OpenSearch),
	}
	for k, v := range want {
		assert.Equal(t, v, raw["blog-publishing"][k], k)
	}
	assert.Equal(t, "http://127.0.0.1:"+itoa(p.Status)+"/status", raw["retry-on-500"]["StatusUrl"])
}
