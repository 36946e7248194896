package identity

import "time"

// SetNow sets the service's clock, for tests that move time.
func SetNow(s *Service, now func() time.Time) { s.now = now }
