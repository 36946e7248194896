package standin

import (
	"net/http"
	"sync/atomic"
)

// DefaultFailures is how many requests Status answers 500 before it
// answers 200.
const DefaultFailures = 2

// Status stands in for the endpoint the retry-on-500 workflow polls: it
// answers any GET with 500 for the first requests (DefaultFailures, or
// what Fail set; negative never fails), then 200. The count is global,
// not per path, because the status checker asks one fixed URL; Reset
// starts it over. It is safe for concurrent use.
type Status struct {
	recorder
	failures atomic.Int64 // 0: DefaultFailures
	served   atomic.Int64
}

// Fail makes the next n requests answer 500 (n < 0: none), counting
// from now.
func (s *Status) Fail(n int) {
	if n == 0 {
		n = -1
	}
	s.failures.Store(int64(n))
	s.Reset()
}

// Reset makes the next requests fail again, as the first ones did.
func (s *Status) Reset() { s.served.Store(0) }

func (s *Status) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, func(r *http.Request, _ []byte) reply {
		failures := s.failures.Load()
		if failures == 0 {
			failures = DefaultFailures
		}
		if n := s.served.Add(1); n <= failures {
			return jsonReply(http.StatusInternalServerError, []byte(`{"status":"unavailable"}`))
		}
		return jsonReply(http.StatusOK, []byte(`{"status":"ok"}`))
	})
}
