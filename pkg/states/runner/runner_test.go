package runner

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/gen"
	"github.com/stepforge/stepforge/workflows"
)

// definitions writes the generated ASL of every workflow's machines to a
// folder, named as mage synth names them, and returns the folder.
func definitions(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, w := range workflows.All() {
		st, err := gen.Generate(w)
		require.NoError(t, err)
		for name, def := range st.ASL {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name+".asl.json"), def, 0o644))
		}
	}
	return dir
}

func input(t *testing.T, v string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "input.json")
	require.NoError(t, os.WriteFile(p, []byte(v), 0o644))
	return p
}

func TestTheSeedsOutcomesFromMockedRuns(t *testing.T) {
	defs := definitions(t)
	mocks := filepath.Join("testdata", "mocks.handmade.json")
	tests := []struct {
		name, machine, testCase, input string
		want                           Result
		waits                          []time.Duration
	}{
		{"pineapple fails the order (seed 001)", "Pizza", "Pineapple", `{"flavour":"pineapple"}`,
			Result{Status: "FAILED", Error: "Failed To Make Pizza", Cause: "They asked for Pineapple", Output: json.RawMessage("null")}, nil},
		{"pepperoni is made", "Pizza", "Pepperoni", `{"flavour":"pepperoni"}`,
			Result{Status: "SUCCEEDED", Output: json.RawMessage(`{"containsPineapple":false}`)}, nil},
		{"two 500s then 200 succeeds (seed 003)", "RetryOn500", "TwoFailuresThenOK", `{}`,
			Result{Status: "SUCCEEDED", Output: json.RawMessage(`{"statusCode":200,"event":{"input":{},"attempt":3}}`)}, []time.Duration{10 * time.Second, 10 * time.Second}},
		{"a throttled invoke is retried", "RetryOn500", "ServiceHiccup", `{}`,
			Result{Status: "SUCCEEDED", Output: json.RawMessage(`{"statusCode":200,"event":{}}`)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Run(context.Background(), filepath.Join(defs, tt.machine+".asl.json"), input(t, tt.input),
				Options{MockConfig: mocks, TestCase: tt.testCase, History: true})
			require.NoError(t, err)
			assert.Equal(t, tt.want.Status, got.Status)
			assert.Equal(t, tt.want.Error, got.Error)
			assert.Equal(t, tt.want.Cause, got.Cause)
			assert.JSONEq(t, string(tt.want.Output), string(got.Output))
			if tt.machine == "RetryOn500" {
				assert.Equal(t, tt.waits, waits(got), "each Wait lasts its 10 s, on the virtual clock")
			}
		})
	}
}

// waits returns how long each Wait state lasted, by the history's clock.
func waits(r *Result) []time.Duration {
	var out []time.Duration
	var entered time.Time
	for _, e := range r.History {
		switch e.Type {
		case "WaitStateEntered":
			entered = *e.Timestamp
		case "WaitStateExited":
			out = append(out, e.Timestamp.Sub(entered))
		}
	}
	return out
}

func TestHistoryIsPrintedOnlyWhenAsked(t *testing.T) {
	defs := definitions(t)
	o := Options{MockConfig: filepath.Join("testdata", "mocks.handmade.json"), TestCase: "Pepperoni"}
	got, err := Run(context.Background(), filepath.Join(defs, "Pizza.asl.json"), input(t, `{"flavour":"ham"}`), o)
	require.NoError(t, err)
	assert.Empty(t, got.History)

	o.History = true
	got, err = Run(context.Background(), filepath.Join(defs, "Pizza.asl.json"), input(t, `{"flavour":"ham"}`), o)
	require.NoError(t, err)
	require.NotEmpty(t, got.History)
	assert.Equal(t, "ExecutionStarted", string(got.History[0].Type))
	assert.Equal(t, "ExecutionSucceeded", string(got.History[len(got.History)-1].Type))
}

func TestNoVerdictIsAnError(t *testing.T) {
	defs := definitions(t)
	pizza := filepath.Join(defs, "Pizza.asl.json")
	mocks := filepath.Join("testdata", "mocks.handmade.json")
	tests := []struct {
		name       string
		def, input string
		o          Options
		want       string
	}{
		{"a task nobody mocks", pizza, `{}`, Options{}, `state "CheckPizza"`},
		{"an unknown test case", pizza, `{}`, Options{MockConfig: mocks, TestCase: "Hawaiian"}, `no test case "Hawaiian"`},
		{"a mock file without a test case", pizza, `{}`, Options{MockConfig: mocks}, "SFN_MOCK_TEST_CASE"},
		{"the mocks of another machine", pizza, `{}`, Options{MockConfig: mocks, TestCase: "Pineapple", MachineName: "Other"}, `no state machine "Other"`},
		{"input that is not JSON", pizza, `{flavour}`, Options{MockConfig: mocks, TestCase: "Pineapple"}, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.def, input(t, tt.input), tt.o)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestTheMachineIsNamedAfterItsFile(t *testing.T) {
	assert.Equal(t, "Pizza", machineName("build/asl/Pizza.asl.json"))
	assert.Equal(t, "Pizza", machineName("Pizza.json"))
	assert.Equal(t, "Pizza.yaml", machineName("Pizza.yaml"))
}

func TestOptionsComeFromTheEnvironment(t *testing.T) {
	env := map[string]string{"SFN_MOCK_CONFIG": "m.json", "SFN_MOCK_TEST_CASE": "Happy", "SFN_STATE_MACHINE_NAME": "M", "SFN_HISTORY": "true"}
	assert.Equal(t, Options{MockConfig: "m.json", TestCase: "Happy", MachineName: "M", History: true}, OptionsFromEnv(func(k string) string { return env[k] }))
}

// A mocked callback task gets its mocked response as the callback's outcome,
// as Step Functions Local does, instead of waiting for a token forever.
func TestAMockedCallbackTaskCompletesWithItsResponse(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "Approval.asl.json")
	require.NoError(t, os.WriteFile(def, []byte(`{"StartAt":"AskForApproval","States":{"AskForApproval":{"Type":"Task",
		"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},
		"Catch":[{"ErrorEquals":["Rejected"],"Next":"Refused"}],"End":true},
		"Refused":{"Type":"Fail","Error":"Refused","Cause":"Not approved"}}}`), 0o644))
	mocks := filepath.Join(dir, "mocks.json")
	require.NoError(t, os.WriteFile(mocks, []byte(`{"StateMachines":{"Approval":{"TestCases":{
		"Approved":{"AskForApproval":"Yes"},"Rejected":{"AskForApproval":"No"}}}},
		"MockedResponses":{"Yes":{"0":{"Return":{"approved":true}}},"No":{"0":{"Throw":{"Error":"Rejected","Cause":"by a human"}}}}}`), 0o644))

	got, err := Run(context.Background(), def, input(t, `{}`), Options{MockConfig: mocks, TestCase: "Approved"})
	require.NoError(t, err)
	assert.Equal(t, "SUCCEEDED", got.Status)
	assert.JSONEq(t, `{"approved":true}`, string(got.Output))

	got, err = Run(context.Background(), def, input(t, `{}`), Options{MockConfig: mocks, TestCase: "Rejected"})
	require.NoError(t, err)
	assert.Equal(t, "FAILED", got.Status)
	assert.Equal(t, "Refused", got.Error)
}

func TestDistributedMapOnAFolder(t *testing.T) {
	// SFN_S3_DIR makes a folder the S3 of a distributed Map: items are read
	// from its files and results written into it.
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "in"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "in", "rows.csv"), []byte("n\n1\n2\n"), 0o644))
	def := filepath.Join(t.TempDir(), "m.asl.json")
	require.NoError(t, os.WriteFile(def, []byte(`{"StartAt":"Fan","States":{"Fan":{"Type":"Map",
	 "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV"},"Parameters":{"Bucket":"in","Key":"rows.csv"}},
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
	 "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"r"}},"End":true}}}`), 0o644))
	opts := OptionsFromEnv(func(k string) string { return map[string]string{"SFN_S3_DIR": dir}[k] })
	res, err := Run(context.Background(), def, input(t, `{}`), opts)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", res.Status, "%s: %s", res.Error, res.Cause)
	var out struct{ ResultWriterDetails struct{ Bucket, Key string } }
	require.NoError(t, json.Unmarshal(res.Output, &out))
	manifest, err := os.ReadFile(filepath.Join(dir, "out", filepath.FromSlash(out.ResultWriterDetails.Key)))
	require.NoError(t, err)
	assert.Contains(t, string(manifest), `"SUCCEEDED":[{"Key":"r/`)

	_, err = DirStore(dir).GetObject(context.Background(), "in", "../../etc/passwd")
	assert.Error(t, err, "a key cannot leave the folder")
}
