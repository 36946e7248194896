package vtl

// The syntax tree: template nodes render text, expressions yield values.
type node interface{}

type textNode struct{ s string }

// refNode renders a reference; esc counts the backslashes written before it.
type refNode struct {
	ref *refExpr
	esc int
}

type setNode struct {
	target *refExpr
	value  expr
}

type ifNode struct {
	conds  []expr
	bodies [][]node
	els    []node
}

type foreachNode struct {
	varName string
	list    expr
	body    []node
	pos     int
}

type breakNode struct{}
type stopNode struct{}

type expr interface{}

const (
	partProp = iota
	partMethod
	partIndex
)

type refPart struct {
	kind  int
	name  string
	args  []expr
	index expr
}

// refExpr is $name followed by properties, method calls and indexes; raw is
// its source text, which Velocity renders when the reference is undefined.
type refExpr struct {
	name  string
	quiet bool
	parts []refPart
	raw   string
	pos   int
}

type litExpr struct{ v any }

// strExpr is a double-quoted string, interpolated like a template.
type strExpr struct{ nodes []node }

type listExpr struct{ items []expr }

type rangeExpr struct{ from, to expr }

type mapExpr struct{ keys, vals []expr }

// binExpr keeps its operands' source text: Velocity's + writes an undefined
// operand's literal text next to a string.
type binExpr struct {
	op         string
	l, r       expr
	lraw, rraw string
	pos        int
}

type unExpr struct {
	op string
	x  expr
}
