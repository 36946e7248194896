package keys

import "time"

// SetNow sets the service's clock (tests of deletion windows).
func (s *Service) SetNow(now func() time.Time) { s.now = now }
