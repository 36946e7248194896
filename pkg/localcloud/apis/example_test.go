package apis_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/apis"
)

// An HTTP API with one route to a Step Functions integration, served
// from its auto-deployed $default stage.
func ExampleService_HTTPAPIStage() {
	dir, _ := os.MkdirTemp("", "apis")
	defer os.RemoveAll(dir)
	store, err := localcloud.OpenStore(dir + "/state.db")
	if err != nil {
		panic(err)
	}
	defer store.Close()
	ctx := context.Background()
	svc := apis.New(store)

	api, _ := svc.CreateAPI(ctx, "us-east-1", apis.APIInput{Name: aws.String("pizza"), ProtocolType: aws.String("HTTP")})
	integ, err := svc.CreateIntegration(ctx, api.APIID, apis.IntegrationInput{
		IntegrationType:    aws.String("AWS_PROXY"),
		IntegrationSubtype: aws.String("StepFunctions-StartSyncExecution"),
		RequestParameters: map[string]string{
			"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Pizza",
			"Input":           "$request.body",
		},
	})
	if err != nil {
		panic(err)
	}
	_, _ = svc.CreateRoute(ctx, api.APIID, apis.RouteInput{RouteKey: aws.String("POST /pizza"), Target: aws.String("integrations/" + integ.IntegrationID)})
	_, _ = svc.CreateStageV2(ctx, api.APIID, apis.StageInput{StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})

	served, _ := svc.HTTPAPIStage(ctx, api.APIID, "$default")
	for _, r := range served.Routes {
		fmt.Println(r.RouteKey, "->", served.Integrations[0].IntegrationSubtype)
	}
	// Output: POST /pizza -> StepFunctions-StartSyncExecution
}

// An HTTP API route to an Express machine's synchronous execution, called
// over HTTP: the caller gets the StartSyncExecution answer as it is.
func ExampleService_DataPlane() {
	dir, _ := os.MkdirTemp("", "apis")
	defer os.RemoveAll(dir)
	store, err := localcloud.OpenStore(dir + "/state.db")
	if err != nil {
		panic(err)
	}
	defer store.Close()
	ctx := context.Background()
	svc := apis.New(store)
	svc.SetStepFunctions(syncOnly(func(_ context.Context, _ string, body []byte) (int, []byte, error) {
		return 200, []byte(`{"status":"SUCCEEDED","output":"{\"containsPineapple\":false}"}`), nil
	}))

	api, _ := svc.CreateAPI(ctx, "us-east-1", apis.APIInput{Name: aws.String("pizza"), ProtocolType: aws.String("HTTP")})
	integ, _ := svc.CreateIntegration(ctx, api.APIID, apis.IntegrationInput{
		IntegrationType:    aws.String("AWS_PROXY"),
		IntegrationSubtype: aws.String("StepFunctions-StartSyncExecution"),
		RequestParameters:  map[string]string{"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Pizza", "Input": "$request.body"},
	})
	_, _ = svc.CreateRoute(ctx, api.APIID, apis.RouteInput{RouteKey: aws.String("POST /pizza"), Target: aws.String("integrations/" + integ.IntegrationID)})
	_, _ = svc.CreateStageV2(ctx, api.APIID, apis.StageInput{StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})

	srv := httptest.NewServer(svc.DataPlane())
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/_aws/execute-api/"+api.APIID+"/pizza", "application/json", strings.NewReader(`{"flavour":"ham"}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 {"status":"SUCCEEDED","output":"{\"containsPineapple\":false}"}
}

// syncOnly is a StepFunctions whose executions are all synchronous.
type syncOnly func(ctx context.Context, region string, body []byte) (int, []byte, error)

func (f syncOnly) StartExecution(ctx context.Context, region string, body []byte) (int, []byte, error) {
	return f(ctx, region, body)
}

func (f syncOnly) StartSyncExecution(ctx context.Context, region string, body []byte) (int, []byte, error) {
	return f(ctx, region, body)
}
