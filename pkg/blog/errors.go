package blog

import (
	"fmt"
	"time"
)

// RateLimited reports a platform answering 429. It is retryable: the state
// machine's Retry names it.
type RateLimited struct {
	Platform   string
	RetryAfter time.Duration
}

func (e *RateLimited) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%s rate-limited the request; retry after %s", e.Platform, e.RetryAfter)
	}
	return e.Platform + " rate-limited the request"
}

// PlatformUnavailable reports a platform answering 5xx or not answering at
// all (Status 0). It is retryable.
type PlatformUnavailable struct {
	Platform string
	Status   int
	Reason   string
	// NotSent is true when the request certainly never reached the platform
	// (refused, unresolvable, or no time left to send it), so repeating it
	// cannot make a duplicate.
	NotSent bool `json:"-"`
}

func (e *PlatformUnavailable) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s is unreachable: %s", e.Platform, e.Reason)
	}
	return fmt.Sprintf("%s is unavailable (HTTP %d): %s", e.Platform, e.Status, e.Reason)
}

// PlatformRejected reports a platform refusing the request with a 4xx (bad
// credentials, invalid article, ...). Retrying cannot help.
type PlatformRejected struct {
	Platform string
	Status   int
	Reason   string
}

func (e *PlatformRejected) Error() string {
	return fmt.Sprintf("%s rejected the request (HTTP %d): %s", e.Platform, e.Status, e.Reason)
}
