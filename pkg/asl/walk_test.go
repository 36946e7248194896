package asl_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stepforge/stepforge/pkg/asl"
)

func TestPlaceholdersListEveryNameOnce(t *testing.T) {
	tests := []struct {
		name    string
		machine *asl.StateMachine
		want    []string
	}{
		{"upload alarm", uploadAlarm(), []string{"AlarmTopicArn", "ProcessUploadArn"}},
		{"pizza", pizza(), []string{"PizzaCheckerArn"}},
		{"branches are searched", blogPublishing(), []string{"IndexOpenSearchArn", "PublishDevtoArn", "PublishHashnodeArn", "PublishMediumArn"}},
		{"repeats are listed once", retryOn500JSONata(), []string{"CallApiArn"}},
		{"map processors, readers and writers are searched", distributedMap(), []string{"DataBucket", "ProcessBatchArn", "ResultsBucket"}},
		{"resources, credentials and nested payloads are searched", jsonPathExtras(), []string{"QueueUrl", "SummariseFunctionArn", "WorkerRoleArn"}},
		{"a machine without placeholders has none", machine(&asl.Succeed{Name: "S"}), []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.machine.Placeholders())
		})
	}
}

func TestPlaceholdersAreFoundInAnyString(t *testing.T) {
	type payload struct {
		Target string `json:"target"`
	}
	m := machine(&asl.Pass{
		Name:    "P",
		Comment: "uses ${InComment}",
		Parameters: asl.Object{
			"${InKey}": "x",
			"list":     []any{"a-${InList}-b", map[string]any{"deep": asl.Sub("InMap")}},
			"typed":    payload{Target: asl.Sub("InStruct")},
			"twice":    asl.Sub("InKey") + asl.Sub("InList"),
		},
		End: true,
	})
	assert.Equal(t, []string{"InComment", "InKey", "InList", "InMap", "InStruct"}, m.Placeholders())
}

func TestWalkVisitsNestedStatesInOrder(t *testing.T) {
	m := blogPublishing()
	m.States = append(m.States, inlineMap().States...)
	var paths []string
	m.Walk(func(path, name string, s asl.State) {
		assert.Equal(t, name, s.StateName())
		paths = append(paths, path+" "+s.Type())
	})
	assert.Equal(t, []string{
		"States.PublishEverywhere Parallel",
		"States.PublishEverywhere.Branches[0].States.PublishMedium Task",
		"States.PublishEverywhere.Branches[0].States.MediumFailed Pass",
		"States.PublishEverywhere.Branches[1].States.PublishDevto Task",
		"States.PublishEverywhere.Branches[1].States.DevtoFailed Pass",
		"States.PublishEverywhere.Branches[2].States.PublishHashnode Task",
		"States.PublishEverywhere.Branches[2].States.HashnodeFailed Pass",
		"States.PublishEverywhere.Branches[3].States.IndexOpenSearch Task",
		"States.PublishEverywhere.Branches[3].States.OpenSearchFailed Pass",
		"States.Published Succeed",
		"States.ResizeAll Map",
		"States.ResizeAll.ItemProcessor.States.Resize Task",
		"States.Legacy Map",
		"States.Legacy.Iterator.States.Echo Pass",
	}, paths)
}

func TestWalkFindsEveryTaskResource(t *testing.T) {
	var resources []string
	distributedMap().Walk(func(_, _ string, s asl.State) {
		if task, ok := s.(*asl.Task); ok {
			resources = append(resources, task.Resource)
		}
	})
	assert.Equal(t, []string{asl.LambdaInvoke}, resources)
}
