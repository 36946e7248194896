package standin_test

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/build"
	"github.com/stepforge/stepforge/pkg/localcloud/keys"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
	"github.com/stepforge/stepforge/pkg/localcloud/objects"
	"github.com/stepforge/stepforge/pkg/localcloud/vault"
	"github.com/stepforge/stepforge/pkg/runtimeapi"
	"github.com/stepforge/stepforge/pkg/standin"
)

// TestBuiltPublishersPublishOnceToTheStandIns runs the real built bootstraps
// of the blog workflow's functions, as Lambda would, with their secrets,
// ledger and state machine in the local cloud and their platforms' base
// URLs pointed at the stand-ins: each publishes the post, and a redelivery
// publishes nothing new.
func TestBuiltPublishersPublishOnceToTheStandIns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds five handlers")
	}
	out := t.TempDir()
	arts, err := build.Build(context.Background(), build.Options{Root: "../..", Out: out, GOARCH: runtime.GOARCH, BinariesOnly: true,
		Handlers: []string{"publishmedium", "publishdevto", "publishhashnode", "indexopensearch", "webhookinitiator"}})
	require.NoError(t, err)
	bins := map[string]string{}
	for _, a := range arts {
		bins[a.Name] = a.Binary
	}

	st := lctest.Store(t)
	kms := keys.New(st)
	sfnService := machines.New(st)
	t.Cleanup(func() { assert.NoError(t, sfnService.Close()) }) // before the store closes
	s3Service, err := objects.New(st)
	require.NoError(t, err)
	cfg, srv, hs := lctest.Start(t, vault.New(st, kms), kms, sfnService)
	srv.RegisterHandler("s3", s3Service.Handler())
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("ledger")})
	require.NoError(t, err)
	sm := secretsmanager.NewFromConfig(cfg)
	for id, v := range map[string]string{
		"blog-publishing/medium":   `{"MEDIUM_TOKEN":"t"}`,
		"blog-publishing/devto":    `{"DEVTO_API_KEY":"k"}`,
		"blog-publishing/hashnode": `{"HASHNODE_TOKEN":"t","HASHNODE_PUBLICATION_ID":"6471d2c5f1a8b0e93c4d2a17"}`,
		"sanity-cms":               `{"SANITY_PROJECT_ID":"x7k2pq9r","SANITY_DATASET":"production","SANITY_WEBHOOK_SECRET":"whsec"}`,
	} {
		_, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String(id), SecretString: aws.String(v)})
		require.NoError(t, err)
	}
	s := startAll(t)
	post, err := os.ReadFile("testdata/post.handmade.json")
	require.NoError(t, err)

	base := []string{"AWS_ENDPOINT_URL=" + hs.URL, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret", "AWS_EC2_METADATA_DISABLED=true"}
	cases := []struct {
		name    string
		env     []string
		actions []string
		writes  func() int
	}{
		{"publishmedium", []string{"MEDIUM_SECRET_ID=blog-publishing/medium", "MEDIUM_LEDGER_BUCKET=ledger", "MEDIUM_API_URL=" + s.URLs.Medium},
			[]string{blog.ActionCreated, blog.ActionUnchanged}, func() int { return count(s.Medium.Requests(), "POST", 201) }},
		{"publishdevto", []string{"DEVTO_SECRET_ID=blog-publishing/devto", "DEVTO_API_URL=" + s.URLs.Devto},
			[]string{blog.ActionCreated, blog.ActionUpdated}, func() int { return count(s.Devto.Requests(), "POST", 201) }},
		{"publishhashnode", []string{"HASHNODE_SECRET_ID=blog-publishing/hashnode", "HASHNODE_API_URL=" + s.URLs.Hashnode},
			[]string{blog.ActionCreated, blog.ActionUnchanged}, func() int { return count(s.Hashnode.Requests(), "POST", 200) - lookups(s.Hashnode.Requests()) }},
		{"indexopensearch", []string{"OPENSEARCH_ENDPOINT=" + s.URLs.OpenSearch},
			[]string{blog.ActionCreated, blog.ActionUnchanged}, func() int { return count(s.OpenSearch.Requests(), "PUT", 201) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fn, err := runtimeapi.Start(runtimeapi.Function{Name: c.name, Path: bins[c.name], Timeout: 10 * time.Second, Env: append(base, c.env...)})
			require.NoError(t, err)
			defer fn.Close()
			for i, want := range c.actions {
				res, err := fn.Invoke(context.Background(), post)
				require.NoError(t, err)
				require.Nil(t, res.Error, "invocation %d failed: %+v", i, res.Error)
				var got blog.Result
				require.NoError(t, json.Unmarshal(res.Payload, &got))
				assert.Equal(t, want, got.Action, "invocation %d: %s", i, res.Payload)
			}
			assert.Equal(t, 1, c.writes(), "the redelivery published nothing new")
		})
	}

	t.Run("webhookinitiator", func(t *testing.T) {
		ctx := context.Background()
		client := sfn.NewFromConfig(cfg)
		sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("BlogPublishing"),
			Definition: aws.String(`{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}`),
			RoleArn:    aws.String("arn:aws:iam::123456789012:role/blog")})
		require.NoError(t, err)
		fn, err := runtimeapi.Start(runtimeapi.Function{Name: "webhookinitiator", Path: bins["webhookinitiator"], Timeout: 10 * time.Second,
			Env: append(base, "SANITY_API_URL="+s.URLs.Sanity, "STATE_MACHINE_ARN="+aws.ToString(sm.StateMachineArn), "SITE_URL=http://127.0.0.1:8600")})
		require.NoError(t, err)
		defer fn.Close()
		// A redelivery names the same execution: "duplicate" once it has
		// ended, "started" while it runs (StartExecution is idempotent then).
		var names []string
		for range 2 {
			res, err := fn.Invoke(ctx, webhookEvent(t, "whsec"))
			require.NoError(t, err)
			require.Nil(t, res.Error, "%+v", res.Error)
			var reply struct {
				StatusCode int    `json:"statusCode"`
				Body       string `json:"body"`
			}
			require.NoError(t, json.Unmarshal(res.Payload, &reply))
			require.Equal(t, 202, reply.StatusCode, reply.Body)
			var started struct{ Status, Name string }
			require.NoError(t, json.Unmarshal([]byte(reply.Body), &started))
			assert.Contains(t, []string{"started", "duplicate"}, started.Status, reply.Body)
			names = append(names, started.Name)
		}
		assert.Equal(t, names[0], names[1])
		execs, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn})
		require.NoError(t, err)
		assert.Len(t, execs.Executions, 1, "the redelivery started nothing new")
		require.NotEmpty(t, s.Sanity.Requests(), "the categories came from the Sanity stand-in")
		assert.Equal(t, "/v2022-11-16/data/query/production", s.Sanity.Requests()[0].Path)
	})
}

// webhookEvent is an API Gateway REST proxy event carrying SamplePost,
// signed now with secret as Sanity signs it.
func webhookEvent(t *testing.T, secret string) []byte {
	t.Helper()
	body := standin.SamplePost()
	b, err := json.Marshal(map[string]any{
		"resource": "/webhook", "path": "/webhook", "httpMethod": "POST",
		"headers":         map[string]string{"content-type": "application/json", "sanity-webhook-signature": standin.SignSanityWebhook(secret, body, time.Now())},
		"requestContext":  map[string]any{"requestId": "r1", "stage": "Prod", "httpMethod": "POST"},
		"body":            string(body),
		"isBase64Encoded": false,
	})
	require.NoError(t, err)
	return b
}

// count is how many requests with method were answered status.
func count(rs []standin.Received, method string, status int) int {
	n := 0
	for _, r := range rs {
		if r.Method == method && r.Status == status {
			n++
		}
	}
	return n
}

// lookups is how many GraphQL requests were queries rather than mutations.
func lookups(rs []standin.Received) int {
	n := 0
	for _, r := range rs {
		var op struct{ Query string }
		if json.Unmarshal(r.Body, &op) == nil && len(op.Query) > 5 && op.Query[:5] == "query" {
			n++
		}
	}
	return n
}
