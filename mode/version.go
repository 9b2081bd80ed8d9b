package mode

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a four-part version number as the platform prints it, for
// example the antimalware platform version AMProductVersion "4.18.2001.10"
// or the engine version AMEngineVersion "1.1.16700.2".
//
// The zero Version means "not reported"; no real platform or engine has
// version 0.0.0.0. Versions are comparable with == and ordered by
// [Version.Compare].
type Version struct {
	Major, Minor, Build, Revision uint32
}

// ParseVersion parses a version of exactly four dot-separated decimal
// numbers ("4.18.2001.10"). Surrounding white space is ignored. Anything
// else (fewer or more parts, signs, empty parts, numbers that do not fit in
// 32 bits) is a [*ParseError] wrapping [ErrInvalidVersion].
func ParseVersion(s string) (Version, error) {
	v, err := parseVersion(s)
	if err != nil {
		return Version{}, newParseError("", s, 0, fmt.Errorf("%w: %s", ErrInvalidVersion, err))
	}
	return v, nil
}

// MustParseVersion is like [ParseVersion] but panics on error. It is meant
// for constants in programs and tests, not for input.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// errVersionReason is the detail inside ErrInvalidVersion errors.
type errVersionReason string

func (e errVersionReason) Error() string { return string(e) }

func parseVersion(s string) (Version, error) {
	s = strings.TrimSpace(s)
	var parts [4]uint32
	n := 0
	for {
		if n == 4 {
			return Version{}, errVersionReason("more than four parts")
		}
		dot := strings.IndexByte(s, '.')
		field := s
		if dot >= 0 {
			field = s[:dot]
		}
		if field == "" {
			return Version{}, errVersionReason("empty part")
		}
		for j := 0; j < len(field); j++ {
			if field[j] < '0' || field[j] > '9' {
				return Version{}, errVersionReason("part is not a decimal number")
			}
		}
		x, err := strconv.ParseUint(field, 10, 32)
		if err != nil {
			return Version{}, errVersionReason("part does not fit in 32 bits")
		}
		parts[n] = uint32(x)
		n++
		if dot < 0 {
			break
		}
		s = s[dot+1:]
	}
	if n != 4 {
		return Version{}, errVersionReason("fewer than four parts")
	}
	return Version{parts[0], parts[1], parts[2], parts[3]}, nil
}

// String returns the dotted form, "4.18.2001.10".
func (v Version) String() string {
	var b [43]byte
	out := strconv.AppendUint(b[:0], uint64(v.Major), 10)
	out = append(out, '.')
	out = strconv.AppendUint(out, uint64(v.Minor), 10)
	out = append(out, '.')
	out = strconv.AppendUint(out, uint64(v.Build), 10)
	out = append(out, '.')
	out = strconv.AppendUint(out, uint64(v.Revision), 10)
	return string(out)
}

// IsZero reports whether v is the zero Version, which means "not reported".
func (v Version) IsZero() bool { return v == Version{} }

// Compare returns -1 if v is older than w, 0 if they are equal and +1 if v
// is newer, comparing the parts from the left as numbers (so 4.18.23110.3 is
// newer than 4.18.2001.10).
func (v Version) Compare(w Version) int {
	for _, d := range [4][2]uint32{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Build, w.Build}, {v.Revision, w.Revision}} {
		switch {
		case d[0] < d[1]:
			return -1
		case d[0] > d[1]:
			return 1
		}
	}
	return 0
}

// AtLeast reports whether v is min or newer.
func (v Version) AtLeast(min Version) bool { return v.Compare(min) >= 0 }

// MarshalText implements [encoding.TextMarshaler]; the zero Version
// marshals to the empty string.
func (v Version) MarshalText() ([]byte, error) {
	if v.IsZero() {
		return []byte{}, nil
	}
	return []byte(v.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]; the empty string
// gives the zero Version.
func (v *Version) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*v = Version{}
		return nil
	}
	p, err := ParseVersion(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}
