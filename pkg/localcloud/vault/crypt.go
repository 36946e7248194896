package vault

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// kmsKeyRef is the key a secret is sealed under, as a KMS ARN in the
// secret's region, so the local KMS resolves it there whatever region
// its context carries.
func kmsKeyRef(region, keyID string) string {
	if keyID == "" {
		keyID = DefaultKey
	}
	if strings.HasPrefix(keyID, "arn:") {
		return keyID
	}
	if strings.HasPrefix(keyID, "alias/") {
		return "arn:aws:kms:" + region + ":" + localcloud.Account + ":" + keyID
	}
	return "arn:aws:kms:" + region + ":" + localcloud.Account + ":key/" + keyID
}

// encryptionContext is what Secrets Manager binds each data key to.
func encryptionContext(arn, versionID string) map[string]string {
	return map[string]string{"SecretARN": arn, "SecretVersionId": versionID}
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// kmsFailure words a KMS error as Secrets Manager reports it: a key that
// is not there is an invalid parameter, a key that cannot be used an
// EncryptionFailure or DecryptionFailure.
func kmsFailure(err error, code, message string) error {
	var e *localcloud.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case "NotFoundException":
		return invalidParameter("%s", e.Message)
	case "AccessDeniedException":
		return smError("AccessDeniedException", "Access to KMS is not allowed")
	}
	return smError(code, "%s", message)
}

const (
	encryptionFailure = "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state."
	decryptionFailure = "Secrets Manager can't decrypt the protected secret text using the provided KMS key."
)

// seal encrypts a value for version v of sec under a fresh data key.
func (s *Service) seal(ctx context.Context, sec *Secret, v *Version, value []byte) error {
	dk := make([]byte, 32)
	if _, err := rand.Read(dk); err != nil {
		return err
	}
	blob, err := s.keys.Encrypt(ctx, kmsKeyRef(sec.Region, sec.KmsKeyID), dk, encryptionContext(sec.ARN, v.VersionID))
	if err != nil {
		return kmsFailure(err, "EncryptionFailure", encryptionFailure)
	}
	aead, err := gcm(dk)
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	v.DataKey = blob
	v.Sealed = aead.Seal(nonce, nonce, value, []byte(v.VersionID))
	return nil
}

// dataKey opens a version's data key with KMS.
func (s *Service) dataKey(ctx context.Context, sec *Secret, v *Version) ([]byte, error) {
	dk, _, err := s.keys.Decrypt(ctx, v.DataKey, encryptionContext(sec.ARN, v.VersionID))
	if err != nil {
		return nil, kmsFailure(err, "DecryptionFailure", decryptionFailure)
	}
	return dk, nil
}

// open decrypts version v of sec.
func (s *Service) open(ctx context.Context, sec *Secret, v *Version) ([]byte, error) {
	dk, err := s.dataKey(ctx, sec, v)
	if err != nil {
		return nil, err
	}
	aead, err := gcm(dk)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(v.Sealed) < n {
		return nil, smError("DecryptionFailure", "%s", decryptionFailure)
	}
	pt, err := aead.Open(nil, v.Sealed[:n], v.Sealed[n:], []byte(v.VersionID))
	if err != nil {
		return nil, smError("DecryptionFailure", "%s", decryptionFailure)
	}
	return pt, nil
}

// rewrap seals a version's data key under the secret's (new) key, as
// AWS re-encrypts the labelled versions when the key changes.
func (s *Service) rewrap(ctx context.Context, sec *Secret, oldKeyID string, v *Version) error {
	old := *sec
	old.KmsKeyID = oldKeyID
	dk, err := s.dataKey(ctx, &old, v)
	if err != nil {
		return err
	}
	blob, err := s.keys.Encrypt(ctx, kmsKeyRef(sec.Region, sec.KmsKeyID), dk, encryptionContext(sec.ARN, v.VersionID))
	if err != nil {
		return kmsFailure(err, "EncryptionFailure", encryptionFailure)
	}
	v.DataKey = blob
	return nil
}
