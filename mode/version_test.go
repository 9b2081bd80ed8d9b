package mode

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVersion(t *testing.T) {
	valid := []struct {
		in   string
		want Version
	}{
		{"4.18.2001.10", Version{4, 18, 2001, 10}},
		{"1.1.16700.2", Version{1, 1, 16700, 2}},
		{"4.18.24090.11", Version{4, 18, 24090, 11}},
		{" 4.18.2202.7\r\n", Version{4, 18, 2202, 7}},
		{"0.0.0.0", Version{}},
		{"4294967295.0.0.1", Version{4294967295, 0, 0, 1}},
		{"4.18.02001.010", Version{4, 18, 2001, 10}},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.in, func(t *testing.T) {
			got, err := ParseVersion(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	invalid := []string{
		"", "4", "4.18", "4.18.2001", "4.18.2001.10.1", "4.18..10", ".4.18.2001",
		"4.18.2001.", "4.18.2001.1O", "4.18.-2001.10", "+4.18.2001.10", "4.18.2001.10 beta",
		"4 .18.2001.10", "4294967296.0.0.0", "99999999999999999999.0.0.0", "v4.18.2001.10",
		"４.18.2001.10", // a full-width digit is not a decimal digit here
	}
	for _, in := range invalid {
		t.Run("invalid/"+in, func(t *testing.T) {
			_, err := ParseVersion(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidVersion)
			var pe *ParseError
			require.True(t, errors.As(err, &pe))
			assert.Equal(t, shorten(in), pe.Value)
		})
	}
}

func TestVersionCompare(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"4.18.2001.10", "4.18.2001.10", 0},
		{"4.18.2001.9", "4.18.2001.10", -1},  // numeric, not lexical
		{"4.18.23110.3", "4.18.2001.10", 1},  // five-digit build after four-digit
		{"4.18.1909.6", "4.18.2001.10", -1},  // older platform
		{"1.1.16700.2", "1.1.16700.2", 0},    // minimum engine
		{"1.1.16700.1", "1.1.16700.2", -1},   // one below the minimum engine
		{"1.1.24090.11", "1.1.16700.2", 1},   // current engine
		{"5.0.0.0", "4.99.99999.99999", 1},   // major wins
		{"4.19.0.0", "4.18.4294967295.0", 1}, // minor wins over a huge build
		{"4.18.2202.0", "4.18.2202.4294967295", -1},
	}
	for _, tc := range cases {
		t.Run(tc.a+"_vs_"+tc.b, func(t *testing.T) {
			a, b := MustParseVersion(tc.a), MustParseVersion(tc.b)
			assert.Equal(t, tc.want, a.Compare(b))
			assert.Equal(t, -tc.want, b.Compare(a), "antisymmetric")
			assert.Equal(t, tc.want >= 0, a.AtLeast(b))
		})
	}
}

func TestVersionText(t *testing.T) {
	v := MustParseVersion("4.18.2001.10")
	assert.Equal(t, "4.18.2001.10", v.String())
	b, err := json.Marshal(struct{ V, Z Version }{V: v})
	require.NoError(t, err)
	assert.JSONEq(t, `{"V":"4.18.2001.10","Z":""}`, string(b))

	var back struct{ V, Z Version }
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, v, back.V)
	assert.True(t, back.Z.IsZero())

	err = json.Unmarshal([]byte(`{"V":"4.18"}`), &back)
	assert.ErrorIs(t, err, ErrInvalidVersion)
}

func TestMustParseVersionPanicsOnBadInput(t *testing.T) {
	assert.Panics(t, func() { MustParseVersion("4.18") })
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"4.18.2001.10", "1.1.16700.2", "0.0.0.0", "4294967295.1.2.3", "4.18", "a.b.c.d", "4.18.2001.10.", " 1.2.3.4 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidVersion) {
				t.Fatalf("ParseVersion(%q) error %v does not wrap ErrInvalidVersion", s, err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseVersion(%q) error %T is not a *ParseError", s, err)
			}
			return
		}
		// Whatever parses prints back to a form that parses to the same
		// version, and compares equal to itself.
		again, err := ParseVersion(v.String())
		if err != nil || again != v {
			t.Fatalf("round trip of %q: %v -> %q -> %v, %v", s, v, v.String(), again, err)
		}
		if v.Compare(again) != 0 || !v.AtLeast(again) {
			t.Fatalf("%v does not compare equal to itself", v)
		}
	})
}
