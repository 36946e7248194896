package deploy

import (
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Asset is a file (a handler's zip) whose S3 key fills a template parameter.
type Asset struct {
	Parameter string // e.g. "CheckPizzaCodeKey"
	Path      string
}

// Stack is one CloudFormation stack to deploy: its template (JSON or YAML),
// the artifacts it refers to, its tags, and the stacks it must follow.
type Stack struct {
	Name      string
	Template  []byte
	Assets    []Asset
	Tags      map[string]string
	DependsOn []string
}

// Options configures Deploy, Diff, Destroy and Bootstrap. Only Config and
// Stacks need setting; the zero value of every other field is a sensible
// default.
type Options struct {
	Config      aws.Config
	Stacks      []Stack
	Environment string              // selects <ParamsDir>/<Environment>.json; default "dev"
	ParamsDir   string              // default "params"
	Getenv      func(string) string // default os.Getenv

	// Destructive changes need Approve (or STEPFORGE_APPROVE=1), or a yes
	// from Confirm when Terminal is set.
	Approve bool
	Confirm func(prompt string) bool

	Out          io.Writer     // default os.Stdout
	Terminal     bool          // Out is a terminal: show a live view
	PollInterval time.Duration // default 2 s, 50 ms on a loopback endpoint

	OutputsDir     string // default build/outputs
	BootstrapStack string // default "stepforge-bootstrap"
}

// DefaultBootstrapStack is the bootstrap stack's name unless
// Options.BootstrapStack gives another.
const DefaultBootstrapStack = "stepforge-bootstrap"

func (o Options) withDefaults() Options {
	if o.Environment == "" {
		o.Environment = "dev"
	}
	if o.ParamsDir == "" {
		o.ParamsDir = "params"
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = pollInterval(o.Config)
	}
	if o.OutputsDir == "" {
		o.OutputsDir = filepath.Join("build", "outputs")
	}
	if o.BootstrapStack == "" {
		o.BootstrapStack = DefaultBootstrapStack
	}
	return o
}

// pollInterval suits the target: CloudFormation on AWS takes seconds per
// resource, the local cloud milliseconds.
func pollInterval(cfg aws.Config) time.Duration {
	if cfg.BaseEndpoint != nil {
		if u, err := url.Parse(*cfg.BaseEndpoint); err == nil {
			host := u.Hostname()
			if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
				return 50 * time.Millisecond
			}
		}
	}
	return 2 * time.Second
}

// Report says what happened to each stack, in the order given.
type Report struct {
	Stacks []StackReport
}

// StackReport is one stack's outcome.
type StackReport struct {
	Name      string
	Status    string // the stack's status at the end; empty if it was not reached
	NoChanges bool
	Changes   []Change
	Uploaded  []string // S3 keys uploaded by this deploy
	Skipped   []string // S3 keys already in the bucket
	Outputs   map[string]string
	Retained  []Retained // Destroy only: resources left behind
	Elapsed   time.Duration
}
