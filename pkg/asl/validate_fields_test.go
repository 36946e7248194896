package asl_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stepforge/stepforge/pkg/asl"
)

// TestFieldsOutOfPlaceAreReported pins the rules about which fields a
// state may have: by its type (only parsed documents can break those) and
// by its query language.
func TestFieldsOutOfPlaceAreReported(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want asl.Problem
	}{
		{
			name: "ResultPath on Fail",
			doc:  `{"StartAt":"F","States":{"F":{"Type":"Fail","ResultPath":"$.x"}}}`,
			want: asl.Problem{Path: "States.F", Message: `field "ResultPath" is not allowed in a Fail state`},
		},
		{
			name: "Parameters on Succeed",
			doc:  `{"StartAt":"S","States":{"S":{"Type":"Succeed","Parameters":{}}}}`,
			want: asl.Problem{Path: "States.S", Message: `field "Parameters" is not allowed in a Succeed state`},
		},
		{
			name: "Retry on Pass",
			doc:  `{"StartAt":"P","States":{"P":{"Type":"Pass","Retry":[],"End":true}}}`,
			want: asl.Problem{Path: "States.P", Message: `field "Retry" is not allowed in a Pass state`},
		},
		{
			name: "Next on Choice",
			doc:  `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"Next":"E"}],"Next":"E"},"E":{"Type":"Succeed"}}}`,
			want: asl.Problem{Path: "States.C", Message: `field "Next" is not allowed in a Choice state`},
		},
		{
			name: "unknown field in a retrier",
			doc:  `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["X"],"Backoff":2}],"End":true}}}`,
			want: asl.Problem{Path: "States.T.Retry[0]", Message: `field "Backoff" is not allowed in a retrier`},
		},
		{
			name: "unknown field in a state machine",
			doc:  `{"StartAt":"S","Sates":{},"States":{"S":{"Type":"Succeed"}}}`,
			want: asl.Problem{Path: "Sates", Message: `"Sates" is not a field of a state machine`},
		},
		{
			name: "InputPath in a JSONata state",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.a","End":true}}}`,
			want: asl.Problem{Path: "States.P", Message: "InputPath is not allowed in a JSONata state"},
		},
		{
			name: "ResultSelector in a JSONata Task",
			doc:  `{"StartAt":"T","States":{"T":{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","ResultSelector":{"a.$":"$.b"},"End":true}}}`,
			want: asl.Problem{Path: "States.T", Message: "ResultSelector is not allowed in a JSONata state"},
		},
		{
			name: "ItemsPath in a JSONata Map",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.a","ItemProcessor":{"StartAt":"E","States":{"E":{"Type":"Succeed"}}},"End":true}}}`,
			want: asl.Problem{Path: "States.M", Message: "ItemsPath is not allowed in a JSONata state"},
		},
		{
			name: "ResultPath in a JSONata catcher",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.e","Next":"E"}],"End":true},"E":{"Type":"Succeed"}}}`,
			want: asl.Problem{Path: "States.T.Catch[0]", Message: "ResultPath is not allowed in a JSONata state"},
		},
		{
			name: "Arguments in a JSONPath state",
			doc:  `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"a":1},"End":true}}}`,
			want: asl.Problem{Path: "States.T", Message: "Arguments is not allowed in a JSONPath state"},
		},
		{
			name: "Output in a JSONPath state",
			doc:  `{"StartAt":"P","States":{"P":{"Type":"Pass","Output":{"a":1},"End":true}}}`,
			want: asl.Problem{Path: "States.P", Message: "Output is not allowed in a JSONPath state"},
		},
		{
			name: "Condition in a JSONPath state",
			doc:  `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% true %}","Next":"E"}]},"E":{"Type":"Succeed"}}}`,
			want: asl.Problem{Path: "States.C.Choices[0]", Message: "Condition is not allowed in a JSONPath state"},
		},
		{
			name: "Items in a JSONPath state",
			doc:  `{"StartAt":"M","States":{"M":{"Type":"Map","Items":[1,2],"ItemProcessor":{"StartAt":"E","States":{"E":{"Type":"Succeed"}}},"End":true}}}`,
			want: asl.Problem{Path: "States.M", Message: "Items is not allowed in a JSONPath state"},
		},
		{
			name: "JSONata TimeoutSeconds in a JSONPath state",
			doc:  `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":"{% 5 %}","End":true}}}`,
			want: asl.Problem{Path: "States.T", Message: "TimeoutSeconds as a JSONata expression is not allowed in a JSONPath state"},
		},
		{
			name: "comparison operator in a JSONata rule",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% true %}","Variable":"$.a","IsNull":true,"Next":"E"}]},"E":{"Type":"Succeed"}}}`,
			want: asl.Problem{Path: "States.C.Choices[0]", Message: "Variable is not allowed in a JSONata state"},
		},
		{
			name: "JSONPath state in a JSONata machine",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`,
			want: asl.Problem{Path: "States.P", Message: "a state machine whose QueryLanguage is JSONata cannot hold JSONPath states"},
		},
		{
			name: "unknown query language",
			doc:  `{"QueryLanguage":"XPath","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`,
			want: asl.Problem{Path: "QueryLanguage", Message: `QueryLanguage "XPath" is neither JSONPath nor JSONata`},
		},
		{
			name: "Condition that is not an expression",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"$states.input.ok","Next":"E"}]},"E":{"Type":"Succeed"}}}`,
			want: asl.Problem{Path: "States.C.Choices[0]", Message: `Condition "$states.input.ok" must be a JSONata expression written "{% ... %}"`},
		},
		{
			name: "JSONata rule without Condition",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Next":"E"}]},"E":{"Type":"Succeed"}}}`,
			want: asl.Problem{Path: "States.C.Choices[0]", Message: "a JSONata choice rule needs a Condition"},
		},
		{
			name: "half-open JSONata expression in a template",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":{"a":{"b":"{% $states.input"}},"End":true}}}`,
			want: asl.Problem{Path: "States.P.Output.a.b", Message: `"{% $states.input" is not a JSONata expression: write "{% ... %}"`},
		},
		{
			name: "Arguments as a plain string",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":"$states.input","End":true}}}`,
			want: asl.Problem{Path: "States.T", Message: `Arguments must be a JSON value or a JSONata expression "{% ... %}", not the string "$states.input"`},
		},
		{
			name: "empty JSONata expression",
			doc:  `{"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait","Seconds":"{%  %}","End":true}}}`,
			want: asl.Problem{Path: "States.W", Message: `Seconds "{%  %}" must be a JSONata expression written "{% ... %}"`},
		},
		{
			name: "Assign with an invalid variable name",
			doc:  `{"StartAt":"P","States":{"P":{"Type":"Pass","Assign":{"2fast":1},"End":true}}}`,
			want: asl.Problem{Path: "States.P.Assign.2fast", Message: `"2fast" is not a variable name: use letters, digits and _, not starting with a digit`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, problems(t, parse(t, tt.doc)), tt.want)
		})
	}
}

func TestStateRulesAreReported(t *testing.T) {
	end := &asl.Succeed{Name: "End"}
	task := func(edit func(*asl.Task)) *asl.StateMachine {
		tk := &asl.Task{Name: "T", Resource: asl.LambdaInvoke, End: true}
		edit(tk)
		return machine(tk)
	}
	inline := func(edit func(*asl.Map)) *asl.StateMachine {
		m := &asl.Map{Name: "M", ItemProcessor: &asl.ItemProcessor{StartAt: "End", States: asl.States{end}}, End: true}
		edit(m)
		return machine(m)
	}
	tests := []struct {
		name    string
		machine *asl.StateMachine
		want    asl.Problem
	}{
		{
			name:    "Wait with two durations",
			machine: machine(&asl.Wait{Name: "W", Seconds: asl.Int(5), TimestampPath: "$.at", End: true}),
			want:    asl.Problem{Path: "States.W", Message: "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath, has 2"},
		},
		{
			name:    "Wait until a malformed timestamp",
			machine: machine(&asl.Wait{Name: "W", Timestamp: "2026-01-02 15:04", End: true}),
			want:    asl.Problem{Path: "States.W", Message: `Timestamp "2026-01-02 15:04" is not an RFC 3339 timestamp such as 2026-01-02T15:04:05Z`},
		},
		{
			name:    "Fail with Error and ErrorPath",
			machine: machine(&asl.Fail{Name: "F", Error: "E", ErrorPath: "$.e"}),
			want:    asl.Problem{Path: "States.F", Message: "set only one of Error and ErrorPath"},
		},
		{
			name:    "Fail with Cause and CausePath",
			machine: machine(&asl.Fail{Name: "F", Cause: "C", CausePath: "$.c"}),
			want:    asl.Problem{Path: "States.F", Message: "set only one of Cause and CausePath"},
		},
		{
			name:    "Task without Resource",
			machine: task(func(t *asl.Task) { t.Resource = "" }),
			want:    asl.Problem{Path: "States.T", Message: "a Task state needs a Resource"},
		},
		{
			name:    "Task Resource neither ARN nor placeholder",
			machine: task(func(t *asl.Task) { t.Resource = "my-function" }),
			want:    asl.Problem{Path: "States.T", Message: `Resource "my-function" is neither an ARN nor a ${Placeholder}`},
		},
		{
			name:    "TimeoutSeconds and TimeoutSecondsPath",
			machine: task(func(t *asl.Task) { t.TimeoutSeconds, t.TimeoutSecondsPath = asl.Int(5), "$.t" }),
			want:    asl.Problem{Path: "States.T", Message: "set only one of TimeoutSeconds and TimeoutSecondsPath"},
		},
		{
			name:    "HeartbeatSeconds not below TimeoutSeconds",
			machine: task(func(t *asl.Task) { t.TimeoutSeconds, t.HeartbeatSeconds = asl.Int(60), asl.Int(60) }),
			want:    asl.Problem{Path: "States.T", Message: "HeartbeatSeconds (60) must be smaller than TimeoutSeconds (60)"},
		},
		{
			name:    "TimeoutSeconds zero",
			machine: task(func(t *asl.Task) { t.TimeoutSeconds = asl.Int(0) }),
			want:    asl.Problem{Path: "States.T", Message: "TimeoutSeconds must be a positive number of seconds, not 0"},
		},
		{
			name:    "HeartbeatSeconds negative",
			machine: task(func(t *asl.Task) { t.HeartbeatSeconds = asl.Int(-5) }),
			want:    asl.Problem{Path: "States.T", Message: "HeartbeatSeconds must be a positive number of seconds, not -5"},
		},
		{
			name:    "Parallel without branches",
			machine: machine(&asl.Parallel{Name: "P", End: true}),
			want:    asl.Problem{Path: "States.P", Message: "a Parallel state needs at least one branch in Branches"},
		},
		{
			name:    "Map without processor",
			machine: machine(&asl.Map{Name: "M", End: true}),
			want:    asl.Problem{Path: "States.M", Message: "a Map state needs an ItemProcessor"},
		},
		{
			name:    "ToleratedFailurePercentage above 100",
			machine: distributedWith(func(m *asl.Map) { m.ToleratedFailurePercentage = asl.Float(150) }),
			want:    asl.Problem{Path: "States.ProcessCSV", Message: "ToleratedFailurePercentage must be between 0 and 100, not 150"},
		},
		{
			name:    "distributed Map without ExecutionType",
			machine: distributedWith(func(m *asl.Map) { m.ItemProcessor.ProcessorConfig.ExecutionType = "" }),
			want:    asl.Problem{Path: "States.ProcessCSV.ItemProcessor.ProcessorConfig", Message: `a distributed Map needs ExecutionType STANDARD or EXPRESS, not ""`},
		},
		{
			name:    "ItemReader on an inline Map",
			machine: inline(func(m *asl.Map) { m.ItemReader = &asl.ItemReader{Resource: "arn:aws:states:::s3:getObject"} }),
			want:    asl.Problem{Path: "States.M", Message: "ItemReader is only allowed in a distributed Map (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED)"},
		},
		{
			name:    "ToleratedFailureCount on an inline Map",
			machine: inline(func(m *asl.Map) { m.ToleratedFailureCount = asl.Int(1) }),
			want:    asl.Problem{Path: "States.M", Message: "ToleratedFailureCount is only allowed in a distributed Map (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED)"},
		},
		{
			name:    "Label on an inline Map",
			machine: inline(func(m *asl.Map) { m.Label = "L" }),
			want:    asl.Problem{Path: "States.M", Message: "Label is only allowed in a distributed Map (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED)"},
		},
		{
			name:    "ItemBatcher without a limit",
			machine: distributedWith(func(m *asl.Map) { m.ItemBatcher = &asl.ItemBatcher{BatchInput: asl.Object{"a": 1}} }),
			want:    asl.Problem{Path: "States.ProcessCSV.ItemBatcher", Message: "an ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch"},
		},
		{
			name:    "Next leaving a Map processor",
			machine: inline(func(m *asl.Map) { m.ItemProcessor.States = asl.States{&asl.Pass{Name: "End", Next: "M"}} }),
			want:    asl.Problem{Path: "States.M.ItemProcessor.States.End", Message: `Next "M" is not a state here: it is declared at States.M, and a transition cannot enter or leave a Parallel branch or Map processor`},
		},
		{
			name:    "state name longer than 80 characters",
			machine: machine(&asl.Succeed{Name: strings.Repeat("n", 81)}),
			want:    asl.Problem{Path: "States." + strings.Repeat("n", 81), Message: "state name is 81 characters long; the limit is 80"},
		},
		{
			name: "state name used twice across branches",
			machine: machine(&asl.Parallel{Name: "P", End: true, Branches: []asl.Branch{
				{StartAt: "Same", States: asl.States{&asl.Succeed{Name: "Same"}}},
				{StartAt: "Same", States: asl.States{&asl.Succeed{Name: "Same"}}},
			}}),
			want: asl.Problem{Path: "States.P.Branches[1].States.Same", Message: `state name "Same" is already used at States.P.Branches[0].States.Same; names must be unique in the whole machine`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, problems(t, tt.machine), tt.want)
		})
	}
}

// distributedWith breaks the distributed Map fixture.
func distributedWith(breakIt func(*asl.Map)) *asl.StateMachine {
	m := distributedMap()
	breakIt(m.States[0].(*asl.Map))
	return m
}
