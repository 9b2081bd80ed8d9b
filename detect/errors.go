package detect

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Use [errors.Is] to branch on them and [errors.As] with
// [*FieldError], [*LineError] or [*StreamError] for the detail.
var (
	// ErrSyntax reports a record that is not well-formed JSON. The
	// *json.SyntaxError with the byte offset is wrapped beside it.
	ErrSyntax = errors.New("detect: malformed JSON")
	// ErrNotObject reports a record that is well-formed JSON but not an
	// object (a number, a string, an array, null).
	ErrNotObject = errors.New("detect: record is not a JSON object")
	// ErrMissingField reports a required property that is absent, null or
	// empty: an alert's "id", an evidence item's "@odata.type".
	ErrMissingField = errors.New("detect: required field missing")
	// ErrType reports a property whose JSON type is not the documented one
	// (a number where a string belongs, an object where an array belongs).
	ErrType = errors.New("detect: wrong JSON type")
	// ErrValue reports a property of the right JSON type whose value cannot
	// be read: a timestamp that is not ISO 8601, an integer that is a
	// fraction or overflows 64 bits. The parse error is wrapped beside it.
	ErrValue = errors.New("detect: invalid value")
	// ErrTooLong reports a record (a JSON line, or an element of a JSON
	// array) longer than [Options.MaxRecordBytes]. It is skipped whole and
	// the stream goes on.
	ErrTooLong = errors.New("detect: record too long")
	// ErrEncoding reports input that is not UTF-8 (it starts with a UTF-16
	// byte order mark, as Windows PowerShell's Out-File writes by default).
	ErrEncoding = errors.New("detect: input is not UTF-8")
)

// maxErrorValue bounds how much of an offending value a FieldError keeps, so
// an error about a hostile 100 MB property stays small.
const maxErrorValue = 64

// FieldError describes a property that is missing or cannot be read. Field
// is the JSON path from the alert object, in Graph's property names, e.g.
// "id", "createdDateTime", "evidence[2].imageFile.fileSize".
type FieldError struct {
	Field string // JSON path of the property, e.g. "evidence[1].processId"
	Value string // the offending raw JSON value, shortened; "" when missing
	Err   error  // ErrMissingField, ErrType or ErrValue (which may wrap a cause)
}

func newFieldError(field string, raw []byte, err error) *FieldError {
	v := string(raw)
	if len(v) > maxErrorValue {
		v = v[:maxErrorValue] + "..."
	}
	return &FieldError{Field: field, Value: v, Err: err}
}

// Error implements the error interface.
// The form is "detect: field evidence[1].processId: invalid value: ...
// (value "1.5")".
func (e *FieldError) Error() string {
	msg := "detect: field " + e.Field + ": " + strings.TrimPrefix(e.Err.Error(), "detect: ")
	if e.Value != "" {
		msg += " (value " + strconv.Quote(e.Value) + ")"
	}
	return msg
}

// Unwrap returns the underlying error, so errors.Is works with the
// sentinels.
func (e *FieldError) Unwrap() error { return e.Err }

// prefix makes err's field path relative to the enclosing property seg:
// "fileSize" becomes "imageFile.fileSize", "processId" becomes
// "evidence[1].processId". Errors of other types are returned unchanged.
func prefix(seg string, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		if fe.Field == "" {
			fe.Field = seg
		} else if fe.Field[0] == '[' {
			fe.Field = seg + fe.Field
		} else {
			fe.Field = seg + "." + fe.Field
		}
	}
	return err
}

// LineError reports one bad record in a stream: the line it starts on and
// why it was rejected. The record is skipped; [Decoder.Next] goes on with the
// next one.
//
// Err is one of: an error wrapping [ErrSyntax] (and the *json.SyntaxError),
// [ErrNotObject], [ErrTooLong], or a [*FieldError].
type LineError struct {
	Line int   // 1-based line of the input on which the record starts
	Err  error // why the record was rejected
}

// Error implements the error interface.
func (e *LineError) Error() string {
	return "detect: line " + strconv.Itoa(e.Line) + ": " + strings.TrimPrefix(e.Err.Error(), "detect: ")
}

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// StreamError reports input whose framing is broken beyond recovery: a JSON
// array whose elements are not separated by commas, data after the end of
// the top-level array, input that ends inside a record, or input that is
// not UTF-8. The stream ends there: [Decoder.Next] returns the same error
// from then on.
type StreamError struct {
	Line int   // 1-based line at which the problem was found
	Err  error // wraps ErrSyntax, ErrEncoding or io.ErrUnexpectedEOF
}

// Error implements the error interface.
func (e *StreamError) Error() string {
	return "detect: line " + strconv.Itoa(e.Line) + ": " + strings.TrimPrefix(e.Err.Error(), "detect: ")
}

// Unwrap returns the underlying error.
func (e *StreamError) Unwrap() error { return e.Err }
