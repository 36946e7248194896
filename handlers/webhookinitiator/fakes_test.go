package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

// The values in testdata/aws/get-secret-value.handmade.json.
const (
	testWebhookSecret = "whsec_test_9f3b2c1a7e5d4b6c8a0f"
	testSanityToken   = "skTestToken4d7e1a9c3b5f"
	testProjectID     = "x7k2pq9r"
)

const testStateMachineARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:blog-publishing"

// testNow is three seconds after the fixture posts were last updated.
var testNow = time.Date(2023, 6, 23, 9, 58, 14, 250e6, time.UTC)

// testStartDate is the start date the fake Step Functions reports, as the
// service does: epoch seconds with a fraction.
const testStartDate = "1687514294.617"

func readTestdata(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	require.NoError(t, err)
	return b
}

// fakeAWS speaks the AWS JSON protocols of the two services the function
// calls: Secrets Manager (JSON 1.1) and Step Functions (JSON 1.0), both as
// POST / with the operation in X-Amz-Target. Replies are the hand-made ones
// in testdata/aws, shaped as the services send them. Like the real service,
// Step Functions refuses a second execution under a name it has seen.
type fakeAWS struct {
	mu sync.Mutex
	// secretReply and secretStatus override the fixture GetSecretValue
	// reply when set.
	secretReply  []byte
	secretStatus int
	// startFailure, when set, names a hand-made error in testdata/aws that is
	// replayed with HTTP 400 to every StartExecution.
	startFailure string

	fixtureSecret []byte
	secretReads   int
	starts        []startRequest
	started       map[string]bool
	problems      []string
}

type startRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Input           string `json:"input"`
}

func newFakeAWS(t testing.TB) *fakeAWS {
	return &fakeAWS{fixtureSecret: readTestdata(t, "aws", "get-secret-value.handmade.json"), started: map[string]bool{}}
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		f.problem("unexpected request %s %s", r.Method, r.URL.Path)
	}
	switch target := r.Header.Get("X-Amz-Target"); target {
	case "secretsmanager.GetSecretValue":
		f.secretReads++
		var in struct{ SecretId string }
		if json.Unmarshal(body, &in) != nil || in.SecretId != defaultSecretID {
			f.problem("GetSecretValue of %q", body)
		}
		if f.secretReply != nil {
			f.reply(w, "application/x-amz-json-1.1", f.secretStatus, f.secretReply)
			return
		}
		f.reply(w, "application/x-amz-json-1.1", http.StatusOK, f.fixtureSecret)
	case "AWSStepFunctions.StartExecution":
		var in startRequest
		if err := json.Unmarshal(body, &in); err != nil {
			f.problem("StartExecution body: %v", err)
		}
		f.starts = append(f.starts, in)
		if f.startFailure != "" {
			f.reply(w, "application/x-amz-json-1.0", http.StatusBadRequest, readFile(filepath.Join("testdata", "aws", f.startFailure)))
			return
		}
		if !validName(in.Name) {
			f.problem("invalid execution name %q", in.Name)
			f.reply(w, "application/x-amz-json-1.0", http.StatusBadRequest, []byte(`{"__type":"com.amazonaws.swf.service.v2.model#InvalidName","message":"Invalid Name"}`))
			return
		}
		if f.started[in.Name] {
			f.reply(w, "application/x-amz-json-1.0", http.StatusBadRequest, readFile(filepath.Join("testdata", "aws", "execution-already-exists.handmade.json")))
			return
		}
		f.started[in.Name] = true
		arn := strings.Replace(in.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + in.Name
		f.reply(w, "application/x-amz-json-1.0", http.StatusOK, []byte(`{"executionArn":`+strconv.Quote(arn)+`,"startDate":`+testStartDate+`}`))
	default:
		f.problem("unexpected X-Amz-Target %q", target)
		w.WriteHeader(http.StatusBadRequest)
	}
}

func (f *fakeAWS) reply(w http.ResponseWriter, contentType string, status int, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-Requestid", "5a3e9c1b-7d2f-4e6a-8b0c-1f3e5a7c9d2b")
	var typ struct {
		Type string `json:"__type"`
	}
	if status >= 300 && json.Unmarshal(body, &typ) == nil && typ.Type != "" {
		w.Header().Set("X-Amzn-Errortype", typ.Type[strings.LastIndexByte(typ.Type, '#')+1:])
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (f *fakeAWS) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// check fails t with whatever the fake saw that the real services would
// have refused.
func (f *fakeAWS) check(t testing.TB) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.problems {
		t.Errorf("fake AWS: %s", p)
	}
	f.problems = nil
}

func (f *fakeAWS) startRequests() []startRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]startRequest(nil), f.starts...)
}

func (f *fakeAWS) secretReadCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.secretReads
}

// validName applies Step Functions' rules for names that Express machines
// with logging accept too.
func validName(n string) bool {
	if n == "" || len(n) > 80 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func readFile(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return b
}

// fakeSanity replays a hand-made query API reply after checking the request
// is the categories query with the id passed as a parameter.
type fakeSanity struct {
	mu      sync.Mutex
	status  int
	reply   []byte
	queries []string // the $id parameters seen
	problem []string
}

func newFakeSanity(t testing.TB) *fakeSanity {
	return &fakeSanity{status: http.StatusOK, reply: readTestdata(t, "sanity", "categories.handmade.json")}
}

func (f *fakeSanity) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	switch {
	case r.Method != http.MethodGet || r.URL.Path != "/v2022-11-16/data/query/production":
		f.problem = append(f.problem, fmt.Sprintf("unexpected request %s %s", r.Method, r.URL.Path))
	case q.Get("query") != categoriesQuery:
		f.problem = append(f.problem, fmt.Sprintf("query is %q", q.Get("query")))
	case r.Header.Get("Authorization") != "Bearer "+testSanityToken:
		f.problem = append(f.problem, "request without the dataset token")
	}
	f.queries = append(f.queries, q.Get("$id"))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(f.status)
	_, _ = w.Write(f.reply)
}

func (f *fakeSanity) check(t testing.TB) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.problem {
		t.Errorf("fake Sanity: %s", p)
	}
	f.problem = nil
}

// world is the function wired to fake AWS and Sanity endpoints, invoked
// through the same middleware Lambda runs it with.
type world struct {
	aws    *fakeAWS
	sanity *fakeSanity
	h      *handler
	logs   *bytes.Buffer
	wrap   *middleware.Handler[events.APIGatewayProxyRequest, events.APIGatewayProxyResponse]
}

// testEnv is the environment the function runs with in tests, less the
// endpoints of the fakes.
func testEnv() map[string]string {
	return map[string]string{
		"STATE_MACHINE_ARN": testStateMachineARN,
		"SITE_URL":          "https://blog.cloudysky.example/",
	}
}

func newWorld(t testing.TB, env map[string]string) *world {
	w := &world{aws: newFakeAWS(t), sanity: newFakeSanity(t), logs: &bytes.Buffer{}}
	awsSrv := httptest.NewServer(w.aws)
	sanitySrv := httptest.NewServer(w.sanity)
	t.Cleanup(awsSrv.Close)
	t.Cleanup(sanitySrv.Close)

	if env == nil {
		env = testEnv()
	}
	if _, ok := env["SANITY_API_URL"]; !ok {
		env["SANITY_API_URL"] = sanitySrv.URL
	}
	cfg := aws.Config{
		Region:           "eu-west-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint:     aws.String(awsSrv.URL),
		RetryMaxAttempts: 1,
	}
	w.h = newHandler(func(k string) string { return env[k] })
	w.h.now = func() time.Time { return testNow }
	w.h.http = sanitySrv.Client()
	w.h.loadAWS = func(context.Context) (aws.Config, error) { return cfg, nil }
	w.h.secrets = &secrets.Cache{Client: secretsmanager.NewFromConfig(cfg), Now: w.h.now}
	w.wrap = middleware.Wrap(w.h.handle, middleware.WithOutput(w.logs), middleware.WithFunctionName("webhookinitiator"))
	return w
}

// invoke runs the function on ev as Lambda would, from the JSON event.
func (w *world) invoke(t testing.TB, ev events.APIGatewayProxyRequest) events.APIGatewayProxyResponse {
	t.Helper()
	payload, err := json.Marshal(ev)
	require.NoError(t, err)
	out, err := w.wrap.Invoke(context.Background(), payload)
	require.NoError(t, err)
	var resp events.APIGatewayProxyResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	return resp
}

// loadEvent reads a hand-made API Gateway event and signs its body with the
// test secret at testNow, as Sanity would have.
func loadEvent(t testing.TB, name string) events.APIGatewayProxyRequest {
	t.Helper()
	var ev events.APIGatewayProxyRequest
	require.NoError(t, json.Unmarshal(readTestdata(t, "events", name), &ev))
	setSignature(&ev, signatureFor(testWebhookSecret, testNow, rawBody(t, ev)))
	return ev
}

func rawBody(t testing.TB, ev events.APIGatewayProxyRequest) []byte {
	t.Helper()
	if !ev.IsBase64Encoded {
		return []byte(ev.Body)
	}
	b, err := base64.StdEncoding.DecodeString(ev.Body)
	require.NoError(t, err)
	return b
}

// signatureFor makes the header value Sanity sends: HMAC-SHA256 of
// "<unix ms>.<body>" in unpadded base64url.
func signatureFor(secret string, at time.Time, body []byte) string {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// setSignature replaces the signature header wherever the event has it,
// under whatever case, or adds it.
func setSignature(ev *events.APIGatewayProxyRequest, value string) {
	set := false
	for k := range ev.Headers {
		if strings.EqualFold(k, signatureHeader) {
			ev.Headers[k], set = value, true
		}
	}
	for k := range ev.MultiValueHeaders {
		if strings.EqualFold(k, signatureHeader) {
			ev.MultiValueHeaders[k], set = []string{value}, true
		}
	}
	if !set {
		if ev.Headers == nil {
			ev.Headers = map[string]string{}
		}
		ev.Headers[signatureHeader] = value
	}
}

func deleteSignature(ev *events.APIGatewayProxyRequest) {
	for k := range ev.Headers {
		if strings.EqualFold(k, signatureHeader) {
			delete(ev.Headers, k)
		}
	}
	for k := range ev.MultiValueHeaders {
		if strings.EqualFold(k, signatureHeader) {
			delete(ev.MultiValueHeaders, k)
		}
	}
}
