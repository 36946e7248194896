// Package cloud assembles the local cloud: the store, every emulated
// service on one router, and CloudFormation provisioning through each
// service's providers. `go run mage.go serve` runs it; tests start it
// in-process with StartForTest.
package cloud

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/apis"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/pkg/localcloud/functions"
	"github.com/stepforge/stepforge/pkg/localcloud/identity"
	"github.com/stepforge/stepforge/pkg/localcloud/keys"
	"github.com/stepforge/stepforge/pkg/localcloud/logs"
	"github.com/stepforge/stepforge/pkg/localcloud/machines"
	"github.com/stepforge/stepforge/pkg/localcloud/objects"
	"github.com/stepforge/stepforge/pkg/localcloud/rules"
	"github.com/stepforge/stepforge/pkg/localcloud/stacks"
	"github.com/stepforge/stepforge/pkg/localcloud/topics"
	"github.com/stepforge/stepforge/pkg/localcloud/traces"
	"github.com/stepforge/stepforge/pkg/localcloud/vault"
)

// DefaultDir is where the local cloud keeps its state, relative to the
// project root.
var DefaultDir = filepath.Join("build", "local")

// Options configure a local cloud.
type Options struct {
	// Dir holds the store (state.db); default DefaultDir.
	Dir string
	// Logger gets one line per request; nil is silent.
	Logger *log.Logger
	// TimeScale multiplies every wait of the compute services: Step
	// Functions' Wait states and retry intervals, Lambda's asynchronous
	// retry delays. 0 means 1, real time; 0.01 runs a 10 s wait in 0.1 s.
	TimeScale float64
	// MockConfig is a Step Functions Local mock configuration file
	// (SFN_MOCK_CONFIG), used by executions started as
	// <stateMachineArn>#<TestCase>.
	MockConfig string
	// XRayAddr is the X-Ray daemon's UDP address the functions send their
	// segments to; default 127.0.0.1:2000, "127.0.0.1:0" a free port.
	XRayAddr string
	// Outbox is the folder SNS delivers email to, one .eml file per
	// message; default <Dir>/outbox.
	Outbox string
	// SNSAutoConfirm confirms email subscriptions at once, as if their
	// owner had followed the confirmation link.
	SNSAutoConfirm bool
}

// Cloud is a running local cloud.
type Cloud struct {
	Store *localcloud.Store

	S3             *objects.Service
	Lambda         *functions.Service
	IAM            *identity.Service
	KMS            *keys.Service
	Logs           *logs.Service
	StepFunctions  *machines.Service
	SNS            *topics.Service
	EventBridge    *rules.Service
	APIGateway     *apis.Service
	CloudFormation *stacks.Service
	SecretsManager *vault.Service
	XRay           *traces.Service

	// XRayDaemon is the address the X-Ray daemon listens on.
	XRayDaemon net.Addr

	server    *localcloud.Server
	handler   http.Handler
	onClose   func()
	stop      context.CancelFunc
	logger    *log.Logger
	delivery  *delivery
	startOnce sync.Once
	endpoint  atomic.Value // string: the base URL SetEndpoint was given
}

// Open opens the store and starts every service over it; operations a
// previous run left in progress are finished.
func Open(o Options) (*Cloud, error) {
	if o.Dir == "" {
		o.Dir = DefaultDir
	}
	store, err := localcloud.OpenStore(filepath.Join(o.Dir, "state.db"))
	if err != nil {
		return nil, err
	}
	c := &Cloud{Store: store, logger: o.Logger}
	// S3 reports new objects of EventBridge-enabled buckets to EventBridge
	// (made below), which queues them durably before this returns.
	s3Events := objects.WithObjectCreated(func(e objects.ObjectCreated) {
		if err := c.EventBridge.Emit(context.Background(), localcloud.Region, e.Event(localcloud.Region, localcloud.Account)); err != nil && o.Logger != nil {
			o.Logger.Printf("S3 event for s3://%s/%s not sent to EventBridge: %v", e.Bucket, e.Key, err)
		}
	})
	if c.S3, err = objects.New(store, s3Events); err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("local cloud: S3: %w", err)
	}
	c.IAM = identity.New(store)
	c.KMS = keys.New(store)
	c.Logs = logs.New(store)
	var xrayOpts []traces.Option
	if o.Logger != nil {
		xrayOpts = append(xrayOpts, traces.WithLogger(o.Logger))
	}
	c.XRay = traces.New(store, xrayOpts...)
	var ctx context.Context
	ctx, c.stop = context.WithCancel(context.Background())
	if c.XRayDaemon, err = c.XRay.ListenUDP(ctx, o.XRayAddr); err != nil {
		c.stop()
		_ = store.Close()
		return nil, fmt.Errorf("local cloud: X-Ray daemon: %w", err)
	}
	// The SDKs poll their sampling rules from the daemon's TCP port, the
	// same number as its UDP one; without it they sample locally, so a
	// port taken by something else is not fatal.
	if _, err := c.XRay.ListenTCP(ctx, c.XRayDaemon.String()); err != nil && o.Logger != nil {
		o.Logger.Printf("X-Ray sampling proxy: %v (SDKs will sample by their local rules)", err)
	}
	scale := o.TimeScale
	if scale <= 0 {
		scale = 1
	}
	c.delivery = newDelivery(logSink{c.Logs}, c.XRay, o.Logger)
	lambdaRoles := roles{iam: c.IAM, principal: "lambda.amazonaws.com"}
	fnOpts := []functions.Option{functions.WithLogs(functionLogs{c.delivery}), functions.WithTracer(c.delivery),
		functions.WithCredentials(lambdaRoles), functions.WithAuthorizer(lambdaRoles), functions.WithTimeScale(scale),
		functions.WithWorkDir(filepath.Join(o.Dir, "lambda")), functions.WithXRayDaemonAddress(c.XRayDaemon.String()),
		functions.WithEndpointFirst()}
	if o.Logger != nil {
		fnOpts = append(fnOpts, functions.WithLogger(o.Logger))
	}
	c.Lambda = functions.New(store, c.S3, fnOpts...)
	outboxDir := o.Outbox
	if outboxDir == "" {
		outboxDir = filepath.Join(o.Dir, "outbox")
	}
	snsOpts := []topics.Option{topics.WithLambda(asyncLambda{c.Lambda}), topics.WithKeys(c.KMS), topics.WithOutbox(outboxDir),
		topics.WithTimeScale(scale), topics.WithAutoConfirm(o.SNSAutoConfirm)}
	if o.Logger != nil {
		snsOpts = append(snsOpts, topics.WithLogger(o.Logger))
	}
	c.SNS = topics.New(store, snsOpts...)
	c.SNS.SetKeyChecker(topicKeys{c.KMS})
	smOpts := []machines.Option{machines.WithLambda(lambdaTasks{c.Lambda}), machines.WithPublisher(publisher{c.SNS}),
		machines.WithAuthorizer(roles{iam: c.IAM, principal: "states.amazonaws.com"}), machines.WithLogSink(machineLogs{c.delivery}),
		machines.WithTracer(c.delivery), machines.WithTimeScale(scale)}
	if o.MockConfig != "" {
		smOpts = append(smOpts, machines.WithMockConfig(o.MockConfig))
	}
	c.StepFunctions = machines.New(store, smOpts...)
	c.SecretsManager = vault.New(store, c.KMS)
	ebOpts := []rules.Option{rules.WithStepFunctions(executionStarter{c.StepFunctions}), rules.WithLambda(asyncLambda{c.Lambda}),
		rules.WithSNS(snsPublisher{c.SNS}), rules.WithAuthorizer(roles{iam: c.IAM, principal: "events.amazonaws.com"}), rules.WithTimeScale(scale)}
	c.EventBridge = rules.New(store, ebOpts...)
	c.APIGateway = apis.New(store)
	c.APIGateway.SetStepFunctions(apiStepFunctions{c.StepFunctions})
	c.APIGateway.SetLambda(apiLambda{c.Lambda})
	c.APIGateway.SetAuthorizer(roles{iam: c.IAM, principal: "apigateway.amazonaws.com"})
	c.APIGateway.SetFunctionPolicy(functionPolicy{c.Lambda})
	c.CloudFormation, err = stacks.New(store, stacks.Options{Objects: c.S3, Logger: o.Logger, Providers: c.providers(), OutputValue: c.localURL})
	if err != nil {
		c.EventBridge.Close()
		c.StepFunctions.Close()
		c.SNS.Close()
		c.Lambda.Close()
		c.delivery.close()
		c.stop()
		_ = store.Close()
		return nil, fmt.Errorf("local cloud: CloudFormation: %w", err)
	}
	c.server = localcloud.New(o.Logger, localcloud.STS{Sessions: c.IAM.CallerIdentity}, c.Lambda, c.IAM, c.KMS, c.Logs,
		c.StepFunctions, c.SNS, c.EventBridge, c.APIGateway, c.CloudFormation, c.SecretsManager, c.XRay)
	// IAM is enforced on the calls made with the role sessions the local
	// cloud issues (functions', state machines'); any other key is the
	// developer's and is not checked.
	c.server.SetAuthorizer(c.IAM)
	c.server.RegisterHandlerAuthorized("s3", c.S3.Handler(), objects.Authorization)
	// GetFunction's Code.Location is a download URL on the local cloud.
	mux := http.NewServeMux()
	mux.Handle(functions.CodePath, c.Lambda.CodeHandler())
	mux.Handle(topics.HandlerPath, c.SNS.ConfirmationHandler())
	// The APIs' own traffic (http://<id>.execute-api.localhost:<port>/...,
	// or /_aws/execute-api/<id>/...) shares the port with the AWS APIs.
	dataPlane := c.APIGateway.DataPlane()
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if apis.IsDataPlane(r) {
			dataPlane.ServeHTTP(w, r)
			return
		}
		c.server.ServeHTTP(w, r)
	}))
	c.handler = mux
	return c, nil
}

// providers are the resource types CloudFormation provisions, one per
// type the generator emits.
func (c *Cloud) providers() []cfnengine.Provider {
	return []cfnengine.Provider{
		objects.BucketProvider(c.S3),
		objects.BucketPolicyProvider(c.S3),
		identity.RoleProvider(c.IAM),
		keys.KeyProvider(c.KMS),
		logs.LogGroupProvider(c.Logs),
		functions.FunctionProvider(c.Lambda),
		functions.PermissionProvider(c.Lambda),
		machines.StateMachineProvider(c.StepFunctions),
		topics.TopicProvider(c.SNS),
		topics.SubscriptionProvider(c.SNS),
		rules.RuleProvider(c.EventBridge),
		apis.HTTPAPIProvider(c.APIGateway),
		apis.HTTPIntegrationProvider(c.APIGateway),
		apis.HTTPRouteProvider(c.APIGateway),
		apis.HTTPStageProvider(c.APIGateway),
		apis.RestAPIProvider(c.APIGateway),
		apis.ResourceProvider(c.APIGateway),
		apis.MethodProvider(c.APIGateway),
		apis.DeploymentProvider(c.APIGateway),
		apis.StageProvider(c.APIGateway),
		vault.SecretProvider(c.SecretsManager),
	}
}

// Handler is the local cloud's HTTP front door.
func (c *Cloud) Handler() http.Handler { return c.handler }

// SetEndpoint tells the services the base URL they are reached at (for
// the URLs they hand out, such as a function's code location).
// The first call also starts what waited for it: the executions and
// asynchronous invocations a previous run left unfinished resume, now that
// the functions they run can be given the endpoint.
func (c *Cloud) SetEndpoint(base string) {
	c.endpoint.Store(base)
	c.Lambda.SetCodeEndpoint(base)
	c.SNS.SetEndpoint(base)
	c.startOnce.Do(func() {
		c.SNS.Start()
		if err := c.StepFunctions.Start(context.Background()); err != nil && c.logger != nil {
			c.logger.Printf("resuming executions: %v", err)
		}
	})
}

// Serve listens on addr and serves until ctx ends.
func (c *Cloud) Serve(ctx context.Context, addr string, ready func(net.Addr)) error {
	return localcloud.ServeHandler(ctx, c.handler, addr, func(a net.Addr) {
		c.SetEndpoint("http://" + a.String())
		if ready != nil {
			ready(a)
		}
	})
}

// Close stops the operations in progress (they resume on the next Open)
// and closes the store.
func (c *Cloud) Close() error {
	if c.onClose != nil {
		c.onClose()
	}
	c.CloudFormation.Close()
	c.EventBridge.Close()
	c.StepFunctions.Close()
	c.SNS.Close()
	c.Lambda.Close()
	c.delivery.close()
	c.stop()
	return c.Store.Close()
}

// executeAPI matches the URL of an API Gateway API as a template writes
// it (https://<api id>.execute-api.<region>.amazonaws.com).
var executeAPI = regexp.MustCompile(`https://([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com`)

// localURL rewrites an API's execute-api URL into the form the local
// cloud serves it at, http://<api id>.execute-api.localhost:<port>, so
// that a stack's outputs can be pasted into curl as printed.
func (c *Cloud) localURL(v string) string {
	base, _ := c.endpoint.Load().(string)
	u, err := url.Parse(base)
	if base == "" || err != nil || u.Port() == "" {
		return v
	}
	return executeAPI.ReplaceAllString(v, "http://${1}.execute-api.localhost:"+u.Port())
}
