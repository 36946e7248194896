package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/golden"
)

func TestDeliveries(t *testing.T) {
	tests := []struct {
		name  string
		event string
		// edit changes the signed event, as an attacker or a broken sender
		// would.
		edit func(t *testing.T, ev *events.APIGatewayProxyRequest)
		// setup changes what the fake services answer.
		setup      func(w *world)
		wantStatus int
		// wantBody is compared as JSON when set.
		wantBody string
		// golden names the file under testdata/golden holding the exact
		// StartExecution input, when one is expected.
		golden   string
		wantName string
		// secretReads is how many times Secrets Manager is asked.
		secretReads int
	}{
		{
			name:        "published post starts the workflow",
			event:       "publish-post.handmade.json",
			wantStatus:  http.StatusAccepted,
			wantBody:    `{"status":"started","executionArn":"arn:aws:states:eu-west-1:123456789012:execution:blog-publishing:5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z","startDate":"2023-06-23T09:58:14.617Z","name":"5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z"}`,
			golden:      "publish-post.input.json",
			wantName:    "5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z",
			secretReads: 1,
		},
		{
			name:        "base64 body with a Markdown body and capitalised header starts the workflow",
			event:       "publish-post-base64.handmade.json",
			wantStatus:  http.StatusAccepted,
			golden:      "publish-post-base64.input.json",
			wantName:    "post_markdown-only-" + shortHash("post.markdown-only") + "-20230623T095811_127Z",
			secretReads: 1,
		},
		{
			name:        "draft is acknowledged and ignored",
			event:       "draft-post.handmade.json",
			wantStatus:  http.StatusAccepted,
			wantBody:    `{"status":"ignored","reason":"drafts are not published"}`,
			secretReads: 1,
		},
		{
			name:        "post without a title is rejected",
			event:       "missing-title.handmade.json",
			wantStatus:  http.StatusBadRequest,
			wantBody:    `{"message":"title is missing"}`,
			secretReads: 1,
		},
		{
			name:        "body that is not JSON is rejected",
			event:       "not-json.handmade.json",
			wantStatus:  http.StatusBadRequest,
			wantBody:    `{"message":"body is not a JSON Sanity document: syntax error at byte 1"}`,
			secretReads: 1,
		},
		{
			name:  "body marked base64 that is not is rejected",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				ev.IsBase64Encoded = true
			},
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"message":"body is marked base64-encoded but is not"}`,
		},
		{
			name:  "missing signature is refused without reading the secret",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				deleteSignature(ev)
			},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"message":"missing sanity-webhook-signature header"}`,
		},
		{
			name:  "malformed signature is refused",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				setSignature(ev, "v1=not-base64!")
			},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"message":"malformed sanity-webhook-signature header"}`,
		},
		{
			name:  "signature made with another secret is refused",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				setSignature(ev, signatureFor("whsec_guessed", testNow, []byte(ev.Body)))
			},
			wantStatus:  http.StatusUnauthorized,
			wantBody:    `{"message":"signature does not match"}`,
			secretReads: 1,
		},
		{
			name:  "tampered body is refused",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				ev.Body = strings.Replace(ev.Body, "Automating AWS Step Functions", "Buy cheap watches", 1)
				require.Contains(t, ev.Body, "Buy cheap watches")
			},
			wantStatus:  http.StatusUnauthorized,
			wantBody:    `{"message":"signature does not match"}`,
			secretReads: 1,
		},
		{
			name:  "signature older than the maximum age is refused",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				setSignature(ev, signatureFor(testWebhookSecret, testNow.Add(-5*time.Minute-time.Millisecond), []byte(ev.Body)))
			},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"message":"signature is older than 5m0s"}`,
		},
		{
			name:  "signature dated in the future is refused",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				setSignature(ev, signatureFor(testWebhookSecret, testNow.Add(2*time.Minute), []byte(ev.Body)))
			},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"message":"signature is dated in the future"}`,
		},
		{
			name:  "signature slightly ahead of the clock is accepted",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				setSignature(ev, signatureFor(testWebhookSecret, testNow.Add(30*time.Second), []byte(ev.Body)))
			},
			wantStatus:  http.StatusAccepted,
			wantName:    "5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z",
			secretReads: 1,
		},
		{
			name:  "signature in padded standard base64 is accepted",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				h := signatureFor(testWebhookSecret, testNow, []byte(ev.Body))
				prefix, mac, _ := strings.Cut(h, "v1=")
				raw, err := base64.RawURLEncoding.DecodeString(mac)
				require.NoError(t, err)
				setSignature(ev, prefix+"v1="+base64.StdEncoding.EncodeToString(raw))
			},
			wantStatus:  http.StatusAccepted,
			wantName:    "5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z",
			secretReads: 1,
		},
		{
			name:  "signature header only in the multi-value headers is found",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				v := ev.Headers[signatureHeader]
				delete(ev.Headers, signatureHeader)
				ev.MultiValueHeaders = map[string][]string{"SANITY-WEBHOOK-SIGNATURE": {v}}
			},
			wantStatus:  http.StatusAccepted,
			wantName:    "5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z",
			secretReads: 1,
		},
		{
			name:  "two different signature headers are refused",
			event: "publish-post.handmade.json",
			edit: func(t *testing.T, ev *events.APIGatewayProxyRequest) {
				ev.Headers["Sanity-Webhook-Signature"] = signatureFor(testWebhookSecret, testNow, []byte("{}"))
			},
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"message":"more than one sanity-webhook-signature header"}`,
		},
		{
			name:  "unreadable secret answers 502",
			event: "publish-post.handmade.json",
			setup: func(w *world) {
				w.aws.secretReply, w.aws.secretStatus = readFile(filepath.Join("testdata", "aws", "secret-not-found.handmade.json")), http.StatusBadRequest
			},
			wantStatus:  http.StatusBadGateway,
			wantBody:    `{"message":"Secrets Manager failed; the delivery can be retried"}`,
			secretReads: 1,
		},
		{
			name:  "secret without the webhook secret answers 502",
			event: "publish-post.handmade.json",
			setup: func(w *world) {
				w.aws.secretReply, w.aws.secretStatus = []byte(`{"Name":"sanity-cms","SecretString":"{\"SANITY_PROJECT_ID\":\"x7k2pq9r\",\"SANITY_DATASET\":\"production\"}"}`), http.StatusOK
			},
			wantStatus:  http.StatusBadGateway,
			wantBody:    `{"message":"Secrets Manager failed; the delivery can be retried"}`,
			secretReads: 1,
		},
		{
			name:  "Sanity outage answers 502",
			event: "publish-post.handmade.json",
			setup: func(w *world) {
				w.sanity.status, w.sanity.reply = http.StatusServiceUnavailable, readFile(filepath.Join("testdata", "sanity", "unavailable.handmade.json"))
			},
			wantStatus:  http.StatusBadGateway,
			wantBody:    `{"message":"Sanity failed; the delivery can be retried"}`,
			secretReads: 1,
		},
		{
			name:  "Step Functions failure answers 502",
			event: "publish-post.handmade.json",
			setup: func(w *world) {
				w.aws.startFailure = "state-machine-does-not-exist.handmade.json"
			},
			wantStatus:  http.StatusBadGateway,
			wantBody:    `{"message":"Step Functions failed; the delivery can be retried"}`,
			wantName:    "5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z",
			secretReads: 1,
		},
		{
			name:  "execution already started for this version is success",
			event: "publish-post.handmade.json",
			setup: func(w *world) {
				w.aws.started["5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z"] = true
			},
			wantStatus:  http.StatusAccepted,
			wantBody:    `{"status":"duplicate","executionArn":"arn:aws:states:eu-west-1:123456789012:execution:blog-publishing:5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z","name":"5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z"}`,
			wantName:    "5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095811Z",
			secretReads: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, nil)
			if tt.setup != nil {
				tt.setup(w)
			}
			ev := loadEvent(t, tt.event)
			if tt.edit != nil {
				tt.edit(t, &ev)
			}

			resp := w.invoke(t, ev)

			assert.Equal(t, tt.wantStatus, resp.StatusCode, "body: %s", resp.Body)
			assert.Equal(t, "application/json", resp.Headers["Content-Type"])
			assert.True(t, json.Valid([]byte(resp.Body)), "body is not JSON: %s", resp.Body)
			if tt.wantBody != "" {
				assert.JSONEq(t, tt.wantBody, resp.Body)
			}
			assert.Equal(t, tt.secretReads, w.aws.secretReadCount(), "Secrets Manager reads")

			starts := w.aws.startRequests()
			if tt.wantName == "" && tt.golden == "" {
				assert.Empty(t, starts, "StartExecution calls")
			} else {
				require.Len(t, starts, 1, "StartExecution calls")
				assert.Equal(t, testStateMachineARN, starts[0].StateMachineArn)
				if tt.wantName != "" {
					assert.Equal(t, tt.wantName, starts[0].Name)
				}
				if tt.golden != "" {
					assertGolden(t, tt.golden, starts[0].Input)
				}
			}

			assertNoSecretsLogged(t, w.logs.String())
			w.aws.check(t)
			w.sanity.check(t)
		})
	}
}

func TestRedeliveryMapsToTheSameExecution(t *testing.T) {
	w := newWorld(t, nil)
	ev := loadEvent(t, "publish-post.handmade.json")

	first := w.invoke(t, ev)
	// Sanity retries with a fresh signature a little later.
	setSignature(&ev, signatureFor(testWebhookSecret, testNow.Add(2*time.Second), []byte(ev.Body)))
	second := w.invoke(t, ev)

	require.Equal(t, http.StatusAccepted, first.StatusCode, first.Body)
	require.Equal(t, http.StatusAccepted, second.StatusCode, second.Body)
	var a, b execution
	require.NoError(t, json.Unmarshal([]byte(first.Body), &a))
	require.NoError(t, json.Unmarshal([]byte(second.Body), &b))
	assert.Equal(t, "started", a.Status)
	assert.Equal(t, "duplicate", b.Status)
	assert.Equal(t, a.Name, b.Name)
	assert.Equal(t, a.ExecutionARN, b.ExecutionARN)

	starts := w.aws.startRequests()
	require.Len(t, starts, 2)
	assert.Equal(t, starts[0].Name, starts[1].Name)
	assert.Equal(t, 1, w.aws.secretReadCount(), "the secret is read once per warm container")
	w.aws.check(t)
	w.sanity.check(t)
}

func TestNewVersionOfAPostStartsANewExecution(t *testing.T) {
	w := newWorld(t, nil)
	ev := loadEvent(t, "publish-post.handmade.json")
	first := w.invoke(t, ev)

	ev.Body = strings.Replace(ev.Body, `"_updatedAt":"2023-06-23T09:58:11Z"`, `"_updatedAt":"2023-06-23T09:58:13Z"`, 1)
	setSignature(&ev, signatureFor(testWebhookSecret, testNow, []byte(ev.Body)))
	second := w.invoke(t, ev)

	require.Equal(t, http.StatusAccepted, first.StatusCode, first.Body)
	require.Equal(t, http.StatusAccepted, second.StatusCode, second.Body)
	starts := w.aws.startRequests()
	require.Len(t, starts, 2)
	assert.Equal(t, "5c1d8b2e-7a43-4f0e-9d6b-2f8e1a7c3b90-20230623T095813Z", starts[1].Name)
	assert.JSONEq(t, `"started"`, jsonField(t, second.Body, "status"))
}

func TestRejectedSanityTokenIsReadAgain(t *testing.T) {
	w := newWorld(t, nil)
	w.sanity.status, w.sanity.reply = http.StatusUnauthorized, readTestdata(t, "sanity", "unauthorized.handmade.json")
	ev := loadEvent(t, "publish-post.handmade.json")

	refused := w.invoke(t, ev)
	w.sanity.mu.Lock()
	w.sanity.status, w.sanity.reply = http.StatusOK, readTestdata(t, "sanity", "categories.handmade.json")
	w.sanity.mu.Unlock()
	retried := w.invoke(t, ev)

	assert.Equal(t, http.StatusBadGateway, refused.StatusCode, refused.Body)
	assert.Equal(t, http.StatusAccepted, retried.StatusCode, retried.Body)
	assert.Equal(t, 2, w.aws.secretReadCount(), "a rejected token makes the next delivery read the secret again")
	assert.Contains(t, w.logs.String(), "Session not found", "the log keeps the reason Sanity gave")
	assertNoSecretsLogged(t, w.logs.String())
}

func TestCategoriesPassTheIDAsAParameter(t *testing.T) {
	w := newWorld(t, nil)
	settings := sanitySettings{ProjectID: testProjectID, Dataset: "production", Token: testSanityToken}
	id := `x' || _type == "secret" || _id == 'y`

	cats, err := w.h.categories(context.Background(), settings, id)

	require.NoError(t, err)
	assert.Equal(t, `[{"title":"AWS","slug":"aws"},{"title":"Step Functions","slug":"step-functions"}]`, mustJSON(t, cats))
	require.Len(t, w.sanity.queries, 1)
	assert.Equal(t, `"x' || _type == \"secret\" || _id == 'y"`, w.sanity.queries[0])
	w.sanity.check(t)
}

func TestFixedSecretIsReadOnTheNextDelivery(t *testing.T) {
	w := newWorld(t, nil)
	w.aws.secretReply, w.aws.secretStatus = []byte(`{"Name":"sanity-cms","SecretString":"{\"SANITY_PROJECT_ID\":\"x7k2pq9r\"}"}`), http.StatusOK
	ev := loadEvent(t, "publish-post.handmade.json")

	broken := w.invoke(t, ev)
	w.aws.mu.Lock()
	w.aws.secretReply = nil
	w.aws.mu.Unlock()
	fixed := w.invoke(t, ev)

	assert.Equal(t, http.StatusBadGateway, broken.StatusCode, broken.Body)
	assert.Equal(t, http.StatusAccepted, fixed.StatusCode, fixed.Body)
	assert.Equal(t, 2, w.aws.secretReadCount())
	assert.Contains(t, w.logs.String(), "secret lacks SANITY_DATASET, SANITY_WEBHOOK_SECRET")
}

func TestMalformedEventIsReportedByTheMiddleware(t *testing.T) {
	w := newWorld(t, nil)
	_, err := w.wrap.Invoke(context.Background(), []byte(`{"body": 42}`))

	var invokeErr messages.InvokeResponse_Error
	require.True(t, errors.As(err, &invokeErr), "error %v", err)
	assert.Equal(t, "MalformedInput", invokeErr.Type)
}

// assertNoSecretsLogged checks the log lines for the secret's values.
func assertNoSecretsLogged(t *testing.T, logs string) {
	t.Helper()
	assert.NotContains(t, logs, testWebhookSecret, "the webhook secret was logged")
	assert.NotContains(t, logs, testSanityToken, "the Sanity token was logged")
}

// assertGolden compares the execution input with testdata/golden/name,
// indented there so a change reads well in a diff.
func assertGolden(t *testing.T, name, input string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	golden.AssertJSON(t, path, []byte(input))
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, want))
	assert.Equal(t, compact.String(), input, "the input is sent compact")
}

// shortHash is the hash an execution name carries for an id that does not
// fit as it is: the first 12 hex digits of its SHA-256.
func shortHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])[:12]
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func jsonField(t *testing.T, body, field string) string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	return string(m[field])
}
