package states

import "fmt"

// scope holds workflow variables. A Parallel branch or Map iteration runs
// in a scope of its own: it reads the outer variables, and what it assigns
// stays in it. States assign when they finish, so the values a state reads
// are those it entered with.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
type scope struct {
	parent *scope
	vars   map[string]any
	sizes  map[string]int // JSON size of each variable, for the limits
}

// all returns every variable visible in s, inner ones shadowing outer ones;
// nil when there are none. The map is a copy: later assignments do not
// change what a state entered with.
func (s *scope) all() map[string]any {
	var chain []*scope
	n := 0
	for c := s; c != nil; c = c.parent {
		chain = append(chain, c)
		n += len(c.vars)
	}
	if n == 0 {
		return nil
	}
	out := make(map[string]any, n)
	for i := len(chain) - 1; i >= 0; i-- {
		for k, v := range chain[i].vars {
			out[k] = v
		}
	}
	return out
}

// assign sets variables in s.
func (s *scope) assign(vars map[string]any) {
	if len(vars) == 0 {
		return
	}
	if s.vars == nil {
		s.vars = make(map[string]any, len(vars))
	}
	for k, v := range vars {
		s.vars[k] = v
	}
}

// Variable size limits: one variable, and all an Assign sets at once, at
// most 256 KiB of JSON; all the variables of an execution at most 10 MiB.
// Past them the state fails with States.DataLimitExceeded, which no
// catcher takes.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
const (
	maxVariable     = 256 * 1024
	maxAssign       = 256 * 1024
	maxAllVariables = 10 * 1024 * 1024
)

// checkVariables returns the JSON of each variable a state assigns (what
// its StateExited event records), or the limit the assignment breaks.
func checkVariables(state string, assigned map[string]any, sc *scope) (map[string]string, error) {
	if len(assigned) == 0 {
		return nil, nil
	}
	total := 0
	sizes := make(map[string]int, len(assigned))
	encoded := make(map[string]string, len(assigned))
	for k, v := range assigned {
		js := mustEncode(v)
		encoded[k] = js
		n := len(js)
		if n > maxVariable {
			return nil, &Error{Name: errDataLimitExceeded, Cause: fmt.Sprintf("The variable '%s' assigned by state '%s' has a size of %d bytes, over the limit of %d bytes", k, state, n, maxVariable)}
		}
		sizes[k] = n
		total += n
	}
	if total > maxAssign {
		return nil, &Error{Name: errDataLimitExceeded, Cause: fmt.Sprintf("The variables assigned by state '%s' have a combined size of %d bytes, over the limit of %d bytes", state, total, maxAssign)}
	}
	all := 0
	for c := sc; c != nil; c = c.parent {
		for k, n := range c.sizes {
			if _, replaced := sizes[k]; !replaced || c != sc {
				all += n
			}
		}
	}
	for _, n := range sizes {
		all += n
	}
	if all > maxAllVariables {
		return nil, &Error{Name: errDataLimitExceeded, Cause: fmt.Sprintf("The variables of the execution would have a combined size of %d bytes, over the limit of %d bytes", all, maxAllVariables)}
	}
	if sc.sizes == nil {
		sc.sizes = make(map[string]int, len(sizes))
	}
	for k, n := range sizes {
		sc.sizes[k] = n
	}
	return encoded, nil
}
