package edr_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/mode"
)

func ExampleEligibility() {
	status, err := mode.ParseStatus(strings.NewReader(`{
    "AMRunningMode":  "Passive Mode",
    "AMProductVersion":  "4.18.1909.6",
    "AMEngineVersion":  "1.1.16700.3"
}`))
	if err != nil {
		panic(err)
	}
	prefs, err := mode.ParsePreferences(strings.NewReader(`{"MAPSReporting": 0}`))
	if err != nil {
		panic(err)
	}
	facts := edr.FactsFromPlatform(status, prefs)
	facts.OS = mode.Windows10

	r := edr.Eligibility(facts)
	fmt.Println("eligible:", r.Eligible)
	for _, c := range r.Checks {
		fmt.Println(c)
	}
	for _, rec := range r.Recommendations {
		fmt.Println("-", rec.Title+":", rec.Detail)
	}
	// Output:
	// eligible: fail
	// pass    os: observed Windows 10, required Windows 10, Windows 11, Windows Server 2012 R2 (unified solution), Windows Server 2016 (unified solution), Windows Server, version 1803 or later, Windows Server 2019, Windows Server 2022, Windows Server 2025
	// pass    onboarded: observed yes, required onboarded
	// pass    antivirus: observed Passive Mode, required Normal, Passive Mode or EDR Block Mode
	// fail    cloud-protection: observed no, required on (MAPSReporting 1 or 2)
	// fail    platform-version: observed 4.18.1909.6, required at least 4.18.2001.10
	// pass    engine-version: observed 1.1.16700.3, required at least 1.1.16700.2
	// - Turn on EDR in block mode: block mode blocks and remediates malicious artifacts that post-breach detection finds, when another antivirus missed them
	// - Fix: Cloud-delivered protection is on: turn on cloud-delivered protection: Set-MpPreference -MAPSReporting Advanced
	// - Fix: Antimalware platform version (AMProductVersion): update the antimalware platform to 4.18.2001.10 or later
}

func ExampleHistory_State() {
	var h edr.History // block mode off, current ruleset
	admin := edr.Actor{Name: "alice@contoso.com", Roles: []edr.Role{edr.SecurityAdministrator}}
	on := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	off := on.Add(4 * time.Hour)
	if _, err := h.SetTenant(admin, true, on); err != nil {
		panic(err)
	}
	if _, err := h.SetTenant(admin, false, off); err != nil {
		panic(err)
	}
	_, err := h.SetTenant(edr.Actor{Name: "bob", Roles: []edr.Role{edr.SecurityReader}}, true, off.Add(time.Hour))
	fmt.Println(err)

	device := edr.DeviceFacts{
		OS: mode.Windows11, Onboarded: mode.True, Mode: mode.Passive, CloudProtection: mode.True,
		PlatformVersion: mode.MustParseVersion("4.18.24090.11"), EngineVersion: mode.MustParseVersion("1.1.24090.11"),
	}
	for _, m := range []time.Duration{29, 31} {
		st := h.State(device, off.Add(m*time.Minute))
		fmt.Printf("%d minutes after turning off: %s, blocks: %v\n", m, st.State, st.InEffect)
	}
	// Output:
	// edr: permission denied: bob cannot turn EDR in block mode on tenant-wide: needs the Global Administrator or Security Administrator role
	// 29 minutes after turning off: turning off, blocks: true
	// 31 minutes after turning off: off, blocks: false
}

func ExampleAssessServer() {
	a := edr.AssessServer(edr.Server{OS: mode.WindowsServer2012R2, Host: edr.ArcMachine, Plan: edr.Plan2, UnifiedSolution: mode.True})
	fmt.Println(a.Supported, a.OnboardingTime, a.ExpectedMode)
	fmt.Println(a.ModeReason)
	// Output:
	// pass 12h0m0s Normal
	// Windows Server 2012 R2 with the unified solution runs Microsoft Defender Antivirus in active mode
}
