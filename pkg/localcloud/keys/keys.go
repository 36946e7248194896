// Package keys is the local cloud's KMS: symmetric customer managed keys
// (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) with their key policies, rotation
// setting, aliases, tags, states (Enabled, Disabled, PendingDeletion) and
// real encryption. Each key has 256-bit key material kept in the store;
// ciphertext is AES-256-GCM, the blob names its key (so Decrypt needs no
// KeyId, as with AWS) and the encryption context is bound as additional
// authenticated data, so a different context fails to decrypt.
//
// An AWS managed key (alias/aws/<service>, e.g. alias/aws/secretsmanager)
// is made on first use, as AWS makes it, and only AWS may change it.
//
// Asymmetric, HMAC, imported (EXTERNAL), custom key store and
// multi-Region keys are refused by name.
package keys

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

const (
	keysTable    = "kms.keys"
	aliasesTable = "kms.aliases"

	// Key states, as KeyMetadata.KeyState names them.
	StateEnabled         = "Enabled"
	StateDisabled        = "Disabled"
	StatePendingDeletion = "PendingDeletion"

	symmetric      = "SYMMETRIC_DEFAULT"
	encryptDecrypt = "ENCRYPT_DECRYPT"
)

// Tag is a KMS tag.
type Tag struct {
	TagKey, TagValue string
}

// Key is a KMS key as stored: its metadata, key policy, rotation setting,
// tags and key material (one entry per generation; ciphertexts name the
// generation that sealed them).
type Key struct {
	Region               string
	KeyID                string
	Arn                  string
	CreationDate         time.Time
	Description          string
	KeyUsage             string
	KeySpec              string
	KeyState             string
	KeyManager           string     `json:",omitempty"` // "AWS" for an AWS managed key, else a customer managed key
	DeletionDate         *time.Time `json:",omitempty"`
	Policy               string
	RotationEnabled      bool
	RotationPeriodInDays int        `json:",omitempty"`
	RotationEnabledAt    *time.Time `json:",omitempty"`
	Tags                 []Tag      `json:",omitempty"`
	Material             [][]byte
}

// Enabled reports whether the key can be used.
func (k *Key) Enabled() bool { return k.KeyState == StateEnabled }

// Alias is a KMS alias.
type Alias struct {
	Region          string
	AliasName       string
	TargetKeyID     string
	CreationDate    time.Time
	LastUpdatedDate time.Time
}

// Arn is the alias's ARN.
func (a Alias) Arn() string { return aliasArn(a.Region, a.AliasName) }

// Service is KMS's behaviour over the store.
type Service struct {
	store *localcloud.Store
	now   func() time.Time
}

// New returns KMS over store.
func New(store *localcloud.Store) *Service {
	return &Service{store: store, now: func() time.Time { return time.Now().UTC() }}
}

type regionKey struct{}

// WithRegion makes ctx carry the region the caller speaks to (the API
// sets it from the request's signing region); without it the local
// cloud's default region is used.
func WithRegion(ctx context.Context, region string) context.Context {
	return context.WithValue(ctx, regionKey{}, region)
}

func regionOf(ctx context.Context) string {
	if r, _ := ctx.Value(regionKey{}).(string); r != "" {
		return r
	}
	return localcloud.Region
}

func keyArn(region, id string) string {
	return "arn:aws:kms:" + region + ":" + localcloud.Account + ":key/" + id
}

func aliasArn(region, name string) string {
	return "arn:aws:kms:" + region + ":" + localcloud.Account + ":" + name
}

func kmsError(code, format string, args ...any) error {
	return &localcloud.Error{Code: code, Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func validation(format string, args ...any) error {
	return kmsError("ValidationException", "1 validation error detected: "+format, args...)
}

func required(field, v string) error {
	if v == "" {
		return validation("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	return nil
}

func notFoundKey(region, id string) error {
	return kmsError("NotFoundException", "Key '%s' does not exist", keyArn(region, id))
}

func disabled(k *Key) error { return kmsError("DisabledException", "%s is disabled.", k.Arn) }

func pendingDeletion(k *Key) error {
	return kmsError("KMSInvalidStateException", "%s is pending deletion.", k.Arn)
}

// DefaultKeyPolicy is the key policy AWS gives a key created without
// one: the account's root (and so IAM policies) may do everything.
func DefaultKeyPolicy() string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + localcloud.Account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

var (
	uuidPattern  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	aliasPattern = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)
	arnPattern   = regexp.MustCompile(`^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key/.+|alias/.+)$`)
)

// gone reports whether a key's deletion date has passed: it no longer
// exists.
func (s *Service) gone(k *Key) bool {
	return k.KeyState == StatePendingDeletion && k.DeletionDate != nil && !s.now().Before(*k.DeletionDate)
}

func (s *Service) getKey(tx *localcloud.Tx, region, id string) (*Key, error) {
	var k Key
	found, err := tx.Get(keysTable, id, &k)
	if err != nil {
		return nil, err
	}
	if !found || k.Region != region || s.gone(&k) {
		return nil, notFoundKey(region, id)
	}
	return &k, nil
}

func aliasKey(region, name string) string { return region + "|" + name }

// resolve finds the key keyID names: a key id, key ARN, alias name or
// alias ARN, in the caller's region (an ARN's own region for an ARN).
func (s *Service) resolve(tx *localcloud.Tx, region, keyID string) (*Key, error) {
	if err := required("keyId", keyID); err != nil {
		return nil, err
	}
	ref := keyID
	if m := arnPattern.FindStringSubmatch(keyID); m != nil {
		if m[2] != localcloud.Account {
			return nil, kmsError("NotFoundException", "Invalid arn %s", keyID)
		}
		region, ref = m[1], m[3]
	} else if strings.HasPrefix(keyID, "arn:") {
		return nil, kmsError("NotFoundException", "Invalid arn %s", keyID)
	}
	if strings.HasPrefix(ref, "alias/") {
		var a Alias
		found, err := tx.Get(aliasesTable, aliasKey(region, ref), &a)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, kmsError("NotFoundException", "Alias %s is not found.", aliasArn(region, ref))
		}
		k, err := s.getKey(tx, region, a.TargetKeyID)
		if err != nil {
			return nil, kmsError("NotFoundException", "Alias %s is not found.", aliasArn(region, ref))
		}
		return k, nil
	}
	ref = strings.TrimPrefix(ref, "key/")
	if !uuidPattern.MatchString(ref) {
		return nil, kmsError("NotFoundException", "Invalid keyId %s", keyID)
	}
	return s.getKey(tx, region, ref)
}

// view resolves keyID in a read transaction.
// An AWS managed key's alias (alias/aws/<service>) that names no key yet
// makes the key, as AWS makes it on first use.
func (s *Service) view(ctx context.Context, keyID string) (*Key, error) {
	var k *Key
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		k, err = s.resolve(tx, regionOf(ctx), keyID)
		return err
	})
	if IsNotFound(err) {
		if region, name, ok := managedAlias(regionOf(ctx), keyID); ok {
			return s.ensureManaged(region, name)
		}
	}
	return k, err
}

// managedAlias reports whether keyID is an AWS managed key's alias name
// or alias ARN, and which.
func managedAlias(region, keyID string) (string, string, bool) {
	name := keyID
	if m := arnPattern.FindStringSubmatch(keyID); m != nil && m[2] == localcloud.Account {
		region, name = m[1], m[3]
	}
	svc, ok := strings.CutPrefix(name, "alias/aws/")
	if !ok || svc == "" || !aliasPattern.MatchString(name) {
		return "", "", false
	}
	return region, name, true
}

// ensureManaged returns the AWS managed key the alias name names,
// making the key and the alias when there are none.
func (s *Service) ensureManaged(region, name string) (*Key, error) {
	var k *Key
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var err error
		if k, err = s.resolve(tx, region, name); err == nil || !IsNotFound(err) {
			return err
		}
		material := make([]byte, 32)
		if _, err := rand.Read(material); err != nil {
			return err
		}
		svc := strings.TrimPrefix(name, "alias/aws/")
		now := s.now()
		id := localcloud.NewID()
		k = &Key{Region: region, KeyID: id, Arn: keyArn(region, id), CreationDate: now,
			Description: "Default key that protects my " + svc + " data when no other key is defined",
			KeyUsage:    encryptDecrypt, KeySpec: symmetric, KeyState: StateEnabled, KeyManager: "AWS",
			Policy: managedKeyPolicy(region, svc), RotationEnabled: true, RotationPeriodInDays: 365,
			RotationEnabledAt: &now, Material: [][]byte{material}}
		if err := tx.Put(keysTable, id, k); err != nil {
			return err
		}
		return tx.Put(aliasesTable, aliasKey(region, name), Alias{Region: region, AliasName: name, TargetKeyID: id, CreationDate: now, LastUpdatedDate: now})
	})
	return k, err
}

// managedKeyPolicy is an AWS managed key's policy: the account may use
// the key through the service only, and may view it.
func managedKeyPolicy(region, svc string) string {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Id":      "auto-" + svc,
		"Statement": []any{
			map[string]any{
				"Sid":    "Allow access through " + svc + " for all principals in the account that are authorized to use " + svc,
				"Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
				"Action":   []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"},
				"Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{
					"kms:CallerAccount": localcloud.Account, "kms:ViaService": svc + "." + region + ".amazonaws.com"}},
			},
			map[string]any{
				"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
				"Principal": map[string]any{"AWS": "arn:aws:iam::" + localcloud.Account + ":root"},
				"Action":    []string{"kms:Describe*", "kms:Get*", "kms:List*"}, "Resource": "*",
			},
		},
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return string(b)
}

// modify resolves keyID and stores what fn leaves of it, in one
// transaction.
func (s *Service) modify(ctx context.Context, keyID string, fn func(*Key) error) (*Key, error) {
	var k *Key
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var err error
		if k, err = s.resolve(tx, regionOf(ctx), keyID); err != nil {
			return err
		}
		if k.KeyManager == "AWS" {
			return kmsError("UnsupportedOperationException", "%s is an AWS managed key: only AWS changes its configuration", k.Arn)
		}
		if err := fn(k); err != nil {
			return err
		}
		return tx.Put(keysTable, k.KeyID, k)
	})
	return k, err
}

// CreateKeyInput is CreateKey's input, with the API's wire names.
type CreateKeyInput struct {
	Policy                         string
	Description                    string
	KeyUsage                       string
	CustomerMasterKeySpec          string
	KeySpec                        string
	Origin                         string
	CustomKeyStoreId               string
	XksKeyId                       string
	BypassPolicyLockoutSafetyCheck bool
	MultiRegion                    bool
	Tags                           []Tag
}

var knownKeySpecs = []string{"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
	"ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
	"ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519"}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

func enumError(v, field string, set []string) error {
	return validation("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v, field, strings.Join(set, ", "))
}

// CreateKey creates a symmetric encryption key in the caller's region.
func (s *Service) CreateKey(ctx context.Context, in CreateKeyInput) (*Key, error) {
	spec := in.KeySpec
	if in.CustomerMasterKeySpec != "" {
		if spec != "" {
			return nil, kmsError("ValidationException", "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.")
		}
		spec = in.CustomerMasterKeySpec
	}
	if spec == "" {
		spec = symmetric
	}
	if !oneOf(spec, knownKeySpecs) {
		return nil, enumError(spec, "keySpec", knownKeySpecs)
	}
	usage := in.KeyUsage
	if usage == "" {
		usage = encryptDecrypt
	}
	usages := []string{"SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"}
	if !oneOf(usage, usages) {
		return nil, enumError(usage, "keyUsage", usages)
	}
	if spec != symmetric {
		return nil, kmsError("UnsupportedOperationException", "KeySpec %s is not supported by the local cloud: it makes SYMMETRIC_DEFAULT keys only", spec)
	}
	if usage != encryptDecrypt {
		return nil, kmsError("ValidationException", "KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	}
	if in.Origin != "" && in.Origin != "AWS_KMS" {
		origins := []string{"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"}
		if !oneOf(in.Origin, origins) {
			return nil, enumError(in.Origin, "origin", origins)
		}
		return nil, kmsError("UnsupportedOperationException", "Origin %s is not supported by the local cloud: its keys have AWS_KMS key material", in.Origin)
	}
	if in.CustomKeyStoreId != "" || in.XksKeyId != "" {
		return nil, kmsError("UnsupportedOperationException", "custom key stores are not supported by the local cloud")
	}
	if in.MultiRegion {
		return nil, kmsError("UnsupportedOperationException", "multi-Region keys are not supported by the local cloud")
	}
	if len(in.Description) > 8192 {
		return nil, validation("Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")
	}
	policy := in.Policy
	if policy == "" {
		policy = DefaultKeyPolicy()
	} else if err := checkPolicy(policy); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	material := make([]byte, 32)
	if _, err := rand.Read(material); err != nil {
		return nil, err
	}
	region := regionOf(ctx)
	id := localcloud.NewID()
	k := &Key{Region: region, KeyID: id, Arn: keyArn(region, id), CreationDate: s.now(), Description: in.Description,
		KeyUsage: usage, KeySpec: spec, KeyState: StateEnabled, Policy: policy, Tags: mergeTags(nil, in.Tags),
		Material: [][]byte{material}}
	if err := s.store.Update(func(tx *localcloud.Tx) error { return tx.Put(keysTable, id, k) }); err != nil {
		return nil, err
	}
	return k, nil
}

func checkPolicy(policy string) error {
	if len(policy) > 32768 {
		return kmsError("LimitExceededException", "Policy exceeds the maximum size of 32 KB")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return kmsError("MalformedPolicyDocumentException", "The key policy is not valid JSON: %v", err)
	}
	switch doc["Statement"].(type) {
	case []any, map[string]any:
	default:
		return kmsError("MalformedPolicyDocumentException", "The key policy has no Statement")
	}
	return nil
}

func checkTags(tags []Tag) error {
	for _, t := range tags {
		if t.TagKey == "" || len(t.TagKey) > 128 || len(t.TagValue) > 256 {
			return kmsError("TagException", "Tag key %q or value %q is not valid: a key has 1 to 128 characters, a value at most 256", t.TagKey, t.TagValue)
		}
		if strings.HasPrefix(t.TagKey, "aws:") {
			return kmsError("TagException", "Tags beginning with aws: are reserved")
		}
	}
	return nil
}

func mergeTags(cur, add []Tag) []Tag {
	out := append([]Tag(nil), cur...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].TagKey == t.TagKey {
				out[i].TagValue = t.TagValue
				replaced = true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TagKey < out[j].TagKey })
	return out
}

// DescribeKey returns the key keyID names.
func (s *Service) DescribeKey(ctx context.Context, keyID string) (*Key, error) {
	return s.view(ctx, keyID)
}

// ListKeys lists the caller's region's keys by id, a page of at most
// limit (default 100) from marker.
func (s *Service) ListKeys(ctx context.Context, limit int, marker string) ([]*Key, string, error) {
	region := regionOf(ctx)
	var all []*Key
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(keysTable, "", func(_ string, raw []byte) error {
			var k Key
			if err := json.Unmarshal(raw, &k); err != nil {
				return err
			}
			if k.Region == region && !s.gone(&k) {
				all = append(all, &k)
			}
			return nil
		})
	})
	if err != nil {
		return nil, "", err
	}
	return paginate(all, func(k *Key) string { return k.KeyID }, limit, marker)
}

func paginate[T any](items []T, key func(T) string, limit int, marker string) ([]T, string, error) {
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 1000 {
		return nil, "", validation("Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000", limit)
	}
	start := 0
	if marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil {
			return nil, "", kmsError("InvalidMarkerException", "Invalid marker: %s", marker)
		}
		from := string(b)
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= from })
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))
	}
	return items[start:end], next, nil
}

func checkPolicyName(name string) error {
	if name != "" && name != "default" {
		return kmsError("NotFoundException", "No such policy exists: %s (a key has one key policy, named default)", name)
	}
	return nil
}

// GetKeyPolicy returns the key's key policy (its only one, "default").
func (s *Service) GetKeyPolicy(ctx context.Context, keyID, policyName string) (string, error) {
	if err := checkPolicyName(policyName); err != nil {
		return "", err
	}
	k, err := s.view(ctx, keyID)
	if err != nil {
		return "", err
	}
	return k.Policy, nil
}

// PutKeyPolicy replaces the key's key policy.
func (s *Service) PutKeyPolicy(ctx context.Context, keyID, policyName, policy string) error {
	if err := checkPolicyName(policyName); err != nil {
		return err
	}
	if err := required("policy", policy); err != nil {
		return err
	}
	if err := checkPolicy(policy); err != nil {
		return err
	}
	_, err := s.modify(ctx, keyID, func(k *Key) error {
		if k.KeyState == StatePendingDeletion {
			return pendingDeletion(k)
		}
		k.Policy = policy
		return nil
	})
	return err
}

// UpdateKeyDescription sets the key's description.
func (s *Service) UpdateKeyDescription(ctx context.Context, keyID, description string) error {
	if len(description) > 8192 {
		return validation("Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")
	}
	_, err := s.modify(ctx, keyID, func(k *Key) error {
		if k.KeyState == StatePendingDeletion {
			return pendingDeletion(k)
		}
		k.Description = description
		return nil
	})
	return err
}

// EnableKeyRotation turns on automatic yearly (or every periodInDays,
// 90-2560; 0 keeps the current period or 365) rotation of the key's
// material.
func (s *Service) EnableKeyRotation(ctx context.Context, keyID string, periodInDays int) error {
	if periodInDays != 0 && (periodInDays < 90 || periodInDays > 2560) {
		return validation("Value '%d' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560", periodInDays)
	}
	_, err := s.modify(ctx, keyID, func(k *Key) error {
		if err := usable(k); err != nil {
			return err
		}
		if periodInDays == 0 {
			periodInDays = k.RotationPeriodInDays
		}
		if periodInDays == 0 {
			periodInDays = 365
		}
		if !k.RotationEnabled || k.RotationPeriodInDays != periodInDays {
			now := s.now()
			k.RotationEnabledAt = &now
		}
		k.RotationEnabled, k.RotationPeriodInDays = true, periodInDays
		return nil
	})
	return err
}

// DisableKeyRotation turns automatic rotation off.
func (s *Service) DisableKeyRotation(ctx context.Context, keyID string) error {
	_, err := s.modify(ctx, keyID, func(k *Key) error {
		if err := usable(k); err != nil {
			return err
		}
		k.RotationEnabled, k.RotationEnabledAt = false, nil
		return nil
	})
	return err
}

// RotationStatus is GetKeyRotationStatus's answer.
type RotationStatus struct {
	Enabled          bool
	KeyArn           string
	PeriodInDays     int
	NextRotationDate *time.Time
}

// GetKeyRotationStatus reports whether the key's material rotates.
func (s *Service) GetKeyRotationStatus(ctx context.Context, keyID string) (RotationStatus, error) {
	k, err := s.view(ctx, keyID)
	if err != nil {
		return RotationStatus{}, err
	}
	st := RotationStatus{Enabled: k.RotationEnabled, KeyArn: k.Arn}
	if k.RotationEnabled {
		st.PeriodInDays = k.RotationPeriodInDays
		next := k.RotationEnabledAt.AddDate(0, 0, k.RotationPeriodInDays)
		st.NextRotationDate = &next
	}
	return st, nil
}

// usable is the check for operations that need an enabled key.
func usable(k *Key) error {
	switch k.KeyState {
	case StateDisabled:
		return disabled(k)
	case StatePendingDeletion:
		return pendingDeletion(k)
	}
	return nil
}

// EnableKey makes a disabled key usable.
func (s *Service) EnableKey(ctx context.Context, keyID string) error {
	return s.setState(ctx, keyID, StateEnabled)
}

// DisableKey makes a key unusable for cryptographic operations.
func (s *Service) DisableKey(ctx context.Context, keyID string) error {
	return s.setState(ctx, keyID, StateDisabled)
}

// setState enables or disables a key that is not pending deletion.
func (s *Service) setState(ctx context.Context, keyID, state string) error {
	_, err := s.modify(ctx, keyID, func(k *Key) error {
		if k.KeyState == StatePendingDeletion {
			return pendingDeletion(k)
		}
		k.KeyState = state
		return nil
	})
	return err
}

// ScheduleKeyDeletion puts the key in PendingDeletion for windowInDays
// (7-30, default 30); after that it is gone.
func (s *Service) ScheduleKeyDeletion(ctx context.Context, keyID string, windowInDays int) (*Key, error) {
	if windowInDays == 0 {
		windowInDays = 30
	}
	if windowInDays < 7 {
		return nil, validation("Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7", windowInDays)
	}
	if windowInDays > 30 {
		return nil, validation("Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30", windowInDays)
	}
	return s.modify(ctx, keyID, func(k *Key) error {
		if k.KeyState == StatePendingDeletion {
			return pendingDeletion(k)
		}
		at := s.now().AddDate(0, 0, windowInDays)
		k.KeyState, k.DeletionDate = StatePendingDeletion, &at
		return nil
	})
}

// CancelKeyDeletion takes a key out of PendingDeletion; it is Disabled
// afterwards, as AWS leaves it.
func (s *Service) CancelKeyDeletion(ctx context.Context, keyID string) (*Key, error) {
	return s.modify(ctx, keyID, func(k *Key) error {
		if k.KeyState != StatePendingDeletion {
			return kmsError("KMSInvalidStateException", "%s is not pending deletion.", k.Arn)
		}
		k.KeyState, k.DeletionDate = StateDisabled, nil
		return nil
	})
}

// TagResource adds or replaces tags of a key.
func (s *Service) TagResource(ctx context.Context, keyID string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	_, err := s.modify(ctx, keyID, func(k *Key) error {
		if k.KeyState == StatePendingDeletion {
			return pendingDeletion(k)
		}
		k.Tags = mergeTags(k.Tags, tags)
		if len(k.Tags) > 50 {
			return kmsError("LimitExceededException", "A key can have at most 50 tags")
		}
		return nil
	})
	return err
}

// UntagResource removes tags of a key by key.
func (s *Service) UntagResource(ctx context.Context, keyID string, tagKeys []string) error {
	_, err := s.modify(ctx, keyID, func(k *Key) error {
		if k.KeyState == StatePendingDeletion {
			return pendingDeletion(k)
		}
		kept := k.Tags[:0]
		for _, t := range k.Tags {
			if !oneOf(t.TagKey, tagKeys) {
				kept = append(kept, t)
			}
		}
		k.Tags = kept
		return nil
	})
	return err
}

// ListResourceTags lists a key's tags, by tag key.
func (s *Service) ListResourceTags(ctx context.Context, keyID string, limit int, marker string) ([]Tag, string, error) {
	k, err := s.view(ctx, keyID)
	if err != nil {
		return nil, "", err
	}
	return paginate(k.Tags, func(t Tag) string { return t.TagKey }, limit, marker)
}

func checkAliasName(name string) error {
	if err := required("aliasName", name); err != nil {
		return err
	}
	if !strings.HasPrefix(name, "alias/") {
		return kmsError("ValidationException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	}
	if len(name) > 256 || !aliasPattern.MatchString(name) {
		return validation("Value '%s' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", name)
	}
	return nil
}

// targetKey resolves an alias's target, which must be a key (id or ARN),
// not another alias, and not pending deletion.
func (s *Service) targetKey(tx *localcloud.Tx, region, target string) (*Key, error) {
	if err := required("targetKeyId", target); err != nil {
		return nil, err
	}
	if strings.HasPrefix(target, "alias/") || strings.Contains(target, ":alias/") {
		return nil, kmsError("ValidationException", "Aliases must refer to keys. Not aliases")
	}
	k, err := s.resolve(tx, region, target)
	if err != nil {
		return nil, err
	}
	if k.KeyManager == "AWS" {
		return nil, kmsError("UnsupportedOperationException", "%s is an AWS managed key: an alias cannot name it", k.Arn)
	}
	if k.KeyState == StatePendingDeletion {
		return nil, pendingDeletion(k)
	}
	return k, nil
}

// CreateAlias names a key.
func (s *Service) CreateAlias(ctx context.Context, name, targetKeyID string) error {
	if err := checkAliasName(name); err != nil {
		return err
	}
	if strings.HasPrefix(name, "alias/aws/") {
		return kmsError("NotAuthorizedException", "Cannot create alias with prefix 'alias/aws/': it is reserved for AWS managed keys")
	}
	region := regionOf(ctx)
	return s.store.Update(func(tx *localcloud.Tx) error {
		k, err := s.targetKey(tx, region, targetKeyID)
		if err != nil {
			return err
		}
		var old Alias
		found, err := tx.Get(aliasesTable, aliasKey(region, name), &old)
		if err != nil {
			return err
		}
		if found {
			if _, err := s.getKey(tx, region, old.TargetKeyID); err == nil {
				return kmsError("AlreadyExistsException", "An alias with the name %s already exists", aliasArn(region, name))
			}
		}
		now := s.now()
		return tx.Put(aliasesTable, aliasKey(region, name), Alias{Region: region, AliasName: name, TargetKeyID: k.KeyID, CreationDate: now, LastUpdatedDate: now})
	})
}

// UpdateAlias points an alias at another key.
func (s *Service) UpdateAlias(ctx context.Context, name, targetKeyID string) error {
	if err := checkAliasName(name); err != nil {
		return err
	}
	region := regionOf(ctx)
	return s.store.Update(func(tx *localcloud.Tx) error {
		var a Alias
		found, err := tx.Get(aliasesTable, aliasKey(region, name), &a)
		if err != nil {
			return err
		}
		if !found {
			return kmsError("NotFoundException", "Alias %s is not found.", aliasArn(region, name))
		}
		k, err := s.targetKey(tx, region, targetKeyID)
		if err != nil {
			return err
		}
		a.TargetKeyID, a.LastUpdatedDate = k.KeyID, s.now()
		return tx.Put(aliasesTable, aliasKey(region, name), a)
	})
}

// DeleteAlias deletes an alias (not its key).
func (s *Service) DeleteAlias(ctx context.Context, name string) error {
	if err := checkAliasName(name); err != nil {
		return err
	}
	region := regionOf(ctx)
	return s.store.Update(func(tx *localcloud.Tx) error {
		var a Alias
		found, err := tx.Get(aliasesTable, aliasKey(region, name), &a)
		if err != nil {
			return err
		}
		if !found {
			return kmsError("NotFoundException", "Alias %s is not found.", aliasArn(region, name))
		}
		return tx.Delete(aliasesTable, aliasKey(region, name))
	})
}

// ListAliases lists the region's aliases by name, only those of keyID's
// key when keyID is given.
func (s *Service) ListAliases(ctx context.Context, keyID string, limit int, marker string) ([]Alias, string, error) {
	region := regionOf(ctx)
	var all []Alias
	err := s.store.View(func(tx *localcloud.Tx) error {
		only := ""
		if keyID != "" {
			if strings.HasPrefix(keyID, "alias/") || strings.Contains(keyID, ":alias/") {
				return kmsError("InvalidArnException", "KeyId %s is not a key id or key ARN", keyID)
			}
			k, err := s.resolve(tx, region, keyID)
			if err != nil {
				return err
			}
			only = k.KeyID
		}
		return tx.Scan(aliasesTable, region+"|", func(_ string, raw []byte) error {
			var a Alias
			if err := json.Unmarshal(raw, &a); err != nil {
				return err
			}
			if only != "" && a.TargetKeyID != only {
				return nil
			}
			if _, err := s.getKey(tx, region, a.TargetKeyID); err != nil {
				return nil // the key is gone: so is its alias
			}
			all = append(all, a)
			return nil
		})
	})
	if err != nil {
		return nil, "", err
	}
	return paginate(all, func(a Alias) string { return a.AliasName }, limit, marker)
}

// Ciphertext blob: version, key id length, key id, material generation,
// GCM nonce, sealed plaintext.
const blobVersion = 1

func aad(keyID string, encCtx map[string]string) []byte {
	ks := make([]string, 0, len(encCtx))
	for k := range encCtx {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	b := []byte("stepforge-localcloud-kms\x00" + keyID)
	for _, k := range ks {
		for _, s := range []string{k, encCtx[k]} {
			b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

func gcm(material []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(material)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func seal(k *Key, plaintext []byte, encCtx map[string]string) ([]byte, error) {
	gen := len(k.Material) - 1
	a, err := gcm(k.Material[gen])
	if err != nil {
		return nil, err
	}
	blob := []byte{blobVersion, byte(len(k.KeyID))}
	blob = append(blob, k.KeyID...)
	blob = append(blob, byte(gen))
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	blob = append(blob, nonce...)
	return a.Seal(blob, nonce, plaintext, aad(k.KeyID, encCtx)), nil
}

var errInvalidCiphertext = &localcloud.Error{Code: "InvalidCiphertextException", Status: http.StatusBadRequest, Message: ""}

// blobKeyID is the key id a ciphertext blob names.
func blobKeyID(blob []byte) (string, error) {
	if len(blob) < 2 || blob[0] != blobVersion || len(blob) < 2+int(blob[1])+1 {
		return "", errInvalidCiphertext
	}
	id := string(blob[2 : 2+int(blob[1])])
	if !uuidPattern.MatchString(id) {
		return "", errInvalidCiphertext
	}
	return id, nil
}

func open(k *Key, blob []byte, encCtx map[string]string) ([]byte, error) {
	off := 2 + int(blob[1])
	gen := int(blob[off])
	if gen >= len(k.Material) {
		return nil, errInvalidCiphertext
	}
	a, err := gcm(k.Material[gen])
	if err != nil {
		return nil, err
	}
	off++
	if len(blob) < off+a.NonceSize()+a.Overhead() {
		return nil, errInvalidCiphertext
	}
	nonce := blob[off : off+a.NonceSize()]
	pt, err := a.Open(nil, nonce, blob[off+a.NonceSize():], aad(k.KeyID, encCtx))
	if err != nil {
		return nil, errInvalidCiphertext
	}
	return pt, nil
}

func checkAlgorithm(alg string) error {
	if alg != "" && alg != symmetric {
		algs := []string{"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"}
		if !oneOf(alg, algs) {
			return enumError(alg, "encryptionAlgorithm", algs)
		}
		return kmsError("InvalidKeyUsageException", "The encryption algorithm %s is not supported by a SYMMETRIC_DEFAULT key", alg)
	}
	return nil
}

// encryptFor resolves keyID and seals plaintext under it.
func (s *Service) encryptFor(ctx context.Context, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, *Key, error) {
	if len(plaintext) == 0 {
		return nil, nil, validation("Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(plaintext) > 4096 {
		return nil, nil, validation("Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
	}
	k, err := s.view(ctx, keyID)
	if err != nil {
		return nil, nil, err
	}
	if err := usable(k); err != nil {
		return nil, nil, err
	}
	blob, err := seal(k, plaintext, encCtx)
	return blob, k, err
}

// Encrypt encrypts plaintext (at most 4096 bytes) under the key keyID
// names, binding encCtx; the blob names the key.
func (s *Service) Encrypt(ctx context.Context, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, error) {
	blob, _, err := s.encryptFor(ctx, keyID, plaintext, encCtx)
	return blob, err
}

// decryptWith opens blob with the key it names; keyID, when given, must
// name that key.
func (s *Service) decryptWith(ctx context.Context, blob []byte, encCtx map[string]string, keyID string) ([]byte, *Key, error) {
	if len(blob) == 0 {
		return nil, nil, validation("Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null")
	}
	id, err := blobKeyID(blob)
	if err != nil {
		return nil, nil, err
	}
	var k *Key
	err = s.store.View(func(tx *localcloud.Tx) error {
		var rec Key
		found, err := tx.Get(keysTable, id, &rec)
		if err != nil {
			return err
		}
		if !found || s.gone(&rec) {
			return errInvalidCiphertext
		}
		k = &rec
		if keyID != "" {
			named, err := s.resolve(tx, regionOf(ctx), keyID)
			if err != nil {
				return err
			}
			if named.KeyID != k.KeyID {
				return kmsError("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if err := usable(k); err != nil {
		return nil, nil, err
	}
	pt, err := open(k, blob, encCtx)
	return pt, k, err
}

// Decrypt decrypts a blob Encrypt or GenerateDataKey made, with the
// encryption context it was made with; keyArn is the ARN of the key that
// made it (what the KMS API answers as KeyId).
func (s *Service) Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) (plaintext []byte, keyArn string, err error) {
	pt, k, err := s.decryptWith(ctx, blob, encCtx, "")
	if err != nil {
		return nil, "", err
	}
	return pt, k.Arn, nil
}

// DataKey is a generated data key.
type DataKey struct {
	Plaintext, CiphertextBlob []byte
	KeyArn                    string
}

// GenerateDataKey makes a random data key of numberOfBytes (1-1024) or
// of keySpec (AES_256, AES_128) and returns it in plaintext and
// encrypted under keyID's key.
func (s *Service) GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string, numberOfBytes int, keySpec string) (DataKey, error) {
	switch {
	case numberOfBytes != 0 && keySpec != "":
		return DataKey{}, kmsError("ValidationException", "Please specify either number of bytes or key spec.")
	case keySpec == "AES_256":
		numberOfBytes = 32
	case keySpec == "AES_128":
		numberOfBytes = 16
	case keySpec != "":
		return DataKey{}, enumError(keySpec, "keySpec", []string{"AES_256", "AES_128"})
	case numberOfBytes == 0:
		return DataKey{}, kmsError("ValidationException", "Please specify either number of bytes or key spec.")
	case numberOfBytes < 1 || numberOfBytes > 1024:
		return DataKey{}, validation("Value '%d' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024", numberOfBytes)
	}
	dk := make([]byte, numberOfBytes)
	if _, err := rand.Read(dk); err != nil {
		return DataKey{}, err
	}
	blob, k, err := s.encryptFor(ctx, keyID, dk, encCtx)
	if err != nil {
		return DataKey{}, err
	}
	return DataKey{Plaintext: dk, CiphertextBlob: blob, KeyArn: k.Arn}, nil
}

// ReEncrypt decrypts blob and encrypts its plaintext under another key
// and context, never returning the plaintext.
func (s *Service) ReEncrypt(ctx context.Context, blob []byte, srcCtx map[string]string, srcKeyID, dstKeyID string, dstCtx map[string]string) (newBlob []byte, srcArn, dstArn string, err error) {
	if err := required("destinationKeyId", dstKeyID); err != nil {
		return nil, "", "", err
	}
	pt, src, err := s.decryptWith(ctx, blob, srcCtx, srcKeyID)
	if err != nil {
		return nil, "", "", err
	}
	out, dst, err := s.encryptFor(ctx, dstKeyID, pt, dstCtx)
	if err != nil {
		return nil, "", "", err
	}
	return out, src.Arn, dst.Arn, nil
}

// GenerateRandom returns n (1-1024) random bytes.
func (s *Service) GenerateRandom(_ context.Context, n int) ([]byte, error) {
	if n < 1 || n > 1024 {
		return nil, validation("Value '%d' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024", n)
	}
	b := make([]byte, n)
	_, err := rand.Read(b)
	return b, err
}

// IsNotFound reports whether err is KMS's NotFoundException.
func IsNotFound(err error) bool {
	var e *localcloud.Error
	return errors.As(err, &e) && e.Code == "NotFoundException"
}

// Manager is KeyMetadata.KeyManager: AWS or CUSTOMER.
func (k *Key) Manager() string {
	if k.KeyManager == "AWS" {
		return "AWS"
	}
	return "CUSTOMER"
}
