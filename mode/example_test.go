package mode_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/blockmode/blockmode/mode"
)

func ExampleParseMode() {
	m, err := mode.ParseMode("EDR Block Mode")
	if err != nil {
		panic(err)
	}
	fmt.Println(m, "-", m.Description())
	fmt.Println("remediates EDR detections:", m.Supports(mode.RemediateEDRDetections).Support)
	fmt.Println("real-time protection:", m.Supports(mode.RealTimeProtection).Support)

	_, err = mode.ParseMode("Turbo Mode")
	fmt.Println(errors.Is(err, mode.ErrUnknownMode))
	// Output:
	// EDR Block Mode - passive, with EDR in block mode
	// remediates EDR detections: yes
	// real-time protection: no
	// true
}

func ExampleVersion_AtLeast() {
	platform := mode.MustParseVersion("4.18.24090.11")
	minimum := mode.MustParseVersion("4.18.2001.10")
	fmt.Println(platform.AtLeast(minimum))

	_, err := mode.ParseVersion("4.18.2001")
	fmt.Println(err)
	// Output:
	// true
	// mode: invalid version: fewer than four parts: value "4.18.2001"
}

func ExampleParseStatus() {
	// What "Get-MpComputerStatus | ConvertTo-Json" prints in Windows
	// PowerShell 5.1, shortened.
	out := `{
    "AMEngineVersion":  "1.1.24090.11",
    "AMProductVersion":  "4.18.24090.11",
    "AMRunningMode":  "EDR Block Mode",
    "AMServiceEnabled":  true,
    "AntivirusSignatureLastUpdated":  "\/Date(1731570138000)\/",
    "ComputerState":  0
}`
	s, err := mode.ParseStatus(strings.NewReader(out))
	if err != nil {
		panic(err)
	}
	fmt.Println(s.AMRunningMode, s.AMProductVersion, s.AMEngineVersion)
	fmt.Println("service enabled:", s.AMServiceEnabled, "tamper protected:", s.IsTamperProtected)
	fmt.Println("signatures:", s.AntivirusSignatureLastUpdated)
	fmt.Println("kept:", string(s.Extra["ComputerState"]))
	// Output:
	// EDR Block Mode 4.18.24090.11 1.1.24090.11
	// service enabled: true tamper protected: unset
	// signatures: 2024-11-14 07:42:18 +0000 UTC
	// kept: 0
}

func ExampleParseStatus_table() {
	// What "Get-MpComputerStatus | select AMRunningMode" prints.
	out := "\r\nAMRunningMode\r\n-------------\r\nEDR Block Mode\r\n\r\n"
	s, err := mode.ParseStatus(strings.NewReader(out))
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Form, s.AMRunningMode)
	// Output: table EDR Block Mode
}

func ExampleParsePreferences() {
	out := `{
  "ExclusionPath": ["C:\\Program Files\\Contoso\\Agent", "%ProgramData%\\Contoso\\*.tmp"],
  "ExclusionExtension": null,
  "MAPSReporting": 2,
  "PUAProtection": 1
}`
	p, err := mode.ParsePreferences(strings.NewReader(out))
	if err != nil {
		panic(err)
	}
	fmt.Println("cloud-delivered protection:", p.CloudDeliveredProtection(), "("+p.MAPSReporting.String()+")")
	fmt.Println("PUA protection:", p.PUAProtection)
	fmt.Println(len(p.ExclusionPath), "exclusion paths")
	// Output:
	// cloud-delivered protection: true (Advanced)
	// PUA protection: Enabled
	// 2 exclusion paths
}

func ExampleParsePreferences_notAdministrator() {
	// Get-MpPreference withholds exclusions from a user who is not an
	// administrator. The rest of the preferences is still usable.
	out := `{"MAPSReporting": 2, "ExclusionPath": ["N/A: Must be an administrator to view exclusions"]}`
	p, err := mode.ParsePreferences(strings.NewReader(out))
	fmt.Println(errors.Is(err, mode.ErrHiddenExclusions), p.ExclusionsHidden, p.CloudDeliveredProtection())
	// Output: true true true
}

func ExampleArrive() {
	a := mode.Arrive(mode.Facts{
		OS:               mode.WindowsServer2022,
		Installed:        mode.True,
		Disabled:         mode.False,
		OtherAVPrimary:   mode.True,
		Onboarded:        mode.True,
		ForcePassiveMode: mode.False,
	})
	fmt.Println(a.Mode, a.Rule)
	fmt.Println(a.Action)
	// Output:
	// Normal server-other-av-onboarded-passive-not-set
	// set ForceDefenderPassiveMode (REG_DWORD) to 1 under HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection
}

func ExampleArrive_missingFact() {
	a := mode.Arrive(mode.Facts{OS: mode.Windows11, OtherAVPrimary: mode.True, SecurityCenter: mode.True})
	fmt.Println(a.Mode, a.Missing)
	// Output: Unknown [Onboarded]
}
