package vault

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// CreateInput is CreateSecret's input.
type CreateInput struct {
	Name               string
	ClientRequestToken string
	Description        string
	KmsKeyID           string
	SecretString       *string
	SecretBinary       []byte
	Tags               []Tag
}

func checkValue(str *string, bin []byte, required bool) error {
	switch {
	case str != nil && bin != nil:
		return invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.")
	case required && str == nil && bin == nil:
		return invalidRequest("You must provide either SecretString or SecretBinary.")
	case str != nil && (len(*str) == 0 || len(*str) > 65536), bin != nil && (len(bin) == 0 || len(bin) > 65536):
		return invalidParameter("The secret value must be between 1 and 65536 bytes long.")
	}
	return nil
}

func valueBytes(str *string, bin []byte) ([]byte, bool) {
	if str != nil {
		return []byte(*str), false
	}
	return bin, true
}

func checkDescription(d string) error {
	if len(d) > 2048 {
		return invalidParameter("The description must be at most 2048 characters long.")
	}
	return nil
}

// CreateSecret makes a secret, with a first version (labelled
// AWSCURRENT) when a value is given. Repeating a create with the same
// ClientRequestToken and value returns the secret already made.
func (s *Service) CreateSecret(ctx context.Context, region string, in CreateInput) (*Secret, *Version, error) {
	if err := checkName(in.Name); err != nil {
		return nil, nil, err
	}
	for _, err := range []error{checkToken(in.ClientRequestToken), checkValue(in.SecretString, in.SecretBinary, false), checkDescription(in.Description), checkTags(in.Tags)} {
		if err != nil {
			return nil, nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	existing, err := s.view(region, in.Name)
	if err == nil {
		if existing.DeletedDate != nil {
			return nil, nil, invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.")
		}
		if v := existing.version(in.ClientRequestToken); v != nil && in.ClientRequestToken != "" {
			if err := s.sameValue(ctx, existing, v, in.ClientRequestToken, in.SecretString, in.SecretBinary); err != nil {
				return nil, nil, err
			}
			return existing, v, nil
		}
		return nil, nil, smError("ResourceExistsException", "The operation failed because the secret %s already exists.", in.Name)
	}
	if !IsNotFound(err) {
		return nil, nil, err
	}
	now := s.now()
	sec := &Secret{Region: region, Name: in.Name, ARN: ARN(region, in.Name, randomSuffix()), Description: in.Description,
		KmsKeyID: in.KmsKeyID, CreatedDate: now, LastChangedDate: now, Tags: mergeTags(nil, in.Tags)}
	var v *Version
	if in.SecretString != nil || in.SecretBinary != nil {
		if v, err = s.newVersion(ctx, sec, in.ClientRequestToken, in.SecretString, in.SecretBinary); err != nil {
			return nil, nil, err
		}
		v.Stages = []string{Current}
		sec.Versions = []*Version{v}
	}
	if err := s.store.Update(func(tx *localcloud.Tx) error { return s.put(tx, sec) }); err != nil {
		return nil, nil, err
	}
	return sec, v, nil
}

func (sec *Secret) version(id string) *Version {
	for _, v := range sec.Versions {
		if v.VersionID == id {
			return v
		}
	}
	return nil
}

func (sec *Secret) staged(stage string) *Version {
	for _, v := range sec.Versions {
		if slices.Contains(v.Stages, stage) {
			return v
		}
	}
	return nil
}

// sameValue checks that a repeated request's value is the one version v
// holds: a ClientRequestToken names one value for good.
func (s *Service) sameValue(ctx context.Context, sec *Secret, v *Version, token string, str *string, bin []byte) error {
	pt, err := s.open(ctx, sec, v)
	if err != nil {
		return err
	}
	want, binary := valueBytes(str, bin)
	if binary != v.Binary || !bytes.Equal(pt, want) {
		return smError("ResourceExistsException", "You can't use ClientRequestToken %s because that value is already in use for a version of secret %s.", token, sec.ARN)
	}
	return nil
}

func (s *Service) newVersion(ctx context.Context, sec *Secret, token string, str *string, bin []byte) (*Version, error) {
	if token == "" {
		token = localcloud.NewID()
	}
	value, binary := valueBytes(str, bin)
	v := &Version{VersionID: token, CreatedDate: s.now(), Binary: binary}
	if err := s.seal(ctx, sec, v, value); err != nil {
		return nil, err
	}
	return v, nil
}

// stage attaches stages to v, taking each from whichever version had it;
// moving AWSCURRENT moves AWSPREVIOUS to the version it left.
func (sec *Secret) stage(v *Version, stages []string) {
	prevCurrent := sec.staged(Current)
	for _, o := range sec.Versions {
		if o != v {
			o.Stages = slices.DeleteFunc(o.Stages, func(st string) bool { return slices.Contains(stages, st) })
		}
	}
	if slices.Contains(stages, Current) && prevCurrent != nil && prevCurrent != v {
		for _, o := range sec.Versions {
			o.Stages = slices.DeleteFunc(o.Stages, func(st string) bool { return st == Previous })
		}
		prevCurrent.Stages = append(prevCurrent.Stages, Previous)
	}
	for _, st := range stages {
		if !slices.Contains(v.Stages, st) {
			v.Stages = append(v.Stages, st)
		}
	}
	for len(sec.Versions) > maxVersions {
		i := slices.IndexFunc(sec.Versions, func(o *Version) bool { return len(o.Stages) == 0 })
		if i < 0 {
			break
		}
		sec.Versions = slices.Delete(sec.Versions, i, i+1)
	}
}

// PutSecretValue adds a version (or, for a ClientRequestToken already
// used with the same value, returns it). stages default to AWSCURRENT;
// a first version always gets AWSCURRENT.
func (s *Service) PutSecretValue(ctx context.Context, region, secretID, token string, str *string, bin []byte, stages []string) (*Secret, *Version, error) {
	if err := checkToken(token); err != nil {
		return nil, nil, err
	}
	if err := checkValue(str, bin, true); err != nil {
		return nil, nil, err
	}
	if len(stages) == 0 {
		stages = []string{Current}
	}
	if len(stages) > 20 {
		return nil, nil, invalidParameter("A version can have at most 20 staging labels.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.view(region, secretID)
	if err != nil {
		return nil, nil, err
	}
	if sec.DeletedDate != nil {
		return nil, nil, errMarkedDeleted
	}
	if v := sec.version(token); v != nil && token != "" {
		if err := s.sameValue(ctx, sec, v, token, str, bin); err != nil {
			return nil, nil, err
		}
		return sec, v, nil
	}
	v, err := s.newVersion(ctx, sec, token, str, bin)
	if err != nil {
		return nil, nil, err
	}
	if len(sec.Versions) == 0 && !slices.Contains(stages, Current) {
		stages = append(slices.Clone(stages), Current)
	}
	sec.Versions = append(sec.Versions, v)
	sec.stage(v, stages)
	sec.LastChangedDate = s.now()
	return sec, v, s.store.Update(func(tx *localcloud.Tx) error { return s.put(tx, sec) })
}

// UpdateInput is UpdateSecret's input; nil fields are left as they are.
type UpdateInput struct {
	SecretID           string
	ClientRequestToken string
	Description        *string
	KmsKeyID           *string
	SecretString       *string
	SecretBinary       []byte
}

// UpdateSecret changes a secret's description or key and, given a value,
// adds a version labelled AWSCURRENT. A new key re-encrypts the versions
// that carry a label.
func (s *Service) UpdateSecret(ctx context.Context, region string, in UpdateInput) (*Secret, *Version, error) {
	if err := checkToken(in.ClientRequestToken); err != nil {
		return nil, nil, err
	}
	if err := checkValue(in.SecretString, in.SecretBinary, false); err != nil {
		return nil, nil, err
	}
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return nil, nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.view(region, in.SecretID)
	if err != nil {
		return nil, nil, err
	}
	if sec.DeletedDate != nil {
		return nil, nil, errMarkedDeleted
	}
	hasValue := in.SecretString != nil || in.SecretBinary != nil
	if v := sec.version(in.ClientRequestToken); v != nil && hasValue && in.ClientRequestToken != "" {
		if err := s.sameValue(ctx, sec, v, in.ClientRequestToken, in.SecretString, in.SecretBinary); err != nil {
			return nil, nil, err
		}
		return sec, v, nil
	}
	if in.KmsKeyID != nil && *in.KmsKeyID != sec.KmsKeyID {
		old := sec.KmsKeyID
		sec.KmsKeyID = *in.KmsKeyID
		for _, v := range sec.Versions {
			if len(v.Stages) > 0 {
				if err := s.rewrap(ctx, sec, old, v); err != nil {
					return nil, nil, err
				}
			}
		}
	}
	if in.Description != nil {
		sec.Description = *in.Description
	}
	var v *Version
	if hasValue {
		if v, err = s.newVersion(ctx, sec, in.ClientRequestToken, in.SecretString, in.SecretBinary); err != nil {
			return nil, nil, err
		}
		sec.Versions = append(sec.Versions, v)
		sec.stage(v, []string{Current})
	}
	sec.LastChangedDate = s.now()
	return sec, v, s.store.Update(func(tx *localcloud.Tx) error { return s.put(tx, sec) })
}

// GetSecretValue decrypts the version versionID names or, without one,
// the version labelled stage (default AWSCURRENT).
func (s *Service) GetSecretValue(ctx context.Context, region, secretID, versionID, stage string) (*Value, error) {
	sec, err := s.view(region, secretID)
	if err != nil {
		return nil, err
	}
	if sec.DeletedDate != nil {
		return nil, errMarkedDeleted
	}
	var v *Version
	switch {
	case versionID != "":
		if v = sec.version(versionID); v == nil {
			return nil, smError("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", versionID)
		}
		if stage != "" && !slices.Contains(v.Stages, stage) {
			return nil, invalidRequest("You provided a VersionStage that is not associated to the provided VersionId.")
		}
	default:
		if stage == "" {
			stage = Current
		}
		if v = sec.staged(stage); v == nil {
			return nil, smError("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", stage)
		}
	}
	pt, err := s.open(ctx, sec, v)
	if err != nil {
		return nil, err
	}
	s.accessed(sec)
	out := &Value{ARN: sec.ARN, Name: sec.Name, VersionID: v.VersionID, Stages: slices.Clone(v.Stages), CreatedDate: v.CreatedDate}
	if v.Binary {
		out.Binary = pt
	} else {
		str := string(pt)
		out.String = &str
	}
	return out, nil
}

// accessed records the day a secret was read, as AWS does: at most one
// write a day, not one a read.
func (s *Service) accessed(sec *Secret) {
	day := s.now().Truncate(24 * time.Hour)
	if sec.LastAccessed != nil && sec.LastAccessed.Equal(day) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.store.Update(func(tx *localcloud.Tx) error {
		cur, err := s.get(tx, sec.Region, sec.Name)
		if err != nil || cur.ARN != sec.ARN {
			return err
		}
		cur.LastAccessed = &day
		return s.put(tx, cur)
	})
}

// DescribeSecret returns a secret's metadata, also while it is
// scheduled for deletion.
func (s *Service) DescribeSecret(_ context.Context, region, secretID string) (*Secret, error) {
	return s.view(region, secretID)
}
