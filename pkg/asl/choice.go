package asl

// Choice moves to the Next of the first rule that matches its input, or to
// Default when none does (without Default, the execution fails with
// States.NoChoiceMatched).
type Choice struct {
	Name          string
	Comment       string
	QueryLanguage QueryLanguage
	InputPath     Path // JSONPath
	OutputPath    Path // JSONPath
	Choices       []ChoiceRule
	Default       string
	Output        any // JSONata
	Assign        Object
	leftovers
}

func (c *Choice) fields() []field {
	return []field{
		{"Comment", &c.Comment, "", kindPlain},
		{"QueryLanguage", &c.QueryLanguage, "", kindPlain},
		{"InputPath", &c.InputPath, JSONPath, kindNullablePath},
		{"OutputPath", &c.OutputPath, JSONPath, kindNullablePath},
		{"Choices", &c.Choices, "", kindPlain},
		{"Default", &c.Default, "", kindPlain},
		{"Output", &c.Output, JSONata, kindTemplate},
		{"Assign", &c.Assign, "", kindTemplate},
	}
}

// ChoiceRule is one rule of a Choice. In a JSONPath state it is either a
// comparison (Variable and exactly one operator field), or a boolean
// combination (exactly one of And, Or, Not); in a JSONata state it is a
// Condition. Rules directly in Choices carry Next (and may carry Assign,
// and in JSONata Output); rules nested in And, Or and Not carry neither.
//
// The constructors (StringEquals, NumericEquals, And, Condition, ...) build
// well-formed rules; Then sets Next. Literal operands are pointers so that
// "", 0 and false are values; operands ending in Path name the path that
// holds the value to compare with.
type ChoiceRule struct {
	Variable Path

	StringEquals                   *string
	StringEqualsPath               Path
	StringLessThan                 *string
	StringLessThanPath             Path
	StringGreaterThan              *string
	StringGreaterThanPath          Path
	StringLessThanEquals           *string
	StringLessThanEqualsPath       Path
	StringGreaterThanEquals        *string
	StringGreaterThanEqualsPath    Path
	StringMatches                  *string // "*" matches any run of characters; `\*` a star
	NumericEquals                  *float64
	NumericEqualsPath              Path
	NumericLessThan                *float64
	NumericLessThanPath            Path
	NumericGreaterThan             *float64
	NumericGreaterThanPath         Path
	NumericLessThanEquals          *float64
	NumericLessThanEqualsPath      Path
	NumericGreaterThanEquals       *float64
	NumericGreaterThanEqualsPath   Path
	BooleanEquals                  *bool
	BooleanEqualsPath              Path
	TimestampEquals                *string // RFC 3339
	TimestampEqualsPath            Path
	TimestampLessThan              *string
	TimestampLessThanPath          Path
	TimestampGreaterThan           *string
	TimestampGreaterThanPath       Path
	TimestampLessThanEquals        *string
	TimestampLessThanEqualsPath    Path
	TimestampGreaterThanEquals     *string
	TimestampGreaterThanEqualsPath Path
	IsNull                         *bool
	IsPresent                      *bool
	IsNumeric                      *bool
	IsString                       *bool
	IsBoolean                      *bool
	IsTimestamp                    *bool

	And []ChoiceRule
	Or  []ChoiceRule
	Not *ChoiceRule

	Condition string // JSONata: a "{% %}" expression giving true or false

	Assign Object
	Output any // JSONata
	Next   string
	leftovers
}

// operators lists the comparison operators in the order they are written,
// each with the kind of operand it takes.
func (r *ChoiceRule) operators() []field {
	return []field{
		{"StringEquals", &r.StringEquals, JSONPath, kindPlain},
		{"StringEqualsPath", &r.StringEqualsPath, JSONPath, kindRefPath},
		{"StringLessThan", &r.StringLessThan, JSONPath, kindPlain},
		{"StringLessThanPath", &r.StringLessThanPath, JSONPath, kindRefPath},
		{"StringGreaterThan", &r.StringGreaterThan, JSONPath, kindPlain},
		{"StringGreaterThanPath", &r.StringGreaterThanPath, JSONPath, kindRefPath},
		{"StringLessThanEquals", &r.StringLessThanEquals, JSONPath, kindPlain},
		{"StringLessThanEqualsPath", &r.StringLessThanEqualsPath, JSONPath, kindRefPath},
		{"StringGreaterThanEquals", &r.StringGreaterThanEquals, JSONPath, kindPlain},
		{"StringGreaterThanEqualsPath", &r.StringGreaterThanEqualsPath, JSONPath, kindRefPath},
		{"StringMatches", &r.StringMatches, JSONPath, kindPlain},
		{"NumericEquals", &r.NumericEquals, JSONPath, kindPlain},
		{"NumericEqualsPath", &r.NumericEqualsPath, JSONPath, kindRefPath},
		{"NumericLessThan", &r.NumericLessThan, JSONPath, kindPlain},
		{"NumericLessThanPath", &r.NumericLessThanPath, JSONPath, kindRefPath},
		{"NumericGreaterThan", &r.NumericGreaterThan, JSONPath, kindPlain},
		{"NumericGreaterThanPath", &r.NumericGreaterThanPath, JSONPath, kindRefPath},
		{"NumericLessThanEquals", &r.NumericLessThanEquals, JSONPath, kindPlain},
		{"NumericLessThanEqualsPath", &r.NumericLessThanEqualsPath, JSONPath, kindRefPath},
		{"NumericGreaterThanEquals", &r.NumericGreaterThanEquals, JSONPath, kindPlain},
		{"NumericGreaterThanEqualsPath", &r.NumericGreaterThanEqualsPath, JSONPath, kindRefPath},
		{"BooleanEquals", &r.BooleanEquals, JSONPath, kindPlain},
		{"BooleanEqualsPath", &r.BooleanEqualsPath, JSONPath, kindRefPath},
		{"TimestampEquals", &r.TimestampEquals, JSONPath, kindPlain},
		{"TimestampEqualsPath", &r.TimestampEqualsPath, JSONPath, kindRefPath},
		{"TimestampLessThan", &r.TimestampLessThan, JSONPath, kindPlain},
		{"TimestampLessThanPath", &r.TimestampLessThanPath, JSONPath, kindRefPath},
		{"TimestampGreaterThan", &r.TimestampGreaterThan, JSONPath, kindPlain},
		{"TimestampGreaterThanPath", &r.TimestampGreaterThanPath, JSONPath, kindRefPath},
		{"TimestampLessThanEquals", &r.TimestampLessThanEquals, JSONPath, kindPlain},
		{"TimestampLessThanEqualsPath", &r.TimestampLessThanEqualsPath, JSONPath, kindRefPath},
		{"TimestampGreaterThanEquals", &r.TimestampGreaterThanEquals, JSONPath, kindPlain},
		{"TimestampGreaterThanEqualsPath", &r.TimestampGreaterThanEqualsPath, JSONPath, kindRefPath},
		{"IsNull", &r.IsNull, JSONPath, kindPlain},
		{"IsPresent", &r.IsPresent, JSONPath, kindPlain},
		{"IsNumeric", &r.IsNumeric, JSONPath, kindPlain},
		{"IsString", &r.IsString, JSONPath, kindPlain},
		{"IsBoolean", &r.IsBoolean, JSONPath, kindPlain},
		{"IsTimestamp", &r.IsTimestamp, JSONPath, kindPlain},
	}
}

func (r *ChoiceRule) fields() []field {
	fs := []field{{"Variable", &r.Variable, JSONPath, kindRefPath}}
	fs = append(fs, r.operators()...)
	return append(fs,
		field{"And", &r.And, JSONPath, kindPlain},
		field{"Or", &r.Or, JSONPath, kindPlain},
		field{"Not", &r.Not, JSONPath, kindPlain},
		field{"Condition", &r.Condition, JSONata, kindExpr},
		field{"Assign", &r.Assign, "", kindTemplate},
		field{"Output", &r.Output, JSONata, kindTemplate},
		field{"Next", &r.Next, "", kindPlain},
	)
}

// MarshalJSON writes the rule's fields in a fixed order.
func (r ChoiceRule) MarshalJSON() ([]byte, error) { return marshalObject(&r) }

// UnmarshalJSON reads a choice rule.
func (r *ChoiceRule) UnmarshalJSON(b []byte) error { return unmarshalObject(b, r) }

// Then returns a copy of the rule that moves to next when it matches.
func (r ChoiceRule) Then(next string) ChoiceRule {
	r.Next = next
	return r
}
