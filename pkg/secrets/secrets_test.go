package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// store answers GetSecretValue from a map and counts the calls.
type store struct {
	values map[string]*string
	calls  int
}

func (s *store) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	s.calls++
	v, ok := s.values[*in.SecretId]
	if !ok {
		return nil, errors.New("ResourceNotFoundException: Secrets Manager can't find the specified secret")
	}
	return &secretsmanager.GetSecretValueOutput{Name: in.SecretId, SecretString: v}, nil
}

type creds struct {
	Token Value  `json:"TOKEN"`
	User  string `json:"USER"`
}

func TestWarmReadsReuseTheSecretUntilTheTTL(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &store{values: map[string]*string{"app": aws.String(`{"TOKEN":"t-1","USER":"bob"}`)}}
	c := &Cache{Client: s, TTL: time.Minute, Now: func() time.Time { return now }}
	ctx := context.Background()

	var got creds
	require.NoError(t, c.JSON(ctx, "app", &got))
	assert.Equal(t, "t-1", got.Token.Reveal())
	assert.Equal(t, "bob", got.User)
	require.NoError(t, c.JSON(ctx, "app", &got))
	assert.Equal(t, 1, s.calls, "a warm read does not call Secrets Manager")

	now = now.Add(2 * time.Minute)
	s.values["app"] = aws.String(`{"TOKEN":"t-2"}`)
	require.NoError(t, c.JSON(ctx, "app", &got))
	assert.Equal(t, 2, s.calls)
	assert.Equal(t, "t-2", got.Token.Reveal(), "a rotated secret is picked up after the TTL")
}

func TestForgetFetchesAgain(t *testing.T) {
	s := &store{values: map[string]*string{"app": aws.String(`{}`)}}
	c := &Cache{Client: s}
	ctx := context.Background()
	_, err := c.String(ctx, "app")
	require.NoError(t, err)
	c.Forget("app")
	_, err = c.String(ctx, "app")
	require.NoError(t, err)
	assert.Equal(t, 2, s.calls)
}

func TestReadFailuresAreTyped(t *testing.T) {
	s := &store{values: map[string]*string{
		"notjson": aws.String(`TOKEN=hunter2`),
		"binary":  nil,
	}}
	c := &Cache{Client: s}
	ctx := context.Background()

	var v creds
	err := c.JSON(ctx, "missing", &v)
	var un *Unavailable
	require.ErrorAs(t, err, &un)
	assert.Equal(t, "missing", un.ID)

	err = c.JSON(ctx, "notjson", &v)
	var mal *Malformed
	require.ErrorAs(t, err, &mal)
	assert.NotContains(t, err.Error(), "hunter2", "the value never reaches an error message")

	_, err = c.String(ctx, "binary")
	require.ErrorAs(t, err, &mal)
}

func TestValueNeverShowsItself(t *testing.T) {
	v := Value("hunter2")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v, "s", creds{Token: v})
	j, err := json.Marshal(creds{Token: v})
	require.NoError(t, err)
	for _, out := range []string{fmt.Sprint(v), fmt.Sprintf("%s %v %q %#v %+v", v, v, v, v, creds{Token: v}), buf.String(), string(j)} {
		assert.NotContains(t, out, "hunter2")
		assert.Contains(t, out, "[REDACTED]")
	}
	assert.Equal(t, "hunter2", v.Reveal())
}
