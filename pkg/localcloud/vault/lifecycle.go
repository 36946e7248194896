package vault

import (
	"context"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// DefaultRecoveryWindow is how long a deleted secret can be restored
// when DeleteSecret names no window.
const DefaultRecoveryWindow = 30

// DeleteSecret schedules a secret's deletion after a recovery window of
// 7 to 30 days (nil means 30), or deletes it at once with force (which,
// as AWS answers, succeeds for a secret that does not exist).
func (s *Service) DeleteSecret(_ context.Context, region, secretID string, windowDays *int64, force bool) (arn, name string, deletion time.Time, err error) {
	if windowDays != nil && (*windowDays < 7 || *windowDays > 30) {
		return "", "", time.Time{}, invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
	}
	if windowDays != nil && force {
		return "", "", time.Time{}, invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	now := s.now()
	if force {
		s.mu.Lock()
		defer s.mu.Unlock()
		err = s.store.Update(func(tx *localcloud.Tx) error {
			sec, err := s.lookup(tx, region, secretID)
			if IsNotFound(err) {
				arn, name = secretID, secretID
				if m := arnPattern.FindStringSubmatch(secretID); m != nil {
					name = m[3]
				} else {
					arn = ARN(region, secretID, randomSuffix())
				}
				return nil
			}
			if err != nil {
				return err
			}
			arn, name = sec.ARN, sec.Name
			return tx.Delete(secretsTable, recordKey(sec.Region, sec.Name))
		})
		return arn, name, now, err
	}
	days := int64(DefaultRecoveryWindow)
	if windowDays != nil {
		days = *windowDays
	}
	sec, err := s.modify(region, secretID, true, func(_ *localcloud.Tx, sec *Secret) error {
		if sec.DeletedDate != nil {
			return invalidRequest("You tried to perform the operation on a secret that's currently marked deleted.")
		}
		at := now.Add(time.Duration(days) * 24 * time.Hour)
		sec.DeletedDate, sec.DeletionDate = &now, &at
		return nil
	})
	if err != nil {
		return "", "", time.Time{}, err
	}
	return sec.ARN, sec.Name, *sec.DeletionDate, nil
}

// RestoreSecret cancels a secret's scheduled deletion.
func (s *Service) RestoreSecret(_ context.Context, region, secretID string) (*Secret, error) {
	return s.modify(region, secretID, true, func(_ *localcloud.Tx, sec *Secret) error {
		sec.DeletedDate, sec.DeletionDate = nil, nil
		return nil
	})
}

func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return invalidParameter("Number of tags exceeds Secrets Manager limit of 50.")
	}
	for _, t := range tags {
		if len(t.Key) < 1 || len(t.Key) > 128 || len(t.Value) > 256 {
			return invalidParameter("Tag keys must be 1 to 128 characters and tag values at most 256 characters.")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return invalidParameter("Tag keys starting with aws: are reserved for AWS use.")
		}
	}
	return nil
}

// mergeTags sets each of add on cur: a key already there takes the new
// value.
func mergeTags(cur, add []Tag) []Tag {
	out := append([]Tag(nil), cur...)
next:
	for _, t := range add {
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value = t.Value
				continue next
			}
		}
		out = append(out, t)
	}
	return out
}

// TagResource sets tags on a secret.
func (s *Service) TagResource(_ context.Context, region, secretID string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	_, err := s.modify(region, secretID, false, func(_ *localcloud.Tx, sec *Secret) error {
		merged := mergeTags(sec.Tags, tags)
		if len(merged) > 50 {
			return invalidParameter("Number of tags exceeds Secrets Manager limit of 50.")
		}
		sec.Tags = merged
		return nil
	})
	return err
}

// UntagResource removes the tags with the given keys from a secret.
func (s *Service) UntagResource(_ context.Context, region, secretID string, keys []string) error {
	_, err := s.modify(region, secretID, false, func(_ *localcloud.Tx, sec *Secret) error {
		var kept []Tag
		for _, t := range sec.Tags {
			drop := false
			for _, k := range keys {
				drop = drop || k == t.Key
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		sec.Tags = kept
		return nil
	})
	return err
}
