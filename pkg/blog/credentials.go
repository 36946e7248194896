package blog

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/stepforge/stepforge/pkg/secrets"
)

// SecretReader reads a JSON secret and drops a cached one; *secrets.Cache
// satisfies it.
type SecretReader interface {
	JSON(ctx context.Context, id string, v any) error
	Forget(id string)
}

// Secret is the JSON shape of a platform's credentials: Missing names a
// required field the secret leaves empty, or returns "".
type Secret interface {
	Missing() string
}

// Credentials reads a platform's credentials from a JSON secret. Whenever
// they prove unusable it drops the cached secret, so that a corrected or
// rotated one is read on the next attempt rather than when the cache expires.
type Credentials struct {
	// Platform names the platform in errors, such as "Dev.to".
	Platform string
	SecretID string
	Secrets  SecretReader
}

// Read decodes the secret into v. A secret without a required field is
// secrets.Malformed, naming the field and never a value.
func (c Credentials) Read(ctx context.Context, v Secret) error {
	if err := c.Secrets.JSON(ctx, c.SecretID, v); err != nil {
		var missing *types.ResourceNotFoundException
		if errors.As(err, &missing) {
			return &NotConfigured{Platform: c.Platform, Reason: fmt.Sprintf("secret %q does not exist; create it to publish to %s", c.SecretID, c.Platform)}
		}
		return fmt.Errorf("read %s credentials: %w", c.Platform, err)
	}
	if field := v.Missing(); field != "" {
		c.Forget()
		return &secrets.Malformed{ID: c.SecretID, Reason: field + " is empty"}
	}
	return nil
}

// NotConfigured reports a platform the stack was not given credentials for:
// its secret does not exist. A publisher turns it into a skipped Result
// with Skip, so that not using a platform is not a failure.
type NotConfigured struct {
	Platform string
	Reason   string
}

func (e *NotConfigured) Error() string { return e.Platform + " is not configured: " + e.Reason }

// Skip returns a skipped Result for platform when err is NotConfigured, and
// err unchanged otherwise.
func Skip(platform string, err error) (Result, error) {
	var nc *NotConfigured
	if errors.As(err, &nc) {
		return Result{Platform: platform, Action: ActionSkipped, Skipped: true, Reason: nc.Error()}, nil
	}
	return Result{}, err
}

// Forget drops the cached secret.
func (c Credentials) Forget() { c.Secrets.Forget(c.SecretID) }

// ForgetIfRefused drops the cached secret when err is the platform refusing
// the credentials, and reports whether it did.
func (c Credentials) ForgetIfRefused(err error) bool {
	if !IsCredentialRefused(err) {
		return false
	}
	c.Forget()
	return true
}

// IsCredentialRefused reports whether err is a platform refusing the
// credentials sent (HTTP 401 or 403), which may have been rotated since they
// were read.
func IsCredentialRefused(err error) bool {
	var rej *PlatformRejected
	return errors.As(err, &rej) && (rej.Status == http.StatusUnauthorized || rej.Status == http.StatusForbidden)
}
