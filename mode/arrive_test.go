package mode

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestArriveCompatibilityTable has one case per row of the tables on
// Microsoft's "Microsoft Defender Antivirus compatibility with other
// security products" page (defender-docs, ms.date 02/11/2025), for every
// Windows release each row names, plus the Windows Server rows of the
// 2022 revision of the page (passive mode set manually with
// ForceDefenderPassiveMode) and the notes below the tables.
func TestArriveCompatibilityTable(t *testing.T) {
	type row struct {
		name  string
		oses  []OS
		facts Facts
		want  Mode
		rule  string
	}
	server := Facts{Installed: True, Disabled: False, UnifiedAgent: True}
	with := func(f Facts, edit func(*Facts)) Facts { edit(&f); return f }
	rows := []row{
		// Table "without Defender for Endpoint" / "with a non-Microsoft
		// antivirus": Windows 10 and 11.
		{
			name: "client, Defender primary, onboarded: active mode",
			oses: []OS{Windows10, Windows11}, want: Active, rule: "client-defender-primary",
			facts: Facts{OtherAVPrimary: False, Onboarded: True},
		},
		{
			name: "client, Defender primary, not onboarded: active mode",
			oses: []OS{Windows10, Windows11}, want: Active, rule: "client-defender-primary",
			facts: Facts{OtherAVPrimary: False, Onboarded: False},
		},
		{
			name: "client, other antivirus, onboarded: passive mode (automatically)",
			oses: []OS{Windows10, Windows11}, want: Passive, rule: "client-other-av-onboarded",
			facts: Facts{OtherAVPrimary: True, Onboarded: True, SecurityCenter: True, BlockMode: False},
		},
		{
			name: "client, other antivirus, not onboarded: disabled (automatically)",
			oses: []OS{Windows10, Windows11}, want: NotRunning, rule: "client-other-av-not-onboarded",
			facts: Facts{OtherAVPrimary: True, Onboarded: False, SecurityCenter: True, LimitedPeriodicScanning: False, SmartAppControl: False},
		},
		// Passive-mode requirement added in 2025: the Windows Security
		// Center service must be enabled, or Defender stays active.
		{
			name: "client, other antivirus, security center disabled: stays active",
			oses: []OS{Windows10, Windows11}, want: Active, rule: "client-security-center-off",
			facts: Facts{OtherAVPrimary: True, Onboarded: True, SecurityCenter: False},
		},
		// EDR in block mode on top of passive mode.
		{
			name: "client, other antivirus, onboarded, block mode in effect: EDR block mode",
			oses: []OS{Windows10, Windows11}, want: EDRBlock, rule: "client-other-av-onboarded",
			facts: Facts{OtherAVPrimary: True, Onboarded: True, SecurityCenter: True, BlockMode: True},
		},
		{
			name: "client, Defender primary, block mode on: still reported as Normal",
			oses: []OS{Windows10, Windows11}, want: Active, rule: "client-defender-primary",
			facts: Facts{OtherAVPrimary: False, Onboarded: True, BlockMode: True},
		},
		// Limited periodic scanning.
		{
			name: "client, other antivirus, not onboarded, limited periodic scanning: SxS passive mode",
			oses: []OS{Windows10, Windows11}, want: SxSPassive, rule: "client-other-av-limited-periodic-scanning",
			facts: Facts{OtherAVPrimary: True, Onboarded: False, SecurityCenter: True, LimitedPeriodicScanning: True},
		},
		// Windows 11 with Smart App Control: the page's two tables disagree.
		{
			name: "windows 11, other antivirus, not onboarded, smart app control on: undocumented",
			oses: []OS{Windows11}, want: Unknown, rule: "windows11-smart-app-control-undocumented",
			facts: Facts{OtherAVPrimary: True, Onboarded: False, SecurityCenter: True, LimitedPeriodicScanning: False, SmartAppControl: True},
		},
		// Windows Server rows.
		{
			name: "server, Defender primary, onboarded: active mode",
			oses: []OS{WindowsServer2025, WindowsServer2022, WindowsServer2019, WindowsServerSAC, WindowsServer2016, WindowsServer2012R2}, want: Active, rule: "server-defender-primary",
			facts: with(server, func(f *Facts) { f.OtherAVPrimary, f.Onboarded = False, True }),
		},
		{
			name: "server, Defender primary, not onboarded: active mode",
			oses: []OS{WindowsServer2025, WindowsServer2022, WindowsServer2019, WindowsServerSAC, WindowsServer2016, WindowsServer2012R2}, want: Active, rule: "server-defender-primary",
			facts: with(server, func(f *Facts) { f.OtherAVPrimary, f.Onboarded = False, False }),
		},
		{
			name: "server, other antivirus, onboarded, ForceDefenderPassiveMode=1: passive mode (set manually)",
			oses: []OS{WindowsServer2025, WindowsServer2022, WindowsServer2019, WindowsServerSAC, WindowsServer2016, WindowsServer2012R2}, want: Passive, rule: "server-other-av-onboarded-passive-set",
			facts: with(server, func(f *Facts) {
				f.OtherAVPrimary, f.Onboarded, f.ForcePassiveMode, f.BlockMode = True, True, True, False
			}),
		},
		{
			name: "server, other antivirus, onboarded, passive set, block mode in effect: EDR block mode",
			oses: []OS{WindowsServer2022, WindowsServer2019, WindowsServer2016, WindowsServer2012R2}, want: EDRBlock, rule: "server-other-av-onboarded-passive-set",
			facts: with(server, func(f *Facts) {
				f.OtherAVPrimary, f.Onboarded, f.ForcePassiveMode, f.BlockMode = True, True, True, True
			}),
		},
		{
			name: "server, other antivirus, onboarded, passive not set: Defender does not enter passive mode automatically",
			oses: []OS{WindowsServer2025, WindowsServer2022, WindowsServer2019, WindowsServerSAC, WindowsServer2016, WindowsServer2012R2}, want: Active, rule: "server-other-av-onboarded-passive-not-set",
			facts: with(server, func(f *Facts) { f.OtherAVPrimary, f.Onboarded, f.ForcePassiveMode = True, True, False }),
		},
		{
			name: "server, other antivirus, not onboarded: must be disabled manually, active until then",
			oses: []OS{WindowsServer2025, WindowsServer2022, WindowsServer2019, WindowsServerSAC, WindowsServer2016}, want: Active, rule: "server-other-av-not-onboarded",
			facts: with(server, func(f *Facts) { f.OtherAVPrimary, f.Onboarded, f.ForcePassiveMode = True, False, True }),
		},
		{
			name: "server, other antivirus, Defender uninstalled: disabled (set manually)",
			oses: []OS{WindowsServer2025, WindowsServer2022, WindowsServer2019, WindowsServerSAC, WindowsServer2016}, want: NotRunning, rule: "server-av-uninstalled",
			facts: with(server, func(f *Facts) { f.Installed, f.OtherAVPrimary, f.Onboarded = False, True, False }),
		},
		{
			name: "server, Defender turned off by policy: not running",
			oses: []OS{WindowsServer2022, WindowsServer2019}, want: NotRunning, rule: "server-av-disabled",
			facts: with(server, func(f *Facts) { f.Disabled, f.OtherAVPrimary, f.Onboarded = True, True, False }),
		},
		// Servers 2016 and 2012 R2 need the modern, unified solution.
		{
			name: "server 2016 without the unified solution, other antivirus: cannot run passive",
			oses: []OS{WindowsServer2016}, want: Active, rule: "server-2016-legacy-other-av",
			facts: Facts{Installed: True, Disabled: False, UnifiedAgent: False, OtherAVPrimary: True, Onboarded: True, ForcePassiveMode: True},
		},
		{
			name: "server 2012 R2 without the unified solution: no built-in antivirus",
			oses: []OS{WindowsServer2012R2}, want: NotRunning, rule: "server-2012r2-needs-unified-agent",
			facts: Facts{UnifiedAgent: False},
		},
		{
			name: "server 2008 R2: no built-in antivirus",
			oses: []OS{WindowsServer2008R2}, want: NotRunning, rule: "server-2008r2-no-builtin-av",
			facts: Facts{},
		},
		// Linux and macOS: passive by the enforcementLevel preference, never
		// EDR block mode.
		{
			name: "linux or macOS, onboarded, enforcementLevel passive: passive mode",
			oses: []OS{Linux, MacOS}, want: Passive, rule: "unix-passive",
			facts: Facts{Onboarded: True, ForcePassiveMode: True, BlockMode: True},
		},
		{
			name: "linux or macOS, onboarded, enforcementLevel real_time: active mode",
			oses: []OS{Linux, MacOS}, want: Active, rule: "unix-active",
			facts: Facts{Onboarded: True, ForcePassiveMode: False},
		},
		{
			name: "linux or macOS, not onboarded: no antivirus",
			oses: []OS{Linux, MacOS}, want: NotRunning, rule: "unix-not-onboarded",
			facts: Facts{Onboarded: False},
		},
	}
	for _, r := range rows {
		for _, o := range r.oses {
			t.Run(r.name+"/"+o.String(), func(t *testing.T) {
				f := r.facts
				f.OS = o
				got := Arrive(f)
				assert.Equal(t, r.want, got.Mode, got.String())
				assert.Equal(t, r.rule, got.Rule)
				assert.NotEmpty(t, got.Reason)
				assert.Empty(t, got.Missing)
			})
		}
	}
}

func TestArriveNeverGuessesAMissingFact(t *testing.T) {
	cases := []struct {
		name        string
		facts       Facts
		wantMissing []string
	}{
		{"no OS", Facts{OtherAVPrimary: False}, []string{"OS"}},
		{"client, primary antivirus unknown", Facts{OS: Windows11}, []string{"OtherAVPrimary"}},
		{"client, other antivirus, onboarding unknown", Facts{OS: Windows10, OtherAVPrimary: True, SecurityCenter: True}, []string{"Onboarded"}},
		{"client, other antivirus, security center unknown", Facts{OS: Windows10, OtherAVPrimary: True, Onboarded: True}, []string{"SecurityCenter"}},
		{"client passive, block mode unknown", Facts{OS: Windows10, OtherAVPrimary: True, Onboarded: True, SecurityCenter: True}, []string{"BlockMode"}},
		{"server, installation unknown", Facts{OS: WindowsServer2022, OtherAVPrimary: True}, []string{"Installed"}},
		{"server, turned off by policy unknown", Facts{OS: WindowsServer2019, Installed: True, OtherAVPrimary: True, Onboarded: True}, []string{"Disabled"}},
		{"server, other antivirus, passive-mode key unknown", Facts{OS: WindowsServer2019, Installed: True, Disabled: False, OtherAVPrimary: True, Onboarded: True}, []string{"ForcePassiveMode"}},
		{"server 2012 R2, unified solution unknown", Facts{OS: WindowsServer2012R2, Installed: True, Disabled: False, OtherAVPrimary: False}, []string{"UnifiedAgent"}},
		{"linux, onboarding unknown", Facts{OS: Linux}, []string{"Onboarded"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Arrive(tc.facts)
			assert.Equal(t, Unknown, got.Mode, got.String())
			if d := cmp.Diff(tc.wantMissing, got.Missing); d != "" {
				t.Errorf("missing facts (-want +got):\n%s", d)
			}
		})
	}
}

func TestArriveActionsForManualSteps(t *testing.T) {
	got := Arrive(Facts{OS: WindowsServer2022, Installed: True, Disabled: False, UnifiedAgent: True, OtherAVPrimary: True, Onboarded: True, ForcePassiveMode: False})
	require.Equal(t, Active, got.Mode)
	assert.Contains(t, got.Action, "ForceDefenderPassiveMode")
	assert.Contains(t, got.String(), "server-other-av-onboarded-passive-not-set")
}

// TestArriveIsTotal checks that every combination of facts, known or not,
// on every OS, gives an answer from a rule or names what is missing: the
// table has no gap.
func TestArriveIsTotal(t *testing.T) {
	vals := []Bool{Unset, False, True}
	var f Facts
	ptrs := []*Bool{&f.Onboarded, &f.OtherAVPrimary, &f.ForcePassiveMode, &f.Installed, &f.Disabled,
		&f.UnifiedAgent, &f.SecurityCenter, &f.LimitedPeriodicScanning, &f.SmartAppControl, &f.BlockMode}
	n := 1
	for range ptrs {
		n *= len(vals)
	}
	for o := OS(1); o < numOS; o++ {
		for i := 0; i < n; i++ {
			k := i
			for _, p := range ptrs {
				*p = vals[k%3]
				k /= 3
			}
			f.OS = o
			a := Arrive(f)
			if a.Rule == "" {
				t.Fatalf("no rule for %+v: %v", f, a)
			}
			if a.Mode == Unknown && len(a.Missing) == 0 && a.Rule != "windows11-smart-app-control-undocumented" {
				t.Fatalf("unknown without naming a missing fact for %+v: %v", f, a)
			}
			if a.Mode == EDRBlock && f.BlockMode != True {
				t.Fatalf("EDR block mode without block mode for %+v", f)
			}
		}
	}
}
