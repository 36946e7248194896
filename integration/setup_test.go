// Package integration holds the black-box tests of the five seed
// scenarios: each drives a deployed system only through its public edges
// (the APIs' URLs, the bucket, the outbox, the AWS APIs) and checks what
// the seed promises. By default they run against a local cloud started
// in-process, with the five stacks deployed through pkg/deploy exactly as
// to AWS, and the platforms the workflows call replaced by pkg/standin's
// recorded replies.
//
// STEPFORGE_INTEGRATION=aws runs them against the stacks deployed to AWS
// (go run mage.go deploy, with the default credential chain) instead:
// the scenarios that need this machine (the outbox, the stand-ins, a
// killed local cloud) skip there, saying why.
package integration

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/stepforge/stepforge/gen"
	"github.com/stepforge/stepforge/pkg/deploy"
	"github.com/stepforge/stepforge/pkg/localcloud/cloud"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
	"github.com/stepforge/stepforge/pkg/standin"
	"github.com/stepforge/stepforge/workflows"
)

// system is the deployed system the tests drive.
type system struct {
	cfg      aws.Config
	endpoint string
	cloud    *cloud.Cloud
	dir      string
	outputs  map[string]map[string]string
	standins *standin.Servers
	zips     map[string]string // each handler's host build, zipped
}

var sys *system

// TestMain deploys the five stacks once for the package: building nine
// handlers and moving their code is most of the cost.
func TestMain(m *testing.M) {
	if dir := os.Getenv("INTEGRATION_SERVE"); dir != "" {
		os.Exit(serveChild(dir))
	}
	var err error
	if os.Getenv("STEPFORGE_INTEGRATION") == "aws" {
		sys, err = awsSystem()
	} else {
		sys, err = startSystem()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: could not deploy the system:", err)
		os.Exit(1)
	}
	code := m.Run()
	sys.close()
	os.Exit(code)
}

func startSystem() (*system, error) {
	dir, err := os.MkdirTemp("", "integration")
	if err != nil {
		return nil, err
	}
	st, err := standin.Start(standin.Ports{})
	if err != nil {
		return nil, err
	}
	s := &system{dir: dir, standins: st}
	s.cloud, err = cloud.Open(cloud.Options{Dir: filepath.Join(dir, "state"), TimeScale: 0.001, XRayAddr: "127.0.0.1:0", SNSAutoConfirm: true})
	if err != nil {
		return nil, err
	}
	ready := make(chan net.Addr, 1)
	go func() { _ = s.cloud.Serve(context.Background(), "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
	select {
	case a := <-ready:
		s.endpoint = "http://" + a.String()
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("the local cloud did not start")
	}
	s.cfg = lctest.Config(s.endpoint)
	if err := seed(context.Background(), s); err != nil {
		return nil, err
	}
	s.outputs, err = deployAll(context.Background(), s)
	return s, err
}

func (s *system) close() {
	if s.cloud == nil {
		return
	}
	_ = s.cloud.Close()
	s.standins.Close()
	_ = os.RemoveAll(s.dir)
}

// awsSystem is the five stacks as deployed to AWS.
func awsSystem() (*system, error) {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, err
	}
	s := &system{cfg: cfg, outputs: map[string]map[string]string{}}
	for _, w := range workflows.All() {
		if s.outputs[w.Name], err = deploy.Outputs(context.Background(), cfg, w.Name); err != nil {
			return nil, fmt.Errorf("%s (deploy it first: go run mage.go deploy): %w", w.Name, err)
		}
	}
	return s, nil
}

// localOnly skips a test that needs what only this machine has.
func localOnly(t *testing.T, what string) {
	t.Helper()
	if sys.cloud == nil {
		t.Skip("against AWS: " + what + " is only on the local cloud")
	}
}

// deployAll synths the workflows and deploys them with host builds of
// the handlers, as `go run mage.go up` does.
func deployAll(ctx context.Context, s *system) (map[string]map[string]string, error) {
	stacks, err := gen.Synth(filepath.Join(s.dir, "synth"), workflows.All())
	if err != nil {
		return nil, err
	}
	zips, err := lctest.HostZips("..", filepath.Join(s.dir, "zips"))
	if err != nil {
		return nil, err
	}
	s.zips = zips
	u := s.standins.URLs
	// The parameters workflows/params/local.json gives, with the
	// stand-ins' ports of this run.
	params := map[string]string{"NotificationEmail": "ops@example.com", "StatusUrl": u.Status + "/status", "SiteUrl": "http://127.0.0.1:8600",
		"SanityApiUrl": u.Sanity, "MediumApiUrl": u.Medium, "DevtoApiUrl": u.Devto, "HashnodeApiUrl": u.Hashnode, "OpenSearchEndpoint": u.OpenSearch}
	opts := deploy.Options{Config: s.cfg, Environment: "integration", Out: io.Discard, OutputsDir: filepath.Join(s.dir, "outputs"), Approve: true,
		Getenv: func(k string) string { return params[strings.TrimPrefix(k, "STEPFORGE_PARAM_")] }}
	for _, st := range stacks {
		ds := deploy.Stack{Name: st.Workflow.Name, Template: st.Template}
		for _, fn := range st.Workflow.Functions {
			ds.Assets = append(ds.Assets, deploy.Asset{Parameter: gen.CodeKeyParameter(fn), Path: zips[fn.Handler]})
		}
		opts.Stacks = append(opts.Stacks, ds)
	}
	rep, err := deploy.Deploy(ctx, opts)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, st := range rep.Stacks {
		out[st.Name] = st.Outputs
	}
	return out, nil
}
