package vtl

import "strings"

// stringMethod is java.lang.String's methods, indexed by code point.
func (s *state) stringMethod(x, name string, args []any, pos int) (any, error) {
	rs := []rune(x)
	if len(args) == 0 {
		switch name {
		case "length":
			return int64(len(rs)), nil
		case "toLowerCase":
			return strings.ToLower(x), nil
		case "toUpperCase":
			return strings.ToUpper(x), nil
		case "trim":
			return strings.TrimFunc(x, func(r rune) bool { return r <= ' ' }), nil
		case "isEmpty":
			return x == "", nil
		case "getBytes":
			l := &list{}
			for _, c := range []byte(x) {
				l.items = append(l.items, int64(int8(c))) // Java bytes are signed
			}
			return l, nil
		case "toCharArray":
			l := &list{}
			for _, r := range rs {
				l.items = append(l.items, string(r))
			}
			return l, nil
		case "hashCode":
			var h int32
			for _, u := range utf16(x) {
				h = 31*h + int32(u)
			}
			return int64(h), nil
		}
		return nil, nil
	}
	switch name {
	case "substring", "charAt":
		b, ok := intArg(args, 0)
		if !ok {
			return nil, nil
		}
		e := len(rs)
		if name == "charAt" {
			e = b + 1
		} else if len(args) == 2 {
			if e, ok = intArg(args, 1); !ok {
				return nil, nil
			}
		}
		if b < 0 || e > len(rs) || b > e {
			return nil, s.errorf(pos, "String index out of range: begin %d, end %d, length %d", b, e, len(rs))
		}
		return string(rs[b:e]), nil
	case "indexOf", "lastIndexOf":
		if len(args) < 1 || len(args) > 2 || args[0] == nil {
			return nil, nil
		}
		sub := []rune(str(args[0]))
		from := 0
		if name == "lastIndexOf" {
			from = len(rs)
		}
		if len(args) == 2 {
			f, ok := intArg(args, 1)
			if !ok {
				return nil, nil
			}
			from = f
		}
		return int64(runeIndex(rs, sub, from, name == "lastIndexOf")), nil
	case "concat":
		if a, ok := strArgs(args, 1); ok {
			return x + a[0], nil
		}
	case "contains", "startsWith", "endsWith", "equalsIgnoreCase", "compareTo":
		a, ok := strArgs(args, 1)
		if !ok {
			return nil, nil
		}
		switch name {
		case "contains":
			return strings.Contains(x, a[0]), nil
		case "startsWith":
			return strings.HasPrefix(x, a[0]), nil
		case "endsWith":
			return strings.HasSuffix(x, a[0]), nil
		case "compareTo":
			return int64(strings.Compare(x, a[0])), nil
		}
		return strings.EqualFold(x, a[0]), nil
	case "replace":
		if a, ok := strArgs(args, 2); ok {
			return strings.ReplaceAll(x, a[0], a[1]), nil
		}
	case "replaceAll", "replaceFirst":
		a, ok := strArgs(args, 2)
		if !ok {
			return nil, nil
		}
		re, err := s.javaRegexp(a[0])
		if err != nil {
			return nil, s.errorf(pos, "%s: %v", name, err)
		}
		repl, err := javaReplacement(a[1])
		if err != nil {
			return nil, s.errorf(pos, "%s: %v", name, err)
		}
		if name == "replaceFirst" {
			loc := re.FindStringSubmatchIndex(x)
			if loc == nil {
				return x, nil
			}
			return x[:loc[0]] + string(re.ExpandString(nil, repl, x, loc)) + x[loc[1]:], nil
		}
		return re.ReplaceAllString(x, repl), nil
	case "matches":
		a, ok := strArgs(args, 1)
		if !ok {
			return nil, nil
		}
		re, err := s.javaRegexp("^(?:" + a[0] + ")$")
		if err != nil {
			return nil, s.errorf(pos, "matches: %v", err)
		}
		return re.MatchString(x), nil
	case "split":
		a, ok := strArgs(args[:1], 1)
		if !ok {
			return nil, nil
		}
		re, err := s.javaRegexp(a[0])
		if err != nil {
			return nil, s.errorf(pos, "split: %v", err)
		}
		return javaSplit(re, x), nil
	}
	return nil, nil
}

// runeIndex is Java's indexOf/lastIndexOf over code points.
func runeIndex(rs, sub []rune, from int, last bool) int {
	if last {
		if from > len(rs)-len(sub) {
			from = len(rs) - len(sub)
		}
		for i := from; i >= 0; i-- {
			if string(rs[i:i+len(sub)]) == string(sub) {
				return i
			}
		}
		return -1
	}
	if from < 0 {
		from = 0
	}
	for i := from; i+len(sub) <= len(rs); i++ {
		if string(rs[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}

func utf16(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
		} else {
			out = append(out, uint16(r))
		}
	}
	return out
}
