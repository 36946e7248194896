// Package handlers_test runs every built bootstrap as Lambda would: the
// executable alone, polling a Runtime API on loopback, with AWS and the
// platforms it calls replaced by local servers answering in their own wire
// formats. It catches what a test of handler.go cannot: a main.go that wires
// the wrong function, an init that needs the network, an error type lost on
// the way out of the process.
package handlers_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/build"
	"github.com/stepforge/stepforge/pkg/runtimeapi"
	"github.com/stepforge/stepforge/pkg/s3test"
)

var (
	buildOnce sync.Once
	binaries  map[string]string
	buildErr  error
)

// bootstraps builds every handler for this machine once per test run.
func bootstraps(t *testing.T) map[string]string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := os.MkdirTemp("", "bootstraps")
		if err != nil {
			buildErr = err
			return
		}
		// Binaries only: the zips are pkg/build's business, and deflating
		// nine 20 MB files in a race-instrumented test costs minutes.
		arts, err := build.Build(context.Background(), build.Options{Root: "..", Out: out, GOARCH: runtime.GOARCH, BinariesOnly: true})
		binaries = map[string]string{}
		for _, a := range arts {
			binaries[a.Name] = a.Binary
		}
		buildErr = err
	})
	require.NoError(t, buildErr)
	return binaries
}

// fakeAWS answers the AWS APIs the handlers call: Secrets Manager and Step
// Functions (JSON protocol, routed by X-Amz-Target) and S3 (REST, path style,
// handed to s3test).
type fakeAWS struct {
	secrets    map[string]string
	s3         *s3test.Server
	mu         sync.Mutex
	executions []map[string]any
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") == "" {
		f.s3.ServeHTTP(w, r) // REST: the body is the object
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	switch target := r.Header.Get("X-Amz-Target"); target {
	case "secretsmanager.GetSecretValue":
		id, _ := in["SecretId"].(string)
		v, ok := f.secrets[id]
		if !ok {
			awsError(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		writeJSON(w, map[string]any{"ARN": "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + id + "-AbCdEf", "Name": id, "SecretString": v, "VersionId": "v1"})
	case "AWSStepFunctions.StartExecution":
		f.mu.Lock()
		f.executions = append(f.executions, in)
		f.mu.Unlock()
		arn := strings.Replace(in["stateMachineArn"].(string), ":stateMachine:", ":execution:", 1) + ":" + in["name"].(string)
		writeJSON(w, map[string]any{"executionArn": arn, "startDate": 1.7e9})
	default:
		awsError(w, "UnknownOperationException", target)
	}
}

func awsError(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(v)
}

// platform is a fake third-party API answering each "METHOD /path" with a
// status and a body read from a handler's testdata.
func platform(t *testing.T, routes map[string]reply) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep, ok := routes[r.Method+" "+r.URL.Path]
		if !ok {
			http.Error(w, `{"message":"no route `+r.Method+" "+r.URL.Path+`"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.status)
		_, _ = w.Write(rep.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type reply struct {
	status int
	body   []byte
}

func fixture(t *testing.T, handler, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(handler, "testdata", name))
	require.NoError(t, err)
	return b
}

const traceHeader = "Root=1-6743f2a0-5e1f0c2b3a4d5e6f7a8b9c0d;Parent=53995c3f42cd8ad8;Sampled=1"

type invocationCase struct {
	env     []string
	payload []byte
	// want is a fragment of the success payload; wantType, the error type.
	want, wantType string
}

func invoke(t *testing.T, name string, c invocationCase) {
	t.Helper()
	in, err := runtimeapi.Start(runtimeapi.Function{
		Name: name, Path: bootstraps(t)[name], Timeout: 10 * time.Second,
		Env: append([]string{"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_EC2_METADATA_DISABLED=true"}, c.env...),
	})
	require.NoError(t, err)
	defer in.Close()
	res, err := in.Invoke(context.Background(), c.payload, runtimeapi.WithTraceHeader(traceHeader))
	require.NoError(t, err)
	if c.wantType != "" {
		require.NotNil(t, res.Error, "want %s, got payload %s", c.wantType, res.Payload)
		assert.Equal(t, c.wantType, res.Error.Type, res.Error.Message)
		return
	}
	require.Nil(t, res.Error, "unexpected error reply")
	assert.Contains(t, string(res.Payload), c.want)
}

func TestBuiltBootstrapsAnswerThroughTheRuntimeAPI(t *testing.T) {
	// Build first: the signed webhook below carries a timestamp that the
	// initiator accepts for five minutes only, however long building took.
	bootstraps(t)
	aws := &fakeAWS{
		secrets: map[string]string{
			"medium":   `{"MEDIUM_TOKEN":"t","MEDIUM_AUTHOR_ID":"1f86fc5f5e3a4d1b0c9e2a7d6b4f8e31a"}`,
			"devto":    `{"DEVTO_API_KEY":"k"}`,
			"hashnode": `{"HASHNODE_TOKEN":"t","HASHNODE_PUBLICATION_ID":"p"}`,
			"sanity":   `{"SANITY_PROJECT_ID":"x8k2m4q1","SANITY_DATASET":"production","SANITY_WEBHOOK_SECRET":"whsec"}`,
		},
		s3: s3test.NewServer(t),
	}
	aws.s3.Put("cdk-simple-workflow-bucket", "uploads/2023/03/hello.txt", []byte("Hello, stepforge!\nTwo lines.\n"))
	awsSrv := httptest.NewServer(aws)
	defer awsSrv.Close()
	awsEnv := "AWS_ENDPOINT_URL=" + awsSrv.URL

	status := platform(t, map[string]reply{"GET /health": {500, []byte(`{}`)}})
	medium := platform(t, map[string]reply{"POST /users/1f86fc5f5e3a4d1b0c9e2a7d6b4f8e31a/posts": {201, fixture(t, "publishmedium", "created.json")}})
	devto := platform(t, map[string]reply{
		"GET /articles/me/all": {200, fixture(t, "publishdevto", "articles-none-matching.handmade.json")},
		"POST /articles":       {201, fixture(t, "publishdevto", "created.handmade.json")},
	})
	// One reply answers the lookups (nothing found) and the publish alike.
	hashnode := platform(t, map[string]reply{"POST /": {200, []byte(`{"data":{"publication":{"id":"p","post":null,"posts":{"edges":[],"pageInfo":{"hasNextPage":false,"endCursor":null}}},"publishPost":{"post":{"id":"6495648d1c0a2b7e9f3d4c51","slug":"automating-aws-step-functions","url":"https://blog.cloudysky.link/automating-aws-step-functions"}}}}`)}})
	opensearch := platform(t, map[string]reply{"PUT /posts/_doc/7f3c2a9e-51b4-4d0e-9a61-2c8e4b7d1f05": {201, fixture(t, "indexopensearch", "created.handmade.json")}})
	sanity := platform(t, map[string]reply{"GET /v2022-11-16/data/query/production": {200, []byte(`{"ms":3,"query":"q","result":[{"categories":[{"title":"AWS","slug":{"current":"aws"}}]}]}`)}})

	invalidPost := []byte(`{"id":"p1","title":"","body":"x"}`)
	stateMachine := "arn:aws:states:us-east-1:000000000000:stateMachine:BlogPublishing"
	cases := map[string][]invocationCase{
		"pizzachecker": {
			{payload: fixture(t, "pizzachecker", "spaced-pineapple.handmade.json"), want: `{"containsPineapple":true}`},
			{payload: fixture(t, "pizzachecker", "blank-flavour.handmade.json"), wantType: "InvalidOrder"},
		},
		"payloadprinter": {
			{payload: []byte(`{"hello":"webhook"}`), want: `{"hello":"webhook"}`},
			{payload: fixture(t, "payloadprinter", "malformed.handmade.json"), wantType: "MalformedInput"},
		},
		"statuschecker": {
			{env: []string{"STATUS_URL=" + status.URL + "/health"}, payload: []byte(`{"order":1}`), want: `{"statusCode":500,"event":{"order":1}}`},
			{env: []string{"STATUS_URL=http://127.0.0.1:1/health"}, payload: []byte(`{"order":1}`), wantType: "EndpointUnreachable"},
		},
		"uploadprocessor": {
			{env: []string{awsEnv}, payload: fixture(t, "uploadprocessor", "object-created.handmade.json"), want: `"lines":2`},
			{env: []string{awsEnv, "ALWAYS_FAIL=true"}, payload: fixture(t, "uploadprocessor", "object-created.handmade.json"), wantType: "ProcessingFailed"},
		},
		"publishmedium": {
			{env: []string{awsEnv, "MEDIUM_SECRET_ID=medium", "MEDIUM_LEDGER_BUCKET=ledger", "MEDIUM_API_URL=" + medium.URL}, payload: fixture(t, "publishmedium", "post.handmade.json"), want: `"action":"created"`},
			{env: []string{awsEnv, "MEDIUM_SECRET_ID=medium", "MEDIUM_LEDGER_BUCKET=ledger", "MEDIUM_API_URL=" + medium.URL}, payload: fixture(t, "publishmedium", "post.handmade.json"), want: `"action":"unchanged"`},
			{env: []string{awsEnv, "MEDIUM_SECRET_ID=medium", "MEDIUM_LEDGER_BUCKET=ledger", "MEDIUM_API_URL=" + medium.URL}, payload: invalidPost, wantType: "InvalidPost"},
		},
		"publishdevto": {
			{env: []string{awsEnv, "DEVTO_SECRET_ID=devto", "DEVTO_API_URL=" + devto.URL}, payload: fixture(t, "publishdevto", "post.handmade.json"), want: `"platform":"devto"`},
			{env: []string{awsEnv, "DEVTO_SECRET_ID=missing", "DEVTO_API_URL=" + devto.URL}, payload: fixture(t, "publishdevto", "post.handmade.json"), want: `"action":"skipped"`},
		},
		"publishhashnode": {
			{env: []string{awsEnv, "HASHNODE_SECRET_ID=hashnode", "HASHNODE_API_URL=" + hashnode.URL}, payload: fixture(t, "publishhashnode", "post.handmade.json"), want: `"platform":"hashnode"`},
			{env: []string{awsEnv, "HASHNODE_SECRET_ID=hashnode", "HASHNODE_API_URL=" + hashnode.URL}, payload: invalidPost, wantType: "InvalidPost"},
		},
		"indexopensearch": {
			{env: []string{awsEnv, "OPENSEARCH_ENDPOINT=" + opensearch.URL}, payload: fixture(t, "indexopensearch", "post.handmade.json"), want: `"platform":"opensearch"`},
			{env: []string{awsEnv}, payload: fixture(t, "indexopensearch", "post.handmade.json"), want: `"action":"skipped"`},
			{env: []string{awsEnv, "OPENSEARCH_ENDPOINT=ftp://nowhere"}, payload: fixture(t, "indexopensearch", "post.handmade.json"), wantType: "Misconfigured"},
		},
		"webhookinitiator": {
			{env: []string{awsEnv, "SANITY_SECRET_ID=sanity", "SANITY_API_URL=" + sanity.URL, "STATE_MACHINE_ARN=" + stateMachine},
				payload: signedWebhook(t, "whsec"), want: `"statusCode":202`},
			{env: []string{awsEnv, "SANITY_SECRET_ID=sanity", "STATE_MACHINE_ARN=" + stateMachine}, payload: []byte(`["not an API Gateway event"]`), wantType: "MalformedInput"},
		},
	}
	names, err := build.List(".")
	require.NoError(t, err)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			cs, ok := cases[name]
			require.True(t, ok, "every handler has a black-box case: add one for %s", name)
			for _, c := range cs {
				invoke(t, name, c)
			}
		})
	}
	require.Len(t, aws.executions, 1, "the webhook initiator started one execution")
	assert.Equal(t, stateMachine, aws.executions[0]["stateMachineArn"])
}

// signedWebhook is an API Gateway REST proxy event carrying a Sanity webhook
// signed with secret, as Sanity signs it.
func signedWebhook(t *testing.T, secret string) []byte {
	t.Helper()
	body := `{"_id":"7f3c2a9e-51b4-4d0e-9a61-2c8e4b7d1f05","_type":"post","title":"Hello","slug":{"current":"hello"},"description":"d","body":"Plain **markdown** body.","_createdAt":"2023-06-23T08:12:44Z","_updatedAt":"2023-06-23T09:30:02Z"}`
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + body))
	sig := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	event := map[string]any{
		"resource": "/webhook", "path": "/webhook", "httpMethod": "POST",
		"headers":         map[string]string{"content-type": "application/json", "sanity-webhook-signature": "t=" + ts + ",v1=" + sig},
		"requestContext":  map[string]any{"requestId": "r1", "stage": "prod", "httpMethod": "POST"},
		"body":            body,
		"isBase64Encoded": false,
	}
	b, err := json.Marshal(event)
	require.NoError(t, err)
	return b
}
