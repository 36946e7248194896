package states

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/states/jsonpath"
)

// pass runs a Pass state: its result is Result when set (false, 0, "" and
// the like included), else its effective input after Parameters.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html
func (r *run) pass(s *asl.Pass, input any, th *thread, sc *scope) (any, string, error) {
	env, _, err := r.enter("Pass", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	eff, err := applyInputPath(s.InputPath, env)
	if err != nil {
		return nil, "", err
	}
	r.note("afterInputPath", eff)
	result, err := applyTemplate(s.Parameters, eff, env)
	if err != nil {
		return nil, "", err
	}
	r.note("afterParameters", result)
	if s.Result != nil {
		result = s.Result
	}
	out, assigned, err := r.finish(s.Assign, s.ResultPath, s.OutputPath, input, result, env)
	if err != nil {
		return nil, "", err
	}
	out, err = r.leave("Pass", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}

// succeed ends the execution or branch with its input through InputPath and
// OutputPath.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html
func (r *run) succeed(s *asl.Succeed, input any, th *thread, sc *scope) (any, string, error) {
	env, _, err := r.enter("Succeed", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	eff, err := applyInputPath(s.InputPath, env)
	if err != nil {
		return nil, "", err
	}
	out, err := applyOutputPath(s.OutputPath, eff, env)
	if err != nil {
		return nil, "", err
	}
	out, err = r.leave("Succeed", s.Name, out, nil, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, "", nil
}

// fail ends the execution or branch with Error and Cause, literal or taken
// by ErrorPath and CausePath (a path or an intrinsic function).
// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
func (r *run) fail(s *asl.Fail, input any, th *thread, sc *scope) error {
	env, _, err := r.enter("Fail", s.Name, input, th, sc)
	if err != nil {
		return err
	}
	name, cause := s.Error, s.Cause
	if s.ErrorPath != "" {
		if name, err = failField(s, "ErrorPath", s.ErrorPath, env); err != nil {
			return err
		}
	}
	if s.CausePath != "" {
		if cause, err = failField(s, "CausePath", s.CausePath, env); err != nil {
			return err
		}
	}
	return &Error{Name: name, Cause: cause}
}

func failField(s *asl.Fail, field string, p asl.Path, env jsonpath.Env) (string, error) {
	v, err := pathOrCall(p, env)
	if err != nil {
		return "", err
	}
	str, ok := v.(string)
	if !ok {
		return "", runtimeErr("the %s %s of state %q must give a string, not %s", field, p, s.Name, mustEncode(v))
	}
	return str, nil
}

// wait pauses on the clock for Seconds or SecondsPath, or until Timestamp
// or TimestampPath; a time already past does not wait.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
func (r *run) wait(ctx context.Context, s *asl.Wait, input any, th *thread, sc *scope) (any, string, error) {
	env, entered, err := r.enter("Wait", s.Name, input, th, sc)
	if err != nil {
		return nil, "", err
	}
	eff, err := applyInputPath(s.InputPath, env)
	if err != nil {
		return nil, "", err
	}
	until, err := waitUntil(s, entered, eff, env)
	if err != nil {
		return nil, "", err
	}
	if err := r.sleepOn(ctx, th, until); err != nil {
		return nil, "", err
	}
	assigned, err := evalAssign(s.Assign, eff, env)
	if err != nil {
		return nil, "", err
	}
	out, err := applyOutputPath(s.OutputPath, eff, env)
	if err != nil {
		return nil, "", err
	}
	out, err = r.leave("Wait", s.Name, out, assigned, th, sc)
	if err != nil {
		return nil, "", err
	}
	return out, s.Next, nil
}

func waitUntil(s *asl.Wait, entered time.Time, eff any, env jsonpath.Env) (time.Time, error) {
	env.Input = eff
	switch {
	case s.Seconds != nil:
		return entered.Add(time.Duration(*s.Seconds) * time.Second), nil
	case s.SecondsPath != "":
		v, err := env.Resolve(string(s.SecondsPath))
		if err != nil {
			return time.Time{}, err
		}
		num, ok := v.(json.Number)
		n, perr := strconv.ParseInt(num.String(), 10, 64)
		switch {
		case !ok || perr != nil:
			return time.Time{}, runtimeErr("The SecondsPath parameter cannot be parsed as a long value: %s == %s", s.SecondsPath, rawText(v))
		case n < 0:
			return time.Time{}, runtimeErr("The SecondsPath parameter references a negative value: %s == %s", s.SecondsPath, rawText(v))
		}
		return entered.Add(time.Duration(n) * time.Second), nil
	case s.Timestamp != "":
		return parseTimestamp(s.Timestamp, s.Name, "Timestamp")
	case s.TimestampPath != "":
		v, err := env.Resolve(string(s.TimestampPath))
		if err != nil {
			return time.Time{}, err
		}
		str, _ := v.(string)
		t, err := parseTimestamp(str, s.Name, "TimestampPath")
		if err != nil {
			return t, runtimeErr("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", s.TimestampPath, rawText(v))
		}
		return t, nil
	}
	return entered, nil
}

func parseTimestamp(s, state, field string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, runtimeErr("the %s of state %q is not an RFC 3339 timestamp: %q", field, state, s)
	}
	return t, nil
}

// rawText writes a value as AWS quotes it in a cause: a string as it is,
// anything else as JSON.
func rawText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return mustEncode(v)
}
