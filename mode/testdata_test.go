package mode

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// statusSummary is the part of a Status each sample is checked on.
type statusSummary struct {
	Form                        Form
	Mode                        Mode
	Platform, Engine            Version
	ServiceEnabled, RTP, Tamper Bool
	SignatureUpdated            time.Time
	ComputerID                  string
	ServiceState                ServiceState
	HasRunningMode, HasCimClass bool
	Running                     Bool
}

func summarize(s *Status) statusSummary {
	return statusSummary{
		Form: s.Form, Mode: s.AMRunningMode, Platform: s.AMProductVersion, Engine: s.AMEngineVersion,
		ServiceEnabled: s.AMServiceEnabled, RTP: s.RealTimeProtectionEnabled, Tamper: s.IsTamperProtected,
		SignatureUpdated: s.AntivirusSignatureLastUpdated, ComputerID: s.ComputerID, ServiceState: s.ServiceState,
		HasRunningMode: s.Has("AMRunningMode"), HasCimClass: s.Extra["CimClass"] != nil, Running: s.Running(),
	}
}

// TestStatusSamples reads each real-shaped sample in testdata/status: the
// output of Get-MpComputerStatus as Windows PowerShell 5.1 and PowerShell 7
// print it, as JSON and in the console's list and table forms, and of
// "sc query windefend".
func TestStatusSamples(t *testing.T) {
	eastern := time.FixedZone("EST", -5*3600)
	cases := []struct {
		file   string
		parser Parser
		want   statusSummary
	}{
		{
			file: "status/ps51-edr-block-mode.json",
			want: statusSummary{
				Form: FormJSON, Mode: EDRBlock, Platform: Version{4, 18, 24090, 11}, Engine: Version{1, 1, 24090, 11},
				ServiceEnabled: True, RTP: True, Tamper: True, SignatureUpdated: time.Date(2024, 11, 14, 7, 42, 18, 0, time.UTC),
				ComputerID: "6F1D2C4B-9A37-4E8B-B1C2-7D35E90A4F18", HasRunningMode: true, HasCimClass: true, Running: True,
			},
		},
		{
			// The same device in the console's list form, read in its
			// time zone: the same instant as the JSON.
			file: "status/formatlist-edr-block-mode.txt", parser: Parser{Location: eastern},
			want: statusSummary{
				Form: FormList, Mode: EDRBlock, Platform: Version{4, 18, 24090, 11}, Engine: Version{1, 1, 24090, 11},
				ServiceEnabled: True, RTP: True, Tamper: True, SignatureUpdated: time.Date(2024, 11, 14, 7, 42, 18, 0, time.UTC),
				ComputerID: "6F1D2C4B-9A37-4E8B-B1C2-7D35E90A4F18", HasRunningMode: true, HasCimClass: true, Running: True,
			},
		},
		{
			// A platform older than AMRunningMode and IsTamperProtected.
			file: "status/ps51-passive-old-platform.json",
			want: statusSummary{
				Form: FormJSON, Platform: Version{4, 18, 1905, 4}, Engine: Version{1, 1, 16300, 1},
				ServiceEnabled: True, RTP: False, SignatureUpdated: time.Date(2019, 8, 26, 14, 3, 52, 0, time.UTC),
				ComputerID: "E2A7C901-4F3B-4D58-8C6A-5B0D17F3A92C", HasCimClass: true, Running: True,
			},
		},
		{
			file: "status/ps7-normal.json",
			want: statusSummary{
				Form: FormJSON, Mode: Active, Platform: Version{4, 18, 26070, 9}, Engine: Version{1, 1, 26070, 7},
				ServiceEnabled: True, RTP: True, Tamper: True, SignatureUpdated: time.Date(2026, 8, 14, 4, 58, 41, 0, time.UTC),
				ComputerID: "B83E0F5A-2C19-4D6E-9A71-3F04C28D6E95", HasRunningMode: true, HasCimClass: true, Running: True,
			},
		},
		{
			// PowerShell 7's depth warning before one-line JSON.
			file: "status/ps7-stdout-compress-with-depth-warning.txt",
			want: statusSummary{
				Form: FormJSON, Mode: Active, Platform: Version{4, 18, 26070, 9}, Engine: Version{1, 1, 26070, 7},
				ServiceEnabled: True, RTP: True, Tamper: True, SignatureUpdated: time.Date(2026, 8, 14, 4, 58, 41, 0, time.UTC),
				ComputerID: "B83E0F5A-2C19-4D6E-9A71-3F04C28D6E95", HasRunningMode: true, HasCimClass: true, Running: True,
			},
		},
		{
			file: "status/ps7-sxs-passive.json",
			want: statusSummary{
				Form: FormJSON, Mode: SxSPassive, Platform: Version{4, 18, 25040, 2}, Engine: Version{1, 1, 25040, 1},
				ServiceEnabled: True, RTP: False, Tamper: False, SignatureUpdated: time.Date(2025, 5, 21, 5, 14, 7, 0, time.UTC),
				ComputerID: "0D9A4E72-5B1C-4F83-A6E2-91C7B3F05D24", HasRunningMode: true, HasCimClass: true, Running: True,
			},
		},
		{
			file: "status/table-amrunningmode.txt",
			want: statusSummary{Form: FormTable, Mode: EDRBlock, HasRunningMode: true, Running: True},
		},
		{
			file: "status/sc-query-running.txt",
			want: statusSummary{Form: FormServiceQuery, ServiceState: ServiceRunning, Running: True},
		},
		{
			file: "status/sc-query-stopped.txt",
			want: statusSummary{Form: FormServiceQuery, ServiceState: ServiceStopped, Running: False},
		},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			s, err := tc.parser.Status(openTestdata(t, tc.file))
			require.NoError(t, err)
			if d := cmp.Diff(tc.want, summarize(s)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestStatusSamplesAsUTF16 reads the samples as Windows PowerShell 5.1
// writes them with ">": UTF-16LE with a byte-order mark.
func TestStatusSamplesAsUTF16(t *testing.T) {
	for _, name := range []string{"status/ps51-edr-block-mode.json", "status/formatlist-edr-block-mode.txt", "status/table-amrunningmode.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		want, err := ParseStatus(bytesReader(b))
		require.NoError(t, err)
		got, err := ParseStatus(bytesReader(utf16LE(string(b), true)))
		require.NoError(t, err, name)
		assert.Equal(t, summarize(want), summarize(got), name)
	}
}

func TestPreferencesSamples(t *testing.T) {
	t.Run("prefs/ps51-exclusions.json", func(t *testing.T) {
		p, err := ParsePreferences(openTestdata(t, "prefs/ps51-exclusions.json"))
		require.NoError(t, err)
		assert.Equal(t, MAPSAdvanced, p.MAPSReporting)
		assert.Equal(t, True, p.CloudDeliveredProtection())
		assert.Equal(t, EnforcementEnabled, p.PUAProtection)
		assert.Equal(t, []string{".mdf"}, p.ExclusionExtension)
		assert.Nil(t, p.ExclusionProcess)
		require.Len(t, p.ExclusionPath, 6)
		assert.Contains(t, p.ExclusionPath, `%ProgramData%\Contoso\Agent\Cache`)
		assert.Contains(t, p.ExclusionPath, `C:\Program Files\Contoso Backup\*`)
		assert.NotNil(t, p.Extra["AttackSurfaceReductionRules_Ids"], "untyped properties are kept")
	})
	t.Run("prefs/ps7-no-exclusions.json", func(t *testing.T) {
		p, err := ParsePreferences(openTestdata(t, "prefs/ps7-no-exclusions.json"))
		require.NoError(t, err)
		assert.Equal(t, MAPSDisabled, p.MAPSReporting)
		assert.Equal(t, False, p.CloudDeliveredProtection())
		assert.Nil(t, p.ExclusionPath)
		assert.True(t, p.Has("ExclusionPath"), "reported, and empty")
	})
	t.Run("prefs/formatlist.txt", func(t *testing.T) {
		// Six exclusion paths, shown as four and "...": the list is not
		// known from this form, the rest is.
		p, err := ParsePreferences(openTestdata(t, "prefs/formatlist.txt"))
		require.ErrorIs(t, err, ErrTruncatedList)
		require.NotNil(t, p)
		assert.Nil(t, p.ExclusionPath)
		assert.Equal(t, []string{".mdf"}, p.ExclusionExtension)
		assert.Equal(t, MAPSAdvanced, p.MAPSReporting)
		assert.Equal(t, EnforcementEnabled, p.PUAProtection)
	})
}
