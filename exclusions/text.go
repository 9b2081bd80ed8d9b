package exclusions

import (
	"encoding/json"
	"fmt"
	"slices"
)

// UnmarshalText implements [encoding.TextUnmarshaler]: it reads the names
// MarshalText writes ("ExclusionPath", or "" for the zero Kind), so that a
// [Rule] in a stored decision reads back.
func (k *Kind) UnmarshalText(b []byte) error {
	for _, c := range []Kind{0, ExclusionPath, ExclusionExtension, ExclusionProcess} {
		if c.String() == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("exclusions: unknown exclusion list %q", b)
}

// UnmarshalJSON reads the array of names MarshalJSON writes; null leaves n
// unchanged.
func (n *Notes) UnmarshalJSON(b []byte) error {
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return fmt.Errorf("exclusions: notes: %w", err)
	}
	if names == nil {
		return nil
	}
	var out Notes
	for _, name := range names {
		i := slices.Index(noteNames[:], name)
		if i < 0 {
			return fmt.Errorf("exclusions: unknown note %q", name)
		}
		out |= 1 << i
	}
	*n = out
	return nil
}
