// Package diagram draws an ASL state machine as a Mermaid flowchart, the
// picture of a workflow that docs/ keeps and GitHub renders.
package diagram

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stepforge/stepforge/pkg/asl"
)

// The machine's own start and end nodes; no state can take their ids.
const (
	startID  = "start"
	finishID = "finish"
)

// classDefs colour the terminal nodes with fills and text colours of their
// own, so they read alike on GitHub's light and dark themes.
const classDefs = `    classDef terminal fill:#24292f,stroke:#24292f,color:#ffffff
    classDef succeed fill:#dafbe1,stroke:#1a7f37,color:#116329
    classDef fail fill:#ffebe9,stroke:#cf222e,color:#a40e26
`

// Mermaid returns a top-to-bottom Mermaid flowchart of m, the same bytes for
// the same machine. It fails when m is nil or a StartAt, Next, Default or
// Catch names no state of its scope.
func Mermaid(m *asl.StateMachine) (string, error) {
	if m == nil {
		return "", errors.New("diagram: nil state machine")
	}
	d := &drawing{used: map[string]bool{startID: true, finishID: true}}
	d.node(1, `%s(("Start")):::terminal`, startID)
	if err := d.scope(1, "", "", m.StartAt, m.States, startID, finishID); err != nil {
		return "", err
	}
	d.node(1, `%s(("End")):::terminal`, finishID)
	return "flowchart TD\n" + d.nodes.String() + d.edges.String() + classDefs, nil
}

// Markdown returns a Markdown page for m: title as its heading, the
// machine's Comment, then the diagram in a mermaid fenced block.
func Markdown(title string, m *asl.StateMachine) (string, error) {
	chart, err := Mermaid(m)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if title != "" {
		fmt.Fprintf(&b, "# %s\n\n", title)
	}
	if m.Comment != "" {
		fmt.Fprintf(&b, "%s\n\n", m.Comment)
	}
	fmt.Fprintf(&b, "```mermaid\n%s```\n", chart)
	return b.String(), nil
}

// drawing collects node declarations, nested in their subgraphs, apart from
// edges: Mermaid puts a node in the subgraph where it is first mentioned, so
// every edge is written at the top level, after every node.
type drawing struct {
	used  map[string]bool
	nodes strings.Builder
	edges strings.Builder
}

func (d *drawing) node(depth int, format string, args ...any) {
	d.nodes.WriteString(strings.Repeat("    ", depth))
	fmt.Fprintf(&d.nodes, format, args...)
	d.nodes.WriteByte('\n')
}

// An arrow is how an edge is drawn: solid for Next, Default and choice
// rules, dashed for Catch.
type arrow string

const (
	solid  arrow = "-->"
	dashed arrow = "-.->"
)

func (d *drawing) edge(from string, a arrow, to, text string) {
	if text == "" {
		fmt.Fprintf(&d.edges, "    %s %s %s\n", from, a, to)
		return
	}
	fmt.Fprintf(&d.edges, "    %s %s|%s| %s\n", from, a, label(text), to)
}

// scope is a set of states Next fields can move between: the machine's, a
// Parallel branch's or a Map processor's.
type scope struct {
	path string            // as asl's Walk writes it: "" or "States.P.Branches[0]"
	ids  map[string]string // state name to node id
	exit string            // the node End and Succeed lead to
}

func (sc *scope) statePath(name string) string {
	if sc.path == "" {
		return "States." + name
	}
	return sc.path + ".States." + name
}

// target returns the node id of the state named by field of the state at path.
func (sc *scope) target(path, field, name string) (string, error) {
	id, ok := sc.ids[name]
	if !ok {
		return "", fmt.Errorf("diagram: %s: %s %q names no state of its scope", path, field, name)
	}
	return id, nil
}

// scope draws states, entered from the node entry and left through exit.
// Node ids start with prefix, which qualifies states of a nested scope.
func (d *drawing) scope(depth int, path, prefix, startAt string, states asl.States, entry, exit string) error {
	sc := &scope{path: path, ids: make(map[string]string, len(states)), exit: exit}
	for i, s := range states {
		if s == nil {
			return fmt.Errorf("diagram: %s: state %d is nil", sc.statePath(""), i)
		}
		name := s.StateName()
		if name == "" {
			return fmt.Errorf("diagram: %s: state %d has no name", sc.statePath(""), i)
		}
		if _, dup := sc.ids[name]; dup {
			return fmt.Errorf("diagram: %s: two states have this name", sc.statePath(name))
		}
		sc.ids[name] = d.unique(prefix + sanitize(name))
	}
	where := path
	if where == "" {
		where = "state machine"
	}
	first, err := sc.target(where, "StartAt", startAt)
	if err != nil {
		return err
	}
	d.edge(entry, solid, first, "")
	for _, s := range states {
		if err := d.state(depth, sc, s); err != nil {
			return err
		}
	}
	return nil
}

func (d *drawing) state(depth int, sc *scope, s asl.State) error {
	id, path := sc.ids[s.StateName()], sc.statePath(s.StateName())
	switch s := s.(type) {
	case *asl.Task:
		lines := append([]string{s.Name, integration(s.Resource)}, retries(s.Retry)...)
		d.node(depth, "%s[%s]", id, label(lines...))
		return d.leave(sc, path, id, id, s.Next, s.End, s.Catch)
	case *asl.Pass:
		d.node(depth, "%s[/%s/]", id, label(s.Name))
		return d.leave(sc, path, id, id, s.Next, s.End, nil)
	case *asl.Wait:
		d.node(depth, "%s(%s)", id, label(s.Name, waitText(s)))
		return d.leave(sc, path, id, id, s.Next, s.End, nil)
	case *asl.Choice:
		d.node(depth, "%s{%s}", id, label(s.Name))
		return d.choices(sc, path, id, s)
	case *asl.Succeed:
		d.node(depth, "%s([%s]):::succeed", id, label(s.Name))
		d.edge(id, solid, sc.exit, "")
		return nil
	case *asl.Fail:
		d.node(depth, "%s([%s]):::fail", id, label(failLines(s)...))
		return nil
	case *asl.Parallel:
		return d.parallel(depth, sc, path, id, s)
	case *asl.Map:
		return d.mapState(depth, sc, path, id, s)
	}
	return fmt.Errorf("diagram: %s: unknown state type %T", path, s)
}

// leave draws a state's way out: Next or End from the node from, and each
// Catch, dashed and labelled with its errors, from the node catchFrom.
func (d *drawing) leave(sc *scope, path, from, catchFrom, next string, end bool, catches []asl.Catcher) error {
	switch {
	case end:
		d.edge(from, solid, sc.exit, "")
	case next != "":
		to, err := sc.target(path, "Next", next)
		if err != nil {
			return err
		}
		d.edge(from, solid, to, "")
	default:
		return fmt.Errorf("diagram: %s: neither Next nor End", path)
	}
	for i, c := range catches {
		to, err := sc.target(path, fmt.Sprintf("Catch[%d].Next", i), c.Next)
		if err != nil {
			return err
		}
		d.edge(catchFrom, dashed, to, abbreviate(errorNames(c.ErrorEquals), edgeTextMax))
	}
	return nil
}

func (d *drawing) choices(sc *scope, path, id string, c *asl.Choice) error {
	for i, r := range c.Choices {
		to, err := sc.target(path, fmt.Sprintf("Choices[%d].Next", i), r.Next)
		if err != nil {
			return err
		}
		d.edge(id, solid, to, abbreviate(condition(r), edgeTextMax))
	}
	if c.Default != "" {
		to, err := sc.target(path, "Default", c.Default)
		if err != nil {
			return err
		}
		d.edge(id, solid, to, "default")
	}
	return nil
}

// nested is one scope inside a Parallel or a Map, with its subgraph title.
type nested struct {
	title, path, suffix string
	startAt             string
	states              asl.States
}

// parallel draws the state as a box holding the fork node (the state's own
// id, which Next and Catch edges meet), one subgraph per branch and a join
// node that the branches end in and the state's Next leaves from.
func (d *drawing) parallel(depth int, sc *scope, path, id string, p *asl.Parallel) error {
	scopes := make([]nested, len(p.Branches))
	for i, b := range p.Branches {
		scopes[i] = nested{
			title:   fmt.Sprintf("branch %d", i+1),
			path:    fmt.Sprintf("%s.Branches[%d]", path, i),
			suffix:  fmt.Sprintf("_b%d", i+1),
			startAt: b.StartAt,
			states:  b.States,
		}
	}
	what := fmt.Sprintf("%d branches in parallel", len(p.Branches))
	if len(p.Branches) == 1 {
		what = "1 branch"
	}
	fork := append([]string{what}, retries(p.Retry)...)
	return d.box(depth, sc, path, id, p.Name, fork, scopes, p.Next, p.End, p.Catch)
}

// mapState draws a Map as a Parallel with one branch: the item processor.
func (d *drawing) mapState(depth int, sc *scope, path, id string, m *asl.Map) error {
	title := "each item"
	if m.ItemBatcher != nil {
		title = "each batch"
	}
	var inner nested
	switch {
	case m.ItemProcessor != nil:
		inner = nested{title, path + ".ItemProcessor", "_items", m.ItemProcessor.StartAt, m.ItemProcessor.States}
	case m.Iterator != nil:
		inner = nested{title, path + ".Iterator", "_items", m.Iterator.StartAt, m.Iterator.States}
	default:
		return fmt.Errorf("diagram: %s: Map has neither ItemProcessor nor Iterator", path)
	}
	fork := append(mapLines(m), retries(m.Retry)...)
	return d.box(depth, sc, path, id, m.Name, fork, []nested{inner}, m.Next, m.End, m.Catch)
}

func (d *drawing) box(depth int, sc *scope, path, id, name string, fork []string, scopes []nested,
	next string, end bool, catches []asl.Catcher) error {
	box, join := d.unique(id+"_box"), d.unique(id+"_join")
	d.node(depth, "subgraph %s [%s]", box, label(name))
	d.node(depth+1, "%s{{%s}}", id, label(fork...))
	for _, n := range scopes {
		sub := d.unique(id + n.suffix)
		d.node(depth+1, "subgraph %s [%s]", sub, label(n.title))
		if err := d.scope(depth+2, n.path, sub+"_", n.startAt, n.states, id, join); err != nil {
			return err
		}
		d.node(depth+1, "end")
	}
	d.node(depth+1, `%s(("join"))`, join)
	d.node(depth, "end")
	return d.leave(sc, path, join, id, next, end, catches)
}
