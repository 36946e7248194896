package intrinsic

import (
	"fmt"
)

// maxRange is the longest array States.ArrayRange may build, as the AWS
// intrinsics page states.
const maxRange = 1000

func array(_ *call, args []any) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

func arrayArg(c *call, args []any, i int) ([]any, error) {
	a, ok := args[i].([]any)
	if !ok {
		return nil, failure(c.name, fmt.Sprintf("argument %d must be an array, got %s", i+1, kind(args[i])))
	}
	return a, nil
}

func intArg(c *call, args []any, i int, what string) (int64, error) {
	n, ok := toInt(args[i])
	if !ok {
		return 0, failure(c.name, fmt.Sprintf("the %s (argument %d) must be an integer, got %s", what, i+1, describe(args[i])))
	}
	return n, nil
}

// roundedIntArg reads a number, rounding a non-integer one to the nearest
// integer as the AWS page says Step Functions does.
func roundedIntArg(c *call, args []any, i int, what string) (int64, error) {
	n, ok := roundedInt(args[i])
	if !ok {
		return 0, failure(c.name, fmt.Sprintf("the %s (argument %d) must be a number, got %s", what, i+1, describe(args[i])))
	}
	return n, nil
}

// describe shows a bad argument in an error message: its kind, and the
// number itself when it is one.
func describe(v any) string {
	if k := kind(v); k == "a number" {
		return fmt.Sprintf("%v", v)
	}
	return kind(v)
}

func arrayPartition(c *call, args []any) (any, error) {
	a, err := arrayArg(c, args, 0)
	if err != nil {
		return nil, err
	}
	// docPage: a non-integer chunk size is rounded to the nearest integer.
	size, err := roundedIntArg(c, args, 1, "chunk size")
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, failure(c.name, fmt.Sprintf("the chunk size must be greater than 0, got %d", size))
	}
	n := int64(len(a))
	out := make([]any, 0, n/size+1)
	for start := int64(0); start < n; {
		end := n
		if size < n-start {
			end = start + size
		}
		chunk := make([]any, end-start)
		copy(chunk, a[start:end])
		out = append(out, chunk)
		start = end
	}
	return out, nil
}

func arrayContains(c *call, args []any) (any, error) {
	a, err := arrayArg(c, args, 0)
	if err != nil {
		return nil, err
	}
	want := canonicalString(args[1])
	for _, e := range a {
		if canonicalString(e) == want {
			return true, nil
		}
	}
	return false, nil
}

// arrayRange builds [start, start+step, ...] up to and including end. The
// AWS page rounds non-integer arguments and requires a non-zero step, so a
// negative step counts down; a step away from the end gives [].
func arrayRange(c *call, args []any) (any, error) {
	var bounds [3]int64
	for i, what := range []string{"start", "end", "step"} {
		n, err := roundedIntArg(c, args, i, what)
		if err != nil {
			return nil, err
		}
		bounds[i] = n
	}
	start, end, step := bounds[0], bounds[1], bounds[2]
	if step == 0 {
		return nil, failure(c.name, "the step must not be 0")
	}
	if (step > 0 && end < start) || (step < 0 && end > start) {
		return []any{}, nil
	}
	// Spans and step sizes fit in a uint64 even from MinInt64 to MaxInt64;
	// the count (span/step + 1) may not, so the limit is checked on span/step.
	span, stride := uint64(end)-uint64(start), uint64(step)
	if step < 0 {
		span, stride = uint64(start)-uint64(end), -uint64(step)
	}
	steps := span / stride
	if steps >= maxRange {
		return nil, failure(c.name, fmt.Sprintf("the range has more than %d items; an array may hold at most %d", maxRange, maxRange))
	}
	out := make([]any, 0, steps+1)
	for i := uint64(0); i <= steps; i++ {
		out = append(out, intNumber(start+int64(i)*step))
	}
	return out, nil
}

func arrayGetItem(c *call, args []any) (any, error) {
	a, err := arrayArg(c, args, 0)
	if err != nil {
		return nil, err
	}
	i, err := intArg(c, args, 1, "index")
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(a)) {
		return nil, failure(c.name, fmt.Sprintf("index %d is out of bounds for an array of %s", i, plural(len(a), "item")))
	}
	return a[i], nil
}

func arrayLength(c *call, args []any) (any, error) {
	a, err := arrayArg(c, args, 0)
	if err != nil {
		return nil, err
	}
	return intNumber(int64(len(a))), nil
}

// arrayUnique keeps the first occurrence of each value, in order.
func arrayUnique(c *call, args []any) (any, error) {
	a, err := arrayArg(c, args, 0)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(a))
	out := make([]any, 0, len(a))
	for _, e := range a {
		k := canonicalString(e)
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out, nil
}
