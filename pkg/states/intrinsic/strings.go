package intrinsic

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	gohash "hash"
	"strings"
	"unicode/utf8"
)

// maxEncodeLen is the longest input States.Base64Encode, States.Base64Decode
// and States.Hash accept, in characters, as the AWS intrinsics page states.
const maxEncodeLen = 10000

func stringArg(c *call, args []any, i int, what string) (string, error) {
	s, ok := args[i].(string)
	if !ok {
		return "", failure(c.name, fmt.Sprintf("the %s (argument %d) must be a string, got %s", what, i+1, kind(args[i])))
	}
	return s, nil
}

// format replaces each "{}" of the template with the next argument. A literal
// template keeps \{ and \} as plain braces; a template read from a path has no
// escapes, so each "{}" in it is a placeholder.
func format(c *call, args []any) (any, error) {
	var parts []string
	if lit, ok := c.args[0].(*literal); ok && lit.parts != nil {
		parts = lit.parts
	} else {
		s, err := stringArg(c, args, 0, "template")
		if err != nil {
			return nil, err
		}
		parts = strings.Split(s, "{}")
	}
	if holes, given := len(parts)-1, len(args)-1; holes != given {
		return nil, failure(c.name, fmt.Sprintf("the template has %s but %s follow it",
			plural(holes, "{} placeholder"), plural(given, "argument")))
	}
	var b strings.Builder
	for i, part := range parts {
		b.WriteString(part)
		if i+1 < len(parts) {
			render(&b, args[i+1])
		}
	}
	return b.String(), nil
}

// stringSplit splits on every character of the delimiter string and drops
// empty pieces: ",,,," gives [] and "This.is+a,test=string" split on ".+,="
// gives [This is a test string] (LocalStack test_string_split snapshot).
func stringSplit(c *call, args []any) (any, error) {
	s, err := stringArg(c, args, 0, "input")
	if err != nil {
		return nil, err
	}
	delims, err := stringArg(c, args, 1, "delimiter")
	if err != nil {
		return nil, err
	}
	pieces := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	out := make([]any, len(pieces))
	for i, p := range pieces {
		out[i] = p
	}
	return out, nil
}

func limitedString(c *call, args []any, what string) (string, error) {
	s, err := stringArg(c, args, 0, what)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n > maxEncodeLen {
		return "", failure(c.name, fmt.Sprintf("the %s has %d characters; at most %d are allowed", what, n, maxEncodeLen))
	}
	return s, nil
}

func base64Encode(c *call, args []any) (any, error) {
	s, err := limitedString(c, args, "input")
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func base64Decode(c *call, args []any) (any, error) {
	s, err := limitedString(c, args, "input")
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, failure(c.name, fmt.Sprintf("the input is not valid base64: %v", err))
	}
	return string(b), nil
}

// hashes are the algorithms States.Hash accepts, by the names AWS uses.
var hashes = map[string]func() gohash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

func hash(c *call, args []any) (any, error) {
	s, err := limitedString(c, args, "data")
	if err != nil {
		return nil, err
	}
	algo, err := stringArg(c, args, 1, "algorithm")
	if err != nil {
		return nil, err
	}
	newHash, ok := hashes[algo]
	if !ok {
		return nil, failure(c.name, fmt.Sprintf("unsupported algorithm %q: use MD5, SHA-1, SHA-256, SHA-384 or SHA-512", algo))
	}
	h := newHash()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// uuid returns a random version 4 UUID.
func uuid(_ *call, _ []any) (any, error) {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails (Go 1.24+).
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:]), nil
}
