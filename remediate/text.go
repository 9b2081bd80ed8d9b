package remediate

import (
	"fmt"

	"github.com/blockmode/blockmode/internal/enum"
)

// The UnmarshalText methods make a Decision's JSON form read back into the
// same Decision, so that a stored action record (edr.Record) can be
// decoded: each accepts exactly the name its String/MarshalText writes.

// UnmarshalText implements [encoding.TextUnmarshaler].
func (v *Verdict) UnmarshalText(b []byte) error {
	return unmarshalName(verdictNames[:], "verdict", b, v)
}

// UnmarshalText implements [encoding.TextUnmarshaler].
func (k *ActionKind) UnmarshalText(b []byte) error {
	return unmarshalName(actionNames[:], "action", b, k)
}

// UnmarshalText implements [encoding.TextUnmarshaler].
func (o *ItemOutcome) UnmarshalText(b []byte) error {
	return unmarshalName(itemOutcomeNames[:], "item outcome", b, o)
}

// unmarshalName sets *dst to the value named b (the zero value has no
// name).
func unmarshalName[T ~uint8](names []string, what string, b []byte, dst *T) error {
	v, ok := enum.Parse[T](string(b), names)
	if !ok {
		return fmt.Errorf("remediate: unknown %s %q", what, b)
	}
	*dst = v
	return nil
}
