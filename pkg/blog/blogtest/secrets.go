package blogtest

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/stepforge/stepforge/pkg/secrets"
)

// SecretStore is Secrets Manager holding secret strings in memory. Used
// behind a real secrets.Cache, the handler sees the secrets package's own
// errors.
type SecretStore struct {
	mu     sync.Mutex
	values map[string]string
	reads  int
}

// NewSecretStore returns a store holding value under id, or nothing when
// value is empty, as for a secret that was never created.
func NewSecretStore(id, value string) *SecretStore {
	s := &SecretStore{values: map[string]string{}}
	if value != "" {
		s.values[id] = value
	}
	return s
}

// GetSecretValue answers as Secrets Manager does.
func (s *SecretStore) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	v, ok := s.values[aws.ToString(in.SecretId)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Secrets Manager can't find the specified secret.")}
	}
	return &secretsmanager.GetSecretValueOutput{
		ARN:          aws.String("arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + aws.ToString(in.SecretId) + "-AbCdEf"),
		Name:         in.SecretId,
		SecretString: aws.String(v),
	}, nil
}

// Reads returns how many times a secret was read.
func (s *SecretStore) Reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// Cache returns a new secrets.Cache reading from s.
func (s *SecretStore) Cache() *secrets.Cache { return &secrets.Cache{Client: s} }
