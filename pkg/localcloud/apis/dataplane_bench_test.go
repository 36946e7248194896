package apis_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stepforge/stepforge/pkg/localcloud/apis"
)

// BenchmarkPizzaRoute is the pizza seed's HTTP API route end to end over
// loopback HTTP, with a Go func as Step Functions.
func BenchmarkPizzaRoute(b *testing.B) {
	ctx := context.Background()
	p := newPlane(b)
	p.svc.SetStepFunctions(stepFunctions{sync: pizzaMachine(nil, nil)})
	api, err := p.svc.CreateAPI(ctx, "us-east-1", apis.APIInput{Name: aws.String("pizza"), ProtocolType: aws.String("HTTP")})
	if err != nil {
		b.Fatal(err)
	}
	integ, err := p.svc.CreateIntegration(ctx, api.APIID, apis.IntegrationInput{
		IntegrationType: aws.String("AWS_PROXY"), IntegrationSubtype: aws.String("StepFunctions-StartSyncExecution"),
		RequestParameters: map[string]string{"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Pizza", "Input": "$request.body"},
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.svc.CreateRoute(ctx, api.APIID, apis.RouteInput{RouteKey: aws.String("POST /pizza"), Target: aws.String("integrations/" + integ.IntegrationID)}); err != nil {
		b.Fatal(err)
	}
	if _, err := p.svc.CreateStageV2(ctx, api.APIID, apis.StageInput{StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		b.Fatal(err)
	}
	u := p.url + "/_aws/execute-api/" + api.APIID + "/pizza"
	body := []byte(`{"flavour":"pepperoni"}`)
	var took []time.Duration
	for b.Loop() {
		t0 := time.Now()
		resp, err := http.Post(u, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
}
