// Package enum holds the name-table helpers shared by the SDK's small
// enumerations (running modes, record statuses, verdicts, ...): each is a
// uint8 whose names sit in a table indexed by value. It is internal: the
// enumerations' own String, MarshalText and UnmarshalText methods are the
// API.
package enum

import (
	"fmt"
	"strconv"
)

// Name returns names[v], or "typ(v)" when v has no name: out of the
// table, or an empty entry (used for a zero value that is not a value).
func Name[E ~uint8](v E, typ string, names []string) string {
	if int(v) < len(names) && names[v] != "" {
		return names[v]
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}

// Parse returns the value whose name is text, exactly; empty entries never
// match.
func Parse[E ~uint8](text string, names []string) (E, bool) {
	for i, n := range names {
		if n != "" && n == text {
			return E(i), true
		}
	}
	return 0, false
}

// Text returns names[v] for a MarshalText method, and an error when v has
// no name: text that UnmarshalText would refuse is never written, so that
// a value that cannot be read back is caught where it is written.
func Text[E ~uint8](v E, typ string, names []string) ([]byte, error) {
	if int(v) < len(names) && names[v] != "" {
		return []byte(names[v]), nil
	}
	return nil, fmt.Errorf("invalid %s %d", typ, uint8(v))
}
