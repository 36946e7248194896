package workflow

// Value is a template value: a literal, or a reference to something declared
// in the workflow that package gen resolves to Ref, Fn::GetAtt or Fn::Sub.
type Value interface{ isValue() }

// Literal is a plain string value.
type Literal string

// RefTo is the value CloudFormation's Ref gives for a declaration: a
// parameter's value, a function's name, a bucket's name, a topic's ARN, a
// state machine's ARN, a key's id.
type RefTo struct{ Target any }

// AttrOf is Fn::GetAtt of a declaration, e.g. AttrOf{fn, "Arn"}.
type AttrOf struct {
	Target any
	Name   string
}

// SecretARN is the ARN pattern of a secret declared by name: Secrets Manager
// appends six random characters to a secret's name in its ARN.
type SecretARN struct{ Secret *Secret }

// SecretName is the name of a secret, from the stack's parameter.
type SecretName struct{ Secret *Secret }

// Sub is an Fn::Sub template string; ${AWS::Region} and the logical ids of
// the stack's resources and parameters may appear in it.
type Sub string

func (Literal) isValue()    {}
func (RefTo) isValue()      {}
func (AttrOf) isValue()     {}
func (SecretARN) isValue()  {}
func (SecretName) isValue() {}
func (Sub) isValue()        {}

// Ref returns the Ref value of a declaration.
func Ref(target any) Value { return RefTo{Target: target} }

// ARN returns a function's ARN.
func (f *Function) ARN() Value { return AttrOf{Target: f, Name: "Arn"} }

// ARN returns a state machine's ARN.
func (m *StateMachine) ARN() Value { return RefTo{Target: m} }
