package deploy

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Change is one row of a change set: what CloudFormation will do to one
// resource.
type Change struct {
	Action      string // add, modify, remove (also import, dynamic)
	LogicalID   string
	PhysicalID  string // empty for a resource not yet created
	Type        string
	Replacement string // True, Conditional or False for a modify; empty otherwise
}

// Destructive says whether the change deletes a resource or replaces it
// (which deletes the old one).
func (c Change) Destructive() bool { return c.Action == "remove" || c.Replacement == "True" }

// ErrNotApproved is wrapped by the error of a deploy stopped before
// executing destructive changes nobody approved.
var ErrNotApproved = errors.New("destructive changes not approved")

func changeRows(changes []types.Change) []Change {
	rows := make([]Change, 0, len(changes))
	for _, c := range changes {
		rc := c.ResourceChange
		if rc == nil {
			continue
		}
		rows = append(rows, Change{
			Action:      strings.ToLower(string(rc.Action)),
			LogicalID:   aws.ToString(rc.LogicalResourceId),
			PhysicalID:  aws.ToString(rc.PhysicalResourceId),
			Type:        aws.ToString(rc.ResourceType),
			Replacement: string(rc.Replacement),
		})
	}
	return rows
}

// changesText renders a change set as a table, like `sam deploy` does.
func changesText(stack string, rows []Change) string {
	var w strings.Builder
	fmt.Fprintf(&w, "stack %s: %d change(s)\n", stack, len(rows))
	tw := tabwriter.NewWriter(&w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  Action\tLogicalId\tType\tReplacement")
	for _, r := range rows {
		replacement := r.Replacement
		if replacement == "" {
			replacement = "N/A"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s", r.Action, r.LogicalID, r.Type, replacement)
		if r.Destructive() {
			fmt.Fprint(tw, "\tdestructive")
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	return w.String()
}

func destructive(rows []Change) []Change {
	var d []Change
	for _, r := range rows {
		if r.Destructive() {
			d = append(d, r)
		}
	}
	return d
}

func describeDestructive(rows []Change) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		verb := "replace"
		if r.Action == "remove" {
			verb = "remove"
		}
		parts[i] = fmt.Sprintf("%s %s (%s)", verb, r.LogicalID, r.Type)
	}
	return strings.Join(parts, ", ")
}

// approve lets destructive work go ahead when the options approve it or
// the user confirms it at the terminal; what went unapproved is the error.
func (r *run) approve(what string, rows []Change) error {
	d := destructive(rows)
	if len(d) == 0 || r.opts.Approve || r.opts.Getenv("STEPFORGE_APPROVE") == "1" {
		return nil
	}
	list := describeDestructive(d)
	if r.opts.Terminal && r.opts.Confirm != nil {
		if r.out.Confirm(r.opts.Confirm, fmt.Sprintf("%s: %s. Go ahead?", what, list)) {
			return nil
		}
		return fmt.Errorf("%s: %w: declined at the prompt (%s)", what, ErrNotApproved, list)
	}
	return fmt.Errorf("%s: %w: %s; nothing was executed: confirm at a terminal, or approve with STEPFORGE_APPROVE=1 (Options.Approve)", what, ErrNotApproved, list)
}
