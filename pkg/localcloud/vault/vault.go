// Package vault is the local cloud's AWS Secrets Manager: secrets with
// their versions and staging labels (AWSCURRENT, AWSPREVIOUS, your own),
// idempotent writes keyed by ClientRequestToken, tags, descriptions,
// scheduled deletion with a recovery window, and listing with AWS's
// filters.
//
// Values are encrypted at rest as AWS encrypts them: each version gets a
// fresh 256-bit data key, sealed by the local KMS (Keys) under the
// secret's key (default alias/aws/secretsmanager) with the encryption
// context {"SecretARN", "SecretVersionId"}; the value is sealed with
// AES-256-GCM under the data key. Only ciphertext reaches the store.
//
// Rotation, replication and resource policies are refused by name.
package vault

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

const (
	secretsTable = "secretsmanager.secrets"

	// Current and Previous are the staging labels Secrets Manager moves
	// itself.
	Current  = "AWSCURRENT"
	Previous = "AWSPREVIOUS"

	// DefaultKey is the AWS managed key a secret is encrypted with when
	// it names none.
	DefaultKey = "alias/aws/secretsmanager"

	// maxVersions is how many versions a secret keeps; beyond it the
	// oldest versions without a label go, as AWS drops deprecated ones.
	maxVersions = 100
)

// Keys is the KMS the secrets are encrypted with; *keys.Service
// satisfies it. keyID may be a key id, key ARN, alias name or alias ARN.
type Keys interface {
	Encrypt(ctx context.Context, keyID string, plaintext []byte, encCtx map[string]string) ([]byte, error)
	Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) (plaintext []byte, keyArn string, err error)
}

// Tag is a secret's tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Version is one version of a secret's value, encrypted.
type Version struct {
	VersionID   string
	Stages      []string
	CreatedDate time.Time
	Binary      bool   // the value is SecretBinary, not SecretString
	DataKey     []byte // the data key, sealed by KMS
	Sealed      []byte // nonce and AES-GCM ciphertext of the value
}

// Secret is a secret as stored.
type Secret struct {
	Region          string
	Name            string
	ARN             string
	Description     string     `json:",omitempty"`
	KmsKeyID        string     `json:",omitempty"` // as the caller gave it; "" is the default key
	CreatedDate     time.Time  //
	LastChangedDate time.Time  //
	LastAccessed    *time.Time `json:",omitempty"` // a day, as AWS records it
	DeletedDate     *time.Time `json:",omitempty"` // when DeleteSecret was called
	DeletionDate    *time.Time `json:",omitempty"` // when the secret is gone
	Tags            []Tag      `json:",omitempty"`
	Versions        []*Version `json:",omitempty"` // oldest first
}

// Value is a secret version's plaintext, as GetSecretValue returns it.
type Value struct {
	ARN, Name, VersionID string
	Stages               []string
	CreatedDate          time.Time
	String               *string
	Binary               []byte
}

// Service is Secrets Manager's behaviour over the store.
type Service struct {
	// mu serialises writes: each reads a secret, calls KMS outside any
	// store transaction (KMS writes to the same store when it makes its
	// managed key), then writes the secret back.
	mu    sync.Mutex
	store *localcloud.Store
	keys  Keys
	now   func() time.Time
}

// New returns Secrets Manager over store, encrypting with keys.
func New(store *localcloud.Store, keys Keys) *Service {
	return &Service{store: store, keys: keys, now: func() time.Time { return time.Now().UTC() }}
}

func smError(code, format string, args ...any) error {
	return &localcloud.Error{Code: code, Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func invalidParameter(format string, args ...any) error {
	return smError("InvalidParameterException", format, args...)
}

func invalidRequest(format string, args ...any) error {
	return smError("InvalidRequestException", format, args...)
}

var (
	errNotFound      = smError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	errMarkedDeleted = invalidRequest("You can't perform this operation on the secret because it was marked for deletion.")
)

// IsNotFound reports whether err is ResourceNotFoundException.
func IsNotFound(err error) bool {
	var e *localcloud.Error
	return errors.As(err, &e) && e.Code == "ResourceNotFoundException"
}

var (
	namePattern  = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)
	arnPattern   = regexp.MustCompile(`^arn:aws:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$`)
	tokenPattern = regexp.MustCompile(`^.{32,64}$`)
)

func checkName(name string) error {
	if name == "" {
		return invalidParameter("You must provide a name for the secret.")
	}
	if !namePattern.MatchString(name) {
		return invalidParameter("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	}
	return nil
}

func checkToken(token string) error {
	if token != "" && !tokenPattern.MatchString(token) {
		return invalidParameter("ClientRequestToken must be 32-64 characters long.")
	}
	return nil
}

// ARN is the ARN a secret named name gets with suffix, its six random
// characters.
func ARN(region, name, suffix string) string {
	return "arn:aws:secretsmanager:" + region + ":" + localcloud.Account + ":secret:" + name + "-" + suffix
}

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomSuffix() string {
	b := make([]byte, 6)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphanumerics))))
		b[i] = alphanumerics[n.Int64()]
	}
	return string(b)
}

func recordKey(region, name string) string { return region + "|" + name }

// gone reports whether a secret's recovery window has passed: it no
// longer exists.
func (s *Service) gone(sec *Secret) bool {
	return sec.DeletionDate != nil && !s.now().Before(*sec.DeletionDate)
}

// lookup finds the secret id names in region: a name, a full ARN, or a
// partial ARN (without the random suffix). A secret whose recovery
// window has passed is not found.
func (s *Service) lookup(tx *localcloud.Tx, region, id string) (*Secret, error) {
	if id == "" {
		return nil, invalidParameter("You must provide a SecretId.")
	}
	name := id
	if m := arnPattern.FindStringSubmatch(id); m != nil {
		if m[2] != localcloud.Account {
			return nil, errNotFound
		}
		region, name = m[1], m[3]
		// A full ARN ends in -XXXXXX: try the name without it first.
		if i := len(name) - 7; i > 0 && name[i] == '-' {
			if sec, err := s.get(tx, region, name[:i]); err == nil && sec.ARN == id {
				return sec, nil
			}
		}
	} else if strings.HasPrefix(id, "arn:") {
		return nil, errNotFound
	}
	return s.get(tx, region, name)
}

func (s *Service) get(tx *localcloud.Tx, region, name string) (*Secret, error) {
	var sec Secret
	found, err := tx.Get(secretsTable, recordKey(region, name), &sec)
	if err != nil {
		return nil, err
	}
	if !found || s.gone(&sec) {
		return nil, errNotFound
	}
	return &sec, nil
}

func (s *Service) put(tx *localcloud.Tx, sec *Secret) error {
	return tx.Put(secretsTable, recordKey(sec.Region, sec.Name), sec)
}

// view finds a secret in a read transaction.
func (s *Service) view(region, id string) (*Secret, error) {
	var sec *Secret
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		sec, err = s.lookup(tx, region, id)
		return err
	})
	return sec, err
}

// modify runs fn on the secret id names and stores it, in one
// transaction; a secret scheduled for deletion is refused unless
// deleted is true.
func (s *Service) modify(region, id string, deleted bool, fn func(tx *localcloud.Tx, sec *Secret) error) (*Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sec *Secret
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var err error
		if sec, err = s.lookup(tx, region, id); err != nil {
			return err
		}
		if sec.DeletedDate != nil && !deleted {
			return errMarkedDeleted
		}
		if err := fn(tx, sec); err != nil {
			return err
		}
		return s.put(tx, sec)
	})
	return sec, err
}

// Authorization names the IAM action of op ("secretsmanager:<op>") and
// the secret it acts on: the secret's ARN when it exists, else the ARN a
// secret of that name would have, with a random suffix, as AWS evaluates
// a request for a secret that does not exist (so a policy naming
// "<name>-??????" lets the caller learn it is not there).
func (s *Service) Authorization(op string, in *localcloud.Request) (string, []string) {
	action := "secretsmanager:" + op
	var id struct {
		SecretID string `json:"SecretId"`
		Name     string `json:"Name"`
	}
	_ = in.Decode(&id)
	region := in.Region
	if region == "" {
		region = localcloud.Region
	}
	switch op {
	case "ListSecrets", "GetRandomPassword", "BatchGetSecretValue":
		return action, []string{"*"}
	case "CreateSecret":
		return action, []string{ARN(region, id.Name, randomSuffix())}
	}
	if id.SecretID == "" {
		return action, []string{"*"}
	}
	if sec, err := s.view(region, id.SecretID); err == nil {
		return action, []string{sec.ARN}
	}
	if arnPattern.MatchString(id.SecretID) {
		return action, []string{id.SecretID}
	}
	return action, []string{ARN(region, id.SecretID, randomSuffix())}
}
