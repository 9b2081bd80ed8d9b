package mode

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors that the parsers in this package wrap. Use [errors.Is] to
// branch on them and [errors.As] with a [*ParseError] for the detail.
var (
	// ErrUnknownMode reports an AMRunningMode value that is not one of the
	// strings the platform prints.
	ErrUnknownMode = errors.New("mode: unknown running mode")
	// ErrInvalidVersion reports a version that is not four dot-separated
	// decimal numbers, each fitting in 32 bits.
	ErrInvalidVersion = errors.New("mode: invalid version")
	// ErrSyntax reports input that is not well-formed in the form it claims
	// to be (truncated or malformed JSON, a text line that is not
	// "Name : Value").
	ErrSyntax = errors.New("mode: malformed input")
	// ErrType reports a field whose value has the wrong type (a string where
	// a boolean belongs, a fraction where an integer belongs).
	ErrType = errors.New("mode: wrong type")
	// ErrRange reports an enumerated or integer field whose value is outside
	// the values the platform documents.
	ErrRange = errors.New("mode: value out of range")
	// ErrTooLarge reports input larger than the parser's limit.
	ErrTooLarge = errors.New("mode: input too large")
	// ErrFormat reports input that is none of the forms this package reads.
	ErrFormat = errors.New("mode: unrecognized input format")
	// ErrDuplicateField reports a property that appears twice in one object.
	ErrDuplicateField = errors.New("mode: duplicate field")
	// ErrMultipleObjects reports input that holds more than one device's
	// output (for example a JSON array of two objects, or a table of two
	// rows) where one was expected.
	ErrMultipleObjects = errors.New("mode: more than one object")
	// ErrTruncatedList reports a list that the console shortened (the
	// Format-List form shows at most $FormatEnumerationLimit items and then
	// "..."), so the full list cannot be known from this input.
	ErrTruncatedList = errors.New("mode: list truncated by the console")
	// ErrHiddenExclusions reports exclusion lists that the platform withheld
	// because Get-MpPreference did not run as an administrator.
	ErrHiddenExclusions = errors.New("mode: exclusions hidden (not run as administrator)")
)

// maxErrorValue bounds how much of an offending value a ParseError keeps, so
// that an error about a hostile 100 MB field stays small.
const maxErrorValue = 80

// ParseError describes a value that could not be parsed: which field (the
// platform's property name, when there is one), on which line of a text
// form (0 when not known), the offending value (shortened) and why.
type ParseError struct {
	Field string // platform property name, e.g. "AMProductVersion"; empty for the document as a whole
	Value string // the offending value, shortened to a few dozen characters
	Line  int    // 1-based line of the input (a text form, or where JSON broke); 0 when not known
	Err   error  // one of the sentinel errors, possibly wrapping a cause
}

func newParseError(field, value string, line int, err error) *ParseError {
	return &ParseError{Field: field, Value: shorten(value), Line: line, Err: err}
}

// Error implements the error interface.
func (e *ParseError) Error() string {
	msg := e.Err.Error()
	if e.Field != "" {
		msg += ": field " + e.Field
	}
	if e.Line > 0 {
		msg += " (line " + strconv.Itoa(e.Line) + ")"
	}
	if e.Value != "" {
		msg += fmt.Sprintf(": value %q", e.Value)
	}
	return msg
}

// Unwrap returns the underlying error, so errors.Is works with the
// sentinels.
func (e *ParseError) Unwrap() error { return e.Err }

func shorten(s string) string {
	if len(s) <= maxErrorValue {
		return s
	}
	// Cut on a rune boundary.
	cut := maxErrorValue
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
