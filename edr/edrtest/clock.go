package edrtest

import (
	"sync"
	"time"
)

// Epoch is the instant a zero [Clock] starts at: 2026-01-01T00:00:00Z.
var Epoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Clock is a fake [edr.Clock] that moves only when a test moves it. Its
// zero value is ready to use and reads [Epoch]; [NewClock] starts it
// elsewhere. Now never moves on its own, so every timestamp the engine
// records under a Clock is predictable.
//
// A Clock is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
	set bool
}

// NewClock returns a clock that reads t.
func NewClock(t time.Time) *Clock { return &Clock{now: t, set: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if !c.set {
		c.now, c.set = Epoch, true
	}
	return c.now
}

// Advance moves the clock forward by d (back, if d is negative) and
// returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.nowLocked().Add(d)
	return c.now
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now, c.set = t, true
}
