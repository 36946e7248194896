package machines_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
)

// invoker is a LambdaInvoker running Go code.
type invoker func(ctx context.Context, region, fn string, payload []byte, trace string) ([]byte, *machines.FunctionError, error)

func (f invoker) InvokeFunction(ctx context.Context, region, fn string, payload []byte, trace string) ([]byte, *machines.FunctionError, error) {
	return f(ctx, region, fn, payload, trace)
}

// published is a Publisher that records what it was given.
type published struct {
	mu   sync.Mutex
	msgs []publication
}

type publication struct {
	Region, Topic, Message, Subject string
	Attributes                      map[string]machines.MessageAttribute
}

func (p *published) Publish(_ context.Context, region, topic, message, subject string, attrs map[string]machines.MessageAttribute) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, publication{region, topic, message, subject, attrs})
	return localcloud.NewID(), nil
}

// authorizer is an Authorizer answering with a Go func.
type authorizer func(ctx context.Context, role, action, resource string) error

func (f authorizer) Authorize(ctx context.Context, role, action, resource string) error {
	return f(ctx, role, action, resource)
}

// noHostPrefix keeps the SDK from sending StartSyncExecution and
// TestState to sync-<host>, which a loopback endpoint cannot resolve.
func noHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

// newService is a service over store, closed before the store is.
func newService(t testing.TB, store *localcloud.Store, opts ...machines.Option) *machines.Service {
	t.Helper()
	svc := machines.New(store, opts...)
	t.Cleanup(func() { _ = svc.Close() })
	return svc
}

// serve starts svc behind the real SDK's client.
func serve(t testing.TB, svc *machines.Service) *sfn.Client {
	t.Helper()
	cfg, _, _ := lctest.Start(t, svc)
	return sfn.NewFromConfig(cfg, sfn.WithAPIOptions(noHostPrefix))
}

// definition reads a testdata definition with its placeholders replaced.
func definition(t testing.TB, file string, subs map[string]string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	require.NoError(t, err)
	s := string(b)
	for k, v := range subs {
		s = strings.ReplaceAll(s, "${"+k+"}", v)
	}
	return s
}

// create makes a state machine through the SDK and returns its ARN.
func create(t testing.TB, client *sfn.Client, name, def string, typ types.StateMachineType) string {
	t.Helper()
	out, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(role), Type: typ,
	})
	require.NoError(t, err)
	return aws.ToString(out.StateMachineArn)
}

const pizzaFn = "arn:aws:lambda:us-east-1:123456789012:function:CheckPizza"

// checkPizza is the pizza workflow's function: it refuses pineapple.
func checkPizza(_ context.Context, _, _ string, payload []byte, _ string) ([]byte, *machines.FunctionError, error) {
	var in struct{ Flavour string }
	if err := json.Unmarshal(payload, &in); err != nil {
		return nil, &machines.FunctionError{Type: "BadInput", Message: err.Error()}, nil
	}
	pineapple := in.Flavour == "pineapple" || in.Flavour == "hawaiian"
	b, _ := json.Marshal(map[string]bool{"containsPineapple": pineapple})
	return b, nil, nil
}

// wait returns the execution once it is no longer RUNNING.
func wait(t testing.TB, client *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	for {
		d, err := client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		require.NoError(t, err)
		if d.Status != types.ExecutionStatusRunning {
			return d
		}
		waitABit()
	}
}

// eventTypes lists the types of an execution's whole history.
func eventTypes(t testing.TB, client *sfn.Client, arn string) []types.HistoryEventType {
	t.Helper()
	var out []types.HistoryEventType
	p := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, ev := range page.Events {
			out = append(out, ev.Type)
		}
	}
	return out
}
