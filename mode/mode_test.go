package mode

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMode(t *testing.T) {
	cases := []struct {
		in   string
		want Mode
	}{
		// The exact strings Get-MpComputerStatus prints for AMRunningMode.
		{"Normal", Active},
		{"Passive Mode", Passive},
		{"EDR Block Mode", EDRBlock},
		{"SxS Passive Mode", SxSPassive},
		{"Not running", NotRunning},
		// Case and surrounding space do not matter.
		{"normal", Active},
		{"  EDR BLOCK MODE\t", EDRBlock},
		{"edr block mode\r\n", EDRBlock},
		{"sxs passive mode", SxSPassive},
		{"NOT RUNNING", NotRunning},
		// The spelling Microsoft's compatibility page uses.
		{"Passive", Passive},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseMode(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseModeRejectsAnythingElse(t *testing.T) {
	for _, in := range []string{"", " ", "Active", "EDRBlockMode", "EDR  Block Mode", "Block", "Unknown", "Passive Mode (EDR)", "Normal\x00", "Disabled"} {
		t.Run(in, func(t *testing.T) {
			m, err := ParseMode(in)
			assert.Equal(t, Unknown, m)
			require.ErrorIs(t, err, ErrUnknownMode)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "AMRunningMode", pe.Field)
			assert.Equal(t, in, pe.Value, "the raw value is kept")
		})
	}
}

func TestModeStringRoundTrip(t *testing.T) {
	for _, m := range Modes() {
		if m == Unknown {
			continue
		}
		got, err := ParseMode(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, got)
		assert.NotEmpty(t, m.Description())
	}
	assert.Equal(t, "Mode(200)", Mode(200).String())
	assert.False(t, Mode(200).Known())
	_, err := Mode(200).MarshalText()
	assert.Error(t, err)
}

func TestModeJSON(t *testing.T) {
	type doc struct{ A, B Mode }
	b, err := json.Marshal(doc{A: EDRBlock})
	require.NoError(t, err)
	assert.JSONEq(t, `{"A":"EDR Block Mode","B":""}`, string(b))
	var back doc
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, doc{A: EDRBlock}, back)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"A":"Turbo"}`), &back), ErrUnknownMode)
}

func TestIsPassive(t *testing.T) {
	want := map[Mode]bool{Passive: true, EDRBlock: true, SxSPassive: true}
	for _, m := range Modes() {
		assert.Equal(t, want[m], m.IsPassive(), m.String())
	}
}

// TestCapabilities checks the documented facts the capability table must
// hold, from Microsoft's compatibility page and the EDR in block mode page.
func TestCapabilities(t *testing.T) {
	t.Run("real-time protection, on-access, network protection and ASR exist only in active mode", func(t *testing.T) {
		for _, c := range []Capability{RealTimeProtection, OnAccessScanning, NetworkProtection, AttackSurfaceReduction} {
			for _, m := range Modes() {
				got := m.Supports(c).Support
				switch m {
				case Unknown:
					assert.Equal(t, SupportUnknown, got, "%v / %v", m, c)
				case Active:
					assert.Equal(t, Supported, got, "%v / %v", m, c)
				default:
					assert.Equal(t, NotSupported, got, "%v / %v", m, c)
				}
			}
		}
	})
	t.Run("block mode does not give back what passive mode lacks", func(t *testing.T) {
		for _, c := range Capabilities() {
			if c == RemediateEDRDetections {
				continue
			}
			assert.Equal(t, Passive.Supports(c).Support, EDRBlock.Supports(c).Support, c.String())
		}
	})
	t.Run("passive mode does not remediate", func(t *testing.T) {
		assert.Equal(t, NotSupported, Passive.Supports(RemediateOwnDetections).Support)
		assert.Equal(t, NotSupported, Passive.Supports(RemediateEDRDetections).Support)
	})
	t.Run("block mode remediates EDR detections", func(t *testing.T) {
		assert.Equal(t, Supported, EDRBlock.Supports(RemediateEDRDetections).Support)
	})
	t.Run("a disabled antivirus does nothing", func(t *testing.T) {
		for _, e := range NotRunning.Capabilities() {
			assert.Equal(t, NotSupported, e.Support, e.Capability.String())
		}
	})
	t.Run("every known mode has a full row", func(t *testing.T) {
		for _, m := range Modes() {
			row := m.Capabilities()
			require.Len(t, row, len(Capabilities()))
			for i, e := range row {
				assert.Equal(t, Capabilities()[i], e.Capability)
				if m.Known() {
					assert.NotEqual(t, SupportUnknown, e.Support, "%v / %v", m, e.Capability)
				}
				if e.Support == Limited {
					assert.NotEmpty(t, e.Note, "a limited cell says how: %v / %v", m, e.Capability)
				}
			}
		}
	})
	t.Run("out of range", func(t *testing.T) {
		assert.Equal(t, SupportUnknown, Active.Supports(0).Support)
		assert.Equal(t, SupportUnknown, Active.Supports(99).Support)
		assert.Equal(t, "Capability(99)", Capability(99).String())
	})
}

func TestEntryJSON(t *testing.T) {
	b, err := json.Marshal(EDRBlock.Supports(RemediateEDRDetections))
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	want := map[string]any{"mode": "EDR Block Mode", "capability": "remediation of EDR detections", "support": "yes", "note": noteEDRBlock}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("entry JSON (-want +got):\n%s", d)
	}
}

func TestParseErrorMessage(t *testing.T) {
	err := newParseError("AMProductVersion", "4.18", 12, ErrInvalidVersion)
	assert.Equal(t, `mode: invalid version: field AMProductVersion (line 12): value "4.18"`, err.Error())
	long := newParseError("X", string(make([]byte, 1000)), 0, ErrType)
	assert.Less(t, len(long.Value), 100, "a hostile value is shortened")
	assert.True(t, errors.Is(long, ErrType))
}
