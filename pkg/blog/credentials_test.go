package blog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/secrets"
)

// store is a SecretReader holding one JSON secret, or failing to read it.
type store struct {
	value     string
	err       error
	forgotten []string
}

func (s *store) JSON(_ context.Context, id string, v any) error {
	if s.err != nil {
		return s.err
	}
	return json.Unmarshal([]byte(s.value), v)
}

func (s *store) Forget(id string) { s.forgotten = append(s.forgotten, id) }

type token struct {
	Token secrets.Value `json:"TOKEN"`
}

func (t *token) Missing() string {
	if t.Token == "" {
		return "TOKEN"
	}
	return ""
}

func TestCredentialsAreReadAndForgottenWhenUnusable(t *testing.T) {
	unavailable := &secrets.Unavailable{ID: "app", Err: errors.New("no such secret")}
	tests := []struct {
		name          string
		store         *store
		wantToken     string
		wantErr       string
		wantForgotten []string
	}{
		{name: "complete secret", store: &store{value: `{"TOKEN":"t-1"}`}, wantToken: "t-1"},
		{name: "unreadable secret", store: &store{err: unavailable}, wantErr: `read Example credentials: read secret "app": no such secret`},
		{name: "secret without the token", store: &store{value: `{}`}, wantErr: `secret "app" is malformed: TOKEN is empty`, wantForgotten: []string{"app"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Credentials{Platform: "Example", SecretID: "app", Secrets: tt.store}
			var got token
			err := c.Read(context.Background(), &got)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantToken, got.Token.Reveal())
			assert.Equal(t, tt.wantForgotten, tt.store.forgotten)
		})
	}
}

func TestOnlyARefusedCredentialIsForgotten(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"401", &PlatformRejected{Platform: "p", Status: 401}, true},
		{"403 wrapped", fmt.Errorf("publish: %w", &PlatformRejected{Platform: "p", Status: 403}), true},
		{"422", &PlatformRejected{Platform: "p", Status: 422}, false},
		{"unavailable", &PlatformUnavailable{Platform: "p", Status: 503}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &store{}
			c := Credentials{Platform: "Example", SecretID: "app", Secrets: s}
			assert.Equal(t, tt.want, IsCredentialRefused(tt.err))
			assert.Equal(t, tt.want, c.ForgetIfRefused(tt.err))
			assert.Equal(t, tt.want, len(s.forgotten) == 1)
		})
	}
}

func TestAMissingSecretMeansThePlatformIsSkipped(t *testing.T) {
	c := Credentials{Platform: "Medium", SecretID: "blog/medium", Secrets: &store{err: &secrets.Unavailable{ID: "blog/medium",
		Err: &types.ResourceNotFoundException{Message: aws.String("Secrets Manager can't find the specified secret.")}}}}
	err := c.Read(context.Background(), &token{})
	var nc *NotConfigured
	require.ErrorAs(t, err, &nc)

	res, err := Skip("medium", err)
	require.NoError(t, err)
	assert.Equal(t, Result{Platform: "medium", Action: ActionSkipped, Skipped: true,
		Reason: `Medium is not configured: secret "blog/medium" does not exist; create it to publish to Medium`}, res)

	denied := errors.New("AccessDeniedException: not allowed")
	_, err = Skip("medium", Credentials{Platform: "Medium", SecretID: "blog/medium", Secrets: &store{err: denied}}.Read(context.Background(), &token{}))
	assert.ErrorIs(t, err, denied, "a secret that cannot be read is a failure, not a skip")
}
