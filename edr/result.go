package edr

import (
	"fmt"

	"github.com/blockmode/blockmode/internal/enum"
)

// Result is the outcome of one eligibility check. The zero value is
// [Unknown]: a fact that was not given is never a pass.
type Result uint8

// The results.
const (
	Unknown Result = iota // the fact needed was not given or could not be read
	Pass                  // the requirement is met
	Fail                  // the requirement is not met
)

var resultNames = [...]string{"unknown", "pass", "fail"}

// String returns "pass", "fail" or "unknown".
func (r Result) String() string {
	return enum.Name(r, "Result", resultNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (r Result) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (r *Result) UnmarshalText(b []byte) error {
	v, ok := enum.Parse[Result](string(b), resultNames[:])
	if !ok {
		return fmt.Errorf("edr: unknown result %q", b)
	}
	*r = v
	return nil
}

// and combines results: any Fail fails, otherwise any Unknown is unknown,
// otherwise pass.
func and(rs ...Result) Result {
	out := Pass
	for _, r := range rs {
		switch r {
		case Fail:
			return Fail
		case Unknown:
			out = Unknown
		}
	}
	return out
}
