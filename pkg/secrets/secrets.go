// Package secrets reads secrets from AWS Secrets Manager and keeps them for
// the warm invocations that follow, and provides a string type that never
// shows its value in logs, errors or JSON.
package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/stepforge/stepforge/pkg/awsconfig"
)

// DefaultTTL is how long a fetched secret is reused before it is read again,
// so a rotated secret reaches warm functions within minutes.
const DefaultTTL = 5 * time.Minute

// GetSecretValueAPI is the one Secrets Manager call the cache makes.
type GetSecretValueAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Cache fetches secret strings by id and keeps them for TTL. The zero value
// is ready to use: it builds its Secrets Manager client on first use from
// awsconfig.Shared.
type Cache struct {
	// Client is the Secrets Manager client; nil means build one on first use.
	Client GetSecretValueAPI
	// TTL is how long a value is reused; zero means DefaultTTL.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]entry
}

type entry struct {
	value   string
	fetched time.Time
}

// Unavailable reports that a secret could not be read.
type Unavailable struct {
	ID  string
	Err error
}

func (e *Unavailable) Error() string { return fmt.Sprintf("read secret %q: %v", e.ID, e.Err) }
func (e *Unavailable) Unwrap() error { return e.Err }

// Malformed reports a secret whose value is not the JSON object expected. The
// message never contains the value.
type Malformed struct {
	ID     string
	Reason string
}

func (e *Malformed) Error() string { return fmt.Sprintf("secret %q is malformed: %s", e.ID, e.Reason) }

// String returns the secret string of id.
func (c *Cache) String(ctx context.Context, id string) (Value, error) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok && now.Sub(e.fetched) < c.ttl() {
		return Value(e.value), nil
	}
	client, err := c.client(ctx)
	if err != nil {
		return "", &Unavailable{ID: id, Err: err}
	}
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", &Unavailable{ID: id, Err: err}
	}
	if out.SecretString == nil {
		return "", &Malformed{ID: id, Reason: "no SecretString (binary secrets are not supported)"}
	}
	if c.entries == nil {
		c.entries = make(map[string]entry)
	}
	c.entries[id] = entry{value: *out.SecretString, fetched: now}
	return Value(*out.SecretString), nil
}

// JSON decodes the secret string of id, a JSON object, into v.
func (c *Cache) JSON(ctx context.Context, id string, v any) error {
	s, err := c.String(ctx, id)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(s.Reveal()), v); err != nil {
		// The decoder's message can quote the value; report only its kind.
		return &Malformed{ID: id, Reason: "not a JSON object of the expected shape"}
	}
	return nil
}

// Forget drops the cached value of id, so the next read fetches it again; a
// caller does this when the platform rejects a credential that may have been
// rotated.
func (c *Cache) Forget(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

func (c *Cache) client(ctx context.Context) (GetSecretValueAPI, error) {
	if c.Client != nil {
		return c.Client, nil
	}
	cfg, err := awsconfig.Shared(ctx)
	if err != nil {
		return nil, err
	}
	c.Client = secretsmanager.NewFromConfig(cfg)
	return c.Client, nil
}

func (c *Cache) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return DefaultTTL
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
