package edr

import (
	"fmt"
	"time"

	"github.com/blockmode/blockmode/mode"
)

// RequirementID names one requirement for EDR in block mode. The ids are
// stable: they appear in reports, traces and JSON.
type RequirementID string

// The requirements a device must meet, in report order.
const (
	// ReqOS: the operating system is one the ruleset lists.
	ReqOS RequirementID = "os"
	// ReqOnboarded: the device is onboarded to the EDR service (Microsoft
	// Defender for Endpoint, Plan 2).
	ReqOnboarded RequirementID = "onboarded"
	// ReqAntivirus: the built-in antivirus is installed and running, in
	// active or passive mode.
	ReqAntivirus RequirementID = "antivirus"
	// ReqCloudProtection: cloud-delivered protection is on (MAPSReporting
	// is not 0).
	ReqCloudProtection RequirementID = "cloud-protection"
	// ReqPlatformVersion: the antimalware platform (AMProductVersion) is
	// at least the ruleset's minimum.
	ReqPlatformVersion RequirementID = "platform-version"
	// ReqEngineVersion: the antimalware engine (AMEngineVersion) is at
	// least the ruleset's minimum.
	ReqEngineVersion RequirementID = "engine-version"
)

// OSRule is how a ruleset treats one operating system release.
type OSRule struct {
	// Eligible: the release is listed.
	Eligible bool `json:"eligible"`
	// NeedsUnifiedAgent: eligible only when onboarded with the modern,
	// unified solution (Windows Server 2016 and 2012 R2).
	NeedsUnifiedAgent bool `json:"needsUnifiedAgent,omitempty"`
	// NeedsActiveMode: eligible only with the built-in antivirus in active
	// mode (Windows Server 2016 in the July 2021 revision, when passive
	// mode was not supported there).
	NeedsActiveMode bool `json:"needsActiveMode,omitempty"`
	// Note says why, in the documentation's words.
	Note string `json:"note,omitempty"`
}

// Ruleset is one revision of the documented rules for EDR in block mode:
// which devices are eligible, how it is turned on, how long a change takes
// to reach a device, and what the documentation advises. Rules are data so
// that a newer revision of the documentation is a new Ruleset, and a record
// names the ruleset it was decided under.
//
// The functions that return rulesets return a fresh copy each time; a
// caller may change its copy without affecting anyone else.
type Ruleset struct {
	// Name identifies the revision, "2025-05" or "2021-07".
	Name string `json:"name"`
	// Source names the documentation the rules come from.
	Source string `json:"source"`
	// OS lists the operating system releases and how each is treated. A
	// release not in the map is not eligible.
	OS map[mode.OS]OSRule `json:"os"`
	// MinPlatform is the minimum AMProductVersion.
	MinPlatform mode.Version `json:"minPlatform"`
	// MinEngine is the minimum AMEngineVersion.
	MinEngine mode.Version `json:"minEngine"`
	// GroupTargeting: block mode can be turned on per device group through
	// the Defender CSP setting Configuration/PassiveRemediation, and not
	// only tenant-wide.
	GroupTargeting bool `json:"groupTargeting"`
	// GroupTargetingMinPlatform is the platform a device needs for a
	// group setting to take effect on it.
	GroupTargetingMinPlatform mode.Version `json:"groupTargetingMinPlatform"`
	// TurnOffDelay is how long turning block mode off may take to reach a
	// device; until then the device still blocks.
	TurnOffDelay time.Duration `json:"turnOffDelay"`
	// TurnOnDelay is how long turning block mode on may take to reach a
	// device; until then the SDK does not count on it. The documentation
	// gives no figure; the default is the same as TurnOffDelay.
	TurnOnDelay time.Duration `json:"turnOnDelay"`
	// ActiveModeAdvice is what the documentation says about block mode
	// when the built-in antivirus is already active. The security
	// recommendation to turn block mode on is given either way, as the
	// documentation does; this advice goes with it.
	ActiveModeAdvice string `json:"activeModeAdvice"`
}

// DefaultTurnOffDelay is the documented bound for turning block mode off:
// "If you choose to disable EDR in block mode, it can take up to 30 minutes
// for the system to disable this capability."
const DefaultTurnOffDelay = 30 * time.Minute

// Ruleset names.
const (
	// Rev2025 is the current documentation: "EDR in block mode"
	// (defender-docs, ms.date 02/10/2025) and its FAQ (ms.date 05/22/2025).
	Rev2025 = "2025-05"
	// Rev2021 is the documentation as revised in July 2021
	// (microsoft-365-docs, ms.date 07/20/2021).
	Rev2021 = "2021-07"
)

// Current returns the ruleset of the current documentation, the default.
func Current() *Ruleset {
	unified := OSRule{Eligible: true, NeedsUnifiedAgent: true, Note: "with the new unified client solution"}
	return &Ruleset{
		Name:   Rev2025,
		Source: `Microsoft, "EDR in block mode" (ms.date 02/10/2025) and "EDR in block mode frequently asked questions" (ms.date 05/22/2025)`,
		OS: map[mode.OS]OSRule{
			mode.Windows11:           {Eligible: true},
			mode.Windows10:           {Eligible: true, Note: "all releases"},
			mode.WindowsServer2025:   {Eligible: true, Note: "Windows Server 2019 or later"},
			mode.WindowsServer2022:   {Eligible: true, Note: "Windows Server 2019 or later"},
			mode.WindowsServer2019:   {Eligible: true, Note: "Windows Server 2019 or later"},
			mode.WindowsServerSAC:    {Eligible: true, Note: "Windows Server, version 1803 or later"},
			mode.WindowsServer2016:   unified,
			mode.WindowsServer2012R2: unified,
			mode.WindowsServer2008R2: {Note: "not listed"},
			mode.Linux:               {Note: "Linux runs the built-in antivirus in passive mode without block mode"},
			mode.MacOS:               {Note: "macOS runs the built-in antivirus in passive mode without block mode"},
		},
		MinPlatform:               mode.MustParseVersion("4.18.2001.10"),
		MinEngine:                 mode.MustParseVersion("1.1.16700.2"),
		GroupTargeting:            true,
		GroupTargetingMinPlatform: mode.MustParseVersion("4.18.2202.0"),
		TurnOffDelay:              DefaultTurnOffDelay,
		TurnOnDelay:               DefaultTurnOffDelay,
		ActiveModeAdvice: "block mode adds little here: real-time protection already blocks, and Microsoft now recommends " +
			"disabling EDR in block mode when Microsoft Defender Antivirus is the primary antivirus; it is meant to remediate " +
			"what a non-Microsoft antivirus missed",
	}
}

// July2021 returns the ruleset of the documentation as revised in July 2021:
// block mode was turned on only tenant-wide in the portal; Windows Server
// 2016 was eligible only with the built-in antivirus in active mode, since
// passive mode was not supported there; Windows 11, Windows Server 2022 and
// Windows Server 2012 R2 were not listed; and it advised keeping block mode
// on whether the built-in antivirus is active or passive.
func July2021() *Ruleset {
	return &Ruleset{
		Name:   Rev2021,
		Source: `Microsoft, "Endpoint detection and response (EDR) in block mode" (microsoft-365-docs, ms.date 07/20/2021)`,
		OS: map[mode.OS]OSRule{
			mode.Windows10:           {Eligible: true, Note: "all releases"},
			mode.WindowsServerSAC:    {Eligible: true, Note: "Windows Server, version 1803 or newer"},
			mode.WindowsServer2019:   {Eligible: true},
			mode.WindowsServer2016:   {Eligible: true, NeedsActiveMode: true, Note: "only when Microsoft Defender Antivirus is in active mode"},
			mode.Windows11:           {Note: "not listed in this revision (released October 2021)"},
			mode.WindowsServer2022:   {Note: "not listed in this revision"},
			mode.WindowsServer2012R2: {Note: "not listed in this revision"},
		},
		MinPlatform:    mode.MustParseVersion("4.18.2001.10"),
		MinEngine:      mode.MustParseVersion("1.1.16700.2"),
		GroupTargeting: false,
		TurnOffDelay:   DefaultTurnOffDelay,
		TurnOnDelay:    DefaultTurnOffDelay,
		ActiveModeAdvice: "Microsoft recommends keeping EDR in block mode turned on, whether Microsoft Defender Antivirus " +
			"is running in passive mode or in active mode",
	}
}

// Rulesets returns every known ruleset, newest first.
func Rulesets() []*Ruleset { return []*Ruleset{Current(), July2021()} }

// RulesetByName returns the ruleset with the given name, or an error
// wrapping [ErrUnknownRuleset].
func RulesetByName(name string) (*Ruleset, error) {
	for _, rs := range Rulesets() {
		if rs.Name == name {
			return rs, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownRuleset, name)
}
