package states_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states"
)

// machineCase is one definition run on one input, with the outcome the
// cited AWS documentation page states.
type machineCase struct {
	name   string // the behaviour, then the doc page it comes from
	def    string
	input  string
	tasks  states.Tasks
	status string // SUCCEEDED when empty
	output string // JSON, compared as JSON when the status is SUCCEEDED
	err    string
	cause  string // compared when set
}

func (c machineCase) run(t *testing.T) *states.Execution {
	t.Helper()
	def, err := asl.Parse([]byte(c.def))
	require.NoError(t, err)
	tasks := c.tasks
	if tasks == nil {
		tasks = echoTasks
	}
	ex, _ := run(t, def, tasks, c.input)
	want := c.status
	if want == "" {
		want = states.StatusSucceeded
	}
	require.Equal(t, want, ex.Status, "error %s: %s", ex.Error, ex.Cause)
	if want == states.StatusSucceeded {
		assert.JSONEq(t, c.output, string(ex.Output))
	} else {
		assert.Equal(t, c.err, ex.Error)
		if c.cause != "" {
			assert.Equal(t, c.cause, ex.Cause)
		}
	}
	return ex
}

func runCases(t *testing.T, cases []machineCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
}

// echoTasks returns every task's parameters as its result.
var echoTasks = states.TaskFunc(func(_ context.Context, r states.TaskRequest) (any, error) { return r.Parameters, nil })

// one wraps a single state, named S and ending the machine, in a definition.
func one(state string) string {
	return `{"StartAt":"S","States":{"S":` + state + `}}`
}

const doc = "docs.aws.amazon.com/step-functions/latest/dg/"

func TestDataFlow(t *testing.T) {
	in := `{"comment":"This is a test","details":"Default example","who":"Step Functions","n":[1,2,3]}`
	result := states.TaskFunc(func(context.Context, states.TaskRequest) (any, error) { return "Hello, Step Functions!", nil })
	runCases(t, []machineCase{
		{name: "no ResultPath replaces the input with the result " + doc + "input-output-resultpath.html",
			def: one(`{"Type":"Task","Resource":"arn:aws:states:::x:y","End":true}`), input: in, tasks: result,
			output: `"Hello, Step Functions!"`},
		{name: "ResultPath $ replaces the input with the result " + doc + "input-output-resultpath.html",
			def: one(`{"Type":"Task","Resource":"arn:aws:states:::x:y","ResultPath":"$","End":true}`), input: in, tasks: result,
			output: `"Hello, Step Functions!"`},
		{name: "ResultPath null keeps the input " + doc + "input-output-resultpath.html",
			def: one(`{"Type":"Task","Resource":"arn:aws:states:::x:y","ResultPath":null,"End":true}`), input: in, tasks: result,
			output: in},
		{name: "ResultPath $.taskresult adds the result to the input " + doc + "input-output-resultpath.html",
			def: one(`{"Type":"Task","Resource":"arn:aws:states:::x:y","ResultPath":"$.taskresult","End":true}`), input: `{"who":"me"}`, tasks: result,
			output: `{"who":"me","taskresult":"Hello, Step Functions!"}`},
		{name: "ResultPath creates the objects on its way " + doc + "input-output-resultpath.html",
			def: one(`{"Type":"Pass","Result":1,"ResultPath":"$.a.b.c","End":true}`), input: `{}`,
			output: `{"a":{"b":{"c":1}}}`},
		{name: "ResultPath into a non-object fails with States.ResultPathMatchFailure " + doc + "concepts-error-handling.html",
			def: one(`{"Type":"Pass","Result":1,"ResultPath":"$.a.b","End":true}`), input: `{"a":"text"}`,
			status: states.StatusFailed, err: "States.ResultPathMatchFailure"},
		{name: "InputPath selects the effective input " + doc + "input-output-inputpath-params.html",
			def: one(`{"Type":"Pass","InputPath":"$.details","End":true}`), input: in,
			output: `"Default example"`},
		{name: "InputPath null gives an empty object " + doc + "input-output-inputpath-params.html",
			def: one(`{"Type":"Pass","InputPath":null,"End":true}`), input: in,
			output: `{}`},
		{name: "OutputPath null sends an empty object on " + doc + "input-output-example.html",
			def: one(`{"Type":"Pass","OutputPath":null,"End":true}`), input: in,
			output: `{}`},
		{name: "OutputPath selects part of the output " + doc + "input-output-example.html",
			def: one(`{"Type":"Pass","Result":{"x":{"y":2}},"ResultPath":"$.r","OutputPath":"$.r.x","End":true}`), input: `{}`,
			output: `{"y":2}`},
		{name: "Parameters evaluates .$ keys, nested objects and arrays " + doc + "input-output-inputpath-params.html",
			def: one(`{"Type":"Pass","Parameters":{"static":"v","who.$":"$.who","nested":{"first.$":"$.n[0]","list":[1,{"k.$":"$.comment"}]}},"End":true}`), input: in,
			output: `{"static":"v","who":"Step Functions","nested":{"first":1,"list":[1,{"k":"This is a test"}]}}`},
		{name: "Parameters with a multi-node path yields a list " + doc + "amazon-states-language-paths.html",
			def: one(`{"Type":"Pass","Parameters":{"all.$":"$.n[*]"},"End":true}`), input: in,
			output: `{"all":[1,2,3]}`},
		{name: "Parameters with a path selecting nothing fails with States.Runtime " + doc + "input-output-inputpath-params.html",
			def: one(`{"Type":"Pass","Parameters":{"x.$":"$.missing"},"End":true}`), input: in,
			status: states.StatusFailed, err: "States.Runtime"},
		{name: "Parameters calls intrinsic functions " + doc + "intrinsic-functions.html",
			def: one(`{"Type":"Pass","Parameters":{"s.$":"States.Format('Hi {}', $.who)","sum.$":"States.MathAdd($.n[1], 40)"},"End":true}`), input: in,
			output: `{"s":"Hi Step Functions","sum":42}`},
		{name: "ResultSelector shapes the task result before ResultPath " + doc + "input-output-inputpath-params.html",
			def: one(`{"Type":"Task","Resource":"arn:aws:states:::x:y","Parameters":{"Payload":{"v":7},"Meta":"m"},"ResultSelector":{"value.$":"$.Payload.v"},"ResultPath":"$.out","End":true}`), input: `{"keep":true}`,
			output: `{"keep":true,"out":{"value":7}}`},
		{name: "Pass Result false is kept " + doc + "state-pass.html",
			def: one(`{"Type":"Pass","Result":false,"End":true}`), input: in, output: `false`},
		{name: "Pass Result 0 is kept " + doc + "state-pass.html",
			def: one(`{"Type":"Pass","Result":0,"End":true}`), input: in, output: `0`},
		{name: "Pass Result empty string is kept " + doc + "state-pass.html",
			def: one(`{"Type":"Pass","Result":"","End":true}`), input: in, output: `""`},
		{name: "Pass with no Result passes its input " + doc + "state-pass.html",
			def: one(`{"Type":"Pass","End":true}`), input: in, output: in},
	})
}

func TestContextObject(t *testing.T) {
	// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
	// A Pass state's $$.State has no RetryCount, as AWS records (LocalStack's
	// snapshot of test_query_context_object_values).
	def, err := asl.Parse([]byte(`{"StartAt":"First","States":{
		"First":{"Type":"Pass","Next":"Ctx"},
		"Ctx":{"Type":"Pass","Parameters":{
			"execId.$":"$$.Execution.Id","execName.$":"$$.Execution.Name","execInput.$":"$$.Execution.Input",
			"start.$":"$$.Execution.StartTime","role.$":"$$.Execution.RoleArn",
			"state.$":"$$.State.Name","entered.$":"$$.State.EnteredTime","stateObj.$":"$$.State",
			"smId.$":"$$.StateMachine.Id","smName.$":"$$.StateMachine.Name"},"End":true}}}`))
	require.NoError(t, err)
	m, err := states.New(def, states.WithClock(states.NewVirtualClock(epoch)), states.WithName("Orders"), states.WithRoleArn("arn:aws:iam::123456789012:role/r"))
	require.NoError(t, err)
	ex, err := m.Run(context.Background(), []byte(`{"a":1}`), states.WithExecutionName("e1"))
	require.NoError(t, err)
	require.Equal(t, states.StatusSucceeded, ex.Status, ex.Cause)
	assert.JSONEq(t, `{
		"execId":"arn:aws:states:us-east-1:123456789012:execution:Orders:e1","execName":"e1","execInput":{"a":1},
		"start":"2026-01-02T03:04:05.000Z","role":"arn:aws:iam::123456789012:role/r",
		"state":"Ctx","entered":"2026-01-02T03:04:05.000Z","stateObj":{"Name":"Ctx","EnteredTime":"2026-01-02T03:04:05.000Z"},
		"smId":"arn:aws:states:us-east-1:123456789012:stateMachine:Orders","smName":"Orders"}`, string(ex.Output))
}

func TestVariables(t *testing.T) {
	// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
	runCases(t, []machineCase{
		{name: "Assign takes effect when the state finishes, references read entry values " + doc + "workflow-variables.html",
			def: `{"StartAt":"A","States":{
				"A":{"Type":"Pass","Assign":{"x":1},"Next":"B"},
				"B":{"Type":"Pass","Assign":{"x":2,"old.$":"$x"},"Parameters":{"seen.$":"$x"},"Next":"C"},
				"C":{"Type":"Pass","Parameters":{"x.$":"$x","old.$":"$old","prev.$":"$.seen"},"End":true}}}`,
			input: `{}`, output: `{"x":2,"old":1,"prev":1}`},
		{name: "a Task's Assign reads its result as $ " + doc + "workflow-variables.html",
			def: `{"StartAt":"T","States":{
				"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","Parameters":{"price":9},"Assign":{"price.$":"$.price"},"ResultPath":null,"Next":"P"},
				"P":{"Type":"Pass","Parameters":{"p.$":"$price"},"End":true}}}`,
			input: `{}`, output: `{"p":9}`},
		{name: "a Catch's Assign reads the error output " + doc + "workflow-variables.html",
			def: `{"StartAt":"T","States":{
				"T":{"Type":"Task","Resource":"arn:aws:states:::x:y","Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"err.$":"$.Error"},"ResultPath":null,"Next":"P"}],"End":true},
				"P":{"Type":"Pass","Parameters":{"e.$":"$err"},"End":true}}}`,
			tasks: failing("Boom", "bad"), input: `{}`, output: `{"e":"Boom"}`},
	})
}

func failing(name, cause string) states.Tasks {
	return states.TaskFunc(func(context.Context, states.TaskRequest) (any, error) {
		return nil, &states.Error{Name: name, Cause: cause}
	})
}
