package states

// scope holds workflow variables. A Parallel branch or Map iteration runs
// in a scope of its own: it reads the outer variables, and what it assigns
// stays in it. States assign when they finish, so the values a state reads
// are those it entered with.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
type scope struct {
	parent *scope
	vars   map[string]any
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
