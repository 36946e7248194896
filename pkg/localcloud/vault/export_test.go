package vault

import "time"

// SetNow sets the service's clock (tests of recovery windows).
func (s *Service) SetNow(now func() time.Time) { s.now = now }
