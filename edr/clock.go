package edr

import "time"

// Clock tells the time. The engine reads every timestamp it records from
// its Clock; a nil Clock in Config means the real clock. edrtest provides a
// fake one that tests advance by hand.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

// Now returns the wall time without the monotonic reading, so that
// records order and compare the same in memory and once stored.
func (realClock) Now() time.Time { return time.Now().Round(0) }
