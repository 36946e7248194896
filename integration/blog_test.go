package integration

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/standin"
)

// webhook delivers body to the blog's webhook URL with signature.
func webhook(t testing.TB, body []byte, signature string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, sys.outputs["blog-publishing"]["SanityEventRestApiPostWebhookUrl"], strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("sanity-webhook-signature", signature)
	}
	resp, err := apiClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var answer map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
	return resp.StatusCode, answer
}

// writes counts the requests a stand-in answered that changed something.
func writes(rs []standin.Received) int {
	n := 0
	for _, r := range rs {
		if r.Method == http.MethodPost || r.Method == http.MethodPut {
			if r.Status < 300 && !strings.Contains(string(r.Body), "query FindPost") {
				n++
			}
		}
	}
	return n
}

func TestASignedWebhookPublishesEverywhereOnceAndABadOneNothing(t *testing.T) {
	localOnly(t, "the platforms' stand-ins")
	body := standin.SamplePost()
	st := sys.standins
	count := func() map[string]int {
		return map[string]int{"medium": writes(st.Medium.Requests()), "devto": writes(st.Devto.Requests()),
			"hashnode": writes(st.Hashnode.Requests()), "opensearch": writes(st.OpenSearch.Requests())}
	}
	before := count()
	status, answer := webhook(t, body, standin.SignSanityWebhook("not the secret", body, time.Now()))
	assert.Equal(t, http.StatusUnauthorized, status, "%v", answer)

	status, answer = webhook(t, body, standin.SignSanityWebhook(webhookSecret, body, time.Now()))
	require.Equal(t, http.StatusAccepted, status, "%v", answer)
	require.Equal(t, "started", answer["status"], "%v", answer)
	arn, _ := answer["executionArn"].(string)
	require.NotEmpty(t, arn)
	done := lctest.WaitForExecution(t, sfn.NewFromConfig(sys.cfg), arn, time.Minute)
	require.Equal(t, sfntypes.ExecutionStatusSucceeded, done.Status, "%s: %s", aws.ToString(done.Error), aws.ToString(done.Cause))

	published := count()
	for platform, n := range published {
		assert.Equal(t, 1, n-before[platform], "%s got the post once", platform)
	}

	// Sanity delivers again (a retry): nothing new is started or published.
	status, answer = webhook(t, body, standin.SignSanityWebhook(webhookSecret, body, time.Now()))
	require.Equal(t, http.StatusAccepted, status, "%v", answer)
	assert.Equal(t, "duplicate", answer["status"], "%v", answer)
	assert.Equal(t, published, count(), "a redelivery publishes nothing new")
}
