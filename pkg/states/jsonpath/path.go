// Package jsonpath evaluates the JSONPath dialect of Amazon States Language
// states whose QueryLanguage is JSONPath: InputPath, OutputPath, ResultPath,
// payload templates (Parameters, ResultSelector, ItemSelector) and the
// context object and variable forms ("$$.Execution.Id", "$name.field").
//
// Step Functions evaluates paths with Jayway JsonPath, so this package
// follows its result shape: a definite path yields one node or fails, any
// other path yields a list of every match.
package jsonpath

import (
	"strconv"
	"strings"
)

// Root names the document a path reads.
type Root int

const (
	// RootInput is "$": the state's input (or the effective document).
	RootInput Root = iota
	// RootContext is "$$": the context object.
	RootContext
	// RootVariable is "$name": a workflow variable.
	RootVariable
)

// Path is a compiled JSONPath. Its zero value is not useful; use Compile.
type Path struct {
	src      string
	root     Root
	variable string
	segs     []segment
	definite bool
	// simple is set when every segment is a single name or index, so Get
	// can walk without allocating.
	simple bool
}

type segKind int

const (
	segName     segKind = iota // ['a']
	segNames                   // ['a','b']
	segIndex                   // [0], [-1]
	segIndexes                 // [0,2]
	segSlice                   // [1:3], [::2]
	segWildcard                // [*], .*
	segFilter                  // [?(...)]
)

type segment struct {
	kind    segKind
	deep    bool // reached through ".."
	names   []string
	indexes []int
	slice   sliceSpec
	filter  expr
}

type sliceSpec struct {
	start, end, step          int
	hasStart, hasEnd, hasStep bool
}

// String returns the path as it was written, which is how AWS quotes it in
// error messages.
func (p *Path) String() string { return p.src }

// Definite reports whether p can select at most one node: only names and
// single indexes, no wildcard, slice, union, filter or deep scan. Like
// Jayway, a union of names as the last step is definite: it builds one object.
func (p *Path) Definite() bool { return p.definite }

// Root reports which document p reads.
func (p *Path) Root() Root { return p.root }

// Variable is the variable name of a RootVariable path ("x" for "$x.a"),
// and "" for other roots.
func (p *Path) Variable() string { return p.variable }

// canonical is Jayway's normalized form ("$['a'][0]"), which AWS quotes in
// "No results for path" messages; it compiles back to the same path.
func (p *Path) canonical() string {
	var b strings.Builder
	switch p.root {
	case RootContext:
		b.WriteString("$$")
	case RootVariable:
		b.WriteString("$" + p.variable)
	default:
		b.WriteString("$")
	}
	writeSegments(&b, p.segs)
	return b.String()
}

func writeSegments(b *strings.Builder, segs []segment) {
	for _, s := range segs {
		if s.deep {
			b.WriteString("..")
		}
		b.WriteByte('[')
		switch s.kind {
		case segName, segNames:
			for i, n := range s.names {
				if i > 0 {
					b.WriteByte(',')
				}
				writeQuoted(b, n)
			}
		case segIndex, segIndexes:
			for i, n := range s.indexes {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.Itoa(n))
			}
		case segSlice:
			if s.slice.hasStart {
				b.WriteString(strconv.Itoa(s.slice.start))
			}
			b.WriteByte(':')
			if s.slice.hasEnd {
				b.WriteString(strconv.Itoa(s.slice.end))
			}
			if s.slice.hasStep {
				b.WriteByte(':')
				b.WriteString(strconv.Itoa(s.slice.step))
			}
		case segWildcard:
			b.WriteByte('*')
		case segFilter:
			b.WriteString("?(")
			s.filter.write(b)
			b.WriteByte(')')
		}
		b.WriteByte(']')
	}
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '\'' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
}
