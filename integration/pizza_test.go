package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// syncResult is the sync-execution result the pizza seed shows the caller.
type syncResult struct {
	BillingDetails struct {
		BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
		BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
	} `json:"billingDetails"`
	ExecutionArn    string  `json:"executionArn"`
	Input           string  `json:"input"`
	Name            string  `json:"name"`
	Output          *string `json:"output"`
	StartDate       float64 `json:"startDate"`
	StopDate        float64 `json:"stopDate"`
	StateMachineArn string  `json:"stateMachineArn"`
	Status          string  `json:"status"`
	Error           string  `json:"error"`
	Cause           string  `json:"cause"`
	TraceHeader     string  `json:"traceHeader"`
	InputDetails    *struct {
		Included bool `json:"included"`
	} `json:"inputDetails"`
}

// post sends body to an API URL as printed in the stack's outputs.
func post(t testing.TB, url, contentType, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := apiClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, out
}

// apiClient reaches the APIs at their printed URLs
// (http://<id>.execute-api.localhost:<port>/...): *.localhost is this
// machine (RFC 6761), which the dialer is told, since not every resolver
// knows it.
var apiClient = &http.Client{Timeout: 60 * time.Second, Transport: localcloud.LocalhostTransport()}

func TestPizzaRefusesPineappleAndMakesPepperoni(t *testing.T) {
	url := sys.outputs["pizza"]["PizzaHttpApiPostPizzaUrl"]
	require.NotEmpty(t, url)
	for _, flavour := range []string{"pineapple", "hawaiian"} {
		status, body := post(t, url, "application/json", `{"flavour":"`+flavour+`"}`)
		require.Equal(t, http.StatusOK, status, "%s", body)
		var r syncResult
		require.NoError(t, json.Unmarshal(body, &r), "%s", body)
		assert.Equal(t, "FAILED", r.Status, flavour)
		assert.Equal(t, "Failed To Make Pizza", r.Error, flavour)
		assert.Equal(t, "They asked for Pineapple", r.Cause, flavour)
		assert.Nil(t, r.Output, flavour)
		assert.Equal(t, int64(64), r.BillingDetails.BilledMemoryUsedInMB)
		assert.Contains(t, r.TraceHeader, "Root=1-")
		assert.Contains(t, r.ExecutionArn, ":express:")
	}
	status, body := post(t, url, "application/json", `{"flavour":"pepperoni"}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var r syncResult
	require.NoError(t, json.Unmarshal(body, &r), "%s", body)
	assert.Equal(t, "SUCCEEDED", r.Status)
	require.NotNil(t, r.Output)
	assert.JSONEq(t, `{"containsPineapple":false}`, *r.Output)
	assert.Equal(t, `{"flavour":"pepperoni"}`, r.Input)
}

func TestAThousandConcurrentPizzasAreEachAnsweredCorrectly(t *testing.T) {
	url := sys.outputs["pizza"]["PizzaHttpApiPostPizzaUrl"]
	const n = 1000
	flavours := []string{"pepperoni", "pineapple", "margherita", "hawaiian"}
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			flavour := flavours[i%len(flavours)]
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"flavour":"`+flavour+`"}`))
			resp, err := apiClient.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer resp.Body.Close()
			var r syncResult
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK {
				errs <- flavour + ": " + resp.Status
				return
			}
			refused := strings.Contains(flavour, "pineapple") || flavour == "hawaiian"
			switch {
			case refused && (r.Status != "FAILED" || r.Error != "Failed To Make Pizza"):
				errs <- flavour + " answered " + r.Status
			case !refused && (r.Status != "SUCCEEDED" || r.Output == nil || *r.Output != `{"containsPineapple":false}`):
				errs <- flavour + " answered " + r.Status + " " + r.Error + " " + r.Cause
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	var all []string
	for e := range errs {
		all = append(all, e)
	}
	assert.Empty(t, all, "every one of %d requests answered correctly", n)
}
