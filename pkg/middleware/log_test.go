package middleware

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLooksSecretIgnoresCase(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"apiKey", true},
		{"X-Hub-Signature-256", true},
		{"DB_PASSWD", true},
		{"private-key", true},
		{"sessionToken", true},
		{"to\u212aen", true}, // KELVIN SIGN lower-cases to k
		{"Grüße-Secret", true},
		{"requestId", false},
		{"title", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			assert.Equal(t, tt.want, LooksSecret(tt.key))
		})
	}
}
