package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// tableEvents holds the queued asynchronous invocations, keyed by the
// time they were accepted, so a restart finds every one not yet done.
const tableEvents = "lambda.events"

// Lambda's defaults for asynchronous invocation: two retries, after 1 and
// then 2 minutes, and an event kept at most 6 hours.
const (
	asyncRetries = 2
	asyncMaxAge  = 6 * time.Hour
)

// event is a queued asynchronous invocation.
type event struct {
	ID            string    `json:"id"`
	Function      string    `json:"function"`
	Qualifier     string    `json:"qualifier,omitempty"`
	Payload       []byte    `json:"payload"`
	ClientContext string    `json:"clientContext,omitempty"`
	TraceHeader   string    `json:"traceHeader,omitempty"`
	Enqueued      time.Time `json:"enqueued"`
	Due           time.Time `json:"due"`
	Attempts      int       `json:"attempts"`
}

// queue runs queued events: each when due, its retries after their delays.
type queue struct {
	s      *Service
	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	running map[string]bool

	ready     chan struct{} // closed once events may run
	readyOnce sync.Once
}

func startQueue(s *Service, held bool) *queue {
	q := &queue{s: s, wake: make(chan struct{}, 1), running: map[string]bool{}, ready: make(chan struct{})}
	if !held {
		q.release()
	}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	q.wg.Add(1)
	go q.loop()
	return q
}

// release lets the worker run events (WithEndpointFirst holds it).
func (q *queue) release() { q.readyOnce.Do(func() { close(q.ready) }) }

// close stops the worker; an event being run is stopped too and stays
// queued, to run again after a restart.
func (q *queue) close() {
	q.cancel()
	q.wg.Wait()
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// enqueue stores the event; it is accepted once this returns.
func (q *queue) enqueue(function, id string, in InvokeInput) error {
	now := time.Now().UTC()
	ev := event{ID: id, Function: function, Qualifier: in.Qualifier, Payload: in.Payload, ClientContext: in.ClientContext,
		TraceHeader: in.TraceHeader, Enqueued: now, Due: now}
	key := fmt.Sprintf("%020d-%s", now.UnixNano(), id)
	if err := q.s.store.Update(func(tx *localcloud.Tx) error { return tx.Put(tableEvents, key, ev) }); err != nil {
		return err
	}
	q.signal()
	return nil
}

func (q *queue) loop() {
	defer q.wg.Done()
	select {
	case <-q.ready:
	case <-q.ctx.Done():
		return
	}
	for {
		next := q.dispatch()
		var timer *time.Timer
		var due <-chan time.Time
		if !next.IsZero() {
			timer = time.NewTimer(time.Until(next))
			due = timer.C
		}
		select {
		case <-q.ctx.Done():
		case <-q.wake:
		case <-due:
		}
		if timer != nil {
			timer.Stop()
		}
		if q.ctx.Err() != nil {
			return
		}
	}
}

// dispatch starts every due event not already running and returns when
// the next one is due (zero: none queued).
func (q *queue) dispatch() time.Time {
	now := time.Now()
	var next time.Time
	type item struct {
		key string
		ev  event
	}
	var due []item
	err := q.s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableEvents, "", func(key string, raw []byte) error {
			var ev event
			if err := json.Unmarshal(raw, &ev); err != nil {
				return err
			}
			q.mu.Lock()
			running := q.running[key]
			q.mu.Unlock()
			switch {
			case running:
			case !ev.Due.After(now):
				due = append(due, item{key, ev})
			case next.IsZero() || ev.Due.Before(next):
				next = ev.Due
			}
			return nil
		})
	})
	if err != nil {
		q.s.opts.logf("lambda: reading the event queue: %v", err)
		return now.Add(time.Second)
	}
	for _, it := range due {
		q.mu.Lock()
		q.running[it.key] = true
		q.mu.Unlock()
		q.wg.Add(1)
		go q.run(it.key, it.ev)
	}
	return next
}

// run invokes one event and then deletes it, schedules its retry or drops
// it after the last.
func (q *queue) run(key string, ev event) {
	defer q.wg.Done()
	defer func() {
		q.mu.Lock()
		delete(q.running, key)
		q.mu.Unlock()
		q.signal()
	}()
	failure := ""
	rec, err := q.s.get(ev.Function, ev.Qualifier)
	if err != nil {
		q.finish(key, nil, "the function is gone: "+err.Error())
		return
	}
	out, err := q.s.invokeSync(q.ctx, rec, InvokeInput{Payload: ev.Payload, ClientContext: ev.ClientContext, TraceHeader: ev.TraceHeader}, ev.ID)
	if q.ctx.Err() != nil {
		return // stopped: the event stays queued
	}
	switch {
	case err != nil:
		failure = err.Error()
	case out.FunctionError != "":
		failure = string(out.Payload)
	default:
		q.finish(key, nil, "")
		return
	}
	ev.Attempts++
	scale := q.s.opts.timeScale
	maxAge := time.Duration(float64(asyncMaxAge) * scale)
	if ev.Attempts > asyncRetries || time.Since(ev.Enqueued) > maxAge {
		q.finish(key, nil, fmt.Sprintf("dropped the event %s of %s after %d attempts: %s", ev.ID, ev.Function, ev.Attempts, failure))
		return
	}
	ev.Due = time.Now().UTC().Add(time.Duration(float64(time.Duration(ev.Attempts)*time.Minute) * scale))
	q.finish(key, &ev, "")
}

// finish deletes the event, or stores it again with its retry; note is
// logged.
func (q *queue) finish(key string, retry *event, note string) {
	err := q.s.store.Update(func(tx *localcloud.Tx) error {
		if retry != nil {
			return tx.Put(tableEvents, key, retry)
		}
		return tx.Delete(tableEvents, key)
	})
	if err != nil {
		q.s.opts.logf("lambda: the event queue: %v", err)
	}
	if note != "" {
		q.s.opts.logf("lambda: %s", note)
	}
}

// QueuedEvents is how many asynchronous invocations are queued, waiting
// or being retried.
func (s *Service) QueuedEvents() (int, error) {
	n := 0
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableEvents, "", func(string, []byte) error { n++; return nil })
	})
	return n, err
}

func (o *options) logf(format string, args ...any) {
	if o.logger != nil {
		o.logger.Printf(format, args...)
	}
}
