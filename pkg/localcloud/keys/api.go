package keys

import (
	"context"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is KMS's signing name.
func (s *Service) Name() string { return "kms" }

// Protocol is KMS's JSON 1.1 protocol (X-Amz-Target TrentService.<Op>).
func (s *Service) Protocol() localcloud.Protocol { return localcloud.JSON("1.1", "TrentService") }

// KeyMetadata is DescribeKey's KeyMetadata, with AWS's field names.
type KeyMetadata struct {
	AWSAccountID          string           `json:"AWSAccountId"`
	KeyID                 string           `json:"KeyId"`
	Arn                   string           `json:"Arn"`
	CreationDate          localcloud.Time  `json:"CreationDate"`
	Enabled               bool             `json:"Enabled"`
	Description           string           `json:"Description"`
	KeyUsage              string           `json:"KeyUsage"`
	KeyState              string           `json:"KeyState"`
	DeletionDate          *localcloud.Time `json:"DeletionDate,omitempty"`
	Origin                string           `json:"Origin"`
	KeyManager            string           `json:"KeyManager"`
	CustomerMasterKeySpec string           `json:"CustomerMasterKeySpec"`
	KeySpec               string           `json:"KeySpec"`
	EncryptionAlgorithms  []string         `json:"EncryptionAlgorithms"`
	MultiRegion           bool             `json:"MultiRegion"`
}

// Metadata is k's KeyMetadata.
func Metadata(k *Key) KeyMetadata {
	m := KeyMetadata{AWSAccountID: localcloud.Account, KeyID: k.KeyID, Arn: k.Arn,
		CreationDate: localcloud.Time(k.CreationDate), Enabled: k.Enabled(), Description: k.Description,
		KeyUsage: k.KeyUsage, KeyState: k.KeyState, Origin: "AWS_KMS", KeyManager: k.Manager(),
		CustomerMasterKeySpec: k.KeySpec, KeySpec: k.KeySpec, EncryptionAlgorithms: []string{symmetric}}
	if k.DeletionDate != nil {
		t := localcloud.Time(*k.DeletionDate)
		m.DeletionDate = &t
	}
	return m
}

type keyMetadataOut struct {
	KeyMetadata KeyMetadata
}

// input is the union of the fields the implemented operations take.
type input struct {
	KeyID                        string            `json:"KeyId"`
	PolicyName                   string            `json:"PolicyName"`
	Policy                       string            `json:"Policy"`
	Description                  *string           `json:"Description"`
	Limit                        int               `json:"Limit"`
	Marker                       string            `json:"Marker"`
	PendingWindowInDays          int               `json:"PendingWindowInDays"`
	RotationPeriodInDays         int               `json:"RotationPeriodInDays"`
	AliasName                    string            `json:"AliasName"`
	TargetKeyID                  string            `json:"TargetKeyId"`
	Tags                         []Tag             `json:"Tags"`
	TagKeys                      []string          `json:"TagKeys"`
	Plaintext                    []byte            `json:"Plaintext"`
	CiphertextBlob               []byte            `json:"CiphertextBlob"`
	EncryptionContext            map[string]string `json:"EncryptionContext"`
	EncryptionAlgorithm          string            `json:"EncryptionAlgorithm"`
	NumberOfBytes                int               `json:"NumberOfBytes"`
	KeySpec                      string            `json:"KeySpec"`
	SourceEncryptionContext      map[string]string `json:"SourceEncryptionContext"`
	SourceKeyID                  string            `json:"SourceKeyId"`
	DestinationKeyID             string            `json:"DestinationKeyId"`
	DestinationEncryptionContext map[string]string `json:"DestinationEncryptionContext"`
	SourceEncryptionAlgorithm    string            `json:"SourceEncryptionAlgorithm"`
	DestinationEncryptionAlgo    string            `json:"DestinationEncryptionAlgorithm"`
	DryRun                       bool              `json:"DryRun"`
	Recipient                    map[string]any    `json:"Recipient"`
	CustomKeyStoreID             string            `json:"CustomKeyStoreId"`
}

type keyListEntry struct {
	KeyID  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

type aliasEntry struct {
	AliasName       string          `json:"AliasName"`
	AliasArn        string          `json:"AliasArn"`
	TargetKeyID     string          `json:"TargetKeyId"`
	CreationDate    localcloud.Time `json:"CreationDate"`
	LastUpdatedDate localcloud.Time `json:"LastUpdatedDate"`
}

type page struct {
	NextMarker string `json:"NextMarker,omitempty"`
	Truncated  bool   `json:"Truncated"`
}

func pageOf(next string) page { return page{NextMarker: next, Truncated: next != ""} }

// Call runs a KMS operation.
func (s *Service) Call(ctx context.Context, op string, req *localcloud.Request) (any, error) {
	if req.Region != "" {
		ctx = WithRegion(ctx, req.Region)
	}
	if op == "CreateKey" {
		var in CreateKeyInput
		if err := req.Decode(&in); err != nil {
			return nil, err
		}
		k, err := s.CreateKey(ctx, in)
		if err != nil {
			return nil, err
		}
		return keyMetadataOut{Metadata(k)}, nil
	}
	var in input
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, kmsError("UnsupportedOperationException", "DryRun is not supported by the local cloud")
	}
	if in.Recipient != nil {
		return nil, kmsError("UnsupportedOperationException", "Recipient (Nitro Enclaves attestation) is not supported by the local cloud")
	}
	switch op {
	case "DescribeKey":
		k, err := s.DescribeKey(ctx, in.KeyID)
		if err != nil {
			return nil, err
		}
		return keyMetadataOut{Metadata(k)}, nil
	case "ListKeys":
		list, next, err := s.ListKeys(ctx, in.Limit, in.Marker)
		if err != nil {
			return nil, err
		}
		out := struct {
			Keys []keyListEntry `json:"Keys"`
			page
		}{Keys: make([]keyListEntry, len(list)), page: pageOf(next)}
		for i, k := range list {
			out.Keys[i] = keyListEntry{k.KeyID, k.Arn}
		}
		return out, nil
	case "GetKeyPolicy":
		p, err := s.GetKeyPolicy(ctx, in.KeyID, in.PolicyName)
		if err != nil {
			return nil, err
		}
		return map[string]string{"Policy": p, "PolicyName": "default"}, nil
	case "PutKeyPolicy":
		return nil, s.PutKeyPolicy(ctx, in.KeyID, in.PolicyName, in.Policy)
	case "ListKeyPolicies":
		if _, err := s.DescribeKey(ctx, in.KeyID); err != nil {
			return nil, err
		}
		return map[string]any{"PolicyNames": []string{"default"}, "Truncated": false}, nil
	case "UpdateKeyDescription":
		desc := ""
		if in.Description != nil {
			desc = *in.Description
		} else {
			return nil, required("description", "")
		}
		return nil, s.UpdateKeyDescription(ctx, in.KeyID, desc)
	case "EnableKeyRotation":
		return nil, s.EnableKeyRotation(ctx, in.KeyID, in.RotationPeriodInDays)
	case "DisableKeyRotation":
		return nil, s.DisableKeyRotation(ctx, in.KeyID)
	case "GetKeyRotationStatus":
		st, err := s.GetKeyRotationStatus(ctx, in.KeyID)
		if err != nil {
			return nil, err
		}
		out := struct {
			KeyRotationEnabled   bool             `json:"KeyRotationEnabled"`
			KeyID                string           `json:"KeyId"`
			RotationPeriodInDays int              `json:"RotationPeriodInDays,omitempty"`
			NextRotationDate     *localcloud.Time `json:"NextRotationDate,omitempty"`
		}{KeyRotationEnabled: st.Enabled, KeyID: st.KeyArn, RotationPeriodInDays: st.PeriodInDays}
		if st.NextRotationDate != nil {
			t := localcloud.Time(*st.NextRotationDate)
			out.NextRotationDate = &t
		}
		return out, nil
	case "EnableKey":
		return nil, s.EnableKey(ctx, in.KeyID)
	case "DisableKey":
		return nil, s.DisableKey(ctx, in.KeyID)
	case "ScheduleKeyDeletion":
		k, err := s.ScheduleKeyDeletion(ctx, in.KeyID, in.PendingWindowInDays)
		if err != nil {
			return nil, err
		}
		window := in.PendingWindowInDays
		if window == 0 {
			window = 30
		}
		return map[string]any{"KeyId": k.Arn, "DeletionDate": localcloud.Time(*k.DeletionDate),
			"KeyState": k.KeyState, "PendingWindowInDays": window}, nil
	case "CancelKeyDeletion":
		k, err := s.CancelKeyDeletion(ctx, in.KeyID)
		if err != nil {
			return nil, err
		}
		return map[string]string{"KeyId": k.Arn}, nil
	case "CreateAlias":
		return nil, s.CreateAlias(ctx, in.AliasName, in.TargetKeyID)
	case "UpdateAlias":
		return nil, s.UpdateAlias(ctx, in.AliasName, in.TargetKeyID)
	case "DeleteAlias":
		return nil, s.DeleteAlias(ctx, in.AliasName)
	case "ListAliases":
		list, next, err := s.ListAliases(ctx, in.KeyID, in.Limit, in.Marker)
		if err != nil {
			return nil, err
		}
		out := struct {
			Aliases []aliasEntry `json:"Aliases"`
			page
		}{Aliases: make([]aliasEntry, len(list)), page: pageOf(next)}
		for i, a := range list {
			out.Aliases[i] = aliasEntry{a.AliasName, a.Arn(), a.TargetKeyID, localcloud.Time(a.CreationDate), localcloud.Time(a.LastUpdatedDate)}
		}
		return out, nil
	case "TagResource":
		return nil, s.TagResource(ctx, in.KeyID, in.Tags)
	case "UntagResource":
		return nil, s.UntagResource(ctx, in.KeyID, in.TagKeys)
	case "ListResourceTags":
		tags, next, err := s.ListResourceTags(ctx, in.KeyID, in.Limit, in.Marker)
		if err != nil {
			return nil, err
		}
		if tags == nil {
			tags = []Tag{}
		}
		return struct {
			Tags []Tag `json:"Tags"`
			page
		}{tags, pageOf(next)}, nil
	case "Encrypt":
		if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
			return nil, err
		}
		blob, k, err := s.encryptFor(ctx, in.KeyID, in.Plaintext, in.EncryptionContext)
		if err != nil {
			return nil, err
		}
		return map[string]any{"CiphertextBlob": blob, "KeyId": k.Arn, "EncryptionAlgorithm": symmetric}, nil
	case "Decrypt":
		if err := checkAlgorithm(in.EncryptionAlgorithm); err != nil {
			return nil, err
		}
		pt, k, err := s.decryptWith(ctx, in.CiphertextBlob, in.EncryptionContext, in.KeyID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"Plaintext": pt, "KeyId": k.Arn, "EncryptionAlgorithm": symmetric}, nil
	case "GenerateDataKey", "GenerateDataKeyWithoutPlaintext":
		dk, err := s.GenerateDataKey(ctx, in.KeyID, in.EncryptionContext, in.NumberOfBytes, in.KeySpec)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"CiphertextBlob": dk.CiphertextBlob, "KeyId": dk.KeyArn}
		if op == "GenerateDataKey" {
			out["Plaintext"] = dk.Plaintext
		}
		return out, nil
	case "ReEncrypt":
		for _, a := range []string{in.SourceEncryptionAlgorithm, in.DestinationEncryptionAlgo} {
			if err := checkAlgorithm(a); err != nil {
				return nil, err
			}
		}
		blob, src, dst, err := s.ReEncrypt(ctx, in.CiphertextBlob, in.SourceEncryptionContext, in.SourceKeyID, in.DestinationKeyID, in.DestinationEncryptionContext)
		if err != nil {
			return nil, err
		}
		return map[string]any{"CiphertextBlob": blob, "SourceKeyId": src, "KeyId": dst,
			"SourceEncryptionAlgorithm": symmetric, "DestinationEncryptionAlgorithm": symmetric}, nil
	case "GenerateRandom":
		if in.CustomKeyStoreID != "" {
			return nil, kmsError("UnsupportedOperationException", "custom key stores are not supported by the local cloud")
		}
		b, err := s.GenerateRandom(ctx, in.NumberOfBytes)
		if err != nil {
			return nil, err
		}
		return map[string]any{"Plaintext": b}, nil
	}
	return nil, localcloud.ErrUnknownOperation
}
