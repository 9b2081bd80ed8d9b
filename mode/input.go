package mode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/blockmode/blockmode/internal/enum"
)

// DefaultMaxBytes is the input limit a zero [Parser] applies. Real
// Get-MpComputerStatus output is a few kilobytes and Get-MpPreference with
// thousands of exclusions well under a megabyte.
const DefaultMaxBytes = 8 << 20

// Form names the form an input was read from.
type Form uint8

// The forms this package reads.
const (
	// FormUnknown is the zero Form: not read from any input.
	FormUnknown Form = iota
	// FormJSON is the output of "| ConvertTo-Json" (Windows PowerShell 5.1
	// or PowerShell 7).
	FormJSON
	// FormList is the default console form, "Name : Value" lines
	// (Format-List).
	FormList
	// FormTable is the table form, as "| select AMRunningMode" prints it:
	// a header line, a line of dashes, and one row of values.
	FormTable
	// FormServiceQuery is the output of "sc query windefend".
	FormServiceQuery
)

var formNames = [...]string{"unknown", "json", "list", "table", "sc query"}

// String returns the form's name: "json", "list", "table" or "sc query".
func (f Form) String() string {
	return enum.Name(f, "Form", formNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (f Form) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// A Parser reads the output of Get-MpComputerStatus and Get-MpPreference.
// The zero Parser is ready to use and applies [DefaultMaxBytes]. A Parser
// holds no state between calls and is safe for concurrent use.
type Parser struct {
	// MaxBytes bounds how much input is read; larger input is an error
	// wrapping ErrTooLarge and is never read whole. Zero means
	// DefaultMaxBytes.
	MaxBytes int64
	// Location is the time zone of dates in the console's text forms,
	// which print local time without saying which zone. Nil means UTC.
	// Dates in JSON carry their own offset and ignore Location.
	Location *time.Location
}

// prop is one property of an object, as read from any form.
type prop struct {
	name string
	raw  json.RawMessage // the JSON value, for FormJSON
	text string          // the text value, for the text forms
	line int             // 1-based line, for the text forms
	form Form
	loc  *time.Location // the zone of text-form dates; nil means UTC
}

// isText reports whether the property came from a text form.
func (p prop) isText() bool { return p.form != FormJSON }

// document is an object read from any form: its properties in input order.
type document struct {
	form  Form
	props []prop
}

// read reads the whole input, up to the limit, and returns it as UTF-8 with
// any byte-order mark removed. Windows PowerShell 5.1 writes UTF-16LE with a
// byte-order mark when output is redirected with ">", so that is accepted.
func (p Parser) read(r io.Reader) ([]byte, error) {
	limit := p.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("mode: reading input: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, newParseError("", "", 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit))
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return decodeUTF16(b[2:], false)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return decodeUTF16(b[2:], true)
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		// UTF-16LE without a byte-order mark: ASCII text with every other
		// byte zero.
		return decodeUTF16(b, false)
	}
	if !utf8.Valid(b) {
		return nil, newParseError("", "", 0, fmt.Errorf("%w: not valid UTF-8 or UTF-16", ErrSyntax))
	}
	return b, nil
}

func decodeUTF16(b []byte, bigEndian bool) ([]byte, error) {
	if len(b)%2 != 0 {
		return nil, newParseError("", "", 0, fmt.Errorf("%w: UTF-16 input has an odd number of bytes", ErrSyntax))
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	}
	runes := utf16.Decode(units)
	out := make([]byte, 0, len(runes))
	for _, r := range runes {
		if r == utf8.RuneError {
			return nil, newParseError("", "", 0, fmt.Errorf("%w: invalid UTF-16", ErrSyntax))
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// parseDocument reads input in any of the forms and returns its single
// object.
func (p Parser) parseDocument(r io.Reader) (*document, error) {
	doc, err := p.parseAny(r)
	if err != nil {
		return nil, err
	}
	if doc.form != FormJSON && p.Location != nil {
		for i := range doc.props {
			doc.props[i].loc = p.Location
		}
	}
	return doc, nil
}

func (p Parser) parseAny(r io.Reader) (*document, error) {
	b, err := p.read(r)
	if err != nil {
		return nil, err
	}
	b, skipped := skipWarnings(b)
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, newParseError("", "", 0, fmt.Errorf("%w: empty input", ErrFormat))
	}
	switch {
	case bytes.HasPrefix(trimmed, []byte("[SC]")):
		// The failure message of "sc query".
	case trimmed[0] == '{' || trimmed[0] == '[' || trimmed[0] == '"':
		return parseJSONDocument(trimmed)
	}
	return parseTextDocument(string(b), skipped)
}

// skipWarnings drops the lines of PowerShell's warning stream that a
// console or "2>&1" puts before the output, such as PowerShell 7's
// "WARNING: Resulting JSON is truncated as serialization has exceeded the
// set depth of 2."
// It returns the rest and how many lines it dropped.
func skipWarnings(b []byte) (rest []byte, lines int) {
	for {
		t := bytes.TrimLeft(b, " \t\r\n")
		if !bytes.HasPrefix(t, []byte("WARNING:")) {
			return b, lines
		}
		nl := bytes.IndexByte(t, '\n')
		if nl < 0 {
			return nil, lines
		}
		lines += bytes.Count(b[:len(b)-len(t)+nl+1], []byte("\n"))
		b = t[nl+1:]
	}
}

// parseJSONDocument reads an object, or an array holding exactly one
// object, keeping its properties in order and rejecting duplicates.
func parseJSONDocument(b []byte) (*document, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(b, dec, err)
	}
	inArray := tok == json.Delim('[')
	if inArray {
		if !dec.More() {
			return nil, newParseError("", "", 0, fmt.Errorf("%w: empty JSON array", ErrFormat))
		}
		if tok, err = dec.Token(); err != nil {
			return nil, jsonError(b, dec, err)
		}
	}
	if tok != json.Delim('{') {
		return nil, newParseError("", fmt.Sprint(tok), 0, fmt.Errorf("%w: expected a JSON object", ErrFormat))
	}
	doc := &document{form: FormJSON}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(b, dec, err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, newParseError("", fmt.Sprint(tok), 0, fmt.Errorf("%w: expected a property name", ErrSyntax))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(b, dec, err)
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil, newParseError(name, "", 0, ErrDuplicateField)
		}
		seen[key] = true
		doc.props = append(doc.props, prop{name: name, raw: raw, form: FormJSON})
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, jsonError(b, dec, err)
	}
	if inArray {
		if dec.More() {
			return nil, newParseError("", "", 0, fmt.Errorf("%w: the JSON array holds more than one object; pass one device's output", ErrMultipleObjects))
		}
		if _, err := dec.Token(); err != nil { // closing ']'
			return nil, jsonError(b, dec, err)
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, newParseError("", "", 0, fmt.Errorf("%w: data after the JSON value", ErrSyntax))
	}
	return doc, nil
}

// jsonError turns an error of dec, reading b, into a *ParseError with the
// line it was met on.
func jsonError(b []byte, dec *json.Decoder, err error) error {
	lineAt := func(off int64) int {
		off = min(max(off, 0), int64(len(b)))
		return 1 + bytes.Count(b[:off], []byte{'\n'})
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return newParseError("", "", lineAt(int64(len(b))), fmt.Errorf("%w: truncated JSON", ErrSyntax))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return newParseError("", "", lineAt(se.Offset), fmt.Errorf("%w: JSON at byte %d: %v", ErrSyntax, se.Offset, se))
	}
	return newParseError("", "", lineAt(dec.InputOffset()), fmt.Errorf("%w: %v", ErrSyntax, err))
}
