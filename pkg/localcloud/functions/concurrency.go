package functions

import (
	"context"
	"encoding/json"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Concurrency is a function's reserved concurrency as Lambda returns it.
type Concurrency struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

// minUnreserved is the concurrency Lambda keeps for functions with no
// reservation of their own.
const minUnreserved = 100

// PutFunctionConcurrency reserves n concurrent executions for a function:
// at most n run at once, and the rest of the account cannot take them.
func (s *Service) PutFunctionConcurrency(_ context.Context, function string, n *int) (*Concurrency, error) {
	if n == nil {
		return nil, (&validation{"Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null"}).err()
	}
	var v validation
	v.between(*n, "reservedConcurrentExecutions", 0, 1<<31-1)
	if err := v.err(); err != nil {
		return nil, err
	}
	name, q, err := s.resolve(function, patFunctionName, 140)
	if err != nil {
		return nil, err
	}
	if q != "" {
		return nil, invalidParameter("Unsupported function name: reserved concurrency is set on a function, not on a version or alias.")
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		others := 0
		var rec record
		found := false
		err := tx.Scan(tableFunctions, "", func(key string, raw []byte) error {
			var r record
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			if key == name {
				rec, found = r, true
			} else if r.Reserved != nil {
				others += *r.Reserved
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !found {
			return s.notFoundErr(name, "")
		}
		if s.opts.account-others-*n < minUnreserved {
			return invalidParameter("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
		}
		rec.Reserved = n
		return tx.Put(tableFunctions, name, rec)
	})
	if err != nil {
		return nil, err
	}
	return &Concurrency{ReservedConcurrentExecutions: n}, nil
}

// GetFunctionConcurrency returns a function's reserved concurrency; none
// reserved is an empty answer.
func (s *Service) GetFunctionConcurrency(_ context.Context, function string) (*Concurrency, error) {
	rec, err := s.get(function, "")
	if err != nil {
		return nil, err
	}
	return &Concurrency{ReservedConcurrentExecutions: rec.Reserved}, nil
}

// DeleteFunctionConcurrency removes a function's reservation.
func (s *Service) DeleteFunctionConcurrency(_ context.Context, function string) error {
	_, err := s.change(function, "", touchNone, func(_ *localcloud.Tx, rec *record) error {
		rec.Reserved = nil
		return nil
	})
	return err
}
