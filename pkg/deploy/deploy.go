package deploy

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// run is one Deploy, Diff or Destroy: the clients and the shared output.
type run struct {
	opts Options
	cfn  *cloudformation.Client
	s3   *s3.Client
	out  *printer
}

func newRun(opts Options) *run {
	opts = opts.withDefaults()
	return &run{
		opts: opts,
		cfn:  cloudformation.NewFromConfig(opts.Config),
		s3: s3.NewFromConfig(opts.Config, func(o *s3.Options) {
			o.UsePathStyle = o.UsePathStyle || opts.Config.BaseEndpoint != nil
		}),
		out: newPrinter(opts.Out, opts.Terminal),
	}
}

// plan is a stack checked and ready: its template read, its parameters
// resolved, its assets hashed.
type plan struct {
	stack  Stack
	tpl    *template
	params map[string]string
	assets []artifact
}

// plans checks every stack before anything is created or uploaded.
func (r *run) plans() ([]*plan, error) {
	if err := checkGraph(r.opts.Stacks); err != nil {
		return nil, err
	}
	file, err := loadParamFile(filepath.Join(r.opts.ParamsDir, r.opts.Environment+".json"))
	if err != nil {
		return nil, err
	}
	var errs []error
	plans := make([]*plan, len(r.opts.Stacks))
	for i, s := range r.opts.Stacks {
		p, err := r.planOne(s, file)
		if err != nil {
			errs = append(errs, err)
		}
		plans[i] = p
	}
	return plans, errors.Join(errs...)
}

// bucketPlaceholder stands for the artifact bucket's name while parameters
// are checked, before the bucket is known.
const bucketPlaceholder = "\x00bucket"

func (r *run) planOne(s Stack, file *paramFile) (*plan, error) {
	tpl, err := parseTemplate(s.Template)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", s.Name, err)
	}
	p := &plan{stack: s, tpl: tpl}
	given := map[string]string{}
	if _, ok := tpl.Parameters["ArtifactBucket"]; ok {
		given["ArtifactBucket"] = bucketPlaceholder
	}
	for _, a := range s.Assets {
		if _, ok := tpl.Parameters[a.Parameter]; !ok {
			return nil, fmt.Errorf("stack %s: asset %s fills parameter %s, which the template does not declare", s.Name, a.Path, a.Parameter)
		}
		art, err := readAsset(a)
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", s.Name, err)
		}
		given[a.Parameter] = art.key
		p.assets = append(p.assets, art)
	}
	p.params, err = resolveParams(s.Name, tpl, file, r.opts.Getenv, given)
	return p, err
}

// Deploy creates or updates every stack through a change set, bootstrapping
// the artifact bucket first when it is missing, and uploading the assets it
// does not hold yet.
func Deploy(ctx context.Context, opts Options) (*Report, error) {
	return newRun(opts).deploy(ctx, false)
}

// Diff prints the changes a deploy would make to every stack and executes
// nothing: each change set it makes is deleted again, and so is a stack it
// brought into existence only to review. It needs the bootstrap stack,
// uploads no handler (their keys are content hashes, known without), and
// uploads only the templates too large to pass inline.
func Diff(ctx context.Context, opts Options) (*Report, error) {
	return newRun(opts).deploy(ctx, true)
}

func (r *run) deploy(ctx context.Context, diffOnly bool) (*Report, error) {
	defer r.out.Done()
	plans, err := r.plans()
	if err != nil {
		return nil, err
	}
	var bucket string
	if diffOnly {
		bucket, err = r.existingBucket(ctx)
	} else {
		bucket, err = r.bootstrap(ctx, false)
	}
	if err != nil {
		return nil, err
	}
	up := &uploader{client: r.s3, bucket: bucket, calls: map[string]*upload{}}
	report := &Report{Stacks: make([]StackReport, len(plans))}
	errs := parallel(ctx, r.opts.Stacks, false, func(ctx context.Context, i int) error {
		report.Stacks[i].Name = plans[i].stack.Name
		return r.deployOne(ctx, plans[i], up, diffOnly, &report.Stacks[i])
	})
	for i := range report.Stacks {
		report.Stacks[i].Name = plans[i].stack.Name
	}
	return report, errors.Join(errs...)
}

// deployOne takes one stack through a change set.
func (r *run) deployOne(ctx context.Context, p *plan, up *uploader, diffOnly bool, rep *StackReport) error {
	start := time.Now()
	defer func() { rep.Elapsed = time.Since(start) }()
	name := p.stack.Name

	if !diffOnly {
		for _, a := range p.assets {
			uploaded, err := up.put(ctx, a)
			if err != nil {
				return fmt.Errorf("stack %s: %w", name, err)
			}
			if uploaded {
				rep.Uploaded = append(rep.Uploaded, a.key)
				r.out.Printf("stack %s: uploaded s3://%s/%s", name, up.bucket, a.key)
			} else {
				rep.Skipped = append(rep.Skipped, a.key)
			}
		}
	}
	in := &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(name),
		ChangeSetName: aws.String(changeSetName()),
		Description:   aws.String("stepforge deploy"),
		Capabilities:  []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam, types.CapabilityCapabilityAutoExpand},
	}
	if len(p.stack.Template) > maxTemplateBody {
		a := artifact{key: templateKey(p.stack.Template), body: p.stack.Template}
		if _, err := up.put(ctx, a); err != nil {
			return fmt.Errorf("stack %s: template: %w", name, err)
		}
		in.TemplateURL = aws.String(objectURL(r.opts.Config, up.bucket, a.key))
	} else {
		in.TemplateBody = aws.String(string(p.stack.Template))
	}
	keys := make([]string, 0, len(p.params))
	for k := range p.params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := p.params[k]
		if v == bucketPlaceholder {
			v = up.bucket
		}
		in.Parameters = append(in.Parameters, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
	}
	tags := make([]string, 0, len(p.stack.Tags))
	for k := range p.stack.Tags {
		tags = append(tags, k)
	}
	sort.Strings(tags)
	for _, k := range tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(p.stack.Tags[k])})
	}

	kind, existing, err := r.changeSetType(ctx, name, diffOnly)
	if err != nil {
		return err
	}
	if kind == "" {
		rep.Status = string(existing.StackStatus)
		return nil
	}
	existed := existing != nil
	in.ChangeSetType = kind
	cs, err := r.createChangeSet(ctx, in)
	if err != nil {
		if derr := r.discard(context.WithoutCancel(ctx), cs, existed); derr != nil {
			err = errors.Join(err, derr)
		}
		return err
	}
	if cs.empty {
		rep.NoChanges = true
		r.out.Printf("stack %s: no changes", name)
		if err := r.discard(ctx, cs, existed); err != nil {
			return fmt.Errorf("stack %s: %w", name, err)
		}
		if existing != nil {
			rep.Status = string(existing.StackStatus)
		}
		if diffOnly {
			return nil
		}
		return r.finish(ctx, name, cs.stackID, rep)
	}
	rep.Changes = cs.rows
	r.out.Printf("%s", changesText(name, cs.rows))
	if diffOnly {
		if existing != nil {
			rep.Status = string(existing.StackStatus)
		}
		if err := r.discard(ctx, cs, existed); err != nil {
			return fmt.Errorf("stack %s: %w", name, err)
		}
		return nil
	}
	if err := r.approve("stack "+name, cs.rows); err != nil {
		if derr := r.discard(context.WithoutCancel(ctx), cs, existed); derr != nil {
			err = errors.Join(err, derr)
		}
		return err
	}

	marker, err := r.latestEvent(ctx, cs.stackID)
	if err != nil {
		return fmt.Errorf("stack %s: %w", name, err)
	}
	opStart := time.Now()
	if _, err := r.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String(cs.id), StackName: aws.String(cs.stackID)}); err != nil {
		return fmt.Errorf("stack %s: execute change set: %w", name, err)
	}
	final, events, err := r.watch(ctx, name, cs.stackID, marker, opStart)
	rep.Status = final
	if err != nil {
		return fmt.Errorf("stack %s: %w", name, err)
	}
	if final != string(types.StackStatusCreateComplete) && final != string(types.StackStatusUpdateComplete) {
		se := failure(name, final, events)
		r.out.Printf("%s", failureText(se))
		return se
	}
	r.out.Printf("stack %s: %s in %s", name, final, time.Since(opStart).Round(100*time.Millisecond))
	return r.finish(ctx, name, cs.stackID, rep)
}

// finish reads a deployed stack's outputs, prints them and saves them.
func (r *run) finish(ctx context.Context, name, stackID string, rep *StackReport) error {
	s, err := describeStack(ctx, r.cfn, stackID)
	if err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("stack %s: gone after deploying", name)
	}
	rep.Status = string(s.StackStatus)
	rep.Outputs = outputsOf(s)
	path, err := saveOutputs(r.opts.OutputsDir, name, rep.Outputs)
	if err != nil {
		return err
	}
	r.out.Printf("%s\n  (saved to %s)", outputsText(name, rep.Outputs), path)
	return nil
}
