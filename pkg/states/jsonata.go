package states

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/jsonata"
	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

// The JSONata data flow of a state (QueryLanguage: JSONata): the state's
// input is $states.input; Arguments (Task, Parallel) or Items and
// ItemSelector (Map) feed the work, whose result is $states.result; Output
// (by default $states.result, or the input for states without a result)
// and Assign are then evaluated side by side, both reading the variables
// as the state entered with them. A Catch sees $states.errorOutput; its
// Output is by default that error output.
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

// DefinitionError is what New returns for a JSONata expression AWS refuses
// when the state machine is created: AWS's diagnostic code and message and
// where the expression is.
type DefinitionError struct {
	State    string
	Location string // the field, and the keys down to the expression: "Output/v"
	Code     string // jsonata.CodeInvalid or jsonata.CodeUnsupported
	Message  string
}

func (e *DefinitionError) Error() string {
	return fmt.Sprintf("states: %s: %s at /States/%s/%s", e.Code, e.Message, e.State, e.Location)
}

// checkExpressions compiles every JSONata expression of a JSONata state.
func checkExpressions(st asl.State) error {
	type field struct {
		name string
		v    any
	}
	var fs []field
	add := func(name string, v any) {
		switch x := v.(type) {
		case nil:
			return
		case string:
			if x == "" {
				return
			}
		case asl.Object:
			if x == nil {
				return
			}
			v = map[string]any(x)
		}
		fs = append(fs, field{name, v})
	}
	catch := func(cs []asl.Catcher) {
		for i, c := range cs {
			add(fmt.Sprintf("Catch/%d/Output", i), c.Output)
			add(fmt.Sprintf("Catch/%d/Assign", i), c.Assign)
		}
	}
	switch s := st.(type) {
	case *asl.Task:
		add("Arguments", s.Arguments)
		add("Output", s.Output)
		add("Assign", s.Assign)
		add("TimeoutSeconds", s.TimeoutSecondsExpr)
		add("HeartbeatSeconds", s.HeartbeatSecondsExpr)
		catch(s.Catch)
	case *asl.Pass:
		add("Output", s.Output)
		add("Assign", s.Assign)
	case *asl.Wait:
		add("Seconds", s.SecondsExpr)
		add("Timestamp", s.Timestamp)
		add("Output", s.Output)
		add("Assign", s.Assign)
	case *asl.Succeed:
		add("Output", s.Output)
	case *asl.Fail:
		add("Error", s.Error)
		add("Cause", s.Cause)
	case *asl.Choice:
		for i, c := range s.Choices {
			add(fmt.Sprintf("Choices/%d/Condition", i), c.Condition)
			add(fmt.Sprintf("Choices/%d/Output", i), c.Output)
			add(fmt.Sprintf("Choices/%d/Assign", i), c.Assign)
		}
		add("Output", s.Output)
		add("Assign", s.Assign)
	case *asl.Parallel:
		add("Arguments", s.Arguments)
		add("Output", s.Output)
		add("Assign", s.Assign)
		catch(s.Catch)
	case *asl.Map:
		add("Items", s.Items)
		add("ItemSelector", s.ItemSelector)
		add("MaxConcurrency", s.MaxConcurrencyExpr)
		add("Output", s.Output)
		add("Assign", s.Assign)
		catch(s.Catch)
	}
	for _, f := range fs {
		err := jsonata.ValidateTemplate(f.v, f.name)
		var le *jsonata.LocatedError
		if errors.As(err, &le) {
			return &DefinitionError{State: st.StateName(), Location: le.Location, Code: le.Err.Code, Message: le.Err.Message}
		}
		if err != nil {
			return &DefinitionError{State: st.StateName(), Location: f.name, Code: jsonata.CodeInvalid, Message: err.Error()}
		}
	}
	if c, ok := st.(*asl.Choice); ok {
		for i, rule := range c.Choices {
			if rule.Condition == "" {
				return &UnsupportedError{State: st.StateName(), Field: fmt.Sprintf("Choices[%d]", i), Reason: "a rule of a JSONata Choice state needs a Condition"}
			}
		}
	}
	return nil
}

// jstate evaluates the JSONata fields of one state entry.
type jstate struct {
	name    string
	entered int64 // the StateEntered event's id, for AWS's error cause
	env     jsonata.Env
}

func (r *run) jstate(name string, env jsonpath.Env, th *thread) *jstate {
	return &jstate{name: name, entered: th.entered, env: jsonata.Env{
		States: map[string]any{"input": env.Input, "context": env.ContextObject()},
		Vars:   env.Vars,
	}}
}

// with returns a copy of j whose $states also holds key (result,
// errorOutput) or replaces it (context).
func (j *jstate) with(key string, v any) *jstate {
	states := make(map[string]any, len(j.env.States)+1)
	for k, x := range j.env.States {
		states[k] = x
	}
	states[key] = v
	c := *j
	c.env.States = states
	return &c
}

// eval evaluates a field value: a template (object, array, literal) whose
// "{% %}" strings are evaluated, or one expression. A failure is
// States.QueryEvaluationError with the cause AWS gives, which names the
// state and the event that entered it.
func (j *jstate) eval(v any, field string) (any, error) {
	if o, ok := v.(asl.Object); ok {
		v = map[string]any(o)
	}
	out, err := jsonata.TemplateField(v, j.env, field)
	if err != nil {
		return nil, j.wrap(err)
	}
	return out, nil
}

func (j *jstate) wrap(err error) error {
	var je *jsonata.Error
	if errors.As(err, &je) && !strings.HasPrefix(je.Cause, runtimePrefix) {
		return &Error{Name: je.Name, Cause: causeAt(j.name, j.entered, je.Cause)}
	}
	return err
}

// typeError is AWS's cause for an expression of the wrong type.
func (j *jstate) typeError(field string, want string, got any) error {
	return &Error{Name: jsonata.QueryEvaluationError, Cause: causeAt(j.name, j.entered, fmt.Sprintf("The JSONata expression specified for the field '%s' returned an unexpected result type. Expected '%s', but was '%s' for value: %s",
		field, want, jsonata.TypeName(got), mustEncode(got)))}
}

// output evaluates Output, dflt when there is none.
func (j *jstate) output(tmpl, dflt any) (any, error) {
	if tmpl == nil {
		return dflt, nil
	}
	return j.eval(tmpl, "Output")
}

// assign evaluates an Assign block into the variables it sets.
func (j *jstate) assign(tmpl asl.Object, field string) (map[string]any, error) {
	if tmpl == nil {
		return nil, nil
	}
	v, err := j.eval(tmpl, field)
	if err != nil {
		return nil, err
	}
	out, _ := v.(map[string]any)
	return out, nil
}

// finish evaluates a state's Output (default dflt) and Assign.
func (j *jstate) finish(output any, assign asl.Object, dflt any) (any, map[string]any, error) {
	out, err := j.output(output, dflt)
	if err != nil {
		return nil, nil, err
	}
	assigned, err := j.assign(assign, "Assign")
	if err != nil {
		return nil, nil, err
	}
	return out, assigned, nil
}

// integer evaluates a whole-number field (TimeoutSeconds, Seconds,
// MaxConcurrency...): a literal, or an expression giving a number.
func (j *jstate) integer(lit *int, expr, field string, min int) (int, error) {
	if lit != nil {
		return *lit, nil
	}
	if expr == "" {
		return 0, nil
	}
	v, err := j.eval(expr, field)
	if err != nil {
		return 0, err
	}
	num, ok := v.(json.Number)
	n, perr := strconv.Atoi(num.String())
	if !ok || perr != nil || n < min {
		return 0, j.typeError(field, "integer", v)
	}
	return n, nil
}

func (r *run) runJSONata(ctx context.Context, st asl.State, input any, th *thread, sc *scope) (any, string, error) {
	switch s := st.(type) {
	case *asl.Pass:
		return r.passJ(s, input, th, sc)
	case *asl.Task:
		return r.taskJ(ctx, s, input, th, sc)
	case *asl.Choice:
		return r.choiceJ(s, input, th, sc)
	case *asl.Wait:
		return r.waitJ(ctx, s, input, th, sc)
	case *asl.Succeed:
		return r.succeedJ(s, input, th, sc)
	case *asl.Fail:
		return nil, "", r.failJ(s, input, th, sc)
	case *asl.Parallel:
		return r.parallelJ(ctx, s, input, th, sc)
	case *asl.Map:
		return r.mapJ(ctx, s, input, th, sc)
	}
	return nil, "", runtimeErr("state %q has an unknown type", st.StateName())
}

// passJ: the output is Output, else Result, else the input.
func (r *run) passJ(s *asl.Pass, input any, th *thread, sc *scope) (any, string, error) {
	env, _, err := r.enter("Pass", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	j := r.jstate(s.Name, env, th)
	dflt := input
	if s.Result != nil {
		dflt = s.Result
	}
	out, assigned, err := j.finish(s.Output, s.Assign, dflt)
	if err != nil {
		return nil, "", err
	}
	out, err = r.leave("Pass", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}

func (r *run) succeedJ(s *asl.Succeed, input any, th *thread, sc *scope) (any, string, error) {
	env, _, err := r.enter("Succeed", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	out, err := r.jstate(s.Name, env, th).output(s.Output, input)
	if err != nil {
		return nil, "", err
	}
	out, err = r.leave("Succeed", s.Name, out, nil, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, "", nil
}

// failJ: Error and Cause may be expressions giving strings.
func (r *run) failJ(s *asl.Fail, input any, th *thread, sc *scope) error {
	env, _, err := r.enter("Fail", s.Name, input, th, sc)
	if err != nil {
		return err
	}
	j := r.jstate(s.Name, env, th)
	str := func(v, field string) (string, error) {
		if !jsonata.IsExpression(v) {
			return v, nil
		}
		out, err := j.eval(v, field)
		if err != nil {
			return "", err
		}
		s, ok := out.(string)
		if !ok {
			return "", j.typeError(field, "string", out)
		}
		return s, nil
	}
	name, err := str(s.Error, "Error")
	if err != nil {
		return err
	}
	cause, err := str(s.Cause, "Cause")
	if err != nil {
		return err
	}
	return &Error{Name: name, Cause: cause}
}

// choiceJ moves to the first rule whose Condition is true. The rule's
// Assign runs when it matches, the state's when Default is taken; the
// output is the rule's Output, else the state's, else the input.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
func (r *run) choiceJ(s *asl.Choice, input any, th *thread, sc *scope) (any, string, error) {
	env, _, err := r.enter("Choice", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	j := r.jstate(s.Name, env, th)
	var rule *asl.ChoiceRule
	for i := range s.Choices {
		field := fmt.Sprintf("Choices/%d/Condition", i)
		v, err := j.eval(s.Choices[i].Condition, field)
		if err != nil {
			return nil, "", err
		}
		ok, isBool := v.(bool)
		if !isBool {
			return nil, "", j.typeError(field, "boolean", v)
		}
		if ok {
			rule = &s.Choices[i]
			break
		}
	}
	next, output := s.Default, s.Output
	if rule != nil {
		next = rule.Next
		if rule.Output != nil {
			output = rule.Output
		}
	} else if next == "" {
		return nil, "", &Error{Name: errNoChoiceMatched, Cause: "No Matches! for state " + strconv.Quote(s.Name)}
	}
	// A matching rule's Assign runs instead of the state's: "If a Choice
	// Rule matches, Step Functions evaluates only that rule's Assign field
	// and does not evaluate the top-level Assign field."
	assign := s.Assign
	if rule != nil {
		assign = rule.Assign
	}
	out, assigned, err := j.finish(output, assign, input)
	if err != nil {
		return nil, "", err
	}
	out, err = r.leave("Choice", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// waitJ: Seconds is a number or an expression giving one, Timestamp an
// RFC 3339 string or an expression giving one.
func (r *run) waitJ(ctx context.Context, s *asl.Wait, input any, th *thread, sc *scope) (any, string, error) {
	env, entered, err := r.enter("Wait", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	j := r.jstate(s.Name, env, th)
	until := entered
	switch {
	case s.Seconds != nil || s.SecondsExpr != "":
		n, err := j.integer(s.Seconds, s.SecondsExpr, "Seconds", 0)
		if err != nil {
			return nil, "", err
		}
		until = entered.Add(time.Duration(n) * time.Second)
	case s.Timestamp != "":
		ts := any(s.Timestamp)
		if jsonata.IsExpression(s.Timestamp) {
			if ts, err = j.eval(s.Timestamp, "Timestamp"); err != nil {
				return nil, "", err
			}
		}
		str, ok := ts.(string)
		if !ok {
			return nil, "", j.typeError("Timestamp", "string", ts)
		}
		if until, err = parseTimestamp(str, s.Name, "Timestamp"); err != nil {
			return nil, "", err
		}
	}
	if err := r.sleepOn(ctx, th, until); err != nil {
		return nil, "", err
	}
	out, assigned, err := j.finish(s.Output, s.Assign, input)
	if err != nil {
		return nil, "", err
	}
	out, err = r.leave("Wait", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}

// arguments evaluates Arguments; without it the work gets the state input.
func (j *jstate) arguments(args any) (any, error) {
	if args == nil {
		return j.env.States["input"], nil
	}
	return j.eval(args, "Arguments")
}

// taskJ runs a JSONata Task: Arguments, the task (retried as Retry says),
// then Output and Assign over $states.result, or a Catch.
func (r *run) taskJ(ctx context.Context, s *asl.Task, input any, th *thread, sc *scope) (any, string, error) {
	env, entered, err := r.enter("Task", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	j := r.jstate(s.Name, env, th)
	callsBack := isCallback(s.Resource)
	result, err := r.withRetry(ctx, th, s.Name, entered, s.Retry, env, func(env jsonpath.Env, retries int) (any, error) {
		var cb *callback
		if callsBack {
			cb = r.callback(th, retries, &env)
			defer r.m.cfg.broker.close(cb, false)
		}
		aj := j.with("context", env.ContextObject())
		args, err := aj.arguments(s.Arguments)
		if err != nil {
			return nil, err
		}
		r.note("afterArguments", args)
		timeout, err := aj.integer(s.TimeoutSeconds, s.TimeoutSecondsExpr, "TimeoutSeconds", 1)
		if err != nil {
			return nil, err
		}
		heartbeat, err := aj.integer(s.HeartbeatSeconds, s.HeartbeatSecondsExpr, "HeartbeatSeconds", 1)
		if err != nil {
			return nil, err
		}
		res, err := r.callTask(ctx, s, args, timeout, heartbeat, retries, th, cb)
		r.note("result", res)
		return res, err
	})
	if err != nil {
		return r.catchJ("Task", s.Catch, err, j, th, sc)
	}
	out, assigned, err := j.with("result", result).finish(s.Output, s.Assign, result)
	if err != nil {
		return r.catchJ("Task", s.Catch, err, j, th, sc)
	}
	out, err = r.leave("Task", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}

// catchJ moves a failed JSONata state to its first matching catcher's
// Next; the output is the catcher's Output, by default the error output
// {"Error","Cause"}, and its Assign reads $states.errorOutput.
func (r *run) catchJ(typ string, catchers []asl.Catcher, err error, j *jstate, th *thread, sc *scope) (any, string, error) {
	if terminal(err) || isRetriable(err) {
		return nil, "", err
	}
	se := asStatesError(err)
	for i, c := range catchers {
		if !matches(c.ErrorEquals, se.Name) {
			continue
		}
		errOut := map[string]any{"Error": se.Name, "Cause": se.Cause}
		r.caught()
		cj := j.with("errorOutput", errOut)
		out := any(errOut)
		if c.Output != nil {
			v, err := cj.eval(c.Output, fmt.Sprintf("Catch/%d/Output", i))
			if err != nil {
				return nil, "", err
			}
			out = v
		}
		assigned, err := cj.assign(c.Assign, fmt.Sprintf("Catch/%d/Assign", i))
		if err != nil {
			return nil, "", err
		}
		out, err = r.leave(typ, j.name, out, assigned, th, sc)
		if err != nil {
			return nil, "", err
		}
		return out, c.Next, nil
	}
	return nil, "", se
}

// parallelJ runs every branch on Arguments (default the state input).
func (r *run) parallelJ(ctx context.Context, s *asl.Parallel, input any, th *thread, sc *scope) (any, string, error) {
	env, entered, err := r.enter("Parallel", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	j := r.jstate(s.Name, env, th)
	result, err := r.withRetry(ctx, th, s.Name, entered, s.Retry, env, func(env jsonpath.Env, _ int) (any, error) {
		args, err := j.with("context", env.ContextObject()).arguments(s.Arguments)
		if err != nil {
			return nil, err
		}
		return r.branches(ctx, s, args, th, sc)
	})
	if err != nil {
		return r.catchJ("Parallel", s.Catch, err, j, th, sc)
	}
	out, assigned, err := j.with("result", result).finish(s.Output, s.Assign, result)
	if err != nil {
		return r.catchJ("Parallel", s.Catch, err, j, th, sc)
	}
	out, err = r.leave("Parallel", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}

// mapJ runs an inline Map over Items (default the state input), each
// iteration's input being ItemSelector evaluated with
// $states.context.Map.Item.Index and .Value, or the item itself.
func (r *run) mapJ(ctx context.Context, s *asl.Map, input any, th *thread, sc *scope) (any, string, error) {
	env, entered, err := r.enter("Map", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	j := r.jstate(s.Name, env, th)
	result, err := r.withRetry(ctx, th, s.Name, entered, s.Retry, env, func(env jsonpath.Env, retries int) (any, error) {
		aj := j.with("context", env.ContextObject())
		v, err := input, error(nil)
		if s.Items != nil {
			if v, err = aj.eval(s.Items, "Items"); err != nil {
				return nil, err
			}
		}
		items, ok := v.([]any)
		if isDistributed(s) {
			if s.ItemReader != nil {
				items = nil
			} else if !ok {
				return nil, aj.typeError("Items", "array", v)
			}
			return r.distributedRun(ctx, s, th, mapEval{j: aj}, items, entered, retries)
		}
		if !ok {
			return nil, aj.typeError("Items", "array", v)
		}
		limit, err := aj.integer(s.MaxConcurrency, s.MaxConcurrencyExpr, "MaxConcurrency", 0)
		if err != nil {
			return nil, err
		}
		return r.inline(ctx, s, items, limit, th, sc, mapEval{j: aj}, entered, retries)
	})
	if err != nil {
		return r.catchJ("Map", s.Catch, err, j, th, sc)
	}
	out, assigned, err := j.with("result", result).finish(s.Output, s.Assign, result)
	if err != nil {
		return r.catchJ("Map", s.Catch, err, j, th, sc)
	}
	out, err = r.leave("Map", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}
