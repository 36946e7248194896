// Package workflows lists the project's workflows, each declared in a
// package of its own.
package workflows

import (
	"github.com/stepforge/stepforge/pkg/workflow"
	"github.com/stepforge/stepforge/workflows/blogpublishing"
	"github.com/stepforge/stepforge/workflows/expresswebhook"
	"github.com/stepforge/stepforge/workflows/pizza"
	"github.com/stepforge/stepforge/workflows/retryon500"
	"github.com/stepforge/stepforge/workflows/uploadalarm"
)

// All returns every workflow, in the order of the seeds they come from.
func All() []*workflow.Workflow {
	return []*workflow.Workflow{
		uploadalarm.Workflow(),
		pizza.Workflow(),
		blogpublishing.Workflow(),
		retryon500.Workflow(),
		expresswebhook.Workflow(),
	}
}
