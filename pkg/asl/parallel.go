package asl

// Parallel runs every branch on its input at the same time and outputs an
// array holding each branch's output, in branch order. It fails when any
// branch fails, unless a Catch handles it.
type Parallel struct {
	Name           string
	Comment        string
	QueryLanguage  QueryLanguage
	InputPath      Path   // JSONPath
	Parameters     Object // JSONPath
	Arguments      any    // JSONata
	Branches       []Branch
	ResultSelector Object // JSONPath
	ResultPath     Path   // JSONPath
	OutputPath     Path   // JSONPath
	Output         any    // JSONata
	Assign         Object
	Retry          []Retrier
	Catch          []Catcher
	Next           string
	End            bool
	leftovers
}

func (p *Parallel) fields() []field {
	return []field{
		{"Comment", &p.Comment, "", kindPlain},
		{"QueryLanguage", &p.QueryLanguage, "", kindPlain},
		{"InputPath", &p.InputPath, JSONPath, kindNullablePath},
		{"Parameters", &p.Parameters, JSONPath, kindTemplate},
		{"Arguments", &p.Arguments, JSONata, kindTemplateOrExpr},
		{"Branches", &p.Branches, "", kindPlain},
		{"ResultSelector", &p.ResultSelector, JSONPath, kindTemplate},
		{"ResultPath", &p.ResultPath, JSONPath, kindResultPath},
		{"OutputPath", &p.OutputPath, JSONPath, kindNullablePath},
		{"Output", &p.Output, JSONata, kindTemplate},
		{"Assign", &p.Assign, "", kindTemplate},
		{"Retry", &p.Retry, "", kindPlain},
		{"Catch", &p.Catch, "", kindPlain},
		{"Next", &p.Next, "", kindPlain},
		{"End", &p.End, "", kindPlain},
	}
}

// Branch is a state machine nested in a Parallel state (or the legacy
// Iterator of a Map): its Next fields can only name its own states. Its
// states' query language defaults to the branch's QueryLanguage, else to the
// enclosing machine's (not to the Parallel state's own).
type Branch struct {
	Comment       string
	QueryLanguage QueryLanguage
	StartAt       string
	States        States
	leftovers
}

func (b *Branch) fields() []field {
	return []field{
		{"Comment", &b.Comment, "", kindPlain},
		{"QueryLanguage", &b.QueryLanguage, "", kindPlain},
		{"StartAt", &b.StartAt, "", kindPlain},
		{"States", &b.States, "", kindPlain},
	}
}

// MarshalJSON writes the branch's fields in a fixed order.
func (b Branch) MarshalJSON() ([]byte, error) { return marshalObject(&b) }

// UnmarshalJSON reads a branch, keeping the order of its states.
func (b *Branch) UnmarshalJSON(data []byte) error { return unmarshalObject(data, b) }
