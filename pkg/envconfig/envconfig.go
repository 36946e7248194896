// Package envconfig reads a function's settings from its environment and
// reports an unusable one as Misconfigured, the error a Step Functions Catch
// matches by name. A handler reads its settings once at start and returns
// the problem from every invocation rather than stopping the process: a
// failed invocation reaches the workflow, a failed cold start does not.
package envconfig

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Misconfigured reports a function deployed with a missing or unusable
// setting. Retrying cannot help: the deployment has to be fixed.
type Misconfigured struct {
	Setting string
	// Reason completes a sentence that starts with the setting's name, such
	// as "is not set".
	Reason string
}

func (e *Misconfigured) Error() string { return e.Setting + " " + e.Reason }

// Reader reads settings with a getenv function and keeps the problems it
// finds; each method returns a usable value (its default on a problem).
type Reader struct {
	getenv   func(string) string
	problems []error
}

// New returns a Reader of the settings getenv returns, such as os.Getenv.
func New(getenv func(string) string) *Reader { return &Reader{getenv: getenv} }

// Map returns a getenv function reading from the given maps, a later map
// overriding an earlier one; it serves settings that are not in the process
// environment, as in tests.
func Map(layers ...map[string]string) func(string) string {
	vars := map[string]string{}
	for _, l := range layers {
		maps.Copy(vars, l)
	}
	return func(name string) string { return vars[name] }
}

// Err returns the first problem found, or nil.
func (r *Reader) Err() error {
	if len(r.problems) == 0 {
		return nil
	}
	return r.problems[0]
}

// Problems returns every problem found, joined by errors.Join, or nil, so
// that one deployment can fix them all.
func (r *Reader) Problems() error { return errors.Join(r.problems...) }

// Add records err as a problem unless it is nil, for checks only the
// function knows how to make.
func (r *Reader) Add(err error) {
	if err != nil {
		r.problems = append(r.problems, err)
	}
}

func (r *Reader) report(name, reason string) {
	r.Add(&Misconfigured{Setting: name, Reason: reason})
}

// value is the setting without surrounding white space, which a deployment
// template adds easily and no setting means.
func (r *Reader) value(name string) string { return strings.TrimSpace(r.getenv(name)) }

// String returns setting name, or def when it is unset or blank.
func (r *Reader) String(name, def string) string {
	if v := r.value(name); v != "" {
		return v
	}
	return def
}

// Required returns setting name, a problem when it is unset or blank.
func (r *Reader) Required(name string) string {
	v := r.value(name)
	if v == "" {
		r.report(name, "is not set")
	}
	return v
}

// Bool returns setting name as strconv.ParseBool reads it ("true", "0",
// "TRUE", ...), or def when it is unset.
func (r *Reader) Bool(name string, def bool) bool {
	v := r.value(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.report(name, fmt.Sprintf("%q is neither true nor false", v))
		return def
	}
	return b
}

// PositiveInt returns setting name, a whole number above zero, or def when
// it is unset.
func (r *Reader) PositiveInt(name string, def int64) int64 {
	v := r.value(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		r.report(name, fmt.Sprintf("%q is not a whole number above zero", v))
		return def
	}
	return n
}

// Duration returns setting name, a positive Go duration ("5s", "750ms") or
// a whole number of seconds ("5"), or def when it is unset.
func (r *Reader) Duration(name string, def time.Duration) time.Duration {
	v := r.value(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, serr := strconv.Atoi(v)
		if serr != nil {
			r.report(name, fmt.Sprintf("%q is neither a duration such as 5m nor whole seconds", v))
			return def
		}
		d = time.Duration(secs) * time.Second
	}
	if d <= 0 {
		r.report(name, fmt.Sprintf("%q is not positive", v))
		return def
	}
	return d
}

// OneOf returns setting name, which must be one of allowed, or def when it
// is unset.
func (r *Reader) OneOf(name, def string, allowed ...string) string {
	v := r.value(name)
	switch {
	case v == "":
		return def
	case !slices.Contains(allowed, v):
		r.report(name, fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", ")))
		return def
	}
	return v
}
