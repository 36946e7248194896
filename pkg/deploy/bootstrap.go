package deploy

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// bootstrapTemplate is the bootstrap stack: the artifact bucket and its
// policy. Raise bootstrapVersion with every change to it, so deploys
// update stacks made by older revisions.
//
//go:embed bootstrap.template.json
var bootstrapTemplate []byte

const bootstrapVersion = 1

// Bootstrap creates or updates the bootstrap stack and returns the name of
// its artifact bucket. Deploy calls it when the stack is missing or older
// than this package; calling it first is never needed, like `cdk bootstrap`.
func Bootstrap(ctx context.Context, opts Options) (string, error) {
	r := newRun(opts)
	defer r.out.Done()
	return r.bootstrap(ctx, true)
}

// bootstrap returns the artifact bucket, deploying the bootstrap stack
// first when force is set or the stack is missing, unusable or outdated.
func (r *run) bootstrap(ctx context.Context, force bool) (string, error) {
	name := r.opts.BootstrapStack
	if !force {
		s, err := describeStack(ctx, r.cfn, name)
		if err != nil {
			return "", err
		}
		if bucket, ok := usableBootstrap(s); ok {
			return bucket, nil
		}
	}
	tpl, err := parseTemplate(bootstrapTemplate)
	if err != nil {
		return "", err
	}
	r.out.Printf("stack %s: bootstrapping the artifact bucket", name)
	p := &plan{stack: Stack{Name: name, Template: bootstrapTemplate}, tpl: tpl, params: map[string]string{}}
	var rep StackReport
	if err := r.deployOne(ctx, p, &uploader{client: r.s3, calls: map[string]*upload{}}, false, &rep); err != nil {
		return "", fmt.Errorf("bootstrap: %w", err)
	}
	bucket := rep.Outputs["ArtifactBucketName"]
	if bucket == "" {
		return "", fmt.Errorf("bootstrap: stack %s has no output ArtifactBucketName", name)
	}
	return bucket, nil
}

// existingBucket is the artifact bucket of a bootstrap stack already there.
func (r *run) existingBucket(ctx context.Context) (string, error) {
	s, err := describeStack(ctx, r.cfn, r.opts.BootstrapStack)
	if err != nil {
		return "", err
	}
	if s == nil {
		return "", fmt.Errorf("bootstrap stack %s does not exist: deploy once (or bootstrap) first", r.opts.BootstrapStack)
	}
	bucket := outputsOf(s)["ArtifactBucketName"]
	if bucket == "" {
		return "", fmt.Errorf("bootstrap stack %s (%s) has no output ArtifactBucketName: bootstrap again", r.opts.BootstrapStack, s.StackStatus)
	}
	return bucket, nil
}

func usableBootstrap(s *types.Stack) (string, bool) {
	if s == nil {
		return "", false
	}
	switch s.StackStatus {
	case types.StackStatusCreateComplete, types.StackStatusUpdateComplete, types.StackStatusUpdateRollbackComplete:
	default:
		return "", false
	}
	out := outputsOf(s)
	v, err := strconv.Atoi(out["BootstrapVersion"])
	if err != nil || v < bootstrapVersion || out["ArtifactBucketName"] == "" {
		return "", false
	}
	return out["ArtifactBucketName"], true
}
