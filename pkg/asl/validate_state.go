package asl

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// maxSeconds is the largest TimeoutSeconds, HeartbeatSeconds and Wait
// Seconds AWS accepts.
const maxSeconds = 99999999

func (c *checker) state(path string, s State, inherited QueryLanguage) {
	lang := c.queryLanguage(path, QueryLanguageOf(s), inherited)
	c.fields(path, s, lang, "a "+s.Type()+" state")
	switch s := s.(type) {
	case *Task:
		c.transition(path, s.Next, s.End)
		c.task(path, s)
		c.retry(path, s.Retry, lang)
		c.catch(path, s.Catch, lang)
	case *Pass:
		c.transition(path, s.Next, s.End)
	case *Wait:
		c.transition(path, s.Next, s.End)
		c.wait(path, s, lang)
	case *Fail:
		c.fail(path, s, lang)
	case *Choice:
		c.choice(path, s, lang)
	case *Parallel:
		c.transition(path, s.Next, s.End)
		if len(s.Branches) == 0 {
			c.add(path, "a Parallel state needs at least one branch in Branches")
		}
		for i := range s.Branches {
			c.fields(fmt.Sprintf("%s.Branches[%d]", path, i), &s.Branches[i], lang, "a branch")
		}
		c.retry(path, s.Retry, lang)
		c.catch(path, s.Catch, lang)
	case *Map:
		c.transition(path, s.Next, s.End)
		c.mapState(path, s, lang)
		c.retry(path, s.Retry, lang)
		c.catch(path, s.Catch, lang)
	}
	// A nested scope's states inherit the enclosing scope's query language,
	// as AWS falls back to the top level, not to the Parallel or Map state's.
	for _, sub := range nestedScopes(path, s) {
		sub.queryLanguage = c.queryLanguage(join(sub.path, "QueryLanguage"), sub.queryLanguage, inherited)
		c.scope(sub)
	}
}

// transition checks a state that must either move on or end.
func (c *checker) transition(path, next string, end bool) {
	switch {
	case next != "" && end:
		c.add(path, "has both Next and End; a state either moves on or ends")
	case next == "" && !end:
		c.add(path, "has neither Next nor End")
	}
}

func (c *checker) task(path string, t *Task) {
	switch {
	case t.Resource == "":
		c.add(path, "a Task state needs a Resource")
	case !strings.HasPrefix(t.Resource, "arn:") && !isPlaceholder(t.Resource):
		c.add(path, "Resource %q is neither an ARN nor a ${Placeholder}", t.Resource)
	}
	c.atMostOne(path, "TimeoutSeconds", t.TimeoutSeconds != nil, t.TimeoutSecondsExpr != "", t.TimeoutSecondsPath != "")
	c.atMostOne(path, "HeartbeatSeconds", t.HeartbeatSeconds != nil, t.HeartbeatSecondsExpr != "", t.HeartbeatSecondsPath != "")
	c.seconds(path, "TimeoutSeconds", t.TimeoutSeconds, 1)
	c.seconds(path, "HeartbeatSeconds", t.HeartbeatSeconds, 1)
	if t.TimeoutSeconds != nil && t.HeartbeatSeconds != nil && *t.HeartbeatSeconds >= *t.TimeoutSeconds {
		c.add(path, "HeartbeatSeconds (%d) must be smaller than TimeoutSeconds (%d)", *t.HeartbeatSeconds, *t.TimeoutSeconds)
	}
}

func isPlaceholder(s string) bool {
	m := placeholder.FindStringIndex(s)
	return m != nil && m[0] == 0 && m[1] == len(s)
}

// atMostOne reports a value given more than one way: as a number, a JSONata
// expression or a path.
func (c *checker) atMostOne(path, name string, number, expr, ref bool) {
	n := 0
	for _, set := range []bool{number, expr, ref} {
		if set {
			n++
		}
	}
	if n > 1 {
		c.add(path, "set only one of %s and %sPath", name, name)
	}
}

func (c *checker) seconds(path, name string, v *int, least int) {
	if v == nil {
		return
	}
	switch {
	case *v < least && least == 1:
		c.add(path, "%s must be a positive number of seconds, not %d", name, *v)
	case *v < least:
		c.add(path, "%s must not be negative, not %d", name, *v)
	case *v > maxSeconds:
		c.add(path, "%s %d is more than the %d AWS allows", name, *v, maxSeconds)
	}
}

func (c *checker) wait(path string, w *Wait, lang QueryLanguage) {
	n := 0
	for _, set := range []bool{w.Seconds != nil, w.SecondsExpr != "", w.SecondsPath != "", w.Timestamp != "", w.TimestampPath != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		c.add(path, "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath, has %d", n)
	}
	c.seconds(path, "Seconds", w.Seconds, 0)
	if w.Timestamp != "" && !(lang == JSONata && isExpr(w.Timestamp)) {
		if _, err := time.Parse(time.RFC3339, w.Timestamp); err != nil {
			c.add(path, "Timestamp %q is not an RFC 3339 timestamp such as 2026-01-02T15:04:05Z", w.Timestamp)
		}
	}
}

func (c *checker) fail(path string, f *Fail, lang QueryLanguage) {
	if f.Error != "" && f.ErrorPath != "" {
		c.add(path, "set only one of Error and ErrorPath")
	}
	if f.Cause != "" && f.CausePath != "" {
		c.add(path, "set only one of Cause and CausePath")
	}
	if lang == JSONata {
		c.jsonataTemplate(join(path, "Error"), f.Error)
		c.jsonataTemplate(join(path, "Cause"), f.Cause)
	}
}

// retry checks a state's retriers, which AWS tries in order.
func (c *checker) retry(path string, rs []Retrier, lang QueryLanguage) {
	all := -1
	for i := range rs {
		r := &rs[i]
		at := fmt.Sprintf("%s.Retry[%d]", path, i)
		c.fields(at, r, lang, "a retrier")
		if all >= 0 {
			c.add(at, "comes after Retry[%d], which matches States.ALL; States.ALL must be in the last retrier", all)
		}
		if c.errorEquals(at, r.ErrorEquals) && all < 0 {
			all = i
		}
		if r.IntervalSeconds != nil && *r.IntervalSeconds < 1 {
			c.add(at, "IntervalSeconds must be a positive number of seconds, not %d", *r.IntervalSeconds)
		}
		if r.MaxAttempts != nil && *r.MaxAttempts < 0 {
			c.add(at, "MaxAttempts must not be negative, not %d", *r.MaxAttempts)
		}
		if r.BackoffRate != nil && *r.BackoffRate < 1 {
			c.add(at, "BackoffRate must be at least 1.0, not %g", *r.BackoffRate)
		}
		if r.MaxDelaySeconds != nil && *r.MaxDelaySeconds < 1 {
			c.add(at, "MaxDelaySeconds must be a positive number of seconds, not %d", *r.MaxDelaySeconds)
		}
		if r.JitterStrategy != "" && r.JitterStrategy != JitterFull && r.JitterStrategy != JitterNone {
			c.add(at, "JitterStrategy must be FULL or NONE, not %q", r.JitterStrategy)
		}
	}
}

// catch checks a state's catchers, which AWS tries in order.
func (c *checker) catch(path string, cs []Catcher, lang QueryLanguage) {
	all := -1
	for i := range cs {
		ct := &cs[i]
		at := fmt.Sprintf("%s.Catch[%d]", path, i)
		c.fields(at, ct, lang, "a catcher")
		if all >= 0 {
			c.add(at, "comes after Catch[%d], which matches States.ALL; States.ALL must be in the last catcher", all)
		}
		if c.errorEquals(at, ct.ErrorEquals) && all < 0 {
			all = i
		}
		if ct.Next == "" {
			c.add(at, "a catcher needs Next")
		}
	}
}

// knownErrors are the error names the States runtime raises; any other
// "States." name is a typo that would never match.
var knownErrors = []string{
	ErrorAll, ErrorDataLimitExceeded, ErrorExceedToleratedFailureThreshold,
	ErrorHeartbeatTimeout, ErrorIntrinsicFailure, ErrorItemReaderFailed,
	ErrorNoChoiceMatched, ErrorParameterPathFailure, ErrorPermissions,
	ErrorQueryEvaluationError, ErrorResultPathMatchFailure, ErrorResultWriterFailed,
	ErrorRuntime, ErrorTaskFailed, ErrorTimeout, ErrorBranchFailed,
}

// errorEquals checks an ErrorEquals list and reports whether it matches
// States.ALL.
func (c *checker) errorEquals(path string, names []string) bool {
	if len(names) == 0 {
		c.add(path, "ErrorEquals needs at least one error name")
	}
	for _, name := range names {
		switch {
		case name == "":
			c.add(path, "ErrorEquals holds an empty error name")
		case strings.HasPrefix(name, "States.") && !slices.Contains(knownErrors, name) &&
			!strings.HasPrefix(name, "States.Http."):
			c.add(path, "%q is not an error the States runtime raises", name)
		}
	}
	all := slices.Contains(names, ErrorAll)
	if all && len(names) > 1 {
		c.add(path, "States.ALL must be the only name in its ErrorEquals")
	}
	return all
}
