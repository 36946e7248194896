package states

import (
	"context"
	"sync"
	"time"
)

// Clock is where an execution reads the time and waits: Wait states, retry
// intervals, task timeouts and the history's timestamps all go through it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// WaitUntil returns at t, or earlier with ctx's error when ctx ends.
	WaitUntil(ctx context.Context, t time.Time) error
}

// RealClock is the wall clock; Scale > 0 divides every wait by it (1000
// makes a machine's long Waits a thousand times shorter), 0 or 1 is real
// time. Now is never scaled.
type RealClock struct {
	Scale float64
}

// NewScaledClock is the local cloud's time-scale setting: real time, in
// which every wait (Wait states, retry intervals) takes scale times its
// length, while timeouts (a task's, the machine's), which bound real work,
// stay real, so 0.001 makes a 10 s Wait take 10 ms. History
// timestamps stay real. A wait whose end has passed (a resumed execution's
// Wait that ended while nothing ran it) returns at once. A scale <= 0 or 1
// is real time.
func NewScaledClock(scale float64) Clock {
	if scale <= 0 || scale == 1 {
		return RealClock{}
	}
	return RealClock{Scale: 1 / scale}
}

// Now returns time.Now.
func (c RealClock) Now() time.Time { return time.Now() }

// WaitUntil sleeps until t (scaled) or until ctx ends.
func (c RealClock) WaitUntil(ctx context.Context, t time.Time) error {
	d := c.scaled(time.Until(t))
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// VirtualClock is time that moves only when something waits: WaitUntil
// jumps the clock forward at once, so a machine's Waits and retry intervals
// cost nothing and tests can assert how much time they would have taken.
// It is safe for concurrent use; concurrent waiters (Parallel branches, Map
// iterations) each move it to at least their own deadline.
type VirtualClock struct {
	mu  sync.Mutex
	now time.Time
	// alarms are the waits that must not move the clock themselves (a
	// callback task waiting for its token): each fires once the clock
	// reaches its time, through Advance or another waiter's jump.
	alarms map[*alarm]struct{}
}

type alarm struct {
	at time.Time
	ch chan struct{}
}

// NewVirtualClock returns a virtual clock reading start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start} }

// Now returns the virtual time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// WaitUntil moves the clock to t if t is later, and returns at once.
func (c *VirtualClock) WaitUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
		c.ring()
	}
	return nil
}

// Advance moves the clock forward by d.
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.ring()
}

// ring fires the alarms due; c.mu is held.
func (c *VirtualClock) ring() {
	for a := range c.alarms {
		if !c.now.Before(a.at) {
			close(a.ch)
			delete(c.alarms, a)
		}
	}
}

// alarmClock is a clock that can signal a time without waiting for it, so a
// state can wait for either that time or something else (a task token's
// completion). On a VirtualClock the alarm does not move time: a callback
// task's timeout comes when the test advances the clock, not at once.
type alarmClock interface {
	alarmAt(t time.Time) (fired <-chan struct{}, stop func())
}

func (c *VirtualClock) alarmAt(t time.Time) (<-chan struct{}, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := &alarm{at: t, ch: make(chan struct{})}
	if !c.now.Before(t) {
		close(a.ch)
		return a.ch, func() {}
	}
	if c.alarms == nil {
		c.alarms = map[*alarm]struct{}{}
	}
	c.alarms[a] = struct{}{}
	return a.ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.alarms, a)
	}
}

func (c RealClock) alarmAt(t time.Time) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	timer := time.AfterFunc(c.scaled(time.Until(t)), func() { close(ch) })
	return ch, func() { timer.Stop() }
}

// alarmAt signals t on any clock: through alarmClock when cl has it,
// otherwise by a WaitUntil of its own (which, on a clock that jumps, fires
// at once).
func alarmAt(cl Clock, t time.Time) (<-chan struct{}, func()) {
	if ac, ok := cl.(alarmClock); ok {
		return ac.alarmAt(t)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan struct{})
	go func() {
		if cl.WaitUntil(ctx, t) == nil {
			close(ch)
		}
	}()
	return ch, cancel
}
