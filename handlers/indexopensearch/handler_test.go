package main

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/blog/blogtest"
	"github.com/stepforge/stepforge/pkg/envconfig"
	"github.com/stepforge/stepforge/pkg/golden"
)

const (
	accessKey    = "AKIDEXAMPLE7Q2W3E4R"
	secretKey    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	sessionToken = "IQoJb3JpZ2luX2VjEHUaCWV1LXdlc3QtMSJHMEUCIQDexampleSessionToken"
	region       = "eu-west-1"
	postID       = "7f3c2a9e-51b4-4d0e-9a61-2c8e4b7d1f05"
)

var indexedAt = time.Date(2023, 6, 23, 9, 31, 7, 0, time.UTC)

// roleConfig is the AWS configuration a function role would give: the
// region and temporary credentials.
func roleConfig(context.Context) (aws.Config, error) {
	return aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, sessionToken),
	}, nil
}

// setup returns a handler configured like the deployed function but writing
// to the fake domain at endpoint, with a fixed clock.
func setup(endpoint string, env map[string]string, load func(context.Context) (aws.Config, error)) *handler {
	h := fromEnv(envconfig.Map(map[string]string{"OPENSEARCH_ENDPOINT": endpoint}, env), load)
	h.now = func() time.Time { return indexedAt }
	return h
}

// invoke runs h as the Lambda runtime runs the deployed function.
func invoke(t *testing.T, h *handler, payload []byte) (blog.Result, *messages.InvokeResponse_Error, string) {
	t.Helper()
	return blogtest.Invoke(t, h.handle, "indexopensearch", payload)
}

// Where the test posts are indexed, and at which version: their updatedAt in
// unix milliseconds.
const (
	postTarget  = "PUT /posts/_doc/" + postID + "?version=1687512602000&version_type=external"
	oddIDTarget = "PUT /posts/_doc/drafts%2F2023%2006%3Frev=2?version=1688205600000&version_type=external"
	canonical   = "https://cloudysky.link/blog/automating-aws-step-functions"
)

func TestIndexesThePostUnderItsIDAtItsVersion(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		post    string
		target  string
		reply   blogtest.Reply
		golden  string
		want    blog.Result
		wantLog string // the internal document location, after the endpoint
		region  string
	}{
		{
			name:    "first indexing creates the document and returns the canonical URL",
			post:    "post.handmade.json",
			target:  postTarget,
			reply:   blogtest.Reply{Status: 201, File: "created.handmade.json"},
			golden:  "golden/document.json",
			want:    blog.Result{Platform: "opensearch", ID: postID, URL: canonical, Action: blog.ActionCreated},
			wantLog: "/posts/_doc/" + postID,
			region:  region,
		},
		{
			name:    "an edit replaces the older copy in the configured index and region",
			env:     map[string]string{"OPENSEARCH_INDEX": "blog-posts", "OPENSEARCH_REGION": "us-east-1"},
			post:    "post.handmade.json",
			target:  "PUT /blog-posts/_doc/" + postID + "?version=1687512602000&version_type=external",
			reply:   blogtest.Reply{Status: 200, File: "updated.handmade.json"},
			golden:  "golden/document.json",
			want:    blog.Result{Platform: "opensearch", ID: postID, URL: canonical, Action: blog.ActionUpdated},
			wantLog: "/blog-posts/_doc/" + postID,
			region:  "us-east-1",
		},
		{
			name:    "an id that is not path-safe stays one path segment, and no canonical URL means no URL",
			post:    "post-odd-id.handmade.json",
			target:  oddIDTarget,
			reply:   blogtest.Reply{Status: 201, File: "created-odd-id.handmade.json"},
			golden:  "golden/document-odd-id.json",
			want:    blog.Result{Platform: "opensearch", ID: "drafts/2023 06?rev=2", Action: blog.ActionCreated},
			wantLog: "/posts/_doc/drafts%2F2023%2006%3Frev=2",
			region:  region,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			domain := blogtest.NewReplay(t, map[string]blogtest.Reply{tt.target: tt.reply})
			h := setup(domain.URL, tt.env, roleConfig)

			got, fail, logs := invoke(t, h, blogtest.ReadFile(t, tt.post))

			require.Nil(t, fail)
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got.URL, domain.URL, "a reader cannot open the domain's document URL")
			reqs := domain.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
			assert.Equal(t, sessionToken, reqs[0].Header.Get("X-Amz-Security-Token"))
			assert.Equal(t, "20230623T093107Z", reqs[0].Header.Get("X-Amz-Date"))
			assertSigned(t, reqs[0], aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey, SessionToken: sessionToken}, tt.region)
			golden.AssertJSON(t, filepath.Join("testdata", tt.golden), reqs[0].Body)
			assert.Contains(t, logs, "indexed in OpenSearch")
			assert.Contains(t, logs, domain.URL+tt.wantLog, "the document's location belongs in the log")
			for _, secret := range []string{secretKey, sessionToken} {
				assert.NotContains(t, logs, secret)
			}
		})
	}
}

func TestACopyAsRecentAsTheStoredOneLeavesItUnchanged(t *testing.T) {
	tests := []struct {
		name  string
		reply string
	}{
		{"a redelivered webhook (same updatedAt) finds its own copy", "version-conflict-same.handmade.json"},
		{"an older execution finishing after a newer one finds the newer copy", "version-conflict-newer.handmade.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			domain := blogtest.NewReplay(t, map[string]blogtest.Reply{postTarget: {Status: 409, File: tt.reply}})
			h := setup(domain.URL, nil, roleConfig)

			got, fail, logs := invoke(t, h, blogtest.ReadFile(t, "post.handmade.json"))

			require.Nil(t, fail, "a version conflict is success, not an error a Retry would repeat")
			assert.Equal(t, blog.Result{Platform: "opensearch", ID: postID, URL: canonical, Action: blog.ActionUnchanged}, got)
			assert.Len(t, domain.Requests(), 1)
			assert.Contains(t, logs, "already indexed in OpenSearch at this version or a newer one")
			assert.Contains(t, logs, "is higher or equal to the one provided")
		})
	}
}

func TestOnlyAVersionConflictCountsAsUnchanged(t *testing.T) {
	// OpenSearch documents its 409 as version_conflict_engine_exception; a
	// 409 that does not say so (here, one without a body) proves nothing
	// about what is indexed.
	domain := blogtest.NewReplay(t, map[string]blogtest.Reply{postTarget: {Status: 409}})
	h := setup(domain.URL, nil, roleConfig)

	_, fail, logs := invoke(t, h, blogtest.ReadFile(t, "post.handmade.json"))

	blogtest.AssertFailed(t, fail, logs, "PlatformRejected", "HTTP 409", secretKey, sessionToken)
}

func TestTheDocumentedReplyIsUnderstood(t *testing.T) {
	// The reply is OpenSearch's own example, for document "1" of index
	// "sample-index"; the post is made to match it.
	domain := blogtest.NewReplay(t, map[string]blogtest.Reply{
		"PUT /sample-index/_doc/1?version=1687512602000&version_type=external": {Status: 201, File: "index-created.json"},
	})
	h := setup(domain.URL, map[string]string{"OPENSEARCH_INDEX": "sample-index"}, roleConfig)

	got, fail, _ := invoke(t, h, []byte(`{"id":"1","title":"Example","body":"To be or not to be","updatedAt":"2023-06-23T09:30:02Z"}`))

	require.Nil(t, fail)
	assert.Equal(t, blog.Result{Platform: "opensearch", ID: "1", Action: blog.ActionCreated}, got)
}

func TestAHangingDomainIsReportedBeforeTheDeadline(t *testing.T) {
	domain := blogtest.NewReplay(t, map[string]blogtest.Reply{postTarget: {Status: 201, File: "created.handmade.json", Delay: time.Minute}})
	h := setup(domain.URL, nil, roleConfig)
	ctx, cancel := context.WithTimeout(context.Background(), blog.Reserve+1500*time.Millisecond)
	defer cancel()

	_, fail, logs := blogtest.InvokeContext(t, ctx, h.handle, "indexopensearch", blogtest.ReadFile(t, "post.handmade.json"))

	blogtest.AssertFailed(t, fail, logs, "PlatformUnavailable", "time budget", secretKey, sessionToken)
	assert.Contains(t, blog.RetryableErrors(), fail.Type)
	assert.NoError(t, ctx.Err(), "the invocation's own deadline passed before the error came back")
}

func TestOpenSearchFailuresReachTheWorkflowTyped(t *testing.T) {
	tests := []struct {
		name        string
		reply       blogtest.Reply
		refused     bool
		wantType    string
		wantMessage string
	}{
		{
			name:        "rejected execution is retryable",
			reply:       blogtest.Reply{Status: 429, File: "error-429.handmade.json"},
			wantType:    "RateLimited",
			wantMessage: "rate-limited",
		},
		{
			name:        "cluster without a manager is retryable",
			reply:       blogtest.Reply{Status: 503, File: "error-503.handmade.json"},
			wantType:    "PlatformUnavailable",
			wantMessage: "cluster_block_exception",
		},
		{
			name:        "internal error is retryable",
			reply:       blogtest.Reply{Status: 500, File: "error-500.handmade.json"},
			wantType:    "PlatformUnavailable",
			wantMessage: "HTTP 500",
		},
		{
			name:        "role without es:ESHttpPut is permanent",
			reply:       blogtest.Reply{Status: 403, File: "error-403-iam.handmade.json"},
			wantType:    "PlatformRejected",
			wantMessage: "is not authorized to perform: es:ESHttpPut",
		},
		{
			name:        "role unmapped in fine-grained access control is permanent",
			reply:       blogtest.Reply{Status: 403, File: "error-403-fgac.handmade.json"},
			wantType:    "PlatformRejected",
			wantMessage: "security_exception no permissions for [indices:data/write/index]",
		},
		{
			name:        "document the mapping refuses is permanent with the domain's reason",
			reply:       blogtest.Reply{Status: 400, File: "error-400.handmade.json"},
			wantType:    "PlatformRejected",
			wantMessage: "mapper_parsing_exception failed to parse field [createdAt]",
		},
		{
			name:        "unreachable domain is retryable",
			refused:     true,
			wantType:    "PlatformUnavailable",
			wantMessage: "unreachable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := blogtest.RefusedURL(t)
			if !tt.refused {
				endpoint = blogtest.NewReplay(t, map[string]blogtest.Reply{postTarget: tt.reply}).URL
			}
			h := setup(endpoint, nil, roleConfig)

			_, fail, logs := invoke(t, h, blogtest.ReadFile(t, "post.handmade.json"))

			blogtest.AssertFailed(t, fail, logs, tt.wantType, tt.wantMessage, secretKey, sessionToken)
		})
	}
}

func TestNothingIsSentToOpenSearchWhenTheCallCannotSucceed(t *testing.T) {
	post := string(blogtest.ReadFile(t, "post.handmade.json"))
	tests := []struct {
		name     string
		env      map[string]string
		load     func(context.Context) (aws.Config, error)
		payload  string
		wantType string
	}{
		{name: "post without a body", payload: `{"id":"p1","title":"Hello"}`, wantType: "InvalidPost"},
		{name: "post without updatedAt to version it by", payload: `{"id":"p1","title":"Hello","body":"b","createdAt":"2023-06-23T08:12:44Z"}`, wantType: "InvalidPost"},
		{name: "post last updated before 1970", payload: `{"id":"p1","title":"Hello","body":"b","updatedAt":"1969-12-31T23:59:59Z"}`, wantType: "InvalidPost"},
		{name: "index name OpenSearch refuses", env: map[string]string{"OPENSEARCH_INDEX": "Posts"}, payload: post, wantType: "Misconfigured"},
		{
			name: "AWS configuration that cannot load",
			load: func(context.Context) (aws.Config, error) {
				return aws.Config{}, errors.New("load AWS config: failed to get shared config profile, prod")
			},
			payload:  post,
			wantType: "Misconfigured",
		},
		{
			name: "no region",
			load: func(context.Context) (aws.Config, error) {
				return aws.Config{Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")}, nil
			},
			payload:  post,
			wantType: "Misconfigured",
		},
		{
			name: "no credentials",
			load: func(context.Context) (aws.Config, error) {
				return aws.Config{Region: region, Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
					return aws.Credentials{}, errors.New("no EC2 IMDS role found")
				})}, nil
			},
			payload:  post,
			wantType: "Misconfigured",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			domain := blogtest.NewReplay(t, nil)
			load := tt.load
			if load == nil {
				load = roleConfig
			}
			h := setup(domain.URL, tt.env, load)

			_, fail, logs := invoke(t, h, []byte(tt.payload))

			blogtest.AssertFailed(t, fail, logs, tt.wantType, "", secretKey, sessionToken)
			assert.Empty(t, domain.Requests())
		})
	}
}

func TestAWSConfigurationIsLoadedOncePerWarmProcess(t *testing.T) {
	domain := blogtest.NewReplay(t, map[string]blogtest.Reply{postTarget: {Status: 200, File: "updated.handmade.json"}})
	loads := 0
	h := setup(domain.URL, nil, func(ctx context.Context) (aws.Config, error) {
		loads++
		if loads == 1 {
			return aws.Config{}, errors.New("transient")
		}
		return roleConfig(ctx)
	})

	for _, wantFail := range []bool{true, false, false} {
		_, fail, _ := invoke(t, h, blogtest.ReadFile(t, "post.handmade.json"))
		assert.Equal(t, wantFail, fail != nil)
	}

	assert.Equal(t, 2, loads, "a failed load is retried, a good one kept")
}

func TestEndpointAndIndexSettings(t *testing.T) {
	tests := []struct {
		name         string
		endpoint     string
		index        string
		wantEndpoint string
		wantIndex    string
		wantErr      bool
	}{
		{name: "bare host from CloudFormation is https", endpoint: "search-blog-abc123.eu-west-1.es.amazonaws.com", wantEndpoint: "https://search-blog-abc123.eu-west-1.es.amazonaws.com", wantIndex: "posts"},
		{name: "trailing slash is dropped", endpoint: "https://search-blog-abc123.eu-west-1.es.amazonaws.com/", index: "blog-2023", wantEndpoint: "https://search-blog-abc123.eu-west-1.es.amazonaws.com", wantIndex: "blog-2023"},
		{name: "no endpoint is no domain, not an error", wantIndex: "posts"},
		{name: "endpoint of another scheme", endpoint: "ftp://search-blog.example", wantErr: true},
		{name: "upper-case index", endpoint: "https://search.example", index: "Posts", wantErr: true},
		{name: "index starting with an underscore", endpoint: "https://search.example", index: "_all", wantErr: true},
		{name: "index with a path separator", endpoint: "https://search.example", index: "posts/_doc", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fromEnv(envconfig.Map(map[string]string{"OPENSEARCH_ENDPOINT": tt.endpoint, "OPENSEARCH_INDEX": tt.index}), roleConfig)

			if tt.wantErr {
				var mis *envconfig.Misconfigured
				assert.ErrorAs(t, h.misconfigured, &mis)
				return
			}
			require.NoError(t, h.misconfigured)
			assert.Equal(t, tt.wantEndpoint, h.endpoint)
			assert.Equal(t, tt.wantIndex, h.index)
		})
	}
}

func TestNoEndpointMeansIndexingIsSkipped(t *testing.T) {
	for _, ep := range []string{"", "  "} {
		h := fromEnv(envconfig.Map(map[string]string{"OPENSEARCH_ENDPOINT": ep}), func(context.Context) (aws.Config, error) {
			t.Fatal("a skipped post needs no AWS configuration")
			return aws.Config{}, nil
		})
		got, fail, _ := blogtest.Invoke(t, h.handle, "indexopensearch", blogtest.ReadFile(t, "post.handmade.json"))
		require.Nil(t, fail)
		assert.Equal(t, blog.ActionSkipped, got.Action)
		assert.True(t, got.Skipped)
		assert.Contains(t, got.Reason, "OpenSearchEndpoint")
	}
}
