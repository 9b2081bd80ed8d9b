package detect

// A small reader and writer of JSON values, used instead of reflection-based
// encoding/json decoding for two reasons: to keep every member's raw bytes
// (so that unknown properties, nulls and the exact spelling of unchanged
// values survive a decode/encode round trip), and for speed (one validation
// pass by encoding/json, then one walk that allocates little).
//
// The readers assume their input was checked by json.Valid; they never index
// out of range even when it was not, but then their results are unspecified.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// trimSpace removes JSON white space (space, tab, CR, LF — not the other
// Unicode spaces bytes.TrimSpace removes) from both ends of b.
func trimSpace(b []byte) []byte {
	i := skipSpace(b, 0)
	j := len(b)
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// skipSpace returns the index of the first non-space byte of b at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the string token that starts at
// b[i] == '"'.
func skipString(b []byte, i int) int {
	j := i + 1
	for {
		for j+8 <= len(b) {
			if m := quoteOrBackslash(binary.LittleEndian.Uint64(b[j:])); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		if j >= len(b) {
			return len(b)
		}
		switch b[j] {
		case '"':
			return j + 1
		case '\\':
			j += 2
		default:
			j++
		}
	}
}

// quoteOrBackslash returns a mask with the high bit set in each byte of w
// that is '"' or '\\', or 0 if there is none; as with stringSpecial, only
// the lowest flagged byte is sure to be one of them.
func quoteOrBackslash(w uint64) uint64 {
	q := w ^ (lsb * '"')
	s := w ^ (lsb * '\\')
	return ((q - lsb) | (s - lsb)) &^ w & msb
}

// skipValue returns the index just past the value that starts at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); {
			switch b[j] {
			case '"':
				j = skipString(b, j)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
			j++
		}
		return len(b)
	default:
		j := i
		for j < len(b) {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return j
			}
			j++
		}
		return j
	}
}

// objIter walks the members of one JSON object.
type objIter struct {
	b   []byte
	pos int
}

// newObjIter starts a walk over obj, which must be a JSON object (leading
// space allowed). ok is false when obj does not start with '{'.
func newObjIter(obj []byte) (it objIter, ok bool) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return objIter{}, false
	}
	return objIter{b: obj, pos: i + 1}, true
}

// next returns the next member's raw key token (with quotes) and raw value.
func (it *objIter) next() (key, val []byte, ok bool) {
	b := it.b
	i := skipSpace(b, it.pos)
	if i < len(b) && b[i] == ',' {
		i = skipSpace(b, i+1)
	}
	if i >= len(b) || b[i] != '"' {
		it.pos = len(b)
		return nil, nil, false
	}
	ke := skipString(b, i)
	key = b[i:ke]
	i = skipSpace(b, ke)
	if i >= len(b) || b[i] != ':' {
		it.pos = len(b)
		return nil, nil, false
	}
	i = skipSpace(b, i+1)
	ve := skipValue(b, i)
	if ve <= i {
		it.pos = len(b)
		return nil, nil, false
	}
	val = b[i:ve:ve]
	it.pos = ve
	return key, val, true
}

// arrIter walks the elements of one JSON array.
type arrIter struct {
	b   []byte
	pos int
}

func newArrIter(arr []byte) (it arrIter, ok bool) {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return arrIter{}, false
	}
	return arrIter{b: arr, pos: i + 1}, true
}

func (it *arrIter) next() (val []byte, ok bool) {
	b := it.b
	i := skipSpace(b, it.pos)
	if i < len(b) && b[i] == ',' {
		i = skipSpace(b, i+1)
	}
	if i >= len(b) || b[i] == ']' {
		it.pos = len(b)
		return nil, false
	}
	ve := skipValue(b, i)
	if ve <= i {
		it.pos = len(b)
		return nil, false
	}
	it.pos = ve
	return b[i:ve:ve], true
}

func isNull(raw []byte) bool { return string(raw) == "null" }

// plainString returns the content of a string token that needs no
// unescaping and is valid UTF-8, so it can be used as is.
func plainString(tok []byte) ([]byte, bool) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return nil, false
	}
	c := tok[1 : len(tok)-1]
	if bytes.IndexByte(c, '\\') >= 0 {
		return nil, false
	}
	for _, ch := range c {
		if ch >= utf8.RuneSelf {
			return c, utf8.Valid(c)
		}
	}
	return c, true
}

// unquote returns the string a JSON string token stands for, with invalid
// UTF-8 and unpaired surrogates replaced by U+FFFD as encoding/json does.
// ok is false for any other token. The token must be valid (see valid).
func unquote(tok []byte) (string, bool) {
	if c, ok := plainString(tok); ok {
		return string(c), true
	}
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", false
	}
	return unescape(tok[1 : len(tok)-1])
}

// unescape decodes the content of a valid JSON string token.
func unescape(c []byte) (string, bool) {
	var sb strings.Builder
	sb.Grow(len(c))
	for i := 0; i < len(c); {
		ch := c[i]
		switch {
		case ch == '\\':
			if i+1 >= len(c) {
				return "", false
			}
			switch c[i+1] {
			case '"', '\\', '/':
				sb.WriteByte(c[i+1])
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'n':
				sb.WriteByte('\n')
			case 'r':
				sb.WriteByte('\r')
			case 't':
				sb.WriteByte('\t')
			case 'u':
				r, ok := hex4(c, i+2)
				if !ok {
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if i+6 <= len(c) && c[i] == '\\' && c[i+1] == 'u' {
						r2, ok = hex4(c, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						i += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				sb.WriteRune(r)
				continue
			default:
				return "", false
			}
			i += 2
		case ch < utf8.RuneSelf:
			// Copy the run up to the next escape or non-ASCII byte at once.
			j := i + 1
			for j < len(c) && c[j] != '\\' && c[j] < utf8.RuneSelf {
				j++
			}
			sb.Write(c[i:j])
			i = j
		default:
			r, size := utf8.DecodeRune(c[i:])
			if r == utf8.RuneError && size == 1 {
				sb.WriteRune(utf8.RuneError)
			} else {
				sb.Write(c[i : i+size])
			}
			i += size
		}
	}
	return sb.String(), true
}

// hex4 reads the four hex digits of a \u escape at c[i:i+4].
func hex4(c []byte, i int) (rune, bool) {
	if i+4 > len(c) {
		return 0, false
	}
	var r rune
	for _, h := range c[i : i+4] {
		switch {
		case '0' <= h && h <= '9':
			h -= '0'
		case 'a' <= h && h <= 'f':
			h -= 'a' - 10
		case 'A' <= h && h <= 'F':
			h -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(h)
	}
	return r, true
}

// keyName returns a member's name. For the common case of a key without
// escapes it returns a slice of the input, which callers may convert with
// string(...) in a map index without allocating.
func keyName(tok []byte) []byte {
	if c, ok := plainString(tok); ok {
		return c
	}
	s, _ := unquote(tok)
	return []byte(s)
}

// parseString reads a string property: a string or null.
func parseString(raw []byte) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	if s, ok := unquote(raw); ok {
		return s, nil
	}
	return "", ErrType
}

// timeLayoutNoZone reads timestamps without a zone, which Graph documents
// as always UTC.
const timeLayoutNoZone = "2006-01-02T15:04:05.999999999"

// parseTime reads a DateTimeOffset property: an ISO 8601 / RFC 3339 string
// or null. A timestamp without a zone is read as UTC.
func parseTime(raw []byte) (time.Time, error) {
	if isNull(raw) {
		return time.Time{}, nil
	}
	s, ok := unquote(raw)
	if !ok {
		return time.Time{}, ErrType
	}
	return parseTimeString(s)
}

// parseTimeString reads an ISO 8601 / RFC 3339 timestamp; one without a
// zone is read as UTC.
func parseTimeString(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	if t2, err2 := time.Parse(timeLayoutNoZone, s); err2 == nil {
		return t2, nil
	}
	return time.Time{}, fmt.Errorf("%w: %w", ErrValue, err)
}

// parseInt reads an Int64 property: a JSON number without fraction or
// exponent, the same number as a string (Graph's IEEE754Compatible form),
// or null.
func parseInt(raw []byte) (int64, error) {
	if isNull(raw) {
		return 0, nil
	}
	digits := raw
	if len(raw) > 0 && raw[0] == '"' {
		c, ok := plainString(raw)
		if !ok {
			return 0, ErrType
		}
		digits = c
	} else if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, ErrType
	}
	// Fast path: up to 18 decimal digits cannot overflow.
	d := digits
	neg := len(d) > 0 && d[0] == '-'
	if neg {
		d = d[1:]
	}
	if len(d) > 0 && len(d) <= 18 {
		var n int64
		for _, c := range d {
			if c < '0' || c > '9' {
				goto slow
			}
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return n, nil
	}
slow:
	n, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrValue, err)
	}
	return n, nil
}

// parseStrings reads a string collection: an array of strings or null.
func parseStrings(raw []byte) ([]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	it, ok := newArrIter(raw)
	if !ok {
		return nil, ErrType
	}
	out := []string{}
	for i := 0; ; i++ {
		v, ok := it.next()
		if !ok {
			return out, nil
		}
		s, ok := unquote(v)
		if !ok {
			return nil, newFieldError("["+strconv.Itoa(i)+"]", v, ErrType)
		}
		out = append(out, s)
	}
}

// appendString appends s as a JSON string token, escaping as encoding/json
// does (without HTML escaping) and replacing invalid UTF-8 with U+FFFD.
func appendString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

func appendTime(buf []byte, t time.Time) []byte {
	buf = append(buf, '"')
	buf = t.AppendFormat(buf, time.RFC3339Nano)
	return append(buf, '"')
}

func appendStrings(buf []byte, ss []string) []byte {
	buf = append(buf, '[')
	for i, s := range ss {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, s)
	}
	return append(buf, ']')
}

// sameTime reports whether a and b are the same instant with the same zone
// offset, so that re-encoding a would print what b was read from.
func sameTime(a, b time.Time) bool {
	if !a.Equal(b) {
		return false
	}
	_, oa := a.Zone()
	_, ob := b.Zone()
	return oa == ob
}

// syntaxError explains why data is not valid JSON.
func syntaxError(data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: %w", ErrSyntax, se)
	}
	return ErrSyntax
}
