package vault

import (
	"context"
	"encoding/json"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is Secrets Manager's signing name.
func (s *Service) Name() string { return "secretsmanager" }

// Protocol is Secrets Manager's JSON 1.1 protocol (X-Amz-Target
// secretsmanager.<Op>).
func (s *Service) Protocol() localcloud.Protocol { return localcloud.JSON("1.1", "secretsmanager") }

// input is the union of the fields the implemented operations take.
type input struct {
	Name                   string          `json:"Name"`
	SecretID               string          `json:"SecretId"`
	ClientRequestToken     string          `json:"ClientRequestToken"`
	Description            *string         `json:"Description"`
	KmsKeyID               *string         `json:"KmsKeyId"`
	SecretString           *string         `json:"SecretString"`
	SecretBinary           []byte          `json:"SecretBinary"`
	Tags                   []Tag           `json:"Tags"`
	TagKeys                []string        `json:"TagKeys"`
	VersionID              string          `json:"VersionId"`
	VersionStage           string          `json:"VersionStage"`
	VersionStages          []string        `json:"VersionStages"`
	RecoveryWindowInDays   *int64          `json:"RecoveryWindowInDays"`
	ForceDelete            bool            `json:"ForceDeleteWithoutRecovery"`
	Filters                []Filter        `json:"Filters"`
	MaxResults             int             `json:"MaxResults"`
	NextToken              string          `json:"NextToken"`
	IncludePlannedDeletion bool            `json:"IncludePlannedDeletion"`
	IncludeDeprecated      bool            `json:"IncludeDeprecated"`
	SortOrder              string          `json:"SortOrder"`
	SortBy                 string          `json:"SortBy"`
	AddReplicaRegions      json.RawMessage `json:"AddReplicaRegions"`
	RotationToken          string          `json:"RotationToken"`
	Type                   string          `json:"Type"`
}

type arnName struct {
	ARN  string `json:"ARN"`
	Name string `json:"Name"`
}

type versionOut struct {
	arnName
	VersionID     string   `json:"VersionId,omitempty"`
	VersionStages []string `json:"VersionStages,omitempty"`
}

func timePtr(t *time.Time) *localcloud.Time {
	if t == nil {
		return nil
	}
	v := localcloud.Time(*t)
	return &v
}

// entry is DescribeSecret's answer and a ListSecrets entry: the map of
// versions to stages is VersionIdsToStages in one, SecretVersionsToStages
// in the other.
type entry struct {
	arnName
	Description      string              `json:"Description,omitempty"`
	KmsKeyID         string              `json:"KmsKeyId,omitempty"`
	LastChangedDate  localcloud.Time     `json:"LastChangedDate"`
	LastAccessedDate *localcloud.Time    `json:"LastAccessedDate,omitempty"`
	DeletedDate      *localcloud.Time    `json:"DeletedDate,omitempty"`
	CreatedDate      localcloud.Time     `json:"CreatedDate"`
	Tags             []Tag               `json:"Tags,omitempty"`
	VersionIDs       map[string][]string `json:"VersionIdsToStages,omitempty"`
	SecretVersions   map[string][]string `json:"SecretVersionsToStages,omitempty"`
}

func describe(sec *Secret, list bool) entry {
	e := entry{arnName: arnName{sec.ARN, sec.Name}, Description: sec.Description, KmsKeyID: sec.KmsKeyID,
		LastChangedDate: localcloud.Time(sec.LastChangedDate), LastAccessedDate: timePtr(sec.LastAccessed),
		DeletedDate: timePtr(sec.DeletedDate), CreatedDate: localcloud.Time(sec.CreatedDate), Tags: sec.Tags}
	stages := map[string][]string{}
	for _, v := range sec.Versions {
		if len(v.Stages) > 0 {
			stages[v.VersionID] = v.Stages
		}
	}
	if len(stages) > 0 && list {
		e.SecretVersions = stages
	} else if len(stages) > 0 {
		e.VersionIDs = stages
	}
	return e
}

func unsupported(in *input) error {
	switch {
	case len(in.AddReplicaRegions) > 0:
		return invalidRequest("the local cloud does not support AddReplicaRegions (replication)")
	case in.RotationToken != "":
		return invalidRequest("the local cloud does not support RotationToken (rotation)")
	case in.Type != "":
		return invalidRequest("the local cloud does not support Type")
	}
	return nil
}

// Call runs a Secrets Manager operation.
func (s *Service) Call(ctx context.Context, op string, req *localcloud.Request) (any, error) {
	region := req.Region
	if region == "" {
		region = localcloud.Region
	}
	var in input
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := unsupported(&in); err != nil {
		return nil, err
	}
	switch op {
	case "CreateSecret":
		ci := CreateInput{Name: in.Name, ClientRequestToken: in.ClientRequestToken, SecretString: in.SecretString,
			SecretBinary: in.SecretBinary, Tags: in.Tags}
		if in.Description != nil {
			ci.Description = *in.Description
		}
		if in.KmsKeyID != nil {
			ci.KmsKeyID = *in.KmsKeyID
		}
		sec, v, err := s.CreateSecret(ctx, region, ci)
		if err != nil {
			return nil, err
		}
		return versionOf(sec, v, false), nil
	case "PutSecretValue":
		sec, v, err := s.PutSecretValue(ctx, region, in.SecretID, in.ClientRequestToken, in.SecretString, in.SecretBinary, in.VersionStages)
		if err != nil {
			return nil, err
		}
		return versionOf(sec, v, true), nil
	case "UpdateSecret":
		sec, v, err := s.UpdateSecret(ctx, region, UpdateInput{SecretID: in.SecretID, ClientRequestToken: in.ClientRequestToken,
			Description: in.Description, KmsKeyID: in.KmsKeyID, SecretString: in.SecretString, SecretBinary: in.SecretBinary})
		if err != nil {
			return nil, err
		}
		return versionOf(sec, v, false), nil
	case "GetSecretValue":
		v, err := s.GetSecretValue(ctx, region, in.SecretID, in.VersionID, in.VersionStage)
		if err != nil {
			return nil, err
		}
		return struct {
			arnName
			VersionID     string          `json:"VersionId"`
			SecretString  *string         `json:"SecretString,omitempty"`
			SecretBinary  []byte          `json:"SecretBinary,omitempty"`
			VersionStages []string        `json:"VersionStages"`
			CreatedDate   localcloud.Time `json:"CreatedDate"`
		}{arnName{v.ARN, v.Name}, v.VersionID, v.String, v.Binary, v.Stages, localcloud.Time(v.CreatedDate)}, nil
	case "DescribeSecret":
		sec, err := s.DescribeSecret(ctx, region, in.SecretID)
		if err != nil {
			return nil, err
		}
		return describe(sec, false), nil
	case "ListSecrets":
		if in.SortBy != "" && in.SortBy != "created-date" {
			return nil, invalidRequest("the local cloud sorts ListSecrets by created-date only, not %s", in.SortBy)
		}
		list, next, err := s.ListSecrets(ctx, region, ListInput{Filters: in.Filters, MaxResults: in.MaxResults, NextToken: in.NextToken,
			IncludePlannedDeletion: in.IncludePlannedDeletion, SortOrder: in.SortOrder})
		if err != nil {
			return nil, err
		}
		out := struct {
			SecretList []entry `json:"SecretList"`
			NextToken  string  `json:"NextToken,omitempty"`
		}{SecretList: make([]entry, len(list)), NextToken: next}
		for i, sec := range list {
			out.SecretList[i] = describe(sec, true)
		}
		return out, nil
	case "ListSecretVersionIds":
		return s.listVersions(region, &in)
	case "DeleteSecret":
		arn, name, at, err := s.DeleteSecret(ctx, region, in.SecretID, in.RecoveryWindowInDays, in.ForceDelete)
		if err != nil {
			return nil, err
		}
		return struct {
			arnName
			DeletionDate localcloud.Time `json:"DeletionDate"`
		}{arnName{arn, name}, localcloud.Time(at)}, nil
	case "RestoreSecret":
		sec, err := s.RestoreSecret(ctx, region, in.SecretID)
		if err != nil {
			return nil, err
		}
		return arnName{sec.ARN, sec.Name}, nil
	case "TagResource":
		return nil, s.TagResource(ctx, region, in.SecretID, in.Tags)
	case "UntagResource":
		return nil, s.UntagResource(ctx, region, in.SecretID, in.TagKeys)
	case "GetRandomPassword":
		var opts PasswordOptions
		if err := req.Decode(&opts); err != nil {
			return nil, err
		}
		p, err := RandomPassword(opts)
		if err != nil {
			return nil, err
		}
		return map[string]string{"RandomPassword": p}, nil
	}
	return nil, localcloud.ErrUnknownOperation
}

func versionOf(sec *Secret, v *Version, stages bool) versionOut {
	out := versionOut{arnName: arnName{sec.ARN, sec.Name}}
	if v != nil {
		out.VersionID = v.VersionID
		if stages {
			out.VersionStages = v.Stages
		}
	}
	return out
}

// listVersions is ListSecretVersionIds: the versions with a label, and
// with IncludeDeprecated those without, in pages of MaxResults.
func (s *Service) listVersions(region string, in *input) (any, error) {
	sec, err := s.view(region, in.SecretID)
	if err != nil {
		return nil, err
	}
	type versionEntry struct {
		VersionID     string          `json:"VersionId"`
		VersionStages []string        `json:"VersionStages,omitempty"`
		CreatedDate   localcloud.Time `json:"CreatedDate"`
		KmsKeyIDs     []string        `json:"KmsKeyIds"`
	}
	keyID := sec.KmsKeyID
	if keyID == "" {
		keyID = "DefaultEncryptionKey"
	}
	var all []versionEntry
	for _, v := range sec.Versions {
		if len(v.Stages) > 0 || in.IncludeDeprecated {
			all = append(all, versionEntry{v.VersionID, v.Stages, localcloud.Time(v.CreatedDate), []string{keyID}})
		}
	}
	limit := in.MaxResults
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	start := 0
	if in.NextToken != "" {
		i := -1
		for j, e := range all {
			if e.VersionID == in.NextToken {
				i = j
			}
		}
		if i < 0 {
			return nil, smError("InvalidNextTokenException", "The NextToken value is invalid.")
		}
		start = i
	}
	all = all[start:]
	next := ""
	if len(all) > limit {
		next = all[limit].VersionID
		all = all[:limit]
	}
	return struct {
		arnName
		Versions  []versionEntry `json:"Versions"`
		NextToken string         `json:"NextToken,omitempty"`
	}{arnName{sec.ARN, sec.Name}, all, next}, nil
}
