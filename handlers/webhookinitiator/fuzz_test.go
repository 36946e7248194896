package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzWebhook feeds arbitrary bodies and signature headers through the
// function. With sign set, the harness signs the body itself, so that
// arbitrary documents get past the signature check into parsing, Markdown
// rendering, naming and the calls to Sanity and Step Functions.
func FuzzWebhook(f *testing.F) {
	w := newWorld(f, nil)
	template := loadEvent(f, "publish-post.handmade.json")
	valid := template.Headers[signatureHeader]
	draft := loadEvent(f, "draft-post.handmade.json")

	f.Add(template.Body, valid, false)
	f.Add(template.Body, "", true)
	f.Add(draft.Body, draft.Headers[signatureHeader], false)
	f.Add(template.Body, "t=1687514294250,v1=AAAA", false)
	f.Add(template.Body, "", false)
	f.Add(`{"_id":"a.b/c","title":"t","_updatedAt":"2023-06-23T09:58:11.5+02:00","body":[{"_type":"block","children":[{"_type":"span","text":"x"}]}]}`, "", true)
	f.Add(`{"_id":"x","title":"t","_updatedAt":"2023-06-23T09:58:11Z","body":"plain"}`, "", true)
	f.Add(`{"_id":"x","title":"t","_updatedAt":"yesterday","body":7}`, "", true)
	f.Add(`not json`, "t=x,v1=y", false)
	f.Add(`null`, "", true)

	f.Fuzz(func(t *testing.T, body, header string, sign bool) {
		if !utf8.ValidString(body) || !utf8.ValidString(header) {
			// API Gateway hands such bodies over base64-encoded, and a JSON
			// event cannot carry them otherwise.
			t.Skip()
		}
		ev := template
		ev.Headers = map[string]string{"content-type": "application/json"}
		ev.MultiValueHeaders = nil
		ev.Body = body
		if sign {
			header = signatureFor(testWebhookSecret, testNow, []byte(body))
		}
		if header != "" {
			ev.Headers[signatureHeader] = header
		}
		// Only the seed bodies come with signatures; any other body that gets
		// past the check without the harness signing it was forged.
		authentic := sign || body == template.Body || body == draft.Body
		w.logs.Reset()

		payload, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("marshal event: %v", err)
		}
		out, err := w.wrap.Invoke(context.Background(), payload)
		if err != nil {
			t.Fatalf("invoke: %v", err)
		}
		var resp events.APIGatewayProxyResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("response is not an API Gateway response: %v", err)
		}
		switch resp.StatusCode {
		case http.StatusAccepted, http.StatusBadRequest, http.StatusUnauthorized, http.StatusBadGateway:
		default:
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		if !authentic && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("delivery without a valid signature answered %d: %s", resp.StatusCode, resp.Body)
		}
		if resp.Headers["Content-Type"] != "application/json" || !json.Valid([]byte(resp.Body)) {
			t.Fatalf("answer is not JSON: %v %q", resp.Headers, resp.Body)
		}
		if strings.Contains(w.logs.String(), testWebhookSecret) || strings.Contains(w.logs.String(), testSanityToken) {
			t.Fatalf("a secret was logged: %s", w.logs.String())
		}
		w.aws.check(t)
		w.sanity.check(t)
	})
}
