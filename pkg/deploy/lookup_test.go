package deploy_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/deploy"
)

func TestLookupFindsAFunctionByTheNameTheWorkflowGivesIt(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	body, err := os.ReadFile("../../gen/testdata/pizza.template.json")
	require.NoError(t, err)
	handlerZip(t, f.zip, "v1")
	_, err = deploy.Deploy(ctx, f.options(deploy.Stack{Name: "pizza", Template: body, Assets: []deploy.Asset{{Parameter: "CheckPizzaCodeKey", Path: f.zip}}}))
	require.NoError(t, err, f.out.String())
	fn := physicalID(t, f, "pizza", "CheckPizzaFunction")

	for _, name := range []string{"CheckPizza", "checkpizza", "CheckPizzaFunction", fn} {
		r, err := deploy.Lookup(ctx, f.cfg, []string{"pizza", "not-deployed"}, name, "AWS::Lambda::Function", "AWS::StepFunctions::StateMachine")
		require.NoError(t, err, name)
		assert.Equal(t, deploy.Resource{Stack: "pizza", LogicalID: "CheckPizzaFunction", PhysicalID: fn, Type: "AWS::Lambda::Function"}, r, name)
	}
	r, err := deploy.Lookup(ctx, f.cfg, []string{"pizza"}, "Pizza", "AWS::Lambda::Function", "AWS::StepFunctions::StateMachine")
	require.NoError(t, err)
	assert.Equal(t, "PizzaStateMachine", r.LogicalID)

	_, err = deploy.Lookup(ctx, f.cfg, []string{"pizza"}, "Pineapple", "AWS::Lambda::Function", "AWS::StepFunctions::StateMachine")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no deployed AWS::Lambda::Function or AWS::StepFunctions::StateMachine is called "Pineapple"; there are: pizza/CheckPizzaFunction, pizza/PizzaStateMachine`)
}
