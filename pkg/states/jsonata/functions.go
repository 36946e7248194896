package jsonata

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"

	"github.com/recolabs/gnata"
)

// Step Functions' own JSONata functions, per "JSONata functions provided by
// Step Functions" in
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html.
// They are gnata builtins taken out of a custom environment, so that they can
// be bound next to $states and the variables in the one environment that
// EvalWithVars builds (EvalWithCustomFuncs takes no variables).
var sfnFuncs = func() map[string]any {
	defs := map[string]gnata.CustomFunc{
		"partition": fnPartition,
		"range":     fnRange,
		"hash":      fnHash,
		"random":    fnRandom,
		"uuid":      fnUUID,
		"parse":     fnParse,
		// AWS: "$eval is not available—use $parse instead"; calling it fails
		// at run time with T1006 (measured on AWS, floci-io/floci#2737).
		"eval": nil,
	}
	out := make(map[string]any, len(defs))
	for name, fn := range defs {
		if fn == nil {
			out[name] = nil // bound to undefined, shadowing gnata's builtin
			continue
		}
		custom := gnata.NewCustomEnv(map[string]gnata.CustomFunc{name: fn})
		v, ok := custom.Lookup(name)
		if !ok {
			panic("jsonata: gnata did not register " + name)
		}
		out[name] = v
	}
	return out
}()

// number reads a numeric argument (gnata passes float64 or json.Number).
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int:
		return float64(n), true
	}
	return 0, false
}

// back converts a Go result built from normalized arguments into gnata's
// representation (null sentinel, ordered maps).
func back(v any) (any, error) { return toGnata(v) }

// fnPartition is $partition(array, chunkSize): the array cut into chunks of
// chunkSize items, the last one possibly shorter. AWS:
// $partition([1,2,3,4], 2) = [[1,2],[3,4]]; $partition([0,1,2], 2) =
// [[0,1],[2]]; $partition([0], 5) = [[0]] (LocalStack test_array_jsonata).
func fnPartition(args []any, _ any) (any, error) {
	if len(args) != 2 {
		return nil, errors.New("$partition takes 2 arguments: an array and a chunk size")
	}
	arr, ok := args[0].([]any)
	if !ok {
		if args[0] == nil {
			return nil, errors.New("$partition: the first argument must be an array")
		}
		arr = []any{args[0]} // JSONata: a single value is an array of one
	}
	size, ok := number(args[1])
	if !ok || size != math.Trunc(size) || size < 1 {
		return nil, fmt.Errorf("$partition: the chunk size must be a positive integer, got %v", args[1])
	}
	n := int(size)
	out := make([]any, 0, (len(arr)+n-1)/n)
	for i := 0; i < len(arr); i += n {
		out = append(out, arr[i:min(i+n, len(arr))])
	}
	return back(out)
}

// maxRange bounds $range so one expression cannot exhaust memory.
const maxRange = 1_000_000

// fnRange is $range(start, end, step): start, start+step, ... up to end
// included when a step lands on it. AWS: $range(0, 10, 2) = [0,2,4,6,8,10];
// $range(0, 10, 3) = [0,3,6,9]; a range of one value is that value, as a
// JSONata sequence of one: $range(1, 9, 9) = 1 (LocalStack test_array_jsonata).
// An empty range is an empty sequence, i.e. undefined.
func fnRange(args []any, _ any) (any, error) {
	if len(args) != 3 {
		return nil, errors.New("$range takes 3 arguments: start, end and step")
	}
	var f [3]float64
	for i, a := range args {
		v, ok := number(a)
		if !ok {
			return nil, fmt.Errorf("$range: argument %d must be a number, got %v", i+1, a)
		}
		f[i] = v
	}
	start, end, step := f[0], f[1], f[2]
	if step == 0 {
		return nil, errors.New("$range: the step must not be 0")
	}
	var out []any
	for i := 0; ; i++ {
		v := start + float64(i)*step
		if (step > 0 && v > end) || (step < 0 && v < end) {
			break
		}
		if i >= maxRange {
			return nil, fmt.Errorf("$range: more than %d values", maxRange)
		}
		out = append(out, v)
	}
	switch len(out) {
	case 0:
		return nil, nil
	case 1:
		return out[0], nil
	}
	return out, nil
}

// fnHash is $hash(value, algorithm): the lowercase hex digest of the string
// value with MD5, SHA-1, SHA-256, SHA-384 or SHA-512. AWS:
// $hash("input", "SHA-1") = "140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"
// (floci-io/floci#2662, measured on AWS).
func fnHash(args []any, _ any) (any, error) {
	if len(args) != 2 {
		return nil, errors.New("$hash takes 2 arguments: a value and an algorithm")
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("$hash: the value must be a string, got %v", args[0])
	}
	alg, _ := args[1].(string)
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("$hash: the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, got %v", args[1])
	}
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fnRandom is $random([seed]): a number in [0, 1). With a seed it is
// java.util.Random(seed).nextDouble(), bit for bit what AWS returns:
// $random(42) = 0.7275636800328681 (floci-io/floci#2662, measured on AWS).
func fnRandom(args []any, _ any) (any, error) {
	switch len(args) {
	case 0:
		return mrand.Float64(), nil
	case 1:
		seed, ok := number(args[0])
		if !ok {
			return nil, fmt.Errorf("$random: the seed must be a number, got %v", args[0])
		}
		return javaNextDouble(int64(seed)), nil
	}
	return nil, errors.New("$random takes at most 1 argument: a seed")
}

// javaNextDouble is new java.util.Random(seed).nextDouble().
func javaNextDouble(seed int64) float64 {
	const mult, add, mask = 0x5DEECE66D, 0xB, (1 << 48) - 1
	s := (seed ^ mult) & mask
	next := func(bits uint) int64 {
		s = (s*mult + add) & mask
		return int64(int32(s >> (48 - bits)))
	}
	hi := next(26)
	lo := next(27)
	return float64(hi<<27+lo) * (1.0 / (1 << 53))
}

// fnUUID is $uuid(): a random version 4 UUID.
func fnUUID(args []any, _ any) (any, error) {
	if len(args) != 0 {
		return nil, errors.New("$uuid takes no arguments")
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("$uuid: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:], nil
}

// fnParse is $parse(jsonString): the JSON value the string holds. AWS:
// $parse("[1, 2, \"HelloWorld\"]") = [1,2,"HelloWorld"], $parse("-0") = 0
// (LocalStack test_json_manipulation_jsonata).
func fnParse(args []any, _ any) (any, error) {
	if len(args) != 1 {
		return nil, errors.New("$parse takes 1 argument: a JSON string")
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("$parse: the argument must be a string, got %v", args[0])
	}
	if !json.Valid([]byte(s)) {
		return nil, fmt.Errorf("$parse: the argument is not valid JSON: %q", s)
	}
	return gnata.DecodeJSON([]byte(s))
}
