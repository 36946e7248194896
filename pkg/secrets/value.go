package secrets

import (
	"fmt"
	"log/slog"
)

// Value is a secret string. Printing, logging or marshalling it shows
// "[REDACTED]"; Reveal returns the value itself, for the one place it is used.
type Value string

const redacted = "[REDACTED]"

// Reveal returns the secret itself.
func (v Value) Reveal() string { return string(v) }

// String implements fmt.Stringer without showing the secret.
func (v Value) String() string { return redacted }

// GoString keeps %#v from showing the secret.
func (v Value) GoString() string { return redacted }

// Format keeps every fmt verb from showing the secret.
func (v Value) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue implements slog.LogValuer without showing the secret.
func (v Value) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON keeps encoding/json from showing the secret.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText keeps text encoders from showing the secret.
func (v Value) MarshalText() ([]byte, error) { return []byte(redacted), nil }
