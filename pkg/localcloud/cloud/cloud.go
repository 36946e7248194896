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
	"path/filepath"

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

	server  *localcloud.Server
	handler http.Handler
	onClose func()
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
	c := &Cloud{Store: store}
	if c.S3, err = objects.New(store); err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("local cloud: S3: %w", err)
	}
	c.Lambda = functions.New(store, c.S3)
	c.IAM = identity.New(store)
	c.KMS = keys.New(store)
	c.Logs = logs.New(store)
	c.StepFunctions = machines.New(store)
	c.SNS = topics.New(store)
	c.SNS.SetKeyChecker(topicKeys{c.KMS})
	c.SecretsManager = vault.New(store, c.KMS)
	c.EventBridge = rules.New(store)
	c.APIGateway = apis.New(store)
	c.CloudFormation, err = stacks.New(store, stacks.Options{Objects: c.S3, Logger: o.Logger, Providers: c.providers()})
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("local cloud: CloudFormation: %w", err)
	}
	c.server = localcloud.New(o.Logger, localcloud.STS{Sessions: c.IAM.CallerIdentity}, c.Lambda, c.IAM, c.KMS, c.Logs,
		c.StepFunctions, c.SNS, c.EventBridge, c.APIGateway, c.CloudFormation, c.SecretsManager)
	// IAM is enforced on the calls made with the role sessions the local
	// cloud issues (functions', state machines'); any other key is the
	// developer's and is not checked.
	c.server.SetAuthorizer(c.IAM)
	c.server.RegisterHandlerAuthorized("s3", c.S3.Handler(), objects.Authorization)
	// GetFunction's Code.Location is a download URL on the local cloud.
	mux := http.NewServeMux()
	mux.Handle(functions.CodePath, c.Lambda.CodeHandler())
	mux.Handle("/", c.server)
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
func (c *Cloud) SetEndpoint(base string) { c.Lambda.SetCodeEndpoint(base) }

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
	return c.Store.Close()
}
