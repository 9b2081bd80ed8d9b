package exclusions

import (
	"unicode"
	"unicode/utf8"
)

// Case-insensitive comparison, the way NTFS compares names.
//
// NTFS compares names after mapping every UTF-16 code unit through the
// volume's $UpCase table: a simple one-to-one upper-case mapping, with no
// locale rules and no full case folding ("ß" stays "ß", it never becomes
// "SS"). The table on a given volume depends on the Windows release that
// formatted it, so this package maps a character only where all of them
// agree, and otherwise leaves the character alone. Leaving a character alone
// can only make two names compare different; mapping one that NTFS does not
// map could make two names that NTFS keeps apart match each other, which for
// an exclusion would be a security hole. The rules:
//
//   - ASCII letters a-z map to A-Z.
//   - Characters outside the Basic Multilingual Plane are compared exactly:
//     NTFS maps code units, and the two halves of a surrogate pair have no
//     upper case ("𐐨" and "𐐀" are different names).
//   - Otherwise unicode.ToUpper (the simple mapping of UnicodeData.txt) is
//     used only if the mapping is a round trip (unicode.ToLower gives the
//     character back) and both characters lie in blocks whose case pairs
//     are old enough to be in every NTFS table: Latin-1, Latin
//     Extended-A/B, IPA, Greek, Cyrillic, Armenian (U+00C0-U+0587), Latin
//     Extended Additional and Greek Extended (U+1E00-U+1FFF), Roman numerals
//     (U+2160-U+217F), circled letters (U+24B6-U+24E9) and full-width Latin
//     letters (U+FF21-U+FF5A).
//
// The round-trip rule removes every many-to-one mapping, so no two distinct
// lower-case characters ever compare equal. In particular:
//
//   - "ı" (U+0131, dotless i) and "ſ" (U+017F, long s) are not mapped to
//     ASCII "I" and "S", although unicode.ToUpper maps them: Windows does not
//     (the ordinal-ignore-case table of .NET, which follows Windows, removes
//     exactly these two mappings), so "ſystem32" is not "SYSTEM32".
//   - "İ" (U+0130) is already upper case and is not "I"; "i" maps to "I".
//   - "µ" (U+00B5, micro sign) is not "Μ" (U+039C); "ς" (final sigma) is not
//     "Σ"; title-case letters such as "ǅ" are left alone; the Kelvin sign
//     (U+212A) is not "K".
//   - Georgian, Cherokee and other letters whose case pairs came in recent
//     Unicode versions are compared exactly, and so are late additions that
//     pair with an old letter ("ⱥ" U+2C65 is not "Ⱥ" U+023A).
func upper(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - ('a' - 'A')
		}
		return r
	}
	if r > 0xFFFF {
		return r
	}
	u := unicode.ToUpper(r)
	if u == r || !oldCaseBlock(r) || !oldCaseBlock(u) || unicode.ToLower(u) != r {
		return r
	}
	return u
}

// oldCaseBlock reports whether c lies in a block whose case pairs every
// NTFS $UpCase table has. Each block is all two-byte or all three-byte in
// UTF-8, and a pair never spans two blocks, so upper keeps the UTF-8 length
// of every character (hashFold and equalFold rely on it).
func oldCaseBlock(c rune) bool {
	switch {
	case c >= 0x00C0 && c <= 0x0587, // Latin-1 to Armenian
		c >= 0x1E00 && c <= 0x1FFF, // Latin Extended Additional, Greek Extended
		c >= 0x2160 && c <= 0x217F, // Roman numerals
		c >= 0x24B6 && c <= 0x24E9, // circled letters
		c >= 0xFF21 && c <= 0xFF5A: // full-width Latin letters
		return true
	}
	return false
}

// upperASCII maps a-z to A-Z and leaves every other byte alone.
func upperASCII(b byte) byte {
	if 'a' <= b && b <= 'z' {
		return b - ('a' - 'A')
	}
	return b
}

// load8 reads s[i:i+8] as a little-endian word.
func load8(s string, i int) uint64 {
	b := s[i : i+8] // one bounds check for the eight bytes
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

const (
	ones8 = 0x0101010101010101
	high8 = 0x8080808080808080
)

// upper8 maps the ASCII letters a-z to A-Z in a word of eight ASCII bytes
// (no byte has its high bit set), all at once.
func upper8(x uint64) uint64 {
	geA := (x + (0x80-'a')*ones8) & high8   // bytes >= 'a'
	gtZ := (x + (0x80-'z'-1)*ones8) & high8 // bytes > 'z'
	return x - (geA&^gtZ)>>2                // 0x80>>2 == 'a'-'A'
}

// equalFold reports whether a and b are the same name under [upper]. Both
// must be valid UTF-8.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		// upper keeps UTF-8 lengths (see oldCasePair), so names of
		// different lengths differ.
		return false
	}
	i := 0
	for ; i+8 <= len(a); i += 8 {
		x, y := load8(a, i), load8(b, i)
		if x == y {
			continue
		}
		if (x|y)&high8 != 0 {
			break
		}
		if upper8(x) != upper8(y) {
			return false
		}
	}
	if i < len(a) && len(a) >= 8 && i+8 > len(a) {
		// The last few bytes: compare the last whole word instead, which
		// overlaps bytes already compared.
		x, y := load8(a, len(a)-8), load8(b, len(b)-8)
		if x == y || (x|y)&high8 == 0 && upper8(x) == upper8(y) {
			return true
		}
		if (x|y)&high8 == 0 {
			return false
		}
	}
	for i < len(a) {
		ca, cb := a[i], b[i]
		if ca|cb < utf8.RuneSelf {
			if ca != cb && upperASCII(ca) != upperASCII(cb) {
				return false
			}
			i++
			continue
		}
		ra, wa := utf8.DecodeRuneInString(a[i:])
		rb, wb := utf8.DecodeRuneInString(b[i:])
		if wa != wb || ra != rb && upper(ra) != upper(rb) {
			return false
		}
		i += wa
	}
	return true
}

// upperString returns s with every character mapped by [upper].
func upperString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || 'a' <= s[i] && s[i] <= 'z' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = utf8.AppendRune(b, upper(r))
	}
	return string(b)
}

// Hashing. Names are hashed after mapping by [upper], one rune at a time
// (FNV-1a over runes), so equal names under equalFold hash equal. Every hash
// is only a hint: a candidate found through a hash is always compared with
// equalFold or globMatch before it counts.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashFold hashes s under [upper]: eight ASCII bytes at a time while the
// text is ASCII, then one rune at a time. Since upper keeps every
// character's UTF-8 length, names equal under equalFold switch at the same
// place and hash equal.
func hashFold(s string) uint64 { return hashRange(s, 0, len(s)) }

// hashRange is hashFold(s[i:j]). It may read the bytes of s around
// s[i:j] to load whole words, which hashing a substring alone cannot.
func hashRange(s string, i, j int) uint64 {
	h := uint64(fnvOffset)
	for ; i+8 <= j; i += 8 {
		x := load8(s, i)
		if x&high8 != 0 {
			return hashRunes(h, s[i:j])
		}
		h = (h ^ upper8(x)) * fnvPrime
	}
	if i == j {
		return h
	}
	var x uint64
	n := uint(j - i) // 1 to 7 bytes
	switch {
	case i+8 <= len(s):
		x = load8(s, i) & (1<<(8*n) - 1)
	case len(s) >= 8:
		x = load8(s, len(s)-8) >> (8 * uint(8-(len(s)-i))) & (1<<(8*n) - 1)
	default:
		for k := j - 1; k >= i; k-- {
			x = x<<8 | uint64(s[k])
		}
	}
	if x&high8 != 0 {
		return hashRunes(h, s[i:j])
	}
	return (h ^ upper8(x)) * fnvPrime
}

// hashSeg is hashRange, without a loop or a call for the common case: an
// ASCII segment of at most fifteen bytes with sixteen bytes of s from its
// start or up to its end, read as two words.
func hashSeg(s string, i, j int) uint64 {
	n := uint(j - i)
	if n-1 >= 15 {
		return hashRange(s, i, j)
	}
	var x, y uint64 // the first eight bytes, and the rest
	switch {
	case i+16 <= len(s):
		x, y = load8(s, i), load8(s, i+8)
		if n < 8 {
			x, y = x&(1<<(8*n)-1), 0
		} else {
			y &= 1<<(8*(n-8)) - 1
		}
	case j >= 16: // the segment ends the sixteen bytes read
		if n <= 8 {
			x = load8(s, j-8) >> (64 - 8*n)
		} else {
			x, y = load8(s, i), load8(s, j-8)>>(128-8*n)
		}
	default:
		return hashRange(s, i, j)
	}
	if (x|y)&high8 != 0 {
		return hashRange(s, i, j)
	}
	h := (fnvOffset ^ upper8(x)) * fnvPrime
	if n > 8 {
		h = (h ^ upper8(y)) * fnvPrime
	}
	return h
}

// hashRunes continues a hash one rune at a time.
func hashRunes(h uint64, s string) uint64 {
	for i := 0; i < len(s); {
		r, w := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(s[i:])
			r = upper(r)
		} else {
			r = rune(upperASCII(byte(r)))
		}
		h = (h ^ uint64(r)) * fnvPrime
		i += w
	}
	return h
}

// golden is 2^64 divided by the golden ratio: multiplying by it spreads
// the low bits of a word into its high bits (Fibonacci hashing). The index
// and the bit set of the Matcher use the high bits of their keys.
const golden = 0x9e3779b97f4a7c15

// combine extends the hash of a path prefix by the hash of one more segment.
func combine(prefix, seg uint64) uint64 {
	return (prefix ^ seg) * golden
}

// anchorHash is the hash of segment seg at depth d (0 for the first segment
// below the root).
func anchorHash(seg uint64, d int) uint64 {
	return (seg + uint64(d+1)*0xbf58476d1ce4e5b9) * golden
}

// keyOf turns a hash into an index key for one of the index's tables.
func keyOf(h, salt uint64) uint64 {
	return (h ^ salt) * golden
}

// globMatch reports whether name matches pat, a single path segment or an
// extension in which * stands for any run of characters and ? for exactly
// one character. pat must already be mapped by [upper]; name is compared
// under [upper]. A ? never matches a character outside the Basic
// Multilingual Plane: NTFS counts such a character as two UTF-16 code units,
// so whether one ? covers it is not clear, and the safe answer is no.
func globMatch(pat, name string) bool {
	px, nx := 0, 0
	starP, starN := -1, -1
	for px < len(pat) || nx < len(name) {
		if px < len(pat) {
			c := rune(pat[px])
			pw := 1
			if c >= utf8.RuneSelf {
				c, pw = utf8.DecodeRuneInString(pat[px:])
			}
			switch c {
			case '*':
				starP, starN = px, nx
				px++
				continue
			case '?':
				if nx < len(name) {
					r, nw := rune(name[nx]), 1
					if r >= utf8.RuneSelf {
						r, nw = utf8.DecodeRuneInString(name[nx:])
					}
					if r <= 0xFFFF {
						px += pw
						nx += nw
						continue
					}
				}
			default:
				if nx < len(name) {
					r, nw := rune(name[nx]), 1
					if r >= utf8.RuneSelf {
						r, nw = utf8.DecodeRuneInString(name[nx:])
					} else if 'a' <= r && r <= 'z' {
						r -= 'a' - 'A'
					}
					if r == c || r >= utf8.RuneSelf && upper(r) == c {
						px += pw
						nx += nw
						continue
					}
				}
			}
		}
		if starP >= 0 && starN < len(name) {
			_, nw := utf8.DecodeRuneInString(name[starN:])
			starN += nw
			px, nx = starP+1, starN
			continue
		}
		return false
	}
	return true
}

// hasWildcard reports whether s holds * or ?.
func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}
