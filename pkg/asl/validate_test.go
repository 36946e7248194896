package asl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
)

func TestValidMachinesHaveNoProblems(t *testing.T) {
	for _, f := range validMachines() {
		t.Run(f.name, func(t *testing.T) {
			assert.NoError(t, f.machine.Validate())
		})
	}
}

// machine wraps states in a machine starting at the first of them.
func machine(states ...asl.State) *asl.StateMachine {
	return &asl.StateMachine{StartAt: states[0].StateName(), States: states}
}

// parse reads a document that Validate, not Parse, must reject.
func parse(t *testing.T, doc string) *asl.StateMachine {
	t.Helper()
	m, err := asl.Parse([]byte(doc))
	require.NoError(t, err)
	return m
}

func problems(t *testing.T, m *asl.StateMachine) []asl.Problem {
	t.Helper()
	err := m.Validate()
	require.Error(t, err, "the machine should be invalid")
	var verr *asl.ValidationError
	require.ErrorAs(t, err, &verr)
	return verr.Problems
}

func TestBrokenMachinesReportTheProblem(t *testing.T) {
	end := &asl.Succeed{Name: "End"}
	tests := []struct {
		name    string
		machine func(t *testing.T) *asl.StateMachine
		want    asl.Problem
	}{
		{
			name:    "StartAt missing",
			machine: func(*testing.T) *asl.StateMachine { return &asl.StateMachine{States: asl.States{end}} },
			want:    asl.Problem{Path: "StartAt", Message: "is missing"},
		},
		{
			name:    "StartAt names no state",
			machine: func(*testing.T) *asl.StateMachine { return &asl.StateMachine{StartAt: "Nope", States: asl.States{end}} },
			want:    asl.Problem{Path: "StartAt", Message: `"Nope" is not a state`},
		},
		{
			name: "Next names no state in a branch",
			machine: func(*testing.T) *asl.StateMachine {
				m := blogPublishing()
				m.States[0].(*asl.Parallel).Branches[1].States[0].(*asl.Task).Next = "Nope"
				m.States[0].(*asl.Parallel).Branches[1].States[0].(*asl.Task).End = false
				return m
			},
			want: asl.Problem{Path: "States.PublishEverywhere.Branches[1].States.PublishDevto", Message: `Next "Nope" is not a state`},
		},
		{
			name: "Next cannot leave a branch",
			machine: func(*testing.T) *asl.StateMachine {
				m := blogPublishing()
				m.States[0].(*asl.Parallel).Branches[0].States[1].(*asl.Pass).End = false
				m.States[0].(*asl.Parallel).Branches[0].States[1].(*asl.Pass).Next = "Published"
				return m
			},
			want: asl.Problem{
				Path:    "States.PublishEverywhere.Branches[0].States.MediumFailed",
				Message: `Next "Published" is not a state here: it is declared at States.Published, and a transition cannot enter or leave a Parallel branch or Map processor`,
			},
		},
		{
			name: "Catch Next names no state",
			machine: func(*testing.T) *asl.StateMachine {
				m := uploadAlarm()
				m.States[0].(*asl.Task).Catch[0].Next = "Alarm"
				return m
			},
			want: asl.Problem{Path: "States.ProcessUpload.Catch[0]", Message: `Next "Alarm" is not a state`},
		},
		{
			name: "Default names no state",
			machine: func(*testing.T) *asl.StateMachine {
				m := pizza()
				m.States[1].(*asl.Choice).Default = "Bake"
				return m
			},
			want: asl.Problem{Path: "States.ContainsPineapple", Message: `Default "Bake" is not a state`},
		},
		{
			name: "state unreachable from StartAt",
			machine: func(*testing.T) *asl.StateMachine {
				return machine(end, &asl.Pass{Name: "Orphan", End: true})
			},
			want: asl.Problem{Path: "States.Orphan", Message: `state is unreachable from StartAt "End"`},
		},
		{
			name: "no terminal state reachable",
			machine: func(*testing.T) *asl.StateMachine {
				return machine(&asl.Pass{Name: "Ping", Next: "Pong"}, &asl.Pass{Name: "Pong", Next: "Ping"})
			},
			want: asl.Problem{Path: "States", Message: "no state reachable from StartAt ends the execution: add End: true, a Succeed or a Fail"},
		},
		{
			name:    "both Next and End",
			machine: func(*testing.T) *asl.StateMachine { return machine(&asl.Pass{Name: "P", Next: "End", End: true}, end) },
			want:    asl.Problem{Path: "States.P", Message: "has both Next and End; a state either moves on or ends"},
		},
		{
			name:    "neither Next nor End",
			machine: func(*testing.T) *asl.StateMachine { return machine(&asl.Wait{Name: "W", Seconds: asl.Int(1)}) },
			want:    asl.Problem{Path: "States.W", Message: "has neither Next nor End"},
		},
		{
			name:    "Choice without rules",
			machine: func(*testing.T) *asl.StateMachine { return machine(&asl.Choice{Name: "C", Default: "End"}, end) },
			want:    asl.Problem{Path: "States.C", Message: "a Choice state needs at least one rule in Choices"},
		},
		{
			name: "top-level choice rule without Next",
			machine: func(*testing.T) *asl.StateMachine {
				return machine(&asl.Choice{Name: "C", Choices: []asl.ChoiceRule{asl.IsPresent("$.x", true)}, Default: "End"}, end)
			},
			want: asl.Problem{Path: "States.C.Choices[0]", Message: "a rule in Choices needs Next"},
		},
		{
			name: "nested choice rule with Next",
			machine: func(*testing.T) *asl.StateMachine {
				rule := asl.Not(asl.IsPresent("$.x", true).Then("End")).Then("End")
				return machine(&asl.Choice{Name: "C", Choices: []asl.ChoiceRule{rule}}, end)
			},
			want: asl.Problem{Path: "States.C.Choices[0].Not", Message: "a rule inside And, Or or Not cannot have Next"},
		},
		{
			name: "comparison without operator",
			machine: func(*testing.T) *asl.StateMachine {
				return machine(&asl.Choice{Name: "C", Choices: []asl.ChoiceRule{{Variable: "$.x", Next: "End"}}}, end)
			},
			want: asl.Problem{Path: "States.C.Choices[0]", Message: "a choice rule needs one comparison operator (StringEquals, NumericEquals, IsPresent, ...) or one of And, Or and Not"},
		},
		{
			name: "comparison with two operators",
			machine: func(*testing.T) *asl.StateMachine {
				rule := asl.NumericEquals("$.x", 1).Then("End")
				rule.IsPresent = new(bool)
				return machine(&asl.Choice{Name: "C", Choices: []asl.ChoiceRule{rule}}, end)
			},
			want: asl.Problem{Path: "States.C.Choices[0]", Message: "a choice rule takes one operator, this one has 2: NumericEquals, IsPresent"},
		},
		{
			name: "comparison without Variable",
			machine: func(t *testing.T) *asl.StateMachine {
				return parse(t, `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"StringEquals":"a","Next":"E"}],"Default":"E"},"E":{"Type":"Succeed"}}}`)
			},
			want: asl.Problem{Path: "States.C.Choices[0]", Message: "a comparison needs the Variable it compares"},
		},
		{
			name: "invalid timestamp operand",
			machine: func(*testing.T) *asl.StateMachine {
				rule := asl.TimestampLessThan("$.at", "yesterday").Then("End")
				return machine(&asl.Choice{Name: "C", Choices: []asl.ChoiceRule{rule}}, end)
			},
			want: asl.Problem{Path: "States.C.Choices[0]", Message: `TimestampLessThan "yesterday" is not an RFC 3339 timestamp such as 2026-01-02T15:04:05Z`},
		},
		{
			name: "retrier after one matching States.ALL",
			machine: func(*testing.T) *asl.StateMachine {
				m := uploadAlarm()
				task := m.States[0].(*asl.Task)
				task.Retry = []asl.Retrier{{ErrorEquals: []string{asl.ErrorAll}}, lambdaRetry()}
				return m
			},
			want: asl.Problem{Path: "States.ProcessUpload.Retry[1]", Message: "comes after Retry[0], which matches States.ALL; States.ALL must be in the last retrier"},
		},
		{
			name: "States.ALL not alone in a retrier",
			machine: func(*testing.T) *asl.StateMachine {
				m := uploadAlarm()
				m.States[0].(*asl.Task).Retry[0].ErrorEquals = append(asl.LambdaTransientErrors(), asl.ErrorAll)
				return m
			},
			want: asl.Problem{Path: "States.ProcessUpload.Retry[0]", Message: "States.ALL must be the only name in its ErrorEquals"},
		},
		{
			name: "catcher after one matching States.ALL",
			machine: func(*testing.T) *asl.StateMachine {
				m := uploadAlarm()
				task := m.States[0].(*asl.Task)
				task.Catch = append(task.Catch, asl.Catcher{ErrorEquals: []string{"Late"}, Next: "SendAlarm"})
				return m
			},
			want: asl.Problem{Path: "States.ProcessUpload.Catch[1]", Message: "comes after Catch[0], which matches States.ALL; States.ALL must be in the last catcher"},
		},
		{
			name: "States.ALL not alone in a catcher",
			machine: func(*testing.T) *asl.StateMachine {
				m := uploadAlarm()
				m.States[0].(*asl.Task).Catch[0].ErrorEquals = []string{asl.ErrorAll, asl.ErrorTimeout}
				return m
			},
			want: asl.Problem{Path: "States.ProcessUpload.Catch[0]", Message: "States.ALL must be the only name in its ErrorEquals"},
		},
		{
			name: "misspelt runtime error name",
			machine: func(*testing.T) *asl.StateMachine {
				m := uploadAlarm()
				m.States[0].(*asl.Task).Catch[0].ErrorEquals = []string{"States.All"}
				return m
			},
			want: asl.Problem{Path: "States.ProcessUpload.Catch[0]", Message: `"States.All" is not an error the States runtime raises`},
		},
		{
			name:    "negative MaxAttempts",
			machine: retrierWith(func(r *asl.Retrier) { r.MaxAttempts = asl.Int(-1) }),
			want:    asl.Problem{Path: "States.ProcessUpload.Retry[0]", Message: "MaxAttempts must not be negative, not -1"},
		},
		{
			name:    "BackoffRate below 1",
			machine: retrierWith(func(r *asl.Retrier) { r.BackoffRate = asl.Float(0.5) }),
			want:    asl.Problem{Path: "States.ProcessUpload.Retry[0]", Message: "BackoffRate must be at least 1.0, not 0.5"},
		},
		{
			name:    "unknown JitterStrategy",
			machine: retrierWith(func(r *asl.Retrier) { r.JitterStrategy = "HALF" }),
			want:    asl.Problem{Path: "States.ProcessUpload.Retry[0]", Message: `JitterStrategy must be FULL or NONE, not "HALF"`},
		},
		{
			name:    "MaxDelaySeconds below 1",
			machine: retrierWith(func(r *asl.Retrier) { r.MaxDelaySeconds = asl.Int(0) }),
			want:    asl.Problem{Path: "States.ProcessUpload.Retry[0]", Message: "MaxDelaySeconds must be a positive number of seconds, not 0"},
		},
		{
			name:    "IntervalSeconds below 1",
			machine: retrierWith(func(r *asl.Retrier) { r.IntervalSeconds = asl.Int(0) }),
			want:    asl.Problem{Path: "States.ProcessUpload.Retry[0]", Message: "IntervalSeconds must be a positive number of seconds, not 0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, problems(t, tt.machine(t)), tt.want)
		})
	}
}

// retrierWith breaks the upload alarm's lambda retrier.
func retrierWith(breakIt func(*asl.Retrier)) func(*testing.T) *asl.StateMachine {
	return func(*testing.T) *asl.StateMachine {
		m := uploadAlarm()
		breakIt(&m.States[0].(*asl.Task).Retry[0])
		return m
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	m := machine(
		&asl.Task{Name: "NoResource", Next: "Nope"},
		&asl.Wait{Name: "Forever", Next: "NoResource"},
	)
	got := problems(t, m)
	want := []asl.Problem{
		{Path: "States.NoResource", Message: "a Task state needs a Resource"},
		{Path: "States.NoResource", Message: `Next "Nope" is not a state`},
		{Path: "States.Forever", Message: "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath, has 0"},
		{Path: "States.Forever", Message: `state is unreachable from StartAt "NoResource"`},
		{Path: "States", Message: "no state reachable from StartAt ends the execution: add End: true, a Succeed or a Fail"},
	}
	assert.Equal(t, want, got)

	err := m.Validate()
	assert.True(t, strings.HasPrefix(err.Error(), "asl: 5 problems:\n\tStates.NoResource: a Task state needs a Resource\n"), err.Error())
	var verr *asl.ValidationError
	assert.True(t, errors.As(err, &verr))
}

func TestSingleProblemErrorReadsAsOneLine(t *testing.T) {
	err := machine(&asl.Wait{Name: "W", End: true}).Validate()
	require.Error(t, err)
	assert.Equal(t, "asl: States.W: a Wait state needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath, has 0", err.Error())
}
