package traceview

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray/types"
)

// node is a segment or subsegment, as much of its document as a line
// shows.
type node struct {
	Name        string          `json:"name"`
	ID          string          `json:"id"`
	ParentID    string          `json:"parent_id"`
	StartTime   float64         `json:"start_time"`
	EndTime     float64         `json:"end_time"`
	InProgress  bool            `json:"in_progress"`
	Origin      string          `json:"origin"`
	Namespace   string          `json:"namespace"`
	Error       bool            `json:"error"`
	Fault       bool            `json:"fault"`
	Throttle    bool            `json:"throttle"`
	Cause       json.RawMessage `json:"cause"`
	Subsegments []*node         `json:"subsegments"`
	HTTP        struct {
		Response struct {
			Status int `json:"status"`
		} `json:"response"`
	} `json:"http"`
}

type cause struct {
	Exceptions []struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	} `json:"exceptions"`
}

// tree joins a trace's segments: a segment whose parent is a subsegment
// of another segment (a Lambda function under the state that invoked it,
// an SDK call's target under the call) nests under it. It returns the
// roots, and every exception message by id, for causes that name one.
func tree(tr types.Trace) ([]*node, map[string]string, error) {
	var segs []*node
	byID := map[string]*node{}
	exceptions := map[string]string{}
	var index func(n *node)
	index = func(n *node) {
		byID[n.ID] = n
		var c cause
		if json.Unmarshal(n.Cause, &c) == nil {
			for _, e := range c.Exceptions {
				exceptions[e.ID] = e.Message
			}
		}
		for _, s := range n.Subsegments {
			index(s)
		}
	}
	for _, s := range tr.Segments {
		n := &node{}
		if err := json.Unmarshal([]byte(aws.ToString(s.Document)), n); err != nil {
			return nil, nil, fmt.Errorf("traceview: segment %s of %s: %w", aws.ToString(s.Id), aws.ToString(tr.Id), err)
		}
		segs = append(segs, n)
		index(n)
	}
	var roots []*node
	for _, n := range segs {
		if p := byID[n.ParentID]; p != nil && p != n && !within(n, p) {
			p.Subsegments = append(p.Subsegments, n)
			continue
		}
		roots = append(roots, n)
	}
	sortByStart(roots)
	return roots, exceptions, nil
}

// within reports whether p is n or one of n's descendants: a cycle of
// parent ids must not hide a segment.
func within(n, p *node) bool {
	if n == p {
		return true
	}
	for _, s := range n.Subsegments {
		if within(s, p) {
			return true
		}
	}
	return false
}

func sortByStart(ns []*node) {
	sort.SliceStable(ns, func(i, j int) bool { return ns[i].StartTime < ns[j].StartTime })
	for _, n := range ns {
		sortByStart(n.Subsegments)
	}
}

// write prints one trace: its id, entry point and duration, then the tree.
func write(w io.Writer, tr types.Trace, entry string) error {
	roots, exceptions, err := tree(tr)
	if err != nil {
		return err
	}
	if entry == "" && len(roots) > 0 {
		entry = roots[0].Name
	}
	var b strings.Builder
	head := []string{aws.ToString(tr.Id), entry, millis(aws.ToFloat64(tr.Duration))}
	if partial(roots) {
		head = append(head, "partial") // its duration is what has ended so far
	}
	b.WriteString(join(head...))
	b.WriteByte('\n')
	var walk func(ns []*node, indent string)
	walk = func(ns []*node, indent string) {
		for i, n := range ns {
			branch, next := "├─ ", "│  "
			if i == len(ns)-1 {
				branch, next = "└─ ", "   "
			}
			b.WriteString(indent + branch + line(n, exceptions) + "\n")
			walk(n.Subsegments, indent+next)
		}
	}
	walk(roots, "")
	_, err = io.WriteString(w, b.String())
	return err
}

// partial reports whether a node of the tree is still in progress.
func partial(ns []*node) bool {
	for _, n := range ns {
		if n.InProgress || n.EndTime == 0 || partial(n.Subsegments) {
			return true
		}
	}
	return false
}

// line is a node's name, origin or namespace, duration, marks and HTTP
// status.
func line(n *node, exceptions map[string]string) string {
	parts := []string{n.Name}
	if n.Origin != "" {
		parts = append(parts, n.Origin)
	} else if n.Namespace != "" {
		parts = append(parts, n.Namespace)
	}
	if n.InProgress || n.EndTime == 0 {
		parts = append(parts, "in progress")
	} else {
		parts = append(parts, millis(n.EndTime-n.StartTime))
	}
	msg := message(n.Cause, exceptions)
	for _, m := range []struct {
		on   bool
		name string
	}{{n.Fault, "fault"}, {n.Error, "error"}, {n.Throttle, "throttle"}} {
		if !m.on {
			continue
		}
		if msg != "" && m.name != "throttle" {
			parts = append(parts, m.name+": "+msg)
			msg = "" // said once, on the first mark
		} else {
			parts = append(parts, m.name)
		}
	}
	if s := n.HTTP.Response.Status; s != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", s))
	}
	return join(parts...)
}

// message is a cause's first exception message; a cause may instead be
// the id of an exception recorded elsewhere in the trace.
func message(raw json.RawMessage, exceptions map[string]string) string {
	if len(raw) == 0 {
		return ""
	}
	var id string
	if json.Unmarshal(raw, &id) == nil {
		return exceptions[id]
	}
	var c cause
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	for _, e := range c.Exceptions {
		if e.Message != "" {
			return e.Message
		}
	}
	return ""
}

func millis(seconds float64) string { return fmt.Sprintf("%d ms", int64(math.Round(seconds*1000))) }

func join(parts ...string) string { return strings.Join(parts, "  ") }
