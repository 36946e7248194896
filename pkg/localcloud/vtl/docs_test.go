package vtl

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These are the examples of API Gateway's developer guide with the outputs it documents.

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestPhotosOutputTemplateGivesTheDocumentedData(t *testing.T) {
	out := render(t, readFile(t, "testdata/photos-output.vtl"), Request{Body: []byte(readFile(t, "testdata/photos.json"))})
	assert.JSONEq(t, readFile(t, "testdata/photos-transformed.json"), out)
	// The foreach separator and the directive lines leave exactly this text.
	assert.Contains(t, out, "      \"isfamily\": 0\n    },\t\t\n    {\n")
}

func TestPhotosInputTemplateKeepsTypes(t *testing.T) {
	src := `#set($inputRoot = $input.path('$'))
{
  "photos": {
    "page": $inputRoot.photos.page,
    "pages": "$inputRoot.photos.pages",
    "perpage": $inputRoot.photos.perpage,
    "total": "$inputRoot.photos.total",
    "photo": [
#foreach($elem in $inputRoot.photos.photo)
      {
        "id": "$elem.id",
        "farm": $elem.farm,
        "title": "$elem.title"
      }#if($foreach.hasNext),#end
#end
    ]
  }
}`
	out := render(t, src, Request{Body: []byte(readFile(t, "testdata/photos.json"))})
	assert.JSONEq(t, `{"photos":{"page":1,"pages":"1234","perpage":100,"total":"123398","photo":[
		{"id":"12345678901","farm":1,"title":"Sample photo 1"},{"id":"23456789012","farm":2,"title":"Sample photo 2"}]}}`, out)
}

func TestInputExampleThings(t *testing.T) {
	src := `{
    "id" : "$input.params('id')",
    "count" : "$input.path('$.things').size()",
    "things" : $input.json('$.things')
}`
	out := render(t, src, Request{
		Path: map[string]string{"id": "abc"},
		Body: []byte(`{"things" : {"1" : {}, "2" : {}, "3" : {}}}`),
	})
	assert.JSONEq(t, `{"id": "abc", "count": "3", "things": {"1": {}, "2": {}, "3": {}}}`, out)
}

func TestInputExampleNameAndBody(t *testing.T) {
	r := Request{QueryString: map[string]string{"name": "me"}, Body: []byte(`{"mykey": {"a": [1, 2]}, "other": true}`)}
	out := render(t, "{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $input.json('$') \n}", r)
	assert.JSONEq(t, `{"name":"me","body":{"mykey":{"a":[1,2]},"other":true}}`, out)
	out = render(t, "{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $input.json('$.mykey')  \n}", r)
	assert.JSONEq(t, `{"name":"me","body":{"a":[1,2]}}`, out)
}

func TestAllParamsExample(t *testing.T) {
	src := `#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}`
	out := render(t, src, Request{
		Path:        map[string]string{"path_name": "path_value"},
		QueryString: map[string]string{"q": "1", "r": "it's"},
		Header:      map[string]string{"header_name": "header_value"},
	})
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(fixQuotes(out)), &got), out)
	assert.Equal(t, map[string]any{"params": map[string]any{
		"path":        map[string]any{"path_name": "path_value"},
		"querystring": map[string]any{"q": "1", "r": "it's"},
		"header":      map[string]any{"header_name": "header_value"},
	}}, got)
}

// fixQuotes undoes escapeJavaScript's \' as the guide tells templates to.
func fixQuotes(s string) string { return strings.ReplaceAll(s, `\'`, "'") }

func TestParseJsonExample(t *testing.T) {
	src := `#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))
{
   "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]
}`
	out := render(t, src, Request{Body: []byte(`{"errorMessage":"{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}`)})
	assert.Equal(t, "{\n   \"errorMessageObjKey2ArrVal\" : 1\n}", out)
}

func TestContextExample(t *testing.T) {
	src := `{
    "stage" : "$context.stage",
    "request_id" : "$context.requestId",
    "api_id" : "$context.apiId",
    "resource_path" : "$context.resourcePath",
    "http_method" : "$context.httpMethod",
    "source_ip" : "$context.identity.sourceIp",
    "user-agent" : "$context.identity.userAgent",
    "account_id" : "$context.identity.accountId"
}`
	out := render(t, src, Request{Context: map[string]any{
		"stage": "prod", "requestId": "abcdefg-000-000-0000-abcdefg", "apiId": "abcd1234", "resourcePath": "/",
		"httpMethod": "GET", "identity": map[string]any{"sourceIp": "192.0.2.1", "userAgent": "curl/7.84.0", "accountId": "111122223333"},
	}})
	assert.JSONEq(t, `{"stage":"prod","request_id":"abcdefg-000-000-0000-abcdefg","api_id":"abcd1234","resource_path":"/",
		"http_method":"GET","source_ip":"192.0.2.1","user-agent":"curl/7.84.0","account_id":"111122223333"}`, out)
}
