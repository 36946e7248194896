package gen_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/gen"
	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/cfncheck"
	"github.com/stepforge/stepforge/pkg/golden"
	"github.com/stepforge/stepforge/pkg/workflow"
	"github.com/stepforge/stepforge/workflows"
	"github.com/stepforge/stepforge/workflows/pizza"
)

func generate(t *testing.T) []*gen.Stack {
	t.Helper()
	var stacks []*gen.Stack
	for _, w := range workflows.All() {
		st, err := gen.Generate(w)
		require.NoError(t, err, w.Name)
		stacks = append(stacks, st)
	}
	return stacks
}

func TestTemplatesMatchTheirGoldenFiles(t *testing.T) {
	for _, st := range generate(t) {
		golden.Assert(t, filepath.Join("testdata", st.Workflow.Name+".template.json"), append(st.Template, '\n'))
	}
}

func TestTemplatesPassTheStructuralChecks(t *testing.T) {
	for _, st := range generate(t) {
		t.Run(st.Workflow.Name, func(t *testing.T) {
			assert.Empty(t, cfncheck.Check(st.Template))
		})
	}
}

func TestGenerationIsDeterministic(t *testing.T) {
	first, second := generate(t), generate(t)
	for i := range first {
		assert.Equal(t, first[i].Template, second[i].Template, first[i].Workflow.Name)
		assert.Equal(t, first[i].ASL, second[i].ASL, first[i].Workflow.Name)
	}
}

// template is the part of a template the IAM assertions read.
type template struct {
	Resources map[string]struct {
		Type       string         `json:"Type"`
		Properties map[string]any `json:"Properties"`
	} `json:"Resources"`
}

// grants returns a role's inline statements as "action -> resources".
func grants(t *testing.T, st *gen.Stack, roleID string) map[string][]string {
	t.Helper()
	var tpl template
	require.NoError(t, json.Unmarshal(st.Template, &tpl))
	r, ok := tpl.Resources[roleID]
	require.True(t, ok, "role %s exists", roleID)
	out := map[string][]string{}
	for _, p := range r.Properties["Policies"].([]any) {
		for _, s := range p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			stmt := s.(map[string]any)
			for _, a := range stmt["Action"].([]any) {
				for _, res := range stmt["Resource"].([]any) {
					b, _ := json.Marshal(res)
					out[a.(string)] = append(out[a.(string)], string(b))
				}
			}
		}
	}
	return out
}

func stack(t *testing.T, name string) *gen.Stack {
	for _, st := range generate(t) {
		if st.Workflow.Name == name {
			return st
		}
	}
	t.Fatalf("no stack %s", name)
	return nil
}

func TestMachineRolesAllowExactlyWhatTheirTasksTouch(t *testing.T) {
	pizzaRole := grants(t, stack(t, "pizza"), "PizzaStateMachineRole")
	assert.Equal(t, []string{`{"Fn::GetAtt":["CheckPizzaFunction","Arn"]}`}, pizzaRole["lambda:InvokeFunction"])
	assert.Equal(t, []string{`"*"`}, pizzaRole["logs:CreateLogDelivery"])

	alarm := grants(t, stack(t, "upload-alarm"), "UploadAlarmStateMachineRole")
	assert.Equal(t, []string{`{"Fn::GetAtt":["ProcessUploadFunction","Arn"]}`}, alarm["lambda:InvokeFunction"])
	assert.Equal(t, []string{`{"Ref":"AlarmTopic"}`}, alarm["sns:Publish"])
	assert.Equal(t, []string{`{"Fn::GetAtt":["AlarmKey","Arn"]}`}, alarm["kms:GenerateDataKey"], "publishing to an encrypted topic needs its key")

	blog := grants(t, stack(t, "blog-publishing"), "BlogPublishingStateMachineRole")
	assert.ElementsMatch(t, []string{
		`{"Fn::GetAtt":["IndexOpenSearchFunction","Arn"]}`, `{"Fn::GetAtt":["PublishDevtoFunction","Arn"]}`,
		`{"Fn::GetAtt":["PublishHashnodeFunction","Arn"]}`, `{"Fn::GetAtt":["PublishMediumFunction","Arn"]}`,
	}, blog["lambda:InvokeFunction"], "the machine may invoke its four publishers and not the initiator")
}

func TestFunctionRolesAreScopedToTheirOwnResources(t *testing.T) {
	st := stack(t, "blog-publishing")
	initiator := grants(t, st, "WebhookInitiatorFunctionRole")
	assert.Equal(t, []string{`{"Ref":"BlogPublishingStateMachine"}`}, initiator["states:StartExecution"])
	assert.Equal(t, []string{`{"Fn::Sub":"arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${SanitySecretName}-??????"}`}, initiator["secretsmanager:GetSecretValue"])
	assert.Equal(t, []string{`{"Fn::GetAtt":["WebhookInitiatorFunctionLogGroup","Arn"]}`}, initiator["logs:PutLogEvents"], "logs go to the function's own group only")
	assert.NotContains(t, initiator, "lambda:InvokeFunction")

	medium := grants(t, st, "PublishMediumFunctionRole")
	assert.Equal(t, []string{`{"Fn::Sub":"arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${MediumSecretName}-??????"}`}, medium["secretsmanager:GetSecretValue"])
	assert.NotContains(t, medium, "states:StartExecution")

	upload := grants(t, stack(t, "upload-alarm"), "ProcessUploadFunctionRole")
	assert.Equal(t, []string{`{"Fn::Sub":"${UploadsBucket.Arn}/*"}`}, upload["s3:GetObject"])
}

func TestEveryTaskHasATimeoutAndLambdaTasksRetryTransientErrors(t *testing.T) {
	for _, w := range workflows.All() {
		for _, m := range w.Machines {
			m.Definition.Walk(func(path, name string, s asl.State) {
				task, ok := s.(*asl.Task)
				if !ok {
					return
				}
				assert.NotNil(t, task.TimeoutSeconds, "%s %s", w.Name, path)
				if task.Resource != asl.LambdaInvoke {
					return
				}
				var retried []string
				for _, r := range task.Retry {
					retried = append(retried, r.ErrorEquals...)
					if slices.Contains(r.ErrorEquals, "Lambda.ServiceException") {
						assert.Equal(t, asl.JitterFull, r.JitterStrategy, "%s %s", w.Name, path)
					}
				}
				for _, e := range asl.LambdaTransientErrors() {
					assert.Contains(t, retried, e, "%s %s", w.Name, path)
				}
			})
		}
	}
}

func TestBrokenDeclarationsAreRefused(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(w *workflow.Workflow)
		want    string
	}{
		{"invalid definition", func(w *workflow.Workflow) { w.Machines[0].Definition.StartAt = "Nowhere" }, "Nowhere"},
		{"task invoking an undeclared function", func(w *workflow.Workflow) { w.Functions = nil }, "CheckPizzaFunctionArn"},
		{"unsupported integration", func(w *workflow.Workflow) {
			w.Machines[0].Definition.States[0].(*asl.Task).Resource = "arn:aws:states:::dynamodb:putItem"
		}, "cannot yet derive IAM"},
		{"bad stack name", func(w *workflow.Workflow) { w.Name = "Pizza Stack" }, "stack name"},
		{"bad function name", func(w *workflow.Workflow) { w.Functions[0].Name = "check-pizza" }, "function name"},
		{"public API's bodies in the machine's logs", func(w *workflow.Workflow) { w.Machines[0].Logging.IncludeExecutionData = true }, "must not include execution data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := pizza.Workflow()
			tt.breakIt(w)
			_, err := gen.Generate(w)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestCommittedDocsAreCurrent fails when docs/workflows is stale: run
// `go run mage.go synth` and commit the result.
func TestCommittedDocsAreCurrent(t *testing.T) {
	files, _, err := gen.Files(workflows.All())
	require.NoError(t, err)
	for _, f := range files {
		if !strings.HasPrefix(f.Path, gen.DocsDir) {
			continue
		}
		committed, err := os.ReadFile(filepath.Join("..", f.Path))
		require.NoError(t, err, "%s is missing: run go run mage.go synth", f.Path)
		assert.Equal(t, string(f.Content), string(committed), "%s is stale: run go run mage.go synth", f.Path)
	}
}

// TestASLPassesTheThirdPartyValidator runs asl-validator (npm, pinned in
// tools/aslvalidate) on every generated definition.
func TestASLPassesTheThirdPartyValidator(t *testing.T) {
	bin := filepath.Join("..", "tools", "aslvalidate", "node_modules", ".bin", "asl-validator")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("asl-validator is not installed (%v): .ci/run must run npm ci --prefix tools/aslvalidate", err)
		}
		t.Skip("asl-validator not installed; run: npm ci --prefix tools/aslvalidate")
	}
	dir := t.TempDir()
	for _, st := range generate(t) {
		for name, def := range st.ASL {
			path := filepath.Join(dir, name+".asl.json")
			require.NoError(t, os.WriteFile(path, def, 0o644))
			out, err := exec.Command(bin, "--json-path", path).CombinedOutput()
			assert.NoError(t, err, "%s: %s", name, out)
		}
	}
}

func BenchmarkSynth(b *testing.B) {
	ws := workflows.All()
	for b.Loop() {
		if _, _, err := gen.Files(ws); err != nil {
			b.Fatal(err)
		}
	}
}
