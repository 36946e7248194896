package gen_test

import (
	"fmt"

	"github.com/stepforge/stepforge/gen"
	"github.com/stepforge/stepforge/workflows/pizza"
)

// Generate turns one workflow into its stack: the template, the ASL of each
// state machine and the list of resources.
func ExampleGenerate() {
	st, err := gen.Generate(pizza.Workflow())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range st.Resources {
		fmt.Println(r.LogicalID, r.Type)
	}
	// Output:
	// CheckPizzaFunction AWS::Lambda::Function
	// CheckPizzaFunctionLogGroup AWS::Logs::LogGroup
	// CheckPizzaFunctionRole AWS::IAM::Role
	// PizzaHttpApi AWS::ApiGatewayV2::Api
	// PizzaHttpApiPizzaIntegration AWS::ApiGatewayV2::Integration
	// PizzaHttpApiPostPizzaRoute AWS::ApiGatewayV2::Route
	// PizzaHttpApiRole AWS::IAM::Role
	// PizzaHttpApiStage AWS::ApiGatewayV2::Stage
	// PizzaStateMachine AWS::StepFunctions::StateMachine
	// PizzaStateMachineLogGroup AWS::Logs::LogGroup
	// PizzaStateMachineRole AWS::IAM::Role
}
