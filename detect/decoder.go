package detect

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/bits"
	"strconv"
)

// Format is the framing of a stream of alerts.
type Format uint8

// Formats a [Decoder] reads.
const (
	// FormatAuto detects the framing from the first non-space byte: '['
	// starts a JSON array; '{' starts a Graph list response when the
	// object's first members are "@odata." annotations followed by
	// "value": [, and JSON lines otherwise; anything else is read as JSON
	// lines (each bad line then being a *LineError).
	FormatAuto Format = iota
	// FormatJSONLines is one alert object per line ("JSON lines", NDJSON).
	// Empty lines are skipped; a line may end in "\r\n".
	FormatJSONLines
	// FormatArray is one JSON array of alert objects, possibly
	// pretty-printed. Several arrays one after another (pages appended to
	// one file) are read as one stream.
	FormatArray
	// FormatGraphList is a Graph collection response,
	// {"@odata.context": ..., "value": [ alerts ], "@odata.nextLink": ...};
	// the alerts in "value" are streamed and the other members skipped.
	// Several responses one after another are read as one stream.
	FormatGraphList
)

// String returns the format's name: "auto", "jsonl", "array", "graphlist".
func (f Format) String() string {
	switch f {
	case FormatAuto:
		return "auto"
	case FormatJSONLines:
		return "jsonl"
	case FormatArray:
		return "array"
	case FormatGraphList:
		return "graphlist"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// DefaultMaxRecordBytes is the largest record (one alert's JSON) a Decoder
// accepts when Options.MaxRecordBytes is zero.
const DefaultMaxRecordBytes = 4 << 20

// readBufSize is the size of the Decoder's read buffer.
const readBufSize = 64 << 10

// Options configure a Decoder. The zero value is ready to use.
type Options struct {
	// MaxRecordBytes bounds one record: a JSON line, or one element of an
	// array. A longer record is skipped whole and reported as a *LineError
	// wrapping ErrTooLong. Zero means DefaultMaxRecordBytes. The Decoder's
	// memory is O(MaxRecordBytes), whatever the length of the stream.
	MaxRecordBytes int
	// Format forces the framing; FormatAuto (zero) detects it.
	Format Format
}

type decState uint8

const (
	stStart decState = iota
	stLines
	stArrayOpen  // expect '['
	stElem       // after '[': an element or ']'
	stElemNeeded // after ',': an element
	stAfterElem  // expect ',' or ']'
	stListOpen   // expect '{' of a Graph list response
	stListKey    // after '{' or ',': a member name or '}'
	stListAfter  // after a member: ',' or '}'
	stTrailer    // after the top-level value: end of input or another one
	stDone
)

// Decoder reads alerts one at a time from a stream of JSON lines, a JSON
// array, or a Graph list response, in memory bounded by
// Options.MaxRecordBytes. A Decoder is not safe for concurrent use.
type Decoder struct {
	r      *bufio.Reader
	max    int
	format Format
	state  decState
	inList bool  // the current array is the "value" of a list response
	line   int   // 1-based line of the next unread byte
	err    error // sticky fatal error
	rec    []byte
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader, opts Options) *Decoder {
	limit := opts.MaxRecordBytes
	if limit <= 0 {
		limit = DefaultMaxRecordBytes
	}
	return &Decoder{r: bufio.NewReaderSize(r, readBufSize), max: limit, format: opts.Format, line: 1}
}

// Format returns the framing being read: the one forced by Options, or the
// one detected by the first call to Next (FormatAuto before it).
func (d *Decoder) Format() Format { return d.format }

// Next returns the next alert. At the end of the stream it returns
// (nil, io.EOF). A bad record gives (nil, *LineError) and the next call goes
// on after it. Broken framing gives (nil, *StreamError), as does an error
// from the reader; the stream then ends and every later call returns the
// same error.
func (d *Decoder) Next() (*Detection, error) {
	rec, err := d.NextRecord()
	if err != nil {
		return nil, err
	}
	return rec.Parse()
}

// Record is one alert's JSON as a Decoder framed it, not yet parsed.
type Record struct {
	// Line is the 1-based line of the input on which the record starts.
	Line int
	// Data is the record's JSON. It belongs to the Record: the Decoder
	// does not reuse it.
	Data []byte
}

// Parse decodes the record into a new Detection, as Decoder.Next would
// have; a bad record gives a *LineError naming r.Line. The Detection may
// refer to r.Data, which must not be changed afterwards. Parse is safe to
// call from several goroutines on different records.
func (r Record) Parse() (*Detection, error) {
	det, err := parseRecord(r.Data)
	if err != nil {
		return nil, &LineError{Line: r.Line, Err: err}
	}
	return det, nil
}

// NextRecord returns the next record without parsing it: the framing of a
// stream is sequential, but parsing, which costs most of the decoding, is
// not, so a reader can spread [Record.Parse] calls over goroutines while
// keeping the stream's order. Errors are those of Next, except that a
// record that is too long is the only *LineError: the others come from
// Parse. At the end of the stream it returns io.EOF.
func (d *Decoder) NextRecord() (Record, error) {
	raw, err := d.nextRaw()
	if err != nil {
		return Record{}, err
	}
	return Record{Line: raw.line, Data: bytes.Clone(raw.data)}, nil
}

// rawRecord is a record's bytes, in the Decoder's buffer until the next
// read, and the line it starts on.
type rawRecord struct {
	line int
	data []byte
}

// nextRaw frames the next record; a fatal error sticks.
func (d *Decoder) nextRaw() (rawRecord, error) {
	if d.err != nil {
		return rawRecord{}, d.err
	}
	raw, err := d.next()
	if err != nil {
		var le *LineError
		if !errors.As(err, &le) {
			d.err = err
			d.state = stDone
		}
	}
	return raw, err
}

// All returns an iterator over the rest of the stream: each alert with a
// nil error, each bad record as (nil, *LineError), and a fatal error, if
// any, last. It stops at the end of the stream; io.EOF is not yielded.
func (d *Decoder) All() iter.Seq2[*Detection, error] {
	return func(yield func(*Detection, error) bool) {
		for {
			det, err := d.Next()
			if err == io.EOF {
				return
			}
			if !yield(det, err) {
				return
			}
			var le *LineError
			if err != nil && !errors.As(err, &le) {
				return
			}
		}
	}
}

// syntax returns a fatal *StreamError for broken framing; it wraps
// ErrSyntax.
// open consumes the byte that opens the stream's top-level value and moves
// to the next state. At the end of the input it reports io.EOF.
func (d *Decoder) open(want byte, what string, next decState) error {
	c, err := d.peekNonSpace()
	if err == io.EOF {
		d.state = stDone
		return io.EOF
	}
	if err != nil {
		return d.ioErr(err)
	}
	if c != want {
		return d.syntax("expected " + string(want) + " to start " + what + ", found " + strconv.QuoteRune(rune(c)))
	}
	d.discard(1)
	d.state = next
	return nil
}

func (d *Decoder) syntax(msg string) error {
	return &StreamError{Line: d.line, Err: fmt.Errorf("%w: %s", ErrSyntax, msg)}
}

// ioErr turns a reader error met where more input was needed into the
// fatal error to return.
func (d *Decoder) ioErr(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &StreamError{Line: d.line, Err: err}
}

func (d *Decoder) next() (rawRecord, error) {
	for {
		switch d.state {
		case stStart:
			if err := d.start(); err != nil {
				return rawRecord{}, err
			}
		case stLines:
			return d.nextLine()
		case stArrayOpen:
			if err := d.open('[', "a JSON array", stElem); err != nil {
				return rawRecord{}, err
			}
		case stElem, stElemNeeded:
			c, err := d.peekNonSpace()
			if err != nil {
				return rawRecord{}, d.ioErr(err)
			}
			if c == ']' {
				if d.state == stElemNeeded {
					return rawRecord{}, d.syntax("expected an array element after ,")
				}
				d.discard(1)
				d.endArray()
				continue
			}
			d.state = stAfterElem
			return d.element()
		case stAfterElem:
			c, err := d.peekNonSpace()
			if err != nil {
				return rawRecord{}, d.ioErr(err)
			}
			switch c {
			case ',':
				d.discard(1)
				d.state = stElemNeeded
			case ']':
				d.discard(1)
				d.endArray()
			default:
				return rawRecord{}, d.syntax("expected , or ] after an array element, found " + strconv.QuoteRune(rune(c)))
			}
		case stListOpen:
			if err := d.open('{', "a Graph list response", stListKey); err != nil {
				return rawRecord{}, err
			}
		case stListKey:
			if err := d.listMember(); err != nil {
				return rawRecord{}, err
			}
		case stListAfter:
			c, err := d.peekNonSpace()
			if err != nil {
				return rawRecord{}, d.ioErr(err)
			}
			switch c {
			case ',':
				d.discard(1)
				d.state = stListKey
			case '}':
				d.discard(1)
				d.state = stTrailer
			default:
				return rawRecord{}, d.syntax("expected , or } in a Graph list response, found " + strconv.QuoteRune(rune(c)))
			}
		case stTrailer:
			c, err := d.peekNonSpace()
			if err == io.EOF {
				d.state = stDone
				return rawRecord{}, io.EOF
			}
			if err != nil {
				return rawRecord{}, d.ioErr(err)
			}
			switch {
			case c == '[' && d.format == FormatArray:
				d.state = stArrayOpen
			case c == '{' && d.format == FormatGraphList:
				d.state = stListOpen
			default:
				return rawRecord{}, d.syntax("unexpected " + strconv.QuoteRune(rune(c)) + " after the end of the top-level value")
			}
		case stDone:
			return rawRecord{}, io.EOF
		}
	}
}

func (d *Decoder) endArray() {
	if d.inList {
		d.inList = false
		d.state = stListAfter
	} else {
		d.state = stTrailer
	}
}

// start skips a UTF-8 byte order mark, rejects UTF-16, and picks the format.
func (d *Decoder) start() error {
	if b, _ := d.r.Peek(1); len(b) == 1 && (b[0] == 0xEF || b[0] == 0xFE || b[0] == 0xFF) {
		b, _ = d.r.Peek(3)
		switch {
		case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
			d.discard(3)
		case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
			return &StreamError{Line: 1, Err: ErrEncoding}
		}
	}
	switch d.format {
	case FormatJSONLines:
		d.state = stLines
		return nil
	case FormatArray:
		d.state = stArrayOpen
		return nil
	case FormatGraphList:
		d.state = stListOpen
		return nil
	}
	c, err := d.peekNonSpace()
	if err == io.EOF {
		d.format = FormatJSONLines
		d.state = stDone
		return io.EOF
	}
	if err != nil {
		return d.ioErr(err)
	}
	switch {
	case c == '[':
		d.format, d.state = FormatArray, stArrayOpen
	case c == '{' && d.looksLikeList():
		d.format, d.state = FormatGraphList, stListOpen
	default:
		d.format, d.state = FormatJSONLines, stLines
	}
	return nil
}

// maxListPrefix bounds how far looksLikeList looks for "value": [ (the
// annotations before it are short).
const maxListPrefix = 4 << 10

// looksLikeList peeks (without consuming) at the object that starts the
// input to tell a Graph list response from the first of several JSON lines.
func (d *Decoder) looksLikeList() bool {
	n := d.r.Buffered()
	for {
		buf, err := d.r.Peek(n)
		if len(buf) > maxListPrefix {
			buf = buf[:maxListPrefix]
		}
		switch listPrefix(buf) {
		case 1:
			return true
		case 0:
			return false
		}
		if err != nil || len(buf) >= maxListPrefix {
			return false
		}
		n = len(buf) + 1
	}
}

// listPrefix classifies the start of an object: 1 if its first members are
// "@odata." annotations with scalar values followed by "value": [, 0 if it
// is something else, -1 if b is too short to tell.
func listPrefix(b []byte) int {
	const more = -1
	i := 1 // b[0] == '{'
	for {
		if i = skipSpace(b, i); i >= len(b) {
			return more
		}
		if b[i] != '"' {
			return 0
		}
		e := skipString(b, i)
		if e > len(b) || e == len(b) && b[e-1] != '"' || e-i < 2 {
			return more
		}
		key := b[i+1 : e-1]
		if i = skipSpace(b, e); i >= len(b) {
			return more
		}
		if b[i] != ':' {
			return 0
		}
		if i = skipSpace(b, i+1); i >= len(b) {
			return more
		}
		if string(key) == "value" {
			if b[i] == '[' {
				return 1
			}
			return 0
		}
		if !bytes.HasPrefix(key, []byte("@odata.")) || string(key) == "@odata.type" {
			return 0
		}
		switch b[i] {
		case '{', '[':
			return 0
		}
		e = skipValue(b, i)
		if e >= len(b) {
			return more
		}
		if i = skipSpace(b, e); i >= len(b) {
			return more
		}
		if b[i] != ',' {
			return 0
		}
		i++
	}
}

// discard consumes n buffered bytes, counting newlines.
func (d *Decoder) discard(n int) {
	b, _ := d.r.Peek(n)
	d.line += bytes.Count(b, []byte{'\n'})
	_, _ = d.r.Discard(n)
}

// peekNonSpace consumes white space and returns the next byte, unread.
func (d *Decoder) peekNonSpace() (byte, error) {
	for {
		if _, err := d.r.Peek(1); err != nil {
			return 0, err
		}
		buf, _ := d.r.Peek(d.r.Buffered())
		i := 0
		for i < len(buf) && isSpace(buf[i]) {
			if buf[i] == '\n' {
				d.line++
			}
			i++
		}
		_, _ = d.r.Discard(i)
		if i < len(buf) {
			return buf[i], nil
		}
	}
}

// readValue consumes the JSON value that starts at the next byte (which is
// not white space) and returns its bytes, or tooLong if it is longer than
// the limit (its bytes are then consumed and dropped). It only finds the
// value's end: strings, escapes and bracket depth; validity is checked later.
func (d *Decoder) readValue() (rec []byte, tooLong bool, err error) {
	d.rec = d.rec[:0]
	depth := 0
	inStr, esc, scalar, first := false, false, false, true
	for {
		if _, err := d.r.Peek(1); err != nil {
			if err == io.EOF && scalar {
				return d.rec, tooLong, nil
			}
			return nil, false, err
		}
		buf, _ := d.r.Peek(d.r.Buffered())
		i, end := 0, -1
		if first {
			first = false
			switch buf[0] {
			case '{', '[':
				depth = 1
				i = 1
			case '"':
				inStr = true
				i = 1
			default:
				scalar = true
			}
		}
	scan:
		for i < len(buf) {
			switch {
			case esc:
				esc = false
				i++
			case inStr:
				// Skip string content eight bytes at a time, then by bytes,
				// to the next quote or backslash.
				for i+8 <= len(buf) {
					if m := quoteOrBackslash(binary.LittleEndian.Uint64(buf[i:])); m != 0 {
						i += bits.TrailingZeros64(m) >> 3
						break
					}
					i += 8
				}
				for i < len(buf) && buf[i] != '"' && buf[i] != '\\' {
					i++
				}
				if i >= len(buf) {
					break scan
				}
				if buf[i] == '\\' {
					esc = true
					i++
					continue
				}
				inStr = false
				i++
				if depth == 0 {
					end = i
					break scan
				}
			case scalar:
				switch buf[i] {
				case ',', ']', '}', ' ', '\t', '\r', '\n':
					end = i
					break scan
				}
				i++
			default:
				switch buf[i] {
				case '"':
					inStr = true
				case '{', '[':
					depth++
				case '}', ']':
					depth--
					if depth == 0 {
						end = i + 1
						break scan
					}
				}
				i++
			}
		}
		n := len(buf)
		if end >= 0 {
			n = end
		}
		chunk := buf[:n]
		d.line += bytes.Count(chunk, []byte{'\n'})
		if !tooLong {
			if len(d.rec)+n > d.max {
				tooLong = true
				d.rec = d.rec[:0]
			} else {
				d.rec = append(d.rec, chunk...)
			}
		}
		_, _ = d.r.Discard(n)
		if end >= 0 {
			return d.rec, tooLong, nil
		}
	}
}

// element reads one array element.
func (d *Decoder) element() (rawRecord, error) {
	line := d.line
	rec, tooLong, err := d.readValue()
	if err != nil {
		return rawRecord{}, d.ioErr(err)
	}
	if tooLong {
		return rawRecord{}, &LineError{Line: line, Err: ErrTooLong}
	}
	return rawRecord{line: line, data: rec}, nil
}

// listMember reads one member of a Graph list response: the "value" array
// is entered, any other member is skipped.
func (d *Decoder) listMember() error {
	c, err := d.peekNonSpace()
	if err != nil {
		return d.ioErr(err)
	}
	if c == '}' {
		d.discard(1)
		d.state = stTrailer
		return nil
	}
	if c != '"' {
		return d.syntax("expected a member name in a Graph list response, found " + strconv.QuoteRune(rune(c)))
	}
	tok, _, err := d.readValue()
	if err != nil {
		return d.ioErr(err)
	}
	isValue := string(tok) == `"value"`
	if c, err = d.peekNonSpace(); err != nil {
		return d.ioErr(err)
	}
	if c != ':' {
		return d.syntax("expected : after a member name, found " + strconv.QuoteRune(rune(c)))
	}
	d.discard(1)
	if c, err = d.peekNonSpace(); err != nil {
		return d.ioErr(err)
	}
	if isValue {
		if c != '[' {
			return d.syntax(`the "value" of a Graph list response is not an array`)
		}
		d.discard(1)
		d.inList = true
		d.state = stElem
		return nil
	}
	if _, _, err := d.readValue(); err != nil {
		return d.ioErr(err)
	}
	d.state = stListAfter
	return nil
}

// nextLine reads JSON lines until one holds a record or an error.
func (d *Decoder) nextLine() (rawRecord, error) {
	for {
		d.rec = d.rec[:0]
		tooLong, got := false, false
		line := d.line
		for {
			chunk, err := d.r.ReadSlice('\n')
			if len(chunk) > 0 {
				got = true
				if !tooLong {
					if len(d.rec)+len(chunk) > d.max+2 { // +2: the "\r\n" is not content
						tooLong = true
						d.rec = d.rec[:0]
					} else {
						d.rec = append(d.rec, chunk...)
					}
				}
			}
			if err == nil {
				break
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				if !got {
					d.state = stDone
					return rawRecord{}, io.EOF
				}
				break
			}
			return rawRecord{}, &StreamError{Line: d.line, Err: err}
		}
		d.line++
		if tooLong {
			return rawRecord{}, &LineError{Line: line, Err: ErrTooLong}
		}
		rec := trimSpace(d.rec)
		if len(rec) == 0 {
			continue
		}
		return rawRecord{line: line, data: rec}, nil
	}
}
