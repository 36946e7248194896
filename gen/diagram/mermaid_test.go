package diagram

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/golden"
)

// machines are the ASL documents in testdata: the five the project declares,
// then the JSONata retry loop and the two kinds of Map.
var machines = []string{
	"upload-alarm", "pizza", "blog-publishing", "retry-on-500", "express-webhook",
	"retry-on-500-jsonata", "inline-map", "distributed-map",
}

func parse(t *testing.T, name string) *asl.StateMachine {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("testdata", name+".asl.json"))
	require.NoError(t, err)
	m, err := asl.Parse(doc)
	require.NoError(t, err)
	return m
}

func draw(t *testing.T, m *asl.StateMachine) string {
	t.Helper()
	chart, err := Mermaid(m)
	require.NoError(t, err)
	checkSyntax(t, chart)
	return chart
}

func TestMachinesDrawAsTheirGoldenCharts(t *testing.T) {
	for _, name := range machines {
		t.Run(name, func(t *testing.T) {
			golden.Assert(t, filepath.Join("testdata", name+".mmd"), []byte(draw(t, parse(t, name))))
		})
	}
}

func TestSameMachineDrawsTheSameBytes(t *testing.T) {
	for _, name := range machines {
		t.Run(name, func(t *testing.T) {
			first := draw(t, parse(t, name))
			for range 20 {
				assert.Equal(t, first, draw(t, parse(t, name)))
			}
		})
	}
}

func TestStartAndEndFrameTheMachine(t *testing.T) {
	chart := draw(t, parse(t, "pizza"))
	assert.Contains(t, chart, "    start --> CheckPizza\n")
	assert.Contains(t, chart, "    MakePizza --> finish\n", "a Succeed state leads to the end")
	assert.NotContains(t, chart, "RefuseOrder -->", "a Fail state ends nowhere")
	assert.Contains(t, chart, `RefuseOrder(["RefuseOrder<br/>Failed To Make Pizza<br/>They asked for Pineapple"]):::fail`)
	assert.Contains(t, draw(t, parse(t, "express-webhook")), "    SuccessState --> finish\n", "End: true leads to the end")
}

func TestParallelBranchesAreSubgraphsBetweenForkAndJoin(t *testing.T) {
	chart := draw(t, parse(t, "blog-publishing"))
	for _, want := range []string{
		`subgraph PublishEverywhere_box ["PublishEverywhere"]`,
		`subgraph PublishEverywhere_b4 ["branch 4"]`,
		"    PublishEverywhere --> PublishEverywhere_b1_PublishMedium\n",
		"    PublishEverywhere_b1_PublishMedium --> PublishEverywhere_join\n",
		"    PublishEverywhere_b1_MediumFailed --> PublishEverywhere_join\n",
		"    PublishEverywhere_join --> Published\n",
	} {
		assert.Contains(t, chart, want)
	}
}

func TestStatesOfDifferentBranchesWithOneNameGetTheirOwnNodes(t *testing.T) {
	branch := func(result string) asl.Branch {
		return asl.Branch{StartAt: "Publish", States: asl.States{
			&asl.Task{Name: "Publish", Resource: asl.LambdaInvoke, Next: "Done"},
			&asl.Pass{Name: "Done", Result: result, End: true},
		}}
	}
	m := &asl.StateMachine{StartAt: "Publish", States: asl.States{
		&asl.Parallel{Name: "Publish", Branches: []asl.Branch{branch("a"), branch("b")}, Next: "Done"},
		&asl.Succeed{Name: "Done"},
	}}
	chart := draw(t, m)
	for _, want := range []string{
		"    Publish --> Publish_b1_Publish\n",
		"    Publish_b1_Publish --> Publish_b1_Done\n",
		"    Publish --> Publish_b2_Publish\n",
		"    Publish_b2_Publish --> Publish_b2_Done\n",
		"    Publish_b2_Done --> Publish_join\n",
		"    Publish_join --> Done\n",
	} {
		assert.Contains(t, chart, want)
	}
}

func TestNestedScopesEndInTheirParentsJoin(t *testing.T) {
	inner := &asl.Parallel{Name: "Both", End: true, Branches: []asl.Branch{
		{StartAt: "Left", States: asl.States{&asl.Succeed{Name: "Left"}}},
		{StartAt: "Right", States: asl.States{&asl.Pass{Name: "Right", End: true}}},
	}}
	m := &asl.StateMachine{StartAt: "Each", States: asl.States{
		&asl.Map{Name: "Each", ItemsPath: "$.items", MaxConcurrency: asl.Int(2), Next: "Done",
			ItemProcessor: &asl.ItemProcessor{StartAt: "Both", States: asl.States{inner}},
			Retry:         []asl.Retrier{{ErrorEquals: []string{asl.ErrorAll}, MaxAttempts: asl.Int(2)}},
			Catch:         []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, Next: "Broken"}}},
		&asl.Succeed{Name: "Done"},
		&asl.Fail{Name: "Broken", Error: "MapFailed"},
	}}
	chart := draw(t, m)
	for _, want := range []string{
		`        Each{{"map over $.items<br/>at most 2 at once<br/>retry: any error ×2"}}`,
		"    Each --> Each_items_Both\n",
		"    Each_items_Both --> Each_items_Both_b1_Left\n",
		"    Each_items_Both_b1_Left --> Each_items_Both_join\n",
		"    Each_items_Both_b2_Right --> Each_items_Both_join\n",
		"    Each_items_Both_join --> Each_join\n",
		"    Each_join --> Done\n",
		`    Each -.->|"any error"| Broken` + "\n",
	} {
		assert.Contains(t, chart, want)
	}
}

func TestMapProcessorIsASubgraphPerItem(t *testing.T) {
	chart := draw(t, parse(t, "distributed-map"))
	assert.Contains(t, chart, `ProcessCSV{{"distributed map over S3 getObject<br/>at most 50 at once"}}`)
	assert.Contains(t, chart, `subgraph ProcessCSV_items ["each batch"]`)
	assert.Contains(t, chart, "    ProcessCSV_items_ProcessBatch --> ProcessCSV_join\n")
}

func TestChoiceEdgesAreLabelledWithTheirCondition(t *testing.T) {
	chart := draw(t, parse(t, "retry-on-500"))
	assert.Contains(t, chart, `    CheckStatus -->|"$.response.statusCode == 500 and $.attempts #lt; 3"| CountAttempt`+"\n")
	assert.Contains(t, chart, `    CheckStatus -->|"$.response.statusCode == 500"| GiveUp`+"\n")
	assert.Contains(t, chart, `    CheckStatus -->|"default"| Done`+"\n")
}

func TestCatchEdgesAreDashedAndNameTheirErrors(t *testing.T) {
	m := &asl.StateMachine{StartAt: "Call", States: asl.States{
		&asl.Task{Name: "Call", Resource: asl.LambdaInvoke, End: true, Catch: []asl.Catcher{
			{ErrorEquals: []string{"RateLimited", "PlatformUnavailable"}, Next: "Later"},
			{ErrorEquals: asl.LambdaTransientErrors(), Next: "Later"},
			{ErrorEquals: []string{asl.ErrorTimeout, asl.ErrorAll}, Next: "Alarm"},
		}},
		&asl.Pass{Name: "Later", End: true},
		&asl.Fail{Name: "Alarm", Error: "Failed"},
	}}
	chart := draw(t, m)
	for _, want := range []string{
		`    Call -.->|"RateLimited, PlatformUnavailable"| Later`,
		`    Call -.->|"Lambda transient"| Later`,
		`    Call -.->|"States.Timeout, any error"| Alarm`,
		"    Call --> finish",
	} {
		assert.Contains(t, chart, want+"\n")
	}
	assert.Contains(t, draw(t, parse(t, "upload-alarm")), `    ProcessUpload -.->|"any error"| SendAlarm`+"\n")
}

func TestBrokenReferencesAreErrors(t *testing.T) {
	end := func(name string) asl.State { return &asl.Succeed{Name: name} }
	tests := []struct {
		name    string
		machine *asl.StateMachine
		want    string
	}{
		{"nil machine", nil, "nil state machine"},
		{"unknown StartAt", &asl.StateMachine{StartAt: "Nope", States: asl.States{end("A")}},
			`state machine: StartAt "Nope" names no state`},
		{"unknown Next", &asl.StateMachine{StartAt: "A", States: asl.States{&asl.Pass{Name: "A", Next: "Nope"}}},
			`States.A: Next "Nope" names no state`},
		{"unknown Default", &asl.StateMachine{StartAt: "A", States: asl.States{&asl.Choice{Name: "A", Default: "Nope"}}},
			`States.A: Default "Nope"`},
		{"unknown Catch", &asl.StateMachine{StartAt: "A", States: asl.States{&asl.Task{Name: "A", End: true,
			Catch: []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, Next: "Nope"}}}}},
			`States.A: Catch[0].Next "Nope"`},
		{"Next into another branch", &asl.StateMachine{StartAt: "P", States: asl.States{&asl.Parallel{Name: "P", End: true,
			Branches: []asl.Branch{{StartAt: "B", States: asl.States{&asl.Pass{Name: "B", Next: "P"}}}}}}},
			`States.P.Branches[0].States.B: Next "P" names no state`},
		{"neither Next nor End", &asl.StateMachine{StartAt: "A", States: asl.States{&asl.Pass{Name: "A"}}},
			"neither Next nor End"},
		{"duplicate name", &asl.StateMachine{StartAt: "A", States: asl.States{end("A"), end("A")}},
			"two states have this name"},
		{"nil state", &asl.StateMachine{StartAt: "A", States: asl.States{end("A"), nil}}, "state 1 is nil"},
		{"Map without processor", &asl.StateMachine{StartAt: "M", States: asl.States{&asl.Map{Name: "M", End: true}}},
			"neither ItemProcessor nor Iterator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Mermaid(tt.machine)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "diagram: "))
		})
	}
}

func TestMarkdownFencesTheChartUnderTitleAndComment(t *testing.T) {
	m := parse(t, "pizza")
	chart := draw(t, m)
	page, err := Markdown("Pizza", m)
	require.NoError(t, err)
	assert.Equal(t, "# Pizza\n\nChecks an order and refuses pineapple.\n\n```mermaid\n"+chart+"```\n", page)

	_, err = Markdown("Nothing", nil)
	assert.Error(t, err)
}
