package vault

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Filter is one of ListSecrets' filters: every filter must match, and a
// filter matches when any of its values does ("!" negates a value).
type Filter struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

// ListInput is ListSecrets' input.
type ListInput struct {
	Filters                []Filter
	MaxResults             int
	NextToken              string
	IncludePlannedDeletion bool
	SortOrder              string // "asc" (the default) or "desc", by creation date
}

var filterKeys = []string{"all", "name", "tag-key", "description", "tag-value", "primary-region", "owning-service"}

func checkFilters(filters []Filter) error {
	if len(filters) > 10 {
		return invalidParameter("You can specify at most 10 filters.")
	}
	for i, f := range filters {
		if !slices.Contains(filterKeys, f.Key) {
			return smError("ValidationException", "1 validation error detected: Value '%s' at 'filters.%d.member.key' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
				f.Key, i+1, strings.Join(filterKeys, ", "))
		}
		if len(f.Values) == 0 || len(f.Values) > 10 {
			return invalidParameter("Invalid filter values for key: %s", f.Key)
		}
	}
	return nil
}

// matches reports whether sec passes every filter.
func (f Filter) matches(sec *Secret) bool {
	var fields []string
	prefix, fold := true, false
	switch f.Key {
	case "name":
		fields = []string{sec.Name}
	case "description":
		fields, fold = []string{sec.Description}, true
	case "tag-key", "tag-value":
		for _, t := range sec.Tags {
			if f.Key == "tag-key" {
				fields = append(fields, t.Key)
			} else {
				fields = append(fields, t.Value)
			}
		}
	case "primary-region":
		fields = []string{sec.Region}
	case "owning-service":
		fields = nil
	case "all":
		fields, prefix, fold = []string{sec.Name, sec.Description}, false, true
		for _, t := range sec.Tags {
			fields = append(fields, t.Key, t.Value)
		}
	}
	for _, v := range f.Values {
		want, negate := strings.CutPrefix(v, "!")
		hit := false
		for _, field := range fields {
			if prefix {
				hit = hit || hasPrefix(field, want, fold)
			} else {
				hit = hit || wordsMatch(field, want)
			}
		}
		if hit != negate {
			return true
		}
	}
	return false
}

func hasPrefix(s, p string, fold bool) bool {
	if fold {
		return strings.HasPrefix(strings.ToLower(s), strings.ToLower(p))
	}
	return strings.HasPrefix(s, p)
}

// words splits a value the way the "all" filter does: at punctuation and
// at lower-to-upper case changes.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return out
}

// wordsMatch reports whether every word of pattern begins a word of s.
func wordsMatch(s, pattern string) bool {
	pw := words(pattern)
	if len(pw) == 0 {
		return false
	}
	sw := words(s)
	for _, p := range pw {
		if !slices.ContainsFunc(sw, func(w string) bool { return strings.HasPrefix(w, p) }) {
			return false
		}
	}
	return true
}

type listToken struct {
	After string `json:"a"`
}

func sortKey(sec *Secret) string {
	return fmt.Sprintf("%020d|%s", sec.CreatedDate.UnixNano(), sec.Name)
}

// ListSecrets lists the region's secrets that pass the filters, by
// creation date, in pages of MaxResults (1-100, default 100).
func (s *Service) ListSecrets(_ context.Context, region string, in ListInput) ([]*Secret, string, error) {
	if err := checkFilters(in.Filters); err != nil {
		return nil, "", err
	}
	if in.MaxResults == 0 {
		in.MaxResults = 100
	}
	if in.MaxResults < 1 {
		return nil, "", smError("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", in.MaxResults)
	}
	if in.MaxResults > 100 {
		return nil, "", smError("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100", in.MaxResults)
	}
	if in.SortOrder != "" && in.SortOrder != "asc" && in.SortOrder != "desc" {
		return nil, "", smError("ValidationException", "1 validation error detected: Value '%s' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]", in.SortOrder)
	}
	var after string
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		var tok listToken
		if err != nil || json.Unmarshal(b, &tok) != nil {
			return nil, "", smError("InvalidNextTokenException", "The NextToken value is invalid.")
		}
		after = tok.After
	}
	var all []*Secret
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(secretsTable, region+"|", func(_ string, raw []byte) error {
			var sec Secret
			if err := json.Unmarshal(raw, &sec); err != nil {
				return err
			}
			if s.gone(&sec) || (sec.DeletedDate != nil && !in.IncludePlannedDeletion) {
				return nil
			}
			for _, f := range in.Filters {
				if !f.matches(&sec) {
					return nil
				}
			}
			all = append(all, &sec)
			return nil
		})
	})
	if err != nil {
		return nil, "", err
	}
	desc := in.SortOrder == "desc"
	slices.SortFunc(all, func(a, b *Secret) int {
		c := strings.Compare(sortKey(a), sortKey(b))
		if desc {
			return -c
		}
		return c
	})
	if after != "" {
		i := slices.IndexFunc(all, func(sec *Secret) bool {
			if desc {
				return sortKey(sec) < after
			}
			return sortKey(sec) > after
		})
		if i < 0 {
			i = len(all)
		}
		all = all[i:]
	}
	var next string
	if len(all) > in.MaxResults {
		all = all[:in.MaxResults]
		b, _ := json.Marshal(listToken{After: sortKey(all[len(all)-1])})
		next = base64.RawURLEncoding.EncodeToString(b)
	}
	return all, next, nil
}
