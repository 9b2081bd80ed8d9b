package detect

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// refScanStringPlain is scanStringPlain one byte at a time.
func refScanStringPlain(b []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, !escaped && utf8.Valid(b[i+1:j])
		case c == '\\':
			escaped = true
			if j+1 >= len(b) {
				return -1, false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+6 > len(b) {
					return -1, false
				}
				for _, h := range b[j+2 : j+6] {
					if !isHex(h) {
						return -1, false
					}
				}
				j += 5
			default:
				return -1, false
			}
		case c < 0x20:
			return -1, false
		}
	}
	return -1, false
}

// TestScanners_stopAtTheFirstSpecialByte puts each byte value at each
// position of a string, after content that borrows in the word-at-a-time
// tests, and checks the scanners against byte-by-byte references.
func TestScanners_stopAtTheFirstSpecialByte(t *testing.T) {
	fills := []byte{'a', 0x21, 0x1f + 0x21, 0x80, 0xff, '#', ']'}
	for _, fill := range fills {
		for pos := range 20 {
			for c := range 256 {
				content := []byte(strings.Repeat(string(fill), pos))
				content = append(content, byte(c))
				content = append(content, "tail text"...)
				for _, suffix := range []string{`"`, `"}`, `", "more": "x"}`} {
					b := append([]byte{'"'}, content...)
					b = append(b, suffix...)
					gotEnd, gotPlain := scanStringPlain(b, 0)
					wantEnd, wantPlain := refScanStringPlain(b, 0)
					if gotEnd != wantEnd || (gotEnd >= 0 && gotPlain != wantPlain) {
						t.Fatalf("scanStringPlain(%q) = %d, %v; want %d, %v", b, gotEnd, gotPlain, wantEnd, wantPlain)
					}
					if gotEnd >= 0 {
						if got := skipString(b, 0); got != gotEnd {
							t.Fatalf("skipString(%q) = %d; want %d", b, got, gotEnd)
						}
					}
				}
			}
		}
	}
}

// TestNameTable_findsEachNameAndNothingElse checks the field tables of the
// schemas and the interned set.
func TestNameTable_findsEachNameAndNothingElse(t *testing.T) {
	tables := map[string]*nameTable{
		"interned":  interned,
		"detection": detectionSchema.names,
		"file":      fileSchema.names,
		"process":   processSchema.names,
		"details":   detailsSchema.names,
	}
	for name, tb := range tables {
		for i, n := range tb.names {
			if got := tb.find([]byte(n)); got != i {
				t.Errorf("%s: find(%q) = %d; want %d", name, n, got, i)
			}
			for _, miss := range []string{n[:len(n)-1], n + "x", strings.ToUpper(n[:1]) + n[1:], "x" + n[1:]} {
				if miss == n || miss == "" {
					continue
				}
				want := -1
				for j, m := range tb.names {
					if m == miss {
						want = j
					}
				}
				if got := tb.find([]byte(miss)); got != want {
					t.Errorf("%s: find(%q) = %d; want %d", name, miss, got, want)
				}
			}
		}
		if got := tb.find(nil); got != -1 {
			t.Errorf("%s: find(nil) = %d; want -1", name, got)
		}
	}
}
