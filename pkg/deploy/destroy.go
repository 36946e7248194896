package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Retained is a resource a deleted stack left behind (DeletionPolicy
// Retain) and how to remove it by hand.
type Retained struct {
	LogicalID  string
	Type       string
	PhysicalID string
	Remove     string // a command that removes it
}

// removeCommand says how to delete a retained resource by hand.
func removeCommand(typ, physical string) string {
	switch typ {
	case "AWS::S3::Bucket":
		return "aws s3 rb s3://" + physical + " --force"
	case "AWS::Logs::LogGroup":
		return "aws logs delete-log-group --log-group-name " + physical
	case "AWS::DynamoDB::Table":
		return "aws dynamodb delete-table --table-name " + physical
	case "AWS::KMS::Key":
		return "aws kms schedule-key-deletion --key-id " + physical
	case "AWS::SNS::Topic":
		return "aws sns delete-topic --topic-arn " + physical
	}
	return "delete " + physical + " in the console or with the AWS CLI"
}

// doomed is a stack about to be deleted: what is in it, and what of that
// its template keeps.
type doomed struct {
	stack    *types.Stack
	rows     []Change
	retained []Retained
}

// Destroy deletes the stacks (those that depend on others first), once the
// deletion is approved as destructive changes are, shows their events, and
// reports the resources their templates retain with how to remove them.
// The bootstrap stack is left alone.
func Destroy(ctx context.Context, opts Options) (*Report, error) {
	r := newRun(opts)
	defer r.out.Done()
	if err := checkGraph(r.opts.Stacks); err != nil {
		return nil, err
	}
	report := &Report{Stacks: make([]StackReport, len(r.opts.Stacks))}
	targets := make([]*doomed, len(r.opts.Stacks))
	var all []Change
	for i, s := range r.opts.Stacks {
		report.Stacks[i].Name = s.Name
		d, err := r.survey(ctx, s)
		if err != nil {
			return report, err
		}
		if d == nil {
			r.out.Printf("stack %s: does not exist; nothing to delete", s.Name)
			continue
		}
		targets[i] = d
		all = append(all, d.rows...)
		r.out.Printf("%s", strings.Replace(changesText(s.Name, d.rows), "change(s)", "resource(s) to delete", 1))
	}
	if len(all) > 0 {
		if err := r.approve("destroy", all); err != nil {
			return report, err
		}
	}
	errs := parallel(ctx, r.opts.Stacks, true, func(ctx context.Context, i int) error {
		d := targets[i]
		if d == nil {
			return nil
		}
		rep := &report.Stacks[i]
		start := time.Now()
		defer func() { rep.Elapsed = time.Since(start) }()
		name := r.opts.Stacks[i].Name
		if inProgress(d.stack.StackStatus) {
			r.out.Printf("stack %s: %s: waiting for that operation to finish first", name, d.stack.StackStatus)
			if err := r.settle(ctx, aws.ToString(d.stack.StackId)); err != nil {
				return err
			}
		}
		if err := r.deleteAndWait(ctx, name, d.stack); err != nil {
			var se *StackError
			if errors.As(err, &se) {
				rep.Status = se.Status
				r.out.Printf("%s", failureText(se))
			}
			return err
		}
		rep.Status = string(types.StackStatusDeleteComplete)
		rep.Retained = d.retained
		r.out.Printf("stack %s: DELETE_COMPLETE in %s", name, time.Since(start).Round(100*time.Millisecond))
		for _, k := range d.retained {
			r.out.Printf("stack %s: retained %s (%s) %s: remove it with: %s", name, k.LogicalID, k.Type, k.PhysicalID, k.Remove)
		}
		return nil
	})
	return report, errors.Join(errs...)
}

// survey reads a stack's resources before it is deleted, for the prompt and
// for naming what its template retains; nil means no such stack.
func (r *run) survey(ctx context.Context, s Stack) (*doomed, error) {
	st, err := describeStack(ctx, r.cfn, s.Name)
	if err != nil || st == nil {
		return nil, err
	}
	id := aws.ToString(st.StackId)
	res, err := r.cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("stack %s: describe resources: %w", s.Name, err)
	}
	body := s.Template
	if got, err := r.cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(id)}); err == nil && aws.ToString(got.TemplateBody) != "" {
		body = []byte(aws.ToString(got.TemplateBody)) // what is deployed is what counts
	}
	keep := map[string]bool{}
	if tpl, err := parseTemplate(body); err == nil {
		for _, id := range tpl.retained() {
			keep[id] = true
		}
	} else if len(body) > 0 {
		return nil, fmt.Errorf("stack %s: %w", s.Name, err)
	}
	d := &doomed{stack: st}
	for _, sr := range res.StackResources {
		logical, typ, physical := aws.ToString(sr.LogicalResourceId), aws.ToString(sr.ResourceType), aws.ToString(sr.PhysicalResourceId)
		if keep[logical] {
			if physical != "" && sr.ResourceStatus != types.ResourceStatusDeleteComplete {
				d.retained = append(d.retained, Retained{LogicalID: logical, Type: typ, PhysicalID: physical, Remove: removeCommand(typ, physical)})
			}
			continue
		}
		d.rows = append(d.rows, Change{Action: "remove", LogicalID: logical, PhysicalID: physical, Type: typ})
	}
	if len(d.rows) == 0 {
		// An empty stack is still deleted, and deleting is destructive.
		d.rows = append(d.rows, Change{Action: "remove", LogicalID: s.Name, PhysicalID: id, Type: "AWS::CloudFormation::Stack"})
	}
	return d, nil
}
