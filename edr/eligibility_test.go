package edr

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/mode"
)

// eligible is a device that meets every requirement of the current ruleset.
func eligible() DeviceFacts {
	return DeviceFacts{
		DeviceID: "dev-1", OS: mode.Windows11, Onboarded: mode.True, Mode: mode.Passive, Running: mode.True,
		CloudProtection: mode.True, PlatformVersion: mode.MustParseVersion("4.18.24090.11"), EngineVersion: mode.MustParseVersion("1.1.24090.11"),
	}
}

func results(r Report) map[RequirementID]Result {
	m := map[RequirementID]Result{}
	for _, c := range r.Checks {
		m[c.ID] = c.Result
	}
	return m
}

func TestEligibilityRequirements(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(*DeviceFacts)
		id     RequirementID
		want   Result
		remedy string
	}{
		{"os/windows 11 passes", func(f *DeviceFacts) {}, ReqOS, Pass, ""},
		{"os/macOS fails", func(f *DeviceFacts) { f.OS = mode.MacOS }, ReqOS, Fail, "supported operating system"},
		{"os/not given is unknown", func(f *DeviceFacts) { f.OS = mode.OSUnknown }, ReqOS, Unknown, "find out"},
		{"onboarded/yes passes", func(f *DeviceFacts) {}, ReqOnboarded, Pass, ""},
		{"onboarded/no fails", func(f *DeviceFacts) { f.Onboarded = mode.False }, ReqOnboarded, Fail, "onboard the device"},
		{"onboarded/not given is unknown", func(f *DeviceFacts) { f.Onboarded = mode.Unset }, ReqOnboarded, Unknown, "find out"},
		{"antivirus/passive passes", func(f *DeviceFacts) {}, ReqAntivirus, Pass, ""},
		{"antivirus/active passes", func(f *DeviceFacts) { f.Mode = mode.Active }, ReqAntivirus, Pass, ""},
		{"antivirus/EDR block mode passes", func(f *DeviceFacts) { f.Mode = mode.EDRBlock }, ReqAntivirus, Pass, ""},
		{"antivirus/SxS passive fails", func(f *DeviceFacts) { f.Mode = mode.SxSPassive }, ReqAntivirus, Fail, "active or passive mode"},
		{"antivirus/not running fails", func(f *DeviceFacts) { f.Mode = mode.NotRunning }, ReqAntivirus, Fail, "active or passive mode"},
		{"antivirus/service stopped, mode unknown fails", func(f *DeviceFacts) { f.Mode, f.Running = mode.Unknown, mode.False }, ReqAntivirus, Fail, "start its service"},
		{"antivirus/service running, mode unknown is unknown", func(f *DeviceFacts) { f.Mode, f.Running = mode.Unknown, mode.True }, ReqAntivirus, Unknown, "4.18.2008"},
		{"antivirus/nothing given is unknown", func(f *DeviceFacts) { f.Mode, f.Running = mode.Unknown, mode.Unset }, ReqAntivirus, Unknown, "find out"},
		{"cloud protection/on passes", func(f *DeviceFacts) {}, ReqCloudProtection, Pass, ""},
		{"cloud protection/off fails", func(f *DeviceFacts) { f.CloudProtection = mode.False }, ReqCloudProtection, Fail, "MAPSReporting"},
		{"cloud protection/not given is unknown", func(f *DeviceFacts) { f.CloudProtection = mode.Unset }, ReqCloudProtection, Unknown, "find out"},
		{"platform/exactly the minimum passes", func(f *DeviceFacts) { f.PlatformVersion = mode.MustParseVersion("4.18.2001.10") }, ReqPlatformVersion, Pass, ""},
		{"platform/one revision below fails", func(f *DeviceFacts) { f.PlatformVersion = mode.MustParseVersion("4.18.2001.9") }, ReqPlatformVersion, Fail, "to 4.18.2001.10 or later"},
		{"platform/older build fails", func(f *DeviceFacts) { f.PlatformVersion = mode.MustParseVersion("4.18.1909.6") }, ReqPlatformVersion, Fail, "update the antimalware platform"},
		{"platform/not given is unknown", func(f *DeviceFacts) { f.PlatformVersion = mode.Version{} }, ReqPlatformVersion, Unknown, "find out"},
		{"engine/exactly the minimum passes", func(f *DeviceFacts) { f.EngineVersion = mode.MustParseVersion("1.1.16700.2") }, ReqEngineVersion, Pass, ""},
		{"engine/below fails", func(f *DeviceFacts) { f.EngineVersion = mode.MustParseVersion("1.1.16700.1") }, ReqEngineVersion, Fail, "to 1.1.16700.2 or later"},
		{"engine/not given is unknown", func(f *DeviceFacts) { f.EngineVersion = mode.Version{} }, ReqEngineVersion, Unknown, "find out"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := eligible()
			tc.edit(&f)
			r := Eligibility(f)
			c, ok := r.Check(tc.id)
			require.True(t, ok)
			assert.Equal(t, tc.want, c.Result, c.String())
			assert.NotEmpty(t, c.Observed)
			assert.NotEmpty(t, c.Required)
			if tc.want == Pass {
				assert.Empty(t, c.Remedy)
			} else {
				assert.Contains(t, c.Remedy, tc.remedy)
			}
			// Every other requirement still passes, so the overall result is
			// this one's.
			assert.Equal(t, tc.want, r.Eligible)
			assert.Len(t, r.Checks, 6)
		})
	}
}

func TestEligibilityNeverPassesMissingFacts(t *testing.T) {
	r := Eligibility(DeviceFacts{})
	assert.Equal(t, Unknown, r.Eligible)
	for _, c := range r.Checks {
		assert.Equal(t, Unknown, c.Result, c.ID)
		assert.Equal(t, notGiven, c.Observed, c.ID)
	}
	// A fail anywhere fails the whole, even with unknowns.
	r = Eligibility(DeviceFacts{CloudProtection: mode.False})
	assert.Equal(t, Fail, r.Eligible)
}

// TestEligibilityOS has one case per operating system row of each ruleset.
func TestEligibilityOS(t *testing.T) {
	type row struct {
		os      mode.OS
		unified mode.Bool
		mode    mode.Mode
		want    Result
	}
	tables := map[string][]row{
		Rev2025: {
			{mode.Windows11, mode.Unset, mode.Passive, Pass},
			{mode.Windows10, mode.Unset, mode.Passive, Pass},
			{mode.WindowsServer2025, mode.Unset, mode.Passive, Pass},
			{mode.WindowsServer2022, mode.Unset, mode.Passive, Pass},
			{mode.WindowsServer2019, mode.Unset, mode.Passive, Pass},
			{mode.WindowsServerSAC, mode.Unset, mode.Passive, Pass},
			{mode.WindowsServer2016, mode.True, mode.Passive, Pass},
			{mode.WindowsServer2016, mode.True, mode.Active, Pass},
			{mode.WindowsServer2016, mode.False, mode.Active, Fail},
			{mode.WindowsServer2016, mode.Unset, mode.Active, Unknown},
			{mode.WindowsServer2012R2, mode.True, mode.Passive, Pass},
			{mode.WindowsServer2012R2, mode.False, mode.Passive, Fail},
			{mode.WindowsServer2012R2, mode.Unset, mode.Passive, Unknown},
			{mode.WindowsServer2008R2, mode.Unset, mode.Passive, Fail},
			{mode.Linux, mode.Unset, mode.Passive, Fail},
			{mode.MacOS, mode.Unset, mode.Passive, Fail},
		},
		Rev2021: {
			{mode.Windows10, mode.Unset, mode.Passive, Pass},
			{mode.WindowsServerSAC, mode.Unset, mode.Passive, Pass},
			{mode.WindowsServer2019, mode.Unset, mode.Passive, Pass},
			{mode.WindowsServer2016, mode.Unset, mode.Active, Pass},
			{mode.WindowsServer2016, mode.Unset, mode.Passive, Fail},
			{mode.WindowsServer2016, mode.Unset, mode.Unknown, Unknown},
			{mode.Windows11, mode.Unset, mode.Passive, Fail},
			{mode.WindowsServer2022, mode.Unset, mode.Passive, Fail},
			{mode.WindowsServer2012R2, mode.True, mode.Passive, Fail},
			{mode.WindowsServer2025, mode.Unset, mode.Passive, Fail},
			{mode.Linux, mode.Unset, mode.Passive, Fail},
		},
	}
	for name, rows := range tables {
		rs, err := RulesetByName(name)
		require.NoError(t, err)
		for _, r := range rows {
			t.Run(name+"/"+r.os.String()+"/unified="+r.unified.String()+"/mode="+r.mode.String(), func(t *testing.T) {
				c, _ := rs.Eligibility(DeviceFacts{OS: r.os, UnifiedAgent: r.unified, Mode: r.mode}).Check(ReqOS)
				assert.Equal(t, r.want, c.Result, c.String())
			})
		}
	}
}

// TestRevisionsDiffer shows where the July 2021 and current rulesets give
// different answers for the same device.
func TestRevisionsDiffer(t *testing.T) {
	cases := []struct {
		name         string
		facts        DeviceFacts
		current, old Result
	}{
		{"windows 11 was not yet listed", eligible(), Pass, Fail},
		{"server 2016 in passive mode with the unified solution", func() DeviceFacts {
			f := eligible()
			f.OS, f.UnifiedAgent = mode.WindowsServer2016, mode.True
			return f
		}(), Pass, Fail},
		{"server 2012 R2 with the unified solution", func() DeviceFacts {
			f := eligible()
			f.OS, f.UnifiedAgent = mode.WindowsServer2012R2, mode.True
			return f
		}(), Pass, Fail},
		{"server 2016 in active mode without the unified solution", func() DeviceFacts {
			f := eligible()
			f.OS, f.UnifiedAgent, f.Mode = mode.WindowsServer2016, mode.False, mode.Active
			return f
		}(), Fail, Pass},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.current, Current().Eligibility(tc.facts).Eligible)
			assert.Equal(t, tc.old, July2021().Eligibility(tc.facts).Eligible)
		})
	}
	t.Run("advice for an active antivirus reversed", func(t *testing.T) {
		f := eligible()
		f.Mode = mode.Active
		h := NewHistory(Current())
		h21 := NewHistory(July2021())
		now := at(0)
		cur, old := h.Assess(f, now), h21.Assess(f, now)
		require.NotEmpty(t, cur.Recommendations)
		require.NotEmpty(t, old.Recommendations)
		assert.Equal(t, RecTurnOn, cur.Recommendations[0].ID, "the recommendation is kept either way")
		assert.Contains(t, cur.Recommendations[0].Detail, "adds little")
		assert.Contains(t, old.Recommendations[0].Detail, "keeping EDR in block mode turned on")
	})
	t.Run("group targeting only in the current ruleset", func(t *testing.T) {
		assert.True(t, Current().GroupTargeting)
		assert.False(t, July2021().GroupTargeting)
	})
}

func TestRulesetByName(t *testing.T) {
	_, err := RulesetByName("1999-01")
	assert.ErrorIs(t, err, ErrUnknownRuleset)
	a, b := Current(), Current()
	a.OS[mode.Windows11] = OSRule{}
	assert.True(t, b.OS[mode.Windows11].Eligible, "each call returns a fresh copy")
}

func TestInEffectFromReportedMode(t *testing.T) {
	for m, want := range map[mode.Mode]Result{
		mode.EDRBlock: Pass, mode.Passive: Fail, mode.SxSPassive: Fail, mode.NotRunning: Fail,
		mode.Active: Unknown, mode.Unknown: Unknown,
	} {
		f := eligible()
		f.Mode = m
		r := Eligibility(f)
		assert.Equal(t, want, r.InEffect, m.String())
		assert.NotEmpty(t, r.InEffectReason)
		hasTurnOn := len(r.Recommendations) > 0 && r.Recommendations[0].ID == RecTurnOn
		assert.Equal(t, want == Fail, hasTurnOn, "turn-on recommendation exactly when known not in effect: %v", m)
	}
}

func TestRecommendationsPerFailedRequirement(t *testing.T) {
	f := eligible()
	f.CloudProtection = mode.False
	f.PlatformVersion = mode.MustParseVersion("4.18.1909.6")
	f.Onboarded = mode.Unset
	r := Eligibility(f)
	var ids []string
	for _, rec := range r.Recommendations {
		ids = append(ids, rec.ID)
	}
	want := []string{RecTurnOn, "fix-cloud-protection", "fix-platform-version", "fix-onboarded"}
	if d := cmp.Diff(want, ids); d != "" {
		t.Errorf("recommendations (-want +got):\n%s", d)
	}
	assert.Contains(t, r.Recommendations[2].Detail, "4.18.2001.10")
	assert.True(t, strings.HasPrefix(r.Recommendations[3].Title, "Find out"))
}

func TestFactsFromPlatformSamples(t *testing.T) {
	read := func(name string) *os.File {
		f, err := os.Open(filepath.Join("..", "mode", "testdata", name))
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f
	}
	s, err := mode.ParseStatus(read("status/ps51-edr-block-mode.json"))
	require.NoError(t, err)
	p, err := mode.ParsePreferences(read("prefs/ps51-exclusions.json"))
	require.NoError(t, err)
	f := FactsFromPlatform(s, p)
	f.OS = mode.WindowsServer2022
	r := Eligibility(f)
	assert.Equal(t, Pass, r.Eligible, "%v", r.Checks)
	assert.Equal(t, Pass, r.InEffect)
	assert.Empty(t, r.Recommendations)

	old, err := mode.ParseStatus(read("status/ps51-passive-old-platform.json"))
	require.NoError(t, err)
	off, err := mode.ParsePreferences(read("prefs/ps7-no-exclusions.json"))
	require.NoError(t, err)
	r = Eligibility(FactsFromPlatform(old, off))
	got := results(r)
	assert.Equal(t, Fail, got[ReqPlatformVersion], "4.18.1905.4 is too old")
	assert.Equal(t, Fail, got[ReqEngineVersion], "1.1.16300.1 is too old")
	assert.Equal(t, Fail, got[ReqCloudProtection], "MAPSReporting 0")
	assert.Equal(t, Unknown, got[ReqAntivirus], "no AMRunningMode on this platform")
	assert.Equal(t, Unknown, got[ReqOS], "the output does not show the OS")
	assert.Equal(t, Fail, r.Eligible)

	assert.Equal(t, DeviceFacts{}, FactsFromPlatform(nil, nil))
}

func TestDeviceFactsJSON(t *testing.T) {
	var f DeviceFacts
	require.NoError(t, json.Unmarshal([]byte(`{"deviceId":"d","os":"Windows Server 2019 Datacenter","onboarded":true,"mode":"EDR Block Mode","cloudProtection":null,"platformVersion":"4.18.2202.4","engineVersion":""}`), &f))
	assert.Equal(t, mode.WindowsServer2019, f.OS)
	assert.Equal(t, mode.True, f.Onboarded)
	assert.Equal(t, mode.Unset, f.CloudProtection)
	assert.Equal(t, mode.EDRBlock, f.Mode)
	assert.True(t, f.EngineVersion.IsZero())

	for field, in := range map[string]string{
		"OS":            `{"os":"Windows 98"}`,
		"AMRunningMode": `{"mode":"Turbo"}`,
	} {
		err := json.Unmarshal([]byte(in), &f)
		var pe *mode.ParseError
		require.True(t, errors.As(err, &pe), "%s: %v", field, err)
		assert.Equal(t, field, pe.Field)
	}
	err := json.Unmarshal([]byte(`{"platformVersion":"4.18"}`), &f)
	assert.ErrorIs(t, err, mode.ErrInvalidVersion)
	err = json.Unmarshal([]byte(`{"onboarded":"yes"}`), &f)
	assert.ErrorIs(t, err, mode.ErrType)
}
