package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// EventBridge's default retry policy: 24 hours, 185 attempts.
const (
	defaultRetries = 185
	defaultMaxAge  = 24 * time.Hour
	maxBackoff     = 5 * time.Minute
)

// delivery is one event on its way to one target of one rule.
type delivery struct {
	Region   string
	RuleArn  string
	RuleName string
	Target   Target
	Event    json.RawMessage
	Ingested time.Time
	Attempts int
	NextAt   time.Time
}

// permanent marks a failure no retry can mend (a target type the local
// cloud does not deliver to, a role that may not act).
type permanent struct{ error }

func (s *Service) run() {
	defer close(s.done)
	for {
		next := s.step()
		var timer <-chan time.Time
		var t *time.Timer
		if !next.IsZero() {
			t = time.NewTimer(time.Until(next))
			timer = t.C
		}
		select {
		case <-s.stop:
			return
		case <-s.wake:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
	}
}

func (s *Service) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// step fans the queued events out to the targets of the rules they
// match, then attempts the deliveries that are due; it returns when the
// next retry is due (zero: none waiting).
func (s *Service) step() time.Time {
	if err := s.fanOut(); err != nil {
		s.log.Error("EventBridge: matching queued events failed", slog.String("error", err.Error()))
	}
	var due []string
	var next time.Time
	now := time.Now()
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableDeliveries, "", func(k string, raw []byte) error {
			var d delivery
			if err := json.Unmarshal(raw, &d); err != nil {
				return err
			}
			if !d.NextAt.After(now) {
				due = append(due, k)
			} else if next.IsZero() || d.NextAt.Before(next) {
				next = d.NextAt
			}
			return nil
		})
	})
	if err != nil {
		// A closed or broken store: wait for the next event rather than spin.
		s.log.Error("EventBridge: reading deliveries failed", slog.String("error", err.Error()))
		return time.Time{}
	}
	for _, k := range due {
		if s.stopped() {
			return time.Time{}
		}
		if at := s.attempt(k); !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// fanOut turns each queued event into one delivery per target of each
// enabled rule of its bus that it matches, in the transaction that takes
// it off the queue: a restart never matches an event twice.
func (s *Service) fanOut() error {
	var keys []string
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableQueue, "", func(k string, _ []byte) error { keys = append(keys, k); return nil })
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		err := s.store.Update(func(tx *localcloud.Tx) error {
			var q queued
			found, err := tx.Get(tableQueue, k, &q)
			if err != nil || !found {
				return err
			}
			if err := tx.Delete(tableQueue, k); err != nil {
				return err
			}
			ev, err := decodeEvent(q.Event)
			if err != nil {
				s.log.Warn("EventBridge: dropping an event that is not a JSON object", slog.String("key", k))
				return nil
			}
			base := busKey(q.Region, q.Bus) + "/"
			var ds []delivery
			err = tx.Scan(tableRules, base, func(rk string, raw []byte) error {
				var r Rule
				if strings.Contains(strings.TrimPrefix(rk, base), "/") || json.Unmarshal(raw, &r) != nil {
					return nil
				}
				if r.State == "DISABLED" || r.EventPattern == "" || len(r.Targets) == 0 {
					return nil
				}
				p, err := compilePattern(r.EventPattern)
				if err != nil || !p.match([]any{ev}) {
					return nil
				}
				for _, t := range r.Targets {
					ds = append(ds, delivery{Region: q.Region, RuleArn: r.Arn, RuleName: r.Name, Target: t,
						Event: q.Event, Ingested: q.Ingested, NextAt: time.Now()})
				}
				return nil
			})
			if err != nil {
				return err
			}
			for i := range ds {
				if err := tx.Put(tableDeliveries, k+"/"+ds[i].RuleName+"/"+ds[i].Target.Id, &ds[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// attempt delivers one due delivery; on failure it schedules the retry
// (returning when it is due) or drops the event as the retry policy says.
func (s *Service) attempt(key string) time.Time {
	var d delivery
	err := s.store.View(func(tx *localcloud.Tx) error {
		found, err := tx.Get(tableDeliveries, key, &d)
		if err == nil && !found {
			err = errors.New("gone")
		}
		return err
	})
	if err != nil {
		return time.Time{}
	}
	derr := s.deliver(context.Background(), &d)
	d.Attempts++
	var next time.Time
	if derr != nil {
		next = s.retryAt(&d, derr)
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if next.IsZero() {
			return tx.Delete(tableDeliveries, key)
		}
		d.NextAt = next
		return tx.Put(tableDeliveries, key, &d)
	})
	if err != nil {
		s.log.Error("EventBridge: recording a delivery failed", slog.String("error", err.Error()))
	}
	return next
}

// retryAt is when a failed delivery is tried again: exponential backoff
// from one second up to five minutes (in EventBridge's time, scaled), or
// zero when the policy's attempts or event age are spent.
func (s *Service) retryAt(d *delivery, derr error) time.Time {
	retries, maxAge := defaultRetries, defaultMaxAge
	if rp := d.Target.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil {
			retries = *rp.MaximumRetryAttempts
		}
		if rp.MaximumEventAgeInSeconds != nil {
			maxAge = time.Duration(*rp.MaximumEventAgeInSeconds) * time.Second
		}
	}
	backoff := maxBackoff
	if d.Attempts < 10 {
		backoff = min(time.Second<<(d.Attempts-1), maxBackoff)
	}
	next := time.Now().Add(s.scaled(backoff))
	var perm permanent
	age := time.Duration(float64(next.Sub(d.Ingested)) / s.scale)
	if errors.As(derr, &perm) || d.Attempts > retries || age > maxAge {
		attrs := []any{slog.String("rule", d.RuleArn), slog.String("target", d.Target.Arn),
			slog.Int("attempts", d.Attempts), slog.String("error", derr.Error())}
		if dlq := d.Target.DeadLetterConfig; dlq != nil && dlq.Arn != "" {
			s.log.Error("EventBridge: event not delivered; its dead-letter queue is not emulated (the local cloud has no SQS), so it is dropped",
				append(attrs, slog.String("deadLetterQueue", dlq.Arn), slog.String("event", string(d.Event)))...)
		} else {
			s.log.Error("EventBridge: event not delivered, dropped", attrs...)
		}
		return time.Time{}
	}
	s.log.Warn("EventBridge: delivery failed, retrying", slog.String("rule", d.RuleArn), slog.String("target", d.Target.Arn),
		slog.Int("attempts", d.Attempts), slog.String("error", derr.Error()))
	return next
}

func arnParts(arn string) (service, region, resource string) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 {
		return "", "", ""
	}
	return p[2], p[3], p[5]
}

// deliver sends one event to one target with the target's input.
func (s *Service) deliver(ctx context.Context, d *delivery) error {
	t := &d.Target
	input, err := targetInput(t, d)
	if err != nil {
		return permanent{err}
	}
	service, region, resource := arnParts(t.Arn)
	if region == "" {
		region = d.Region
	}
	switch {
	case service == "states" && strings.HasPrefix(resource, "stateMachine:") && s.sfn != nil:
		if t.RoleArn == "" {
			return permanent{fmt.Errorf("target %s names no RoleArn to start executions with", t.Id)}
		}
		if s.authz != nil {
			if err := s.authz.Authorize(ctx, t.RoleArn, "states:StartExecution", t.Arn); err != nil {
				return permanent{err}
			}
		}
		return s.sfn.StartExecution(ctx, region, t.Arn, string(input))
	case service == "lambda" && strings.HasPrefix(resource, "function:") && s.lambda != nil:
		if lp, ok := s.lambda.(LambdaPermissions); ok {
			allowed, err := lp.AllowsInvoke(ctx, region, t.Arn, "events.amazonaws.com", d.RuleArn)
			if err != nil {
				return err
			}
			if !allowed {
				return permanent{fmt.Errorf("the resource policy of %s does not allow events.amazonaws.com to invoke it for %s", t.Arn, d.RuleArn)}
			}
		}
		return s.lambda.InvokeAsync(ctx, region, t.Arn, input)
	case service == "sns" && s.sns != nil:
		return s.sns.Publish(ctx, region, t.Arn, string(input))
	}
	return permanent{fmt.Errorf("the local cloud does not deliver to %s targets (%s)", targetKind(service), t.Arn)}
}

func targetKind(service string) string {
	if service == "" {
		return "this kind of"
	}
	return service
}
