package mode

import "fmt"

// Bool is a boolean that the platform may or may not have reported. The
// zero value is [Unset]: a property that older platforms do not print, or
// that the input did not include, is never read as false.
type Bool uint8

// The values of a Bool.
const (
	Unset Bool = iota // not reported
	False             // reported as false
	True              // reported as true
)

// BoolOf returns True or False.
func BoolOf(b bool) Bool {
	if b {
		return True
	}
	return False
}

// Known reports whether b was reported.
func (b Bool) Known() bool { return b == True || b == False }

// Value returns the boolean and whether it was reported.
func (b Bool) Value() (v, ok bool) { return b == True, b.Known() }

// String returns "true", "false" or "unset".
func (b Bool) String() string {
	switch b {
	case Unset:
		return "unset"
	case False:
		return "false"
	case True:
		return "true"
	}
	return fmt.Sprintf("Bool(%d)", uint8(b))
}

// MarshalJSON encodes True and False as JSON booleans and Unset as null.
func (b Bool) MarshalJSON() ([]byte, error) {
	switch b {
	case True:
		return []byte("true"), nil
	case False:
		return []byte("false"), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON accepts true, false and null.
func (b *Bool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true":
		*b = True
	case "false":
		*b = False
	case "null":
		*b = Unset
	default:
		return newParseError("", string(data), 0, fmt.Errorf("%w: expected true, false or null", ErrType))
	}
	return nil
}
