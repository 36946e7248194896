package mock

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func load(t *testing.T) *Config {
	t.Helper()
	c, err := Load(filepath.Join("testdata", "aws-doc-example.handmade.json"))
	require.NoError(t, err)
	return c
}

// The retry path of AWS's example: invocation 0 throws ResourceNotReady,
// 1 and 2 time out, 3 returns (sfn-local-mock-cfg-file.html).
func TestTheDocumentedRetryPathAnswersEachInvocationInTurn(t *testing.T) {
	tc, err := load(t).TestCase("LambdaSQSIntegration", "RetryPath")
	require.NoError(t, err)
	var got []string
	for range 4 {
		r, err := tc.Next("LambdaState")
		require.NoError(t, err)
		if r.Throw != nil {
			got = append(got, r.Throw.Error)
		} else {
			var v struct{ StatusCode int }
			require.NoError(t, json.Unmarshal(r.Return, &v))
			got = append(got, fmt.Sprintf("return %d", v.StatusCode))
		}
	}
	assert.Equal(t, []string{"Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException", "return 200"}, got)

	_, err = tc.Next("LambdaState")
	assert.ErrorContains(t, err, "no answer for invocation 4", "past the last number is an error, never a guess")
}

func TestEachExecutionCountsItsOwnInvocations(t *testing.T) {
	c := load(t)
	for range 2 {
		tc, err := c.TestCase("LambdaSQSIntegration", "HappyPath")
		require.NoError(t, err)
		r, err := tc.Next("SQSState")
		require.NoError(t, err)
		assert.JSONEq(t, `{"MD5OfMessageBody":"3bcb6e8e-7h85-4375-b0bc-1a59812c6e51","MessageId":"3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}`, string(r.Return))
	}
}

func TestAHybridCaseMocksOnlyTheStatesItNames(t *testing.T) {
	tc, err := load(t).TestCase("LambdaSQSIntegration", "HybridPath")
	require.NoError(t, err)
	assert.True(t, tc.Mocked("LambdaState"))
	assert.False(t, tc.Mocked("SQSState"), "an unmocked state calls the real integration")
	_, err = tc.Next("SQSState")
	assert.Error(t, err)
}

func TestConcurrentInvocationsGetDistinctNumbers(t *testing.T) {
	tc, err := load(t).TestCase("LambdaSQSIntegration", "RetryPath")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	errs := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := tc.Next("LambdaState"); err != nil {
				mu.Lock()
				errs++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, errs, "four invocations use the four numbers 0-3")
}

func TestUnknownMachinesAndCasesAreNamed(t *testing.T) {
	c := load(t)
	_, err := c.TestCase("Nope", "HappyPath")
	assert.ErrorContains(t, err, `"LambdaSQSIntegration"`)
	_, err = c.TestCase("LambdaSQSIntegration", "SadPath")
	assert.ErrorContains(t, err, `"HappyPath"`)
}

func TestFilesStepFunctionsLocalWouldRefuseAreRefused(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"undefined response", `{"StateMachines":{"M":{"TestCases":{"T":{"S":"Missing"}}}},"MockedResponses":{}}`, `names the mocked response "Missing"`},
		{"both Return and Throw", `{"MockedResponses":{"R":{"0":{"Return":1,"Throw":{"Error":"E"}}}}}`, "both Return and Throw"},
		{"neither", `{"MockedResponses":{"R":{"0":{}}}}`, "neither Return nor Throw"},
		{"bad key", `{"MockedResponses":{"R":{"first":{"Return":1}}}}`, `"first" is neither a number nor a range`},
		{"backwards range", `{"MockedResponses":{"R":{"3-1":{"Return":1}}}}`, "neither a number nor a range"},
		{"overlap", `{"MockedResponses":{"R":{"0-2":{"Return":1},"2":{"Return":2}}}}`, "overlap"},
		{"throw without error", `{"MockedResponses":{"R":{"0":{"Throw":{"Cause":"c"}}}}}`, "Throw has no Error"},
		{"unknown field", `{"StateMachine":{}}`, "unknown field"},
		{"no invocations", `{"MockedResponses":{"R":{}}}`, "no invocations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.file))
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestAReturnOfNullIsAReturn(t *testing.T) {
	c, err := Parse([]byte(`{"StateMachines":{"M":{"TestCases":{"T":{"S":"R"}}}},"MockedResponses":{"R":{"0":{"Return":null}}}}`))
	// json.RawMessage keeps "null", so a mocked null result is told apart from no Return.
	require.NoError(t, err)
	tc, err := c.TestCase("M", "T")
	require.NoError(t, err)
	r, err := tc.Next("S")
	require.NoError(t, err)
	assert.Equal(t, "null", string(r.Return))
}
