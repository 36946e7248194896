package standin

import (
	"net/http"
	"sync/atomic"
)

// DefaultFailures is how many requests Status answers 500 before it
// answers 200.
const DefaultFailures = 2

// Status stands in for the endpoint the retry-on-500 workflow polls: it
// answers any GET with 500 for the first Failures requests (DefaultFailures
// when zero; negative never fails), then 200. The count is global, not per
// path, because the status checker asks one fixed URL; Reset starts it over.
type Status struct {
	recorder
	Failures int
	served   atomic.Int64
}

// Reset makes the next requests fail again, as the first ones did.
func (s *Status) Reset() { s.served.Store(0) }

func (s *Status) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, func(r *http.Request, _ []byte) reply {
		failures := int64(s.Failures)
		if failures == 0 {
			failures = DefaultFailures
		}
		if n := s.served.Add(1); n <= failures {
			return jsonReply(http.StatusInternalServerError, []byte(`{"status":"unavailable"}`))
		}
		return jsonReply(http.StatusOK, []byte(`{"status":"ok"}`))
	})
}
