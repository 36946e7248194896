package intrinsic

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Resolver reads a path argument ("$.x", "$$.Execution.Id", "$var") and
// returns its value, or the error the state machine should see.
type Resolver func(path string) (any, error)

// Eval evaluates one intrinsic function call, nested calls included, resolving
// path arguments with resolve. Failures of the functions themselves are
// *Error named States.IntrinsicFailure; an error from resolve is returned
// unchanged.
func Eval(expr string, resolve func(path string) (any, error)) (any, error) {
	e, err := cachedCompile(expr)
	if err != nil {
		return nil, err
	}
	return e.Eval(resolve)
}

// maxCached bounds the compiled expressions Eval keeps: a state machine has
// a fixed set of them, but a caller passing arbitrary text must not grow
// memory without end.
const maxCached = 4096

var (
	cache     sync.Map // expression text -> *Expr; an *Expr is never mutated
	cacheSize atomic.Int64
)

func cachedCompile(expr string) (*Expr, error) {
	if e, ok := cache.Load(expr); ok {
		return e.(*Expr), nil
	}
	e, err := Compile(expr)
	if err != nil {
		return nil, err
	}
	if cacheSize.Load() < maxCached {
		if _, loaded := cache.LoadOrStore(expr, e); !loaded {
			cacheSize.Add(1)
		}
	}
	return e, nil
}

// Eval evaluates the compiled call, resolving path arguments with resolve.
func (e *Expr) Eval(resolve func(path string) (any, error)) (any, error) {
	return e.call.eval(resolve)
}

func (c *call) eval(resolve Resolver) (any, error) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		switch a := a.(type) {
		case *literal:
			args[i] = a.value
		case *path:
			if resolve == nil {
				return nil, failure(c.name, fmt.Sprintf("no resolver for the path %s", a.text))
			}
			v, err := resolve(a.text)
			if err != nil {
				return nil, err
			}
			args[i] = v
		case *call:
			v, err := a.eval(resolve)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
	}
	return c.fn.run(c, args)
}

// function is one intrinsic: how many arguments it takes (max -1: any
// number) and what it does with their values.
type function struct {
	min, max int
	run      func(c *call, args []any) (any, error)
}

// functions are every intrinsic the States Language defines, by name.
var functions map[string]*function

func init() {
	functions = map[string]*function{
		"States.Format":         {1, -1, format},
		"States.StringToJson":   {1, 1, stringToJSON},
		"States.JsonToString":   {1, 1, jsonToString},
		"States.Array":          {0, -1, array},
		"States.ArrayPartition": {2, 2, arrayPartition},
		"States.ArrayContains":  {2, 2, arrayContains},
		"States.ArrayRange":     {3, 3, arrayRange},
		"States.ArrayGetItem":   {2, 2, arrayGetItem},
		"States.ArrayLength":    {1, 1, arrayLength},
		"States.ArrayUnique":    {1, 1, arrayUnique},
		"States.Base64Encode":   {1, 1, base64Encode},
		"States.Base64Decode":   {1, 1, base64Decode},
		"States.Hash":           {2, 2, hash},
		"States.JsonMerge":      {3, 3, jsonMerge},
		"States.MathRandom":     {2, 3, mathRandom},
		"States.MathAdd":        {2, 2, mathAdd},
		"States.StringSplit":    {2, 2, stringSplit},
		"States.UUID":           {0, 0, uuid},
	}
}

func (f *function) arity() string {
	switch {
	case f.max == f.min:
		return plural(f.min, "argument")
	case f.max < 0:
		return "at least " + plural(f.min, "argument")
	}
	return fmt.Sprintf("%d to %d arguments", f.min, f.max)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
