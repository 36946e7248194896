package intrinsic

import (
	"fmt"
	"math"
	mrand "math/rand/v2"
)

// mathAdd adds two integers. Non-integer arguments are rounded first, half
// up as Java rounds, so 1.49 + 1.5 is 3 (LocalStack test_math_add snapshot);
// the AWS page limits the values to the 32-bit integer range.
func mathAdd(c *call, args []any) (any, error) {
	var sum int64
	for i, what := range []string{"first value", "second value"} {
		n, err := roundedIntArg(c, args, i, what)
		if err != nil {
			return nil, err
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, failure(c.name, fmt.Sprintf("the %s %d is outside the range %d to %d", what, n, math.MinInt32, math.MaxInt32))
		}
		sum += n
	}
	return intNumber(sum), nil
}

// mathRandom returns an integer from start (inclusive) to end (exclusive).
// With a seed the result is the same on every call: the seed drives Java's
// java.util.Random generator, the one a Java service such as Step Functions
// would reach for.
func mathRandom(c *call, args []any) (any, error) {
	start, err := roundedIntArg(c, args, 0, "start")
	if err != nil {
		return nil, err
	}
	end, err := roundedIntArg(c, args, 1, "end")
	if err != nil {
		return nil, err
	}
	if end <= start {
		return nil, failure(c.name, fmt.Sprintf("the end %d must be greater than the start %d", end, start))
	}
	bound := uint64(end) - uint64(start)
	if len(args) < 3 {
		return intNumber(start + int64(mrand.Uint64N(bound))), nil
	}
	seed, err := roundedIntArg(c, args, 2, "seed")
	if err != nil {
		return nil, err
	}
	r := newJavaRandom(seed)
	if bound <= math.MaxInt32 {
		return intNumber(start + int64(r.nextInt(int32(bound)))), nil
	}
	return intNumber(start + int64(r.nextUint64()%bound)), nil
}

// javaRandom is java.util.Random's 48-bit linear congruential generator.
type javaRandom struct{ seed uint64 }

const (
	javaMultiplier = 0x5DEECE66D
	javaMask       = 1<<48 - 1
)

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (uint64(seed) ^ javaMultiplier) & javaMask}
}

func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaMultiplier + 0xB) & javaMask
	return int32(int64(r.seed) >> (48 - bits))
}

// nextInt is Random.nextInt(bound) for a positive bound.
func (r *javaRandom) nextInt(bound int32) int32 {
	if bound&(-bound) == bound {
		return int32((int64(bound) * int64(r.next(31))) >> 31)
	}
	for {
		bits := r.next(31)
		val := bits % bound
		if int64(bits)-int64(val)+int64(bound)-1 <= math.MaxInt32 {
			return val
		}
	}
}

func (r *javaRandom) nextUint64() uint64 {
	hi := uint64(uint32(r.next(32)))
	lo := uint64(uint32(r.next(32)))
	return hi<<32 | lo
}
