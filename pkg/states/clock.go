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

// RealClock is the wall clock; Scale > 1 makes every wait that many times
// shorter (a local run of a machine with long Waits), 0 or 1 is real time.
type RealClock struct {
	Scale float64
}

// Now returns time.Now.
func (c RealClock) Now() time.Time { return time.Now() }

// WaitUntil sleeps until t (scaled) or until ctx ends.
func (c RealClock) WaitUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if c.Scale > 1 {
		d = time.Duration(float64(d) / c.Scale)
	}
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
	}
	return nil
}

// Advance moves the clock forward by d.
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
