package exclusions

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEqualFold checks the NTFS-style case mapping on the characters where
// naive case folding goes wrong.
func TestEqualFold(t *testing.T) {
	tests := []struct {
		name  string
		a, b  string
		equal bool
	}{
		{"ascii_letters_fold", "Program Files", "PROGRAM FILES", true},
		{"latin1_letters_fold", "é", "É", true},
		{"y_diaeresis_folds_to_latin_extended", "ÿ", "Ÿ", true},
		{"cyrillic_folds", "Документы", "ДОКУМЕНТЫ", true},
		{"armenian_folds", "ա", "Ա", true},
		{"greek_mu_folds", "μ", "Μ", true},
		{"greek_sigma_folds", "σ", "Σ", true},
		{"circled_letters_fold", "ⓐ", "Ⓐ", true},
		{"roman_numerals_fold", "ⅰ", "Ⅰ", true},
		{"fullwidth_letters_fold", "ａ", "Ａ", true},
		{"i_folds_to_I", "i", "I", true},
		{"dotless_i_is_not_I", "ı", "I", false},
		{"dotless_i_is_not_i", "ı", "i", false},
		{"dotted_capital_I_is_not_I", "İ", "I", false},
		{"dotted_capital_I_is_not_i", "İ", "i", false},
		{"long_s_is_not_S", "ſ", "S", false},
		{"long_s_system32_is_not_system32", "ſystem32", "SYSTEM32", false},
		{"sharp_s_is_not_SS", "ß", "SS", false},
		{"sharp_s_is_not_capital_sharp_s", "ß", "ẞ", false},
		{"sharp_s_is_itself", "straße", "STRAßE", true},
		{"micro_sign_is_not_greek_mu", "µ", "Μ", false},
		{"final_sigma_is_not_sigma", "ς", "Σ", false},
		{"kelvin_sign_is_not_K", "\u212a", "K", false},
		{"angstrom_sign_is_not_A_ring", "\u212b", "Å", false},
		{"titlecase_dz_is_left_alone", "ǅ", "Ǆ", false},
		{"lowercase_dz_folds", "ǆ", "Ǆ", true},
		{"georgian_mtavruli_is_not_folded", "ა", "Ა", false},
		{"late_latin_a_stroke_is_not_folded", "ⱥ", "Ⱥ", false},
		{"ipa_letter_with_old_capital_folds", "ɓ", "Ɓ", true},
		{"deseret_outside_bmp_is_exact", "𐐨", "𐐀", false},
		{"outside_bmp_equal_itself", "𐐨", "𐐨", true},
		{"different_lengths", "ab", "abc", false},
		{"long_ascii_folds", `C:\ProgramData\Vendor2500\Cache`, `c:\programdata\VENDOR2500\cache`, true},
		{"long_ascii_differs_in_tail", `C:\ProgramData\Vendor2500\Cache`, `C:\ProgramData\Vendor2500\Cachf`, false},
		{"long_ascii_differs_in_first_word", `C:\ProgramData\Vendor2500\Cache`, `D:\ProgramData\Vendor2500\Cache`, false},
		{"long_with_non_ascii_tail_folds", "abcdefghijé", "ABCDEFGHIJÉ", true},
		{"long_with_non_ascii_tail_differs", "abcdefghijé", "ABCDEFGHIJE", false},
		{"long_with_dotless_i_in_tail", "abcdefghijı", "ABCDEFGHIJI", false},
		{"nine_bytes_differ_in_first", "xbcdefghi", "abcdefghi", false},
		{"empty", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.equal, equalFold(tt.a, tt.b))
			assert.Equal(t, tt.equal, equalFold(tt.b, tt.a))
			if tt.equal {
				assert.Equal(t, hashFold(tt.a), hashFold(tt.b))
				assert.True(t, globMatch(upperString(tt.a), tt.b))
			} else {
				assert.False(t, globMatch(upperString(tt.a), tt.b))
			}
			assert.Equal(t, tt.equal, refEqual(tt.a, tt.b), "reference agrees")
		})
	}
}

// TestUpperIsOneToOne checks, over the whole Basic Multilingual Plane, that
// the mapping never reaches ASCII from elsewhere, never leaves the plane, is
// idempotent, and never maps two characters to the same third one: so two
// names NTFS keeps apart never compare equal here because of a
// many-to-one fold.
func TestUpperIsOneToOne(t *testing.T) {
	from := map[rune]rune{}
	for r := rune(0); r <= 0xFFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		u := upper(r)
		require.Equal(t, u, upper(u), "idempotent at %U", r)
		require.LessOrEqual(t, u, rune(0xFFFF))
		require.Equal(t, utf8.RuneLen(r), utf8.RuneLen(u), "%U keeps its UTF-8 length", r)
		if r >= utf8.RuneSelf {
			require.GreaterOrEqual(t, u, rune(utf8.RuneSelf), "%U maps into ASCII", r)
		}
		if u != r {
			prev, seen := from[u]
			require.False(t, seen, "%U and %U both map to %U", prev, r, u)
			from[u] = r
		}
	}
	assert.Greater(t, len(from), 700, "the usual letters still fold")
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, name string
		match     bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"*.TXT", "notes.txt", true},
		{"*.TXT", "notes.txt.exe", false},
		{"MY?.ZIP", "my1.zip", true},
		{"MY?.ZIP", "my.zip", false},
		{"MY?.ZIP", "my12.zip", false},
		{"A*B*C", "aXbYc", true},
		{"A*B*C", "aXbY", false},
		{"*A*A*A*A*A*B", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"?", "é", true},
		{"?", "𐐨", false},
		{"??", "𐐨", false},
		{"A*B", "a𐐨b", true},
		{"É*", "été", true},
		{"TEST0?", "test01", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.match, globMatch(tt.pat, tt.name), "%q ~ %q", tt.pat, tt.name)
		assert.Equal(t, tt.match, refGlob([]rune(tt.pat), []rune(tt.name)), "reference %q ~ %q", tt.pat, tt.name)
	}
}

// TestHashRangeAgreesWithHashFold checks the in-place hashing of segments
// against hashing the segment alone, at every offset.
func TestHashRangeAgreesWithHashFold(t *testing.T) {
	for _, s := range []string{`C:\Users\alice\AppData\Local\Temp\payload.exe`, `C:\a`, `ab`, `C:\Users\José\Документы\𐐨.txt`, `x\ÿ1234567\é`,
		`C:\ProgramData\Vendor2500\Cache\data\blob.bin`, `abcdefghijklmnopqrstuvwxyz`, `12345678é`, `1234567é`, `ABCDEFGHé`, `é12345678901234567`} {
		for i := 0; i <= len(s); i++ {
			for j := i; j <= len(s); j++ {
				if !utf8.ValidString(s[i:j]) {
					continue
				}
				require.Equal(t, hashRunes(fnvOffset, upperString(s[i:j])), hashRunes(fnvOffset, s[i:j]), "%q", s[i:j])
				require.Equal(t, hashFold(s[i:j]), hashRange(s, i, j), "%q[%d:%d]", s, i, j)
				require.Equal(t, hashFold(s[i:j]), hashSeg(s, i, j), "hashSeg %q[%d:%d]", s, i, j)
				require.Equal(t, hashFold(s[i:j]), hashFold(upperString(s[i:j])), "%q", s[i:j])
			}
		}
	}
}
