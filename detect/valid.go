package detect

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// valid reports whether b is exactly one JSON value, optionally surrounded
// by white space. It accepts what json.Valid accepts — the fuzz test checks
// that the two agree — but is faster: strings, which are most of an
// alert's bytes, are scanned eight bytes at a time.
//
// Like encoding/json, it does not check that strings are valid UTF-8
// (decoding replaces invalid bytes with U+FFFD), and it rejects nesting
// deeper than maxDepth.
func valid(b []byte) bool {
	i := skipSpace(b, 0)
	i = scanValueDepth(b, i, 0)
	return i >= 0 && skipSpace(b, i) == len(b)
}

// maxDepth is encoding/json's limit on nesting.
const maxDepth = 10000

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// stringSpecial returns a mask with the high bit set in each byte of w that
// is '"', '\\' or a control character (< 0x20) — the bytes that end a fast
// run of string content — or 0 if there is none. A byte above a special one
// may be flagged too, but the lowest flagged byte is always the first
// special byte of w (read little-endian).
func stringSpecial(w uint64) uint64 {
	q := w ^ (lsb * '"')
	s := w ^ (lsb * '\\')
	// A byte is "zero" in x when (x - 1) borrows into its high bit while
	// x's own high bit is clear; x < 0x20 likewise with 0x20. A borrow out
	// of a byte happens only where that byte is flagged, so the bytes below
	// the first flagged one are exact. q, s and w have the same high bits
	// ('"' and '\\' are ASCII), so one &^ w clears them for all three.
	return ((q - lsb) | (s - lsb) | (w - lsb*0x20)) &^ w & msb
}

// scanString returns the index just past the valid string token starting at
// b[i] == '"', or -1.
func scanString(b []byte, i int) int {
	e, _ := scanStringPlain(b, i)
	return e
}

// scanStringPlain is scanString that also reports whether the string's
// content can be used as is: no escapes, and valid UTF-8.
func scanStringPlain(b []byte, i int) (end int, plain bool) {
	i++
	start := i
	var high uint64 // OR of the fast-path words, for their high bits
	escaped, nonASCII := false, false
	for {
		for i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			if m := stringSpecial(w); m != 0 {
				// Skip to the first special byte; the bytes before it are
				// plain content.
				n := uint(bits.TrailingZeros64(m)) &^ 7
				high |= w & (1<<n - 1)
				i += int(n >> 3)
				break
			}
			high |= w
			i += 8
		}
		if i >= len(b) {
			return -1, false
		}
		c := b[i]
		switch {
		case c == '"':
			plain = !escaped
			if plain && (nonASCII || high&msb != 0) {
				plain = utf8.Valid(b[start:i])
			}
			return i + 1, plain
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return -1, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return -1, false
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return -1, false
					}
				}
				i += 6
			default:
				return -1, false
			}
		case c < 0x20:
			return -1, false
		default:
			if c >= utf8.RuneSelf {
				nonASCII = true
			}
			i++
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber returns the index just past the valid number starting at b[i],
// or -1.
func scanNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i
}

// scanLiteral returns the index past lit if b[i:] starts with it, or -1.
func scanLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// scanScalar returns the index just past the valid non-container value
// starting at b[i], or -1.
func scanScalar(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		return scanString(b, i)
	case c == '-' || isDigit(c):
		return scanNumber(b, i)
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	}
	return -1
}

// scanValueDepth returns the index just past the valid value starting at
// b[i] (which is not white space), or -1. depth is the number of containers
// already open around it. Containers are checked iteratively, with the open
// ones kept in a stack.
func scanValueDepth(b []byte, i, depth int) int {
	if i >= len(b) || (b[i] != '{' && b[i] != '[') {
		return scanScalar(b, i)
	}
	var small [64]byte
	stack := small[:0]
	for {
		// At the start of a value.
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case '{':
			if depth+len(stack) >= maxDepth {
				return -1
			}
			if i = skipSpace(b, i+1); i < len(b) && b[i] == '}' {
				i++
				break
			}
			stack = append(stack, '{')
			if i = scanKey(b, i); i < 0 {
				return -1
			}
			continue
		case '[':
			if depth+len(stack) >= maxDepth {
				return -1
			}
			if i = skipSpace(b, i+1); i < len(b) && b[i] == ']' {
				i++
				break
			}
			stack = append(stack, '[')
			continue
		default:
			if i = scanScalar(b, i); i < 0 {
				return -1
			}
		}
		// After a value: close containers or move to the next element.
		for {
			if len(stack) == 0 {
				return i
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return -1
			}
			top := stack[len(stack)-1]
			c := b[i]
			if c == ',' {
				i = skipSpace(b, i+1)
				if top == '{' {
					if i = scanKey(b, i); i < 0 {
						return -1
					}
				}
				break
			}
			if (top == '{' && c == '}') || (top == '[' && c == ']') {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return -1
		}
	}
}

// scanKey checks `"name" :` starting at b[i] and returns the index of the
// member's value (after white space), or -1.
func scanKey(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = scanString(b, i); i < 0 {
		return -1
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}
