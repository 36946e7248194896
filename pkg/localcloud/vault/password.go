package vault

import (
	"crypto/rand"
	"math/big"
	"strings"
)

// PasswordOptions are GetRandomPassword's options (and CloudFormation's
// GenerateSecretString's); the zero value is AWS's default: 32
// characters of every type, each type at least once.
type PasswordOptions struct {
	PasswordLength          int64  `json:"PasswordLength"`
	ExcludeCharacters       string `json:"ExcludeCharacters"`
	ExcludeNumbers          bool   `json:"ExcludeNumbers"`
	ExcludePunctuation      bool   `json:"ExcludePunctuation"`
	ExcludeUppercase        bool   `json:"ExcludeUppercase"`
	ExcludeLowercase        bool   `json:"ExcludeLowercase"`
	IncludeSpace            bool   `json:"IncludeSpace"`
	RequireEachIncludedType *bool  `json:"RequireEachIncludedType"`
}

const punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

func pick(set string) (byte, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		return 0, err
	}
	return set[n.Int64()], nil
}

// RandomPassword makes a password from crypto/rand as GetRandomPassword
// does.
func RandomPassword(o PasswordOptions) (string, error) {
	length := o.PasswordLength
	if length == 0 {
		length = 32
	}
	if length < 1 || length > 4096 {
		return "", smError("ValidationException", "1 validation error detected: Value '%d' at 'passwordLength' failed to satisfy constraint: Member must have value between 1 and 4096", length)
	}
	keep := func(set string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(o.ExcludeCharacters, r) {
				return -1
			}
			return r
		}, set)
	}
	var types []string
	for _, t := range []struct {
		excluded bool
		set      string
	}{{o.ExcludeLowercase, "abcdefghijklmnopqrstuvwxyz"}, {o.ExcludeUppercase, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
		{o.ExcludeNumbers, "0123456789"}, {o.ExcludePunctuation, punctuation}, {!o.IncludeSpace, " "}} {
		if set := keep(t.set); !t.excluded && set != "" {
			types = append(types, set)
		}
	}
	if len(types) == 0 {
		return "", invalidParameter("The password can't be generated: every character type is excluded.")
	}
	require := o.RequireEachIncludedType == nil || *o.RequireEachIncludedType
	if require && int64(len(types)) > length {
		return "", invalidParameter("Password length is too short based on the required types.")
	}
	all := strings.Join(types, "")
	out := make([]byte, length)
	for i := range out {
		set := all
		if require && i < len(types) {
			set = types[i] // one of each type first, shuffled in below
		}
		c, err := pick(set)
		if err != nil {
			return "", err
		}
		out[i] = c
	}
	for i := len(out) - 1; i > 0; i-- {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		j := n.Int64()
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}
