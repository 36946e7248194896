package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// State is one of *Task, *Pass, *Choice, *Wait, *Succeed, *Fail, *Parallel or
// *Map. A state's name is its Name field: it is the key the state is written
// under and what Next, Default and StartAt refer to.
type State interface {
	// StateName returns the state's Name.
	StateName() string
	// Type returns the state's ASL Type, such as "Task".
	Type() string
	json.Marshaler
	object
}

// States lists a machine's or a branch's states in the order they are
// written; JSON gives them as an object keyed by name.
type States []State

// MarshalJSON writes the states as one object, keys in declaration order.
func (s States) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, st := range s {
		if st == nil {
			return nil, fmt.Errorf("state %d is nil", i)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		key, _ := marshalValue(st.StateName())
		b, err := st.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("state %q: %w", st.StateName(), err)
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(b)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads a States object, keeping the order of its members.
func (s *States) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("States must be a JSON object")
	}
	var out States
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name := tok.(string) // an object key is always a string
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("state %q: %w", name, err)
		}
		st, err := parseState(name, raw)
		if err != nil {
			return fmt.Errorf("state %q: %w", name, err)
		}
		out = append(out, st)
	}
	*s = out
	return nil
}

func parseState(name string, raw json.RawMessage) (State, error) {
	var head struct{ Type string }
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	var st State
	switch head.Type {
	case "Task":
		st = &Task{Name: name}
	case "Pass":
		st = &Pass{Name: name}
	case "Choice":
		st = &Choice{Name: name}
	case "Wait":
		st = &Wait{Name: name}
	case "Succeed":
		st = &Succeed{Name: name}
	case "Fail":
		st = &Fail{Name: name}
	case "Parallel":
		st = &Parallel{Name: name}
	case "Map":
		st = &Map{Name: name}
	case "":
		return nil, fmt.Errorf("no Type")
	default:
		return nil, fmt.Errorf("unknown Type %q", head.Type)
	}
	return st, unmarshalObject(raw, st, "Type")
}

func marshalState(s State) ([]byte, error) {
	return marshalObject(s, member{"Type", s.Type()})
}

// Task runs the work named by Resource: a service integration such as
// LambdaInvoke, an activity or a Lambda function ARN.
type Task struct {
	Name               string
	Comment            string
	QueryLanguage      QueryLanguage
	Resource           string
	Credentials        Object
	InputPath          Path   // JSONPath
	Parameters         Object // JSONPath
	Arguments          any    // JSONata: an Object or a "{% %}" expression
	ResultSelector     Object // JSONPath
	ResultPath         Path   // JSONPath
	OutputPath         Path   // JSONPath
	Output             any    // JSONata
	Assign             Object
	TimeoutSeconds     *int
	TimeoutSecondsExpr string // JSONata, written as TimeoutSeconds
	TimeoutSecondsPath Path   // JSONPath
	HeartbeatSeconds   *int
	// HeartbeatSecondsExpr is JSONata, written as HeartbeatSeconds.
	HeartbeatSecondsExpr string
	HeartbeatSecondsPath Path // JSONPath
	Retry                []Retrier
	Catch                []Catcher
	Next                 string
	End                  bool
	leftovers
}

func (t *Task) fields() []field {
	return []field{
		{"Comment", &t.Comment, "", kindPlain},
		{"QueryLanguage", &t.QueryLanguage, "", kindPlain},
		{"Resource", &t.Resource, "", kindPlain},
		{"Credentials", &t.Credentials, "", kindTemplate},
		{"InputPath", &t.InputPath, JSONPath, kindNullablePath},
		{"Parameters", &t.Parameters, JSONPath, kindTemplate},
		{"Arguments", &t.Arguments, JSONata, kindTemplateOrExpr},
		{"ResultSelector", &t.ResultSelector, JSONPath, kindTemplate},
		{"ResultPath", &t.ResultPath, JSONPath, kindResultPath},
		{"OutputPath", &t.OutputPath, JSONPath, kindNullablePath},
		{"Output", &t.Output, JSONata, kindTemplate},
		{"Assign", &t.Assign, "", kindTemplate},
		{"TimeoutSeconds", &t.TimeoutSeconds, "", kindPlain},
		{"TimeoutSeconds", &t.TimeoutSecondsExpr, JSONata, kindExpr},
		{"TimeoutSecondsPath", &t.TimeoutSecondsPath, JSONPath, kindRefPath},
		{"HeartbeatSeconds", &t.HeartbeatSeconds, "", kindPlain},
		{"HeartbeatSeconds", &t.HeartbeatSecondsExpr, JSONata, kindExpr},
		{"HeartbeatSecondsPath", &t.HeartbeatSecondsPath, JSONPath, kindRefPath},
		{"Retry", &t.Retry, "", kindPlain},
		{"Catch", &t.Catch, "", kindPlain},
		{"Next", &t.Next, "", kindPlain},
		{"End", &t.End, "", kindPlain},
	}
}

// Pass sends its input, or Result, on unchanged by any work.
type Pass struct {
	Name          string
	Comment       string
	QueryLanguage QueryLanguage
	InputPath     Path   // JSONPath
	Parameters    Object // JSONPath
	Result        any
	ResultPath    Path // JSONPath
	OutputPath    Path // JSONPath
	Output        any  // JSONata
	Assign        Object
	Next          string
	End           bool
	leftovers
}

func (p *Pass) fields() []field {
	return []field{
		{"Comment", &p.Comment, "", kindPlain},
		{"QueryLanguage", &p.QueryLanguage, "", kindPlain},
		{"InputPath", &p.InputPath, JSONPath, kindNullablePath},
		{"Parameters", &p.Parameters, JSONPath, kindTemplate},
		{"Result", &p.Result, "", kindPlain},
		{"ResultPath", &p.ResultPath, JSONPath, kindResultPath},
		{"OutputPath", &p.OutputPath, JSONPath, kindNullablePath},
		{"Output", &p.Output, JSONata, kindTemplate},
		{"Assign", &p.Assign, "", kindTemplate},
		{"Next", &p.Next, "", kindPlain},
		{"End", &p.End, "", kindPlain},
	}
}

// Wait pauses for a number of seconds or until a timestamp: exactly one of
// Seconds, SecondsExpr, SecondsPath, Timestamp and TimestampPath is set.
type Wait struct {
	Name          string
	Comment       string
	QueryLanguage QueryLanguage
	InputPath     Path // JSONPath
	Seconds       *int
	SecondsExpr   string // JSONata, written as Seconds
	SecondsPath   Path   // JSONPath
	Timestamp     string // RFC 3339, or a JSONata expression
	TimestampPath Path   // JSONPath
	OutputPath    Path   // JSONPath
	Output        any    // JSONata
	Assign        Object
	Next          string
	End           bool
	leftovers
}

func (w *Wait) fields() []field {
	return []field{
		{"Comment", &w.Comment, "", kindPlain},
		{"QueryLanguage", &w.QueryLanguage, "", kindPlain},
		{"InputPath", &w.InputPath, JSONPath, kindNullablePath},
		{"Seconds", &w.Seconds, "", kindPlain},
		{"Seconds", &w.SecondsExpr, JSONata, kindExpr},
		{"SecondsPath", &w.SecondsPath, JSONPath, kindRefPath},
		{"Timestamp", &w.Timestamp, "", kindPlain},
		{"TimestampPath", &w.TimestampPath, JSONPath, kindRefPath},
		{"OutputPath", &w.OutputPath, JSONPath, kindNullablePath},
		{"Output", &w.Output, JSONata, kindTemplate},
		{"Assign", &w.Assign, "", kindTemplate},
		{"Next", &w.Next, "", kindPlain},
		{"End", &w.End, "", kindPlain},
	}
}

// Succeed ends the execution, or its branch, successfully.
type Succeed struct {
	Name          string
	Comment       string
	QueryLanguage QueryLanguage
	InputPath     Path // JSONPath
	OutputPath    Path // JSONPath
	Output        any  // JSONata
	leftovers
}

func (s *Succeed) fields() []field {
	return []field{
		{"Comment", &s.Comment, "", kindPlain},
		{"QueryLanguage", &s.QueryLanguage, "", kindPlain},
		{"InputPath", &s.InputPath, JSONPath, kindNullablePath},
		{"OutputPath", &s.OutputPath, JSONPath, kindNullablePath},
		{"Output", &s.Output, JSONata, kindTemplate},
	}
}

// Fail ends the execution as failed with an error name and a cause, each
// given literally (or as JSONata) or taken from a path.
type Fail struct {
	Name          string
	Comment       string
	QueryLanguage QueryLanguage
	Error         string
	ErrorPath     Path // JSONPath: a Reference Path or an intrinsic function
	Cause         string
	CausePath     Path // JSONPath: a Reference Path or an intrinsic function
	leftovers
}

func (f *Fail) fields() []field {
	return []field{
		{"Comment", &f.Comment, "", kindPlain},
		{"QueryLanguage", &f.QueryLanguage, "", kindPlain},
		{"Error", &f.Error, "", kindPlain},
		{"ErrorPath", &f.ErrorPath, JSONPath, kindPathOrCall},
		{"Cause", &f.Cause, "", kindPlain},
		{"CausePath", &f.CausePath, JSONPath, kindPathOrCall},
	}
}

// Every state type implements State alike; the interface documents these.

// QueryLanguageOf returns the QueryLanguage a state sets itself, "" when it
// inherits its branch's or the machine's.
func QueryLanguageOf(s State) QueryLanguage {
	switch s := s.(type) {
	case *Task:
		return s.QueryLanguage
	case *Pass:
		return s.QueryLanguage
	case *Choice:
		return s.QueryLanguage
	case *Wait:
		return s.QueryLanguage
	case *Succeed:
		return s.QueryLanguage
	case *Fail:
		return s.QueryLanguage
	case *Parallel:
		return s.QueryLanguage
	case *Map:
		return s.QueryLanguage
	}
	return ""
}

func (t *Task) StateName() string     { return t.Name }
func (p *Pass) StateName() string     { return p.Name }
func (c *Choice) StateName() string   { return c.Name }
func (w *Wait) StateName() string     { return w.Name }
func (s *Succeed) StateName() string  { return s.Name }
func (f *Fail) StateName() string     { return f.Name }
func (p *Parallel) StateName() string { return p.Name }
func (m *Map) StateName() string      { return m.Name }

func (*Task) Type() string     { return "Task" }
func (*Pass) Type() string     { return "Pass" }
func (*Choice) Type() string   { return "Choice" }
func (*Wait) Type() string     { return "Wait" }
func (*Succeed) Type() string  { return "Succeed" }
func (*Fail) Type() string     { return "Fail" }
func (*Parallel) Type() string { return "Parallel" }
func (*Map) Type() string      { return "Map" }

func (t *Task) MarshalJSON() ([]byte, error)     { return marshalState(t) }
func (p *Pass) MarshalJSON() ([]byte, error)     { return marshalState(p) }
func (c *Choice) MarshalJSON() ([]byte, error)   { return marshalState(c) }
func (w *Wait) MarshalJSON() ([]byte, error)     { return marshalState(w) }
func (s *Succeed) MarshalJSON() ([]byte, error)  { return marshalState(s) }
func (f *Fail) MarshalJSON() ([]byte, error)     { return marshalState(f) }
func (p *Parallel) MarshalJSON() ([]byte, error) { return marshalState(p) }
func (m *Map) MarshalJSON() ([]byte, error)      { return marshalState(m) }

func (t *Task) UnmarshalJSON(b []byte) error     { return unmarshalObject(b, t, "Type") }
func (p *Pass) UnmarshalJSON(b []byte) error     { return unmarshalObject(b, p, "Type") }
func (c *Choice) UnmarshalJSON(b []byte) error   { return unmarshalObject(b, c, "Type") }
func (w *Wait) UnmarshalJSON(b []byte) error     { return unmarshalObject(b, w, "Type") }
func (s *Succeed) UnmarshalJSON(b []byte) error  { return unmarshalObject(b, s, "Type") }
func (f *Fail) UnmarshalJSON(b []byte) error     { return unmarshalObject(b, f, "Type") }
func (p *Parallel) UnmarshalJSON(b []byte) error { return unmarshalObject(b, p, "Type") }
func (m *Map) UnmarshalJSON(b []byte) error      { return unmarshalObject(b, m, "Type") }
