package asl

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Problem is one rule of the language a document breaks, located by Path,
// e.g. "States.Publish.Branches[1].States.PublishDevto".
type Problem struct {
	Path    string
	Message string
}

// String gives the problem as "path: message".
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ValidationError lists every Problem Validate found, in document order.
type ValidationError struct {
	Problems []Problem
}

// Error gives one problem on one line, several one per line.
func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "asl: " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "asl: %d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n\t" + p.String())
	}
	return b.String()
}

// maxNameLen is the longest state name AWS accepts, in characters.
const maxNameLen = 80

// Validate checks the machine against the States Language and the rules AWS
// adds, and returns a *ValidationError listing every problem, or nil.
func (m *StateMachine) Validate() error {
	c := &checker{declared: map[string]string{}}
	c.machine(m)
	if len(c.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: c.problems}
}

type checker struct {
	problems []Problem
	top      QueryLanguage
	declared map[string]string // state name -> path of its first declaration
}

func (c *checker) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) machine(m *StateMachine) {
	for _, key := range sortedKeys(m.leftover()) {
		c.add(key, "%q is not a field of a state machine", key)
	}
	c.top = c.queryLanguage("QueryLanguage", m.QueryLanguage, JSONPath)
	if m.Version != "" && m.Version != "1.0" {
		c.add("Version", "%q is not a States Language version; the only one is \"1.0\"", m.Version)
	}
	if m.TimeoutSeconds != nil && *m.TimeoutSeconds < 1 {
		c.add("TimeoutSeconds", "must be a positive number of seconds, not %d", *m.TimeoutSeconds)
	}
	m.Walk(func(path, name string, _ State) {
		if first, ok := c.declared[name]; ok {
			c.add(path, "state name %q is already used at %s; names must be unique in the whole machine", name, first)
			return
		}
		c.declared[name] = path
	})
	c.scope(scope{"", c.top, m.StartAt, m.States})
}

// queryLanguage checks a QueryLanguage field and returns the language in
// force: the field's, or inherited when it is empty or invalid.
func (c *checker) queryLanguage(path string, q, inherited QueryLanguage) QueryLanguage {
	switch q {
	case "":
		return inherited
	case JSONPath:
		if c.top == JSONata {
			c.add(path, "a state machine whose QueryLanguage is JSONata cannot hold JSONPath states")
		}
		return q
	case JSONata:
		return q
	}
	c.add(path, "QueryLanguage %q is neither JSONPath nor JSONata", q)
	return inherited
}

// scope checks a set of states that transitions move between, and recurses
// into the scopes nested in its Parallel and Map states.
func (c *checker) scope(sc scope) {
	byName := map[string]State{}
	for i, s := range sc.states {
		if s == nil {
			c.add(join(sc.path, fmt.Sprintf("States[%d]", i)), "state is nil")
			continue
		}
		if _, dup := byName[s.StateName()]; !dup {
			byName[s.StateName()] = s
		}
	}
	switch {
	case len(sc.states) == 0:
		c.add(join(sc.path, "States"), "has no states")
	case sc.startAt == "":
		c.add(join(sc.path, "StartAt"), "is missing")
	case byName[sc.startAt] == nil:
		c.add(join(sc.path, "StartAt"), "%s", c.missing(sc.startAt))
	}
	for _, s := range sc.states {
		if s == nil {
			continue
		}
		path := join(sc.path, "States."+s.StateName())
		c.name(path, s.StateName())
		c.state(path, s, sc.queryLanguage)
		for _, t := range targets(path, s) {
			if byName[t.name] == nil {
				c.add(t.path, "%s %s", t.field, c.missing(t.name))
			}
		}
	}
	if byName[sc.startAt] != nil {
		c.reachability(sc, byName)
	}
}

// missing explains why name is not a state a transition can reach.
func (c *checker) missing(name string) string {
	if name == "" {
		return "is empty"
	}
	if at, ok := c.declared[name]; ok {
		return fmt.Sprintf("%q is not a state here: it is declared at %s, and a transition cannot enter or leave a Parallel branch or Map processor", name, at)
	}
	return fmt.Sprintf("%q is not a state", name)
}

func (c *checker) name(path, name string) {
	switch {
	case name == "":
		c.add(path, "state has no name")
	case utf8.RuneCountInString(name) > maxNameLen:
		c.add(path, "state name is %d characters long; the limit is %d", utf8.RuneCountInString(name), maxNameLen)
	}
}

// target is a transition out of a state.
type target struct {
	path, field, name string
}

func targets(path string, s State) []target {
	var out []target
	next := func(n string) {
		if n != "" {
			out = append(out, target{path, "Next", n})
		}
	}
	catches := func(cs []Catcher) {
		for i, ct := range cs {
			if ct.Next != "" {
				out = append(out, target{fmt.Sprintf("%s.Catch[%d]", path, i), "Next", ct.Next})
			}
		}
	}
	switch s := s.(type) {
	case *Task:
		next(s.Next)
		catches(s.Catch)
	case *Parallel:
		next(s.Next)
		catches(s.Catch)
	case *Map:
		next(s.Next)
		catches(s.Catch)
	case *Pass:
		next(s.Next)
	case *Wait:
		next(s.Next)
	case *Choice:
		for i, r := range s.Choices {
			if r.Next != "" {
				out = append(out, target{fmt.Sprintf("%s.Choices[%d]", path, i), "Next", r.Next})
			}
		}
		if s.Default != "" {
			out = append(out, target{path, "Default", s.Default})
		}
	}
	return out
}

// terminal reports whether a state can end its execution or branch.
func terminal(s State) bool {
	switch s := s.(type) {
	case *Succeed, *Fail:
		return true
	case *Task:
		return s.End
	case *Pass:
		return s.End
	case *Wait:
		return s.End
	case *Parallel:
		return s.End
	case *Map:
		return s.End
	}
	return false
}

// reachability reports states no transition from StartAt reaches, and a
// scope from which no terminal state can be reached.
func (c *checker) reachability(sc scope, byName map[string]State) {
	reached := map[string]bool{sc.startAt: true}
	queue := []string{sc.startAt}
	ends := false
	for len(queue) > 0 {
		s := byName[queue[0]]
		queue = queue[1:]
		ends = ends || terminal(s)
		for _, t := range targets("", s) {
			if byName[t.name] != nil && !reached[t.name] {
				reached[t.name] = true
				queue = append(queue, t.name)
			}
		}
	}
	for _, s := range sc.states {
		if s != nil && !reached[s.StateName()] {
			c.add(join(sc.path, "States."+s.StateName()), "state is unreachable from StartAt %q", sc.startAt)
		}
	}
	if !ends {
		c.add(join(sc.path, "States"), "no state reachable from StartAt ends the execution: add End: true, a Succeed or a Fail")
	}
}
