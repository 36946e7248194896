// Package states runs Amazon States Language state machines in Go alone, as
// AWS Step Functions runs them: the data flow of the JSONPath query
// language, every state type, Retry and Catch, and the execution history
// GetExecutionHistory returns. Tasks run through the Tasks interface and
// time through a Clock, so a test runs a machine with in-memory tasks and
// virtual time.
//
//	m, err := states.New(def, states.WithTasks(states.Router{
//		asl.LambdaInvoke: states.LambdaFunc(checkPizza),
//	}), states.WithClock(states.NewVirtualClock(start)))
//	exec, err := m.Run(ctx, []byte(`{"pizza":"margherita"}`))
//
// A .waitForTaskToken task waits for its task token, completed through the
// machine's TokenBroker (see TokenBroker).
//
// An execution goes on from its history: Resume after the process running
// it stopped, Redrive (RedriveExecution) after it failed, timed out or was
// aborted.
//
// Both query languages run: JSONPath (InputPath, Parameters, ResultSelector,
// ResultPath, OutputPath, intrinsic functions) and JSONata (Arguments,
// Output, Assign, Condition, Items, "{% %}" fields), per machine and per
// state.
//
// What it does not run (activities, cross-account Credentials, Parquet
// item readers, ...) New rejects with an UnsupportedError
// naming the state and the field.
package states

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync/atomic"

	"github.com/stepforge/stepforge/pkg/asl"
)

// Machine is a state machine ready to run. It is safe to Run concurrently.
type Machine struct {
	def      *asl.StateMachine
	main     *program
	branches map[*asl.Parallel][]*program
	// starts names each branch's first state, for a resumed execution to
	// find the branch's events.
	starts map[*asl.Parallel][]string
	maps   map[*asl.Map]*program
	// jsonata holds the states whose query language is JSONata.
	jsonata map[asl.State]bool
	cfg     config
	// events and strs are how many events and event strings the last
	// execution recorded: the next one's history starts with room for as
	// many, so a machine that runs the same path every time allocates its
	// history once, at its size.
	events, strs atomic.Int64
	// single names the one state of a SingleState machine.
	single string
	// smCtx is $$.StateMachine, the same for every execution.
	smCtx map[string]any
	// events4 records each Task's events, as its resource says.
	events4 map[*asl.Task]taskEvents
}

// program is one set of states and where it starts: the machine, a
// Parallel branch or a Map's item processor.
type program struct {
	start  string
	states map[string]asl.State
}

type config struct {
	tasks   Tasks
	clock   Clock
	random  func() float64
	name    string
	region  string
	account string
	roleArn string
	broker  *TokenBroker
	store   ObjectStore
}

// Option configures New.
type Option func(*config)

// WithTasks sets what runs Task states; without it every Task fails.
func WithTasks(t Tasks) Option { return func(c *config) { c.tasks = t } }

// WithClock sets the clock; the default is the real one.
func WithClock(cl Clock) Option { return func(c *config) { c.clock = cl } }

// WithRandom sets the source of JitterStrategy FULL: a function returning a
// number in [0, 1), safe for concurrent use (Parallel branches and Map
// iterations retry at once). The default is math/rand.
func WithRandom(f func() float64) Option { return func(c *config) { c.random = f } }

// WithName names the state machine ($$.StateMachine.Name and the ARNs);
// the default is "StateMachine".
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithAccount sets the region and account id of the ARNs; the defaults are
// us-east-1 and 123456789012.
func WithAccount(region, account string) Option {
	return func(c *config) { c.region, c.account = region, account }
}

// WithRoleArn sets $$.Execution.RoleArn and the ExecutionStarted event's
// roleArn.
func WithRoleArn(arn string) Option { return func(c *config) { c.roleArn = arn } }

// New checks that def is something this executor runs and prepares it.
func New(def *asl.StateMachine, opts ...Option) (*Machine, error) {
	cfg := config{
		clock:   RealClock{},
		random:  mrand.Float64,
		name:    "StateMachine",
		region:  "us-east-1",
		account: "123456789012",
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.broker == nil {
		cfg.broker = NewTokenBroker()
	}
	if cfg.roleArn == "" {
		cfg.roleArn = fmt.Sprintf("arn:aws:iam::%s:role/%s-role", cfg.account, cfg.name)
	}
	if def == nil {
		return nil, &UnsupportedError{Field: "definition", Reason: "no state machine"}
	}
	// A definition declared in Go may hold int or float64 values in its
	// templates; a round trip through its JSON gives the json.Number values
	// every evaluator expects, and a copy the caller cannot change.
	b, err := def.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("states: marshal definition: %w", err)
	}
	if def, err = asl.Parse(b); err != nil {
		return nil, fmt.Errorf("states: %w", err)
	}
	// The rules of the language, as CreateStateMachine checks them: an
	// *asl.ValidationError lists each problem at its path.
	if err := def.Validate(); err != nil {
		return nil, err
	}
	m := &Machine{def: def, cfg: cfg, branches: map[*asl.Parallel][]*program{}, starts: map[*asl.Parallel][]string{}, maps: map[*asl.Map]*program{}, jsonata: map[asl.State]bool{}, events4: map[*asl.Task]taskEvents{}}
	top := def.QueryLanguage
	if top == "" {
		top = asl.JSONPath
	}
	main, err := m.compile(def.StartAt, def.States, "", top)
	if err != nil {
		return nil, err
	}
	m.main = main
	m.smCtx = map[string]any{"Id": m.ARN(), "Name": cfg.name}
	return m, nil
}

// ARN returns the state machine's ARN.
func (m *Machine) ARN() string {
	return "arn:aws:states:" + m.cfg.region + ":" + m.cfg.account + ":stateMachine:" + m.cfg.name
}

// compile prepares one scope of states whose query language is ql unless
// a state sets its own.
func (m *Machine) compile(start string, sts asl.States, where string, ql asl.QueryLanguage) (*program, error) {
	p := &program{start: start, states: make(map[string]asl.State, len(sts))}
	for _, st := range sts {
		if err := m.check(st, ql); err != nil {
			return nil, err
		}
		p.states[st.StateName()] = st
	}
	if _, ok := p.states[start]; !ok {
		return nil, &UnsupportedError{State: where, Field: "StartAt", Reason: fmt.Sprintf("names no state: %q", start)}
	}
	for _, st := range sts {
		for _, next := range nexts(st) {
			if _, ok := p.states[next]; !ok {
				return nil, &UnsupportedError{State: st.StateName(), Field: "Next", Reason: fmt.Sprintf("names no state: %q", next)}
			}
		}
	}
	return p, nil
}

// check rejects what the executor does not run, naming state and field.
func (m *Machine) check(st asl.State, inherited asl.QueryLanguage) error {
	name := st.StateName()
	unsupported := func(field, reason string) error {
		return &UnsupportedError{State: name, Field: field, Reason: reason}
	}
	if ql := asl.QueryLanguageOf(st); ql == asl.JSONata || (ql == "" && inherited == asl.JSONata) {
		m.jsonata[st] = true
		if err := checkExpressions(st); err != nil {
			return err
		}
	}
	switch s := st.(type) {
	case *asl.Task:
		m.events4[s] = eventsFor(s.Resource, m.cfg.region)
		switch {
		case isCallback(s.Resource) && !strings.HasPrefix(s.Resource, "arn:aws:states:::"):
			return unsupported("Resource", "the .waitForTaskToken integration pattern needs a service integration (arn:aws:states:::service:api.waitForTaskToken)")
		case strings.HasPrefix(s.Resource, "arn:aws:states:") && strings.Contains(s.Resource, ":activity:"):
			return unsupported("Resource", "activities are not supported yet")
		case isSync(s.Resource) && !strings.HasPrefix(s.Resource, "arn:aws:states:::"):
			return unsupported("Resource", "the .sync integration pattern needs a service integration (arn:aws:states:::service:api.sync)")
		case s.Credentials != nil:
			return unsupported("Credentials", "cross-account credentials are not supported")
		}
	case *asl.Parallel:
		for i := range s.Branches {
			b := &s.Branches[i]
			p, err := m.compile(b.StartAt, b.States, name, nestedQL(b.QueryLanguage, inherited))
			if err != nil {
				return err
			}
			m.branches[s] = append(m.branches[s], p)
			m.starts[s] = append(m.starts[s], p.start)
		}
	case *asl.Map:
		distributed := s.ItemProcessor != nil && s.ItemProcessor.ProcessorConfig.Mode == asl.Distributed
		if distributed {
			if err := m.checkDistributed(s); err != nil {
				return err
			}
		} else {
			switch {
			case s.ItemReader != nil:
				return unsupported("ItemReader", "only a distributed Map reads its items from S3")
			case s.ItemBatcher != nil:
				return unsupported("ItemBatcher", "only a distributed Map batches its items")
			case s.ResultWriter != nil:
				return unsupported("ResultWriter", "only a distributed Map writes its results to S3")
			case s.ToleratedFailureCount != nil || s.ToleratedFailureCountPath != "" || s.ToleratedFailureCountExpr != "":
				return unsupported("ToleratedFailureCount", "only a distributed Map tolerates failures")
			case s.ToleratedFailurePercentage != nil || s.ToleratedFailurePercentagePath != "" || s.ToleratedFailurePercentageExpr != "":
				return unsupported("ToleratedFailurePercentage", "only a distributed Map tolerates failures")
			}
		}
		start, sts, ql := "", asl.States(nil), asl.QueryLanguage("")
		switch {
		case s.ItemProcessor != nil:
			start, sts, ql = s.ItemProcessor.StartAt, s.ItemProcessor.States, s.ItemProcessor.QueryLanguage
		case s.Iterator != nil:
			start, sts, ql = s.Iterator.StartAt, s.Iterator.States, s.Iterator.QueryLanguage
		default:
			return unsupported("ItemProcessor", "a Map needs an ItemProcessor")
		}
		p, err := m.compile(start, sts, name, nestedQL(ql, inherited))
		if err != nil {
			return err
		}
		m.maps[s] = p
	}
	return nil
}

// nestedQL is the query language of a Parallel branch or Map processor: its
// own, else the enclosing scope's (not the Parallel or Map state's), as AWS
// falls back to the top level.
func nestedQL(own, enclosing asl.QueryLanguage) asl.QueryLanguage {
	if own != "" {
		return own
	}
	return enclosing
}

// nexts lists the states st can move to.
func nexts(st asl.State) []string {
	var out []string
	add := func(n string) {
		if n != "" {
			out = append(out, n)
		}
	}
	catch := func(cs []asl.Catcher) {
		for _, c := range cs {
			add(c.Next)
		}
	}
	switch s := st.(type) {
	case *asl.Task:
		add(s.Next)
		catch(s.Catch)
	case *asl.Pass:
		add(s.Next)
	case *asl.Wait:
		add(s.Next)
	case *asl.Choice:
		add(s.Default)
		for _, r := range s.Choices {
			add(r.Next)
		}
	case *asl.Parallel:
		add(s.Next)
		catch(s.Catch)
	case *asl.Map:
		add(s.Next)
		catch(s.Catch)
	}
	return out
}

// newUUID returns a random RFC 4122 version 4 UUID, for execution names.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
