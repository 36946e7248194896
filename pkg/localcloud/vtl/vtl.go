// Package vtl interprets Apache Velocity 1.7 (VTL) mapping templates the way
// API Gateway runs them, with its $input, $util, $context and $stageVariables.
package vtl

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Template is a compiled mapping template; it is safe for concurrent Render calls.
type Template struct {
	src   string
	nodes []node
}

// Request is what API Gateway exposes to a mapping template.
type Request struct {
	Body           []byte            // the payload ($input.body, $input.json, $input.path)
	Path           map[string]string // path parameters
	QueryString    map[string]string
	Header         map[string]string
	Context        map[string]any    // $context: requestId, accountId, apiId, httpMethod, identity{sourceIp, ...}, ...
	StageVariables map[string]string // $stageVariables
}

// Limits that stop a runaway template instead of exhausting the process;
// API Gateway itself cuts templates off by size and time.
const (
	maxIterations = 1_000_000
	maxOutput     = 10 << 20
)

// RuntimeError reports a template that fails while rendering; API Gateway
// answers such a request with 500 Internal server error.
type RuntimeError struct {
	Line, Column int
	Msg          string
}

func (e *RuntimeError) Error() string {
	return fmt.Sprintf("vtl: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Parse compiles a mapping template; a syntax error names line and column.
func Parse(src string) (*Template, error) {
	p := &parser{src: src, whole: src}
	nodes, _, err := p.nodes(false)
	if err != nil {
		return nil, err
	}
	return &Template{src: src, nodes: nodes}, nil
}

// Render runs the template on r and returns its output.
func (t *Template) Render(r Request) (out string, err error) {
	s := &state{src: t.src, vars: map[string]any{}, req: &r}
	s.vars["input"] = &input{s: s}
	s.vars["util"] = utilObj{}
	s.vars["context"] = fromGo(orEmpty(r.Context))
	s.vars["stageVariables"] = fromGo(orEmptyS(r.StageVariables))
	defer func() {
		// A bug here must cost one request a 500, not the whole cloud.
		if v := recover(); v != nil {
			err = fmt.Errorf("vtl: internal error: %v", v)
		}
	}()
	_, err = s.render(t.nodes)
	if err != nil && !errors.Is(err, errStop) {
		return "", err
	}
	return s.out.String(), nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func orEmptyS(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

var errStop = errors.New("#stop")

type state struct {
	src   string
	vars  map[string]any
	req   *Request
	out   strings.Builder
	steps int
	body  any // parsed $input body, once
	bodyE error
	bodyP bool
	regex map[string]*regexp.Regexp // compiled once per render, as loops reuse patterns
}

func (s *state) errorf(pos int, format string, args ...any) error {
	l, c := lineCol(s.src, pos)
	return &RuntimeError{Line: l, Column: c, Msg: fmt.Sprintf(format, args...)}
}
