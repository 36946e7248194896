package topics

import (
	"context"
	"time"
)

// DeliverDue makes every due delivery once, as the worker's loop does,
// and returns when the next one is due.
func (s *Service) DeliverDue(ctx context.Context) (time.Time, error) { return s.deliverDue(ctx) }

// SetNow gives the service a clock of the test's.
func (s *Service) SetNow(now func() time.Time) { s.now = now }

// RetryDelay is the wait before retry n of a protocol's policy.
func RetryDelay(protocol string, n int) (time.Duration, bool) {
	return retryPolicyFor(protocol).delay(n)
}

// FilterAccepts applies a subscription's filter attributes to m.
func FilterAccepts(subAttrs map[string]string, m *Message) bool { return filterAccepts(subAttrs, m) }
