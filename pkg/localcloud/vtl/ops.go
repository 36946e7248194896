package vtl

import (
	"math"
	"strconv"
	"strings"
)

func (s *state) binary(e binExpr) (any, error) {
	l, err := s.eval(e.l)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		r, err := s.eval(e.r)
		return truthy(r), err
	case "||":
		if truthy(l) {
			return true, nil
		}
		r, err := s.eval(e.r)
		return truthy(r), err
	}
	r, err := s.eval(e.r)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<", ">", "<=", ">=":
		// Velocity 1.7 compares numbers only; anything else is false.
		if !isNumber(l) || !isNumber(r) {
			return false, nil
		}
		a, b := toFloat(l), toFloat(r)
		switch e.op {
		case "<":
			return a < b, nil
		case ">":
			return a > b, nil
		case "<=":
			return a <= b, nil
		}
		return a >= b, nil
	case "+":
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			a, b := str(l), str(r)
			if l == nil {
				a = e.lraw
			}
			if r == nil {
				b = e.rraw
			}
			if len(a)+len(b) > maxOutput {
				return nil, s.errorf(e.pos, "string exceeds %d bytes", maxOutput)
			}
			return a + b, nil
		}
	}
	return arith(e.op, l, r), nil
}

// arith does Velocity's number arithmetic: integers stay integers, a double
// makes the result a double, and a zero divisor or a non-number gives null.
func arith(op string, l, r any) any {
	if !isNumber(l) || !isNumber(r) {
		return nil
	}
	a, aInt := l.(int64)
	b, bInt := r.(int64)
	if aInt && bInt {
		switch op {
		case "+":
			return a + b
		case "-":
			return a - b
		case "*":
			return a * b
		case "/":
			if b == 0 || (a == math.MinInt64 && b == -1) {
				return nil
			}
			return a / b
		case "%":
			if b == 0 || b == -1 {
				if b == -1 {
					return int64(0)
				}
				return nil
			}
			return a % b
		}
		return nil
	}
	x, y := toFloat(l), toFloat(r)
	switch op {
	case "+":
		return x + y
	case "-":
		return x - y
	case "*":
		return x * y
	case "/":
		if y == 0 {
			return nil
		}
		return x / y
	case "%":
		if y == 0 {
			return nil
		}
		return math.Mod(x, y)
	}
	return nil
}

// rangeList builds [m..n], counting up or down as Velocity does.
func (s *state) rangeList(e rangeExpr) (any, error) {
	var ends [2]int64
	for i, x := range []expr{e.from, e.to} {
		v, err := s.eval(x)
		if err != nil {
			return nil, err
		}
		switch n := v.(type) {
		case int64:
			ends[i] = n
		case float64:
			ends[i] = int64(n)
		case string:
			p, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
			if err != nil {
				return nil, nil
			}
			ends[i] = p
		default:
			return nil, nil
		}
	}
	from, to := ends[0], ends[1]
	step := int64(1)
	if to < from {
		step = -1
	}
	size := (to-from)*step + 1
	s.steps += int(min(size, maxIterations+1))
	if size <= 0 || size > maxIterations || s.steps > maxIterations {
		return nil, s.errorf(0, "range [%d..%d] is too large", from, to)
	}
	l := &list{items: make([]any, 0, size)}
	// Ranges count against the iteration budget: building them is the work.
	for i := from; ; i += step {
		l.items = append(l.items, i)
		if i == to {
			break
		}
	}
	return l, nil
}
