package localcloud_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// denyKey refuses everything asked with one access key and records what
// the router asked it.
type denyKey struct {
	key   string
	mu    sync.Mutex
	asked []string
}

func (d *denyKey) AuthorizeKey(_ context.Context, key, action, resource string) error {
	d.mu.Lock()
	d.asked = append(d.asked, key+" "+action+" "+resource)
	d.mu.Unlock()
	if key == d.key {
		return &localcloud.Error{Code: "AccessDeniedException", Status: 403, Message: "not authorized to perform: " + action + " on resource: " + resource}
	}
	return nil
}

// named is a service that names the resource of its one operation.
type named struct{ noOperations }

func (named) Authorization(op string, in *localcloud.Request) (string, []string) {
	return "states:" + op, []string{"arn:aws:states:us-east-1:123456789012:stateMachine:Pizza"}
}

func TestTheRouterAsksTheAuthorizerWithTheCallersKey(t *testing.T) {
	authz := &denyKey{key: "ASIADENIED"}
	server := localcloud.New(nil, named{})
	server.SetAuthorizer(authz)
	server.RegisterHandlerAuthorized("s3", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}), func(r *http.Request) (string, []string) {
		return "s3:GetObject", []string{"arn:aws:s3:::b" + r.URL.Path}
	})
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	as := func(key string) aws.Config {
		cfg := sdkConfig(srv.URL)
		cfg.Credentials = credentials.NewStaticCredentialsProvider(key, "secret", "token")
		return cfg
	}

	_, err := sfn.NewFromConfig(as("ASIADENIED")).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, "AccessDeniedException", api.ErrorCode())
	assert.Contains(t, api.ErrorMessage(), "states:ListStateMachines on resource: arn:aws:states:us-east-1:123456789012:stateMachine:Pizza")

	_, err = sfn.NewFromConfig(as("AKIDALLOWED")).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, "UnknownOperationException", api.ErrorCode(), "an allowed call reaches the service")

	client := func(key string) *s3.Client {
		return s3.NewFromConfig(as(key), func(o *s3.Options) { o.UsePathStyle = true })
	}
	_, err = client("ASIADENIED").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, "AccessDenied", api.ErrorCode(), "S3 answers in its own XML shape")
	_, err = client("AKIDALLOWED").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	require.NoError(t, err)

	authz.mu.Lock()
	defer authz.mu.Unlock()
	assert.Equal(t, []string{
		"ASIADENIED states:ListStateMachines arn:aws:states:us-east-1:123456789012:stateMachine:Pizza",
		"AKIDALLOWED states:ListStateMachines arn:aws:states:us-east-1:123456789012:stateMachine:Pizza",
		"ASIADENIED s3:GetObject arn:aws:s3:::b/b/k",
		"AKIDALLOWED s3:GetObject arn:aws:s3:::b/b/k",
	}, authz.asked)
}

// sessionsOnly is denyKey that also says which keys are its sessions.
type sessionsOnly struct{ denyKey }

func (s *sessionsOnly) IsSession(_ context.Context, key string) bool { return key == s.key }

func TestTheRouterNamesResourcesOnlyForSessionKeys(t *testing.T) {
	authz := &sessionsOnly{denyKey{key: "ASIADENIED"}}
	server := localcloud.New(nil, named{})
	server.SetAuthorizer(authz)
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	for _, key := range []string{"AKIDDEVELOPER", "ASIADENIED"} {
		cfg := sdkConfig(srv.URL)
		cfg.Credentials = credentials.NewStaticCredentialsProvider(key, "secret", "")
		_, _ = sfn.NewFromConfig(cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	}
	authz.mu.Lock()
	defer authz.mu.Unlock()
	assert.Equal(t, []string{"ASIADENIED states:ListStateMachines arn:aws:states:us-east-1:123456789012:stateMachine:Pizza"}, authz.asked,
		"a developer's key is not checked, so nothing is asked for it")
}
