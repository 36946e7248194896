package asl_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/asl"
	goldenfile "github.com/stepforge/stepforge/pkg/golden"
)

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", name), got)
}

func TestMachinesMarshalToTheirGoldenJSON(t *testing.T) {
	for _, f := range validMachines() {
		t.Run(f.name, func(t *testing.T) {
			got, err := f.machine.MarshalIndent("", "  ")
			require.NoError(t, err)
			golden(t, f.name+".json", got)
		})
	}
}

func TestParsedGoldenMarshalsToTheSameBytes(t *testing.T) {
	for _, f := range validMachines() {
		t.Run(f.name, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", f.name+".json"))
			require.NoError(t, err)
			m, err := asl.Parse(doc)
			require.NoError(t, err)
			assert.NoError(t, m.Validate(), "a parsed valid document stays valid")
			again, err := m.MarshalIndent("", "  ")
			require.NoError(t, err)
			assert.Equal(t, string(doc), string(again))
			assert.Equal(t, f.machine.Placeholders(), m.Placeholders())
		})
	}
}

func TestMarshalIsDeterministic(t *testing.T) {
	for _, f := range validMachines() {
		first, err := json.Marshal(f.machine)
		require.NoError(t, err)
		for range 20 {
			again, err := json.Marshal(f.machine)
			require.NoError(t, err)
			require.Equal(t, string(first), string(again), f.name)
		}
	}
}

func TestStatesKeepDeclarationOrder(t *testing.T) {
	m := &asl.StateMachine{StartAt: "Zulu", States: asl.States{
		&asl.Pass{Name: "Zulu", Next: "Alpha"},
		&asl.Pass{Name: "Alpha", Next: "Mike"},
		&asl.Succeed{Name: "Mike"},
	}}
	got, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"StartAt":"Zulu","States":{"Zulu":{"Type":"Pass","Next":"Alpha"},"Alpha":{"Type":"Pass","Next":"Mike"},"Mike":{"Type":"Succeed"}}}`, string(got))
	assert.Equal(t, `{"StartAt":"Zulu","States":{"Zulu":{"Type":"Pass","Next":"Alpha"},"Alpha":{"Type":"Pass","Next":"Mike"},"Mike":{"Type":"Succeed"}}}`, string(got))
}

func TestZeroIsWrittenWhenSetAndEmptyFieldsAreNot(t *testing.T) {
	r := asl.Retrier{ErrorEquals: []string{"X"}, IntervalSeconds: asl.Int(0), MaxAttempts: asl.Int(0), BackoffRate: asl.Float(1)}
	got, err := json.Marshal(r)
	require.NoError(t, err)
	assert.Equal(t, `{"ErrorEquals":["X"],"IntervalSeconds":0,"MaxAttempts":0,"BackoffRate":1}`, string(got))

	got, err = json.Marshal(&asl.Task{Name: "T", Resource: asl.LambdaInvoke, End: true})
	require.NoError(t, err)
	assert.Equal(t, `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`, string(got))
}

func TestNullPathIsWrittenAsNull(t *testing.T) {
	got, err := json.Marshal(&asl.Pass{InputPath: asl.NullPath, ResultPath: asl.NullPath, OutputPath: "$.x", End: true})
	require.NoError(t, err)
	assert.Equal(t, `{"Type":"Pass","InputPath":null,"ResultPath":null,"OutputPath":"$.x","End":true}`, string(got))
}

func TestMarshalIndentDoesNotEscapeHTML(t *testing.T) {
	m := machine(&asl.Pass{Name: "P", QueryLanguage: asl.JSONata, Output: "{% $states.input.a > 1 and $states.input.b < 2 %}", End: true})
	got, err := m.MarshalIndent("", " ")
	require.NoError(t, err)
	assert.Contains(t, string(got), `"{% $states.input.a > 1 and $states.input.b < 2 %}"`)
}

func TestParseKeepsNumbersAndUnknownFields(t *testing.T) {
	doc := `{"States":{"B":{"Type":"Pass","Result":{"big":12345678901234567890,"f":1.50},"X-Extra":{"k":1},"End":true},` +
		`"A":{"Next":"B","Type":"Wait","Seconds":0}},"StartAt":"A"}`
	m, err := asl.Parse([]byte(doc))
	require.NoError(t, err)
	got, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Equal(t, `{"StartAt":"A","States":{"B":{"Type":"Pass","Result":{"big":12345678901234567890,"f":1.50},"End":true,"X-Extra":{"k":1}},`+
		`"A":{"Type":"Wait","Seconds":0,"Next":"B"}}}`, string(got))
	assert.Contains(t, problems(t, m), asl.Problem{Path: "States.B", Message: `field "X-Extra" is not allowed in a Pass state`})
}

func TestParseReadsNumberOrExpressionFields(t *testing.T) {
	m, err := asl.Parse([]byte(`{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",` +
		`"TimeoutSeconds":"{% $states.input.t %}","HeartbeatSeconds":5,"End":true}}}`))
	require.NoError(t, err)
	task := m.States[0].(*asl.Task)
	assert.Nil(t, task.TimeoutSeconds)
	assert.Equal(t, "{% $states.input.t %}", task.TimeoutSecondsExpr)
	assert.Equal(t, asl.Int(5), task.HeartbeatSeconds)
	assert.Empty(t, task.HeartbeatSecondsExpr)
}

func TestParseRejectsMalformedDocuments(t *testing.T) {
	tests := map[string]string{
		"not JSON":           `{`,
		"not an object":      `[]`,
		"States not object":  `{"StartAt":"A","States":[]}`,
		"state without Type": `{"StartAt":"A","States":{"A":{"End":true}}}`,
		"unknown Type":       `{"StartAt":"A","States":{"A":{"Type":"Sleep","End":true}}}`,
		"wrong value type":   `{"StartAt":"A","States":{"A":{"Type":"Pass","End":"yes"}}}`,
		"fractional seconds": `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1.5,"End":true}}}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := asl.Parse([]byte(doc))
			assert.Error(t, err)
		})
	}
}
