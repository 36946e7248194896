package gen

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/stepforge/stepforge/pkg/workflow"
)

var (
	stackName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,127}$`)
	name      = regexp.MustCompile(`^[A-Z][A-Za-z0-9]{0,63}$`)
)

// check reports what would make a declaration impossible to generate:
// malformed names and invalid state machine definitions.
func check(w *workflow.Workflow) error {
	var errs []error
	if !stackName.MatchString(w.Name) {
		errs = append(errs, fmt.Errorf("stack name %q must be lower-case letters, digits and dashes", w.Name))
	}
	named := func(kind, n string) {
		if !name.MatchString(n) {
			errs = append(errs, fmt.Errorf("%s name %q must be alphanumeric, starting with an upper-case letter", kind, n))
		}
	}
	for _, p := range w.Parameters {
		named("parameter", p.Name)
	}
	for _, x := range w.Functions {
		named("function", x.Name)
		if x.Handler == "" {
			errs = append(errs, fmt.Errorf("function %s names no handler", x.Name))
		}
	}
	for _, x := range w.Machines {
		named("state machine", x.Name)
		if x.Definition == nil {
			errs = append(errs, fmt.Errorf("state machine %s has no definition", x.Name))
			continue
		}
		if err := x.Definition.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("state machine %s: %w", x.Name, err))
		}
		if x.Type != workflow.Standard && x.Type != workflow.Express {
			errs = append(errs, fmt.Errorf("state machine %s: type %q is neither STANDARD nor EXPRESS", x.Name, x.Type))
		}
	}
	errs = append(errs, checkPublicLogging(w)...)
	for _, x := range w.Buckets {
		named("bucket", x.Name)
	}
	for _, x := range w.Topics {
		named("topic", x.Name)
	}
	for _, x := range w.Keys {
		named("key", x.Name)
	}
	for _, x := range w.Secrets {
		named("secret", x.Name)
	}
	return errors.Join(errs...)
}

// checkPublicLogging refuses execution data in the logs of a machine that a
// public API feeds, directly or through the function behind a route: its
// input is a stranger's request body (and whatever secrets it carries), and
// log readers are not the audience for it.
func checkPublicLogging(w *workflow.Workflow) []error {
	fed := map[*workflow.StateMachine]string{}
	for _, a := range w.HTTPAPIs {
		for _, r := range a.Routes {
			fed[r.Machine] = "HTTP API " + a.Name
		}
	}
	for _, a := range w.RestAPIs {
		for _, r := range a.Routes {
			if r.Machine != nil {
				fed[r.Machine] = "REST API " + a.Name
			}
			if r.Function != nil {
				for _, m := range r.Function.StartsMachines {
					fed[m] = "REST API " + a.Name + " through function " + r.Function.Name
				}
			}
		}
	}
	var errs []error
	for _, m := range w.Machines {
		if api, ok := fed[m]; ok && m.Logging != nil && m.Logging.IncludeExecutionData {
			errs = append(errs, fmt.Errorf("state machine %s is fed by the public %s: its logs must not include execution data (raw request bodies)", m.Name, api))
		}
	}
	return errs
}
