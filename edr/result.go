package edr

import "fmt"

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
	if int(r) < len(resultNames) {
		return resultNames[r]
	}
	return fmt.Sprintf("Result(%d)", uint8(r))
}

// MarshalText implements [encoding.TextMarshaler].
func (r Result) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (r *Result) UnmarshalText(b []byte) error {
	for i, n := range resultNames {
		if string(b) == n {
			*r = Result(i)
			return nil
		}
	}
	return fmt.Errorf("edr: unknown result %q", b)
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
