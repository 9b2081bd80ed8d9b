package edr

import (
	"fmt"
	"strings"

	"github.com/blockmode/blockmode/mode"
)

// DeviceFacts are what eligibility and the effective state depend on. Every
// fact has a "not given" zero value ([mode.OSUnknown], [mode.Unset],
// [mode.Unknown], the zero [mode.Version]), and a fact not given makes the
// checks that need it Unknown, never Pass.
//
// Hosts that know their facts fill the struct directly or decode it from
// JSON (names as in the json tags; an unknown OS string, mode or malformed
// version is a typed error naming the field); [FactsFromPlatform] fills it
// from parsed Get-MpComputerStatus and Get-MpPreference output.
type DeviceFacts struct {
	// DeviceID identifies the device in reports and records.
	DeviceID string `json:"deviceId,omitempty"`
	// Group is the device group the device belongs to, for per-group
	// settings; empty when it belongs to none.
	Group string `json:"group,omitempty"`
	// OS is the operating system release.
	OS mode.OS `json:"os"`
	// UnifiedAgent: Windows Server 2016 or 2012 R2 onboarded with the
	// modern, unified solution.
	UnifiedAgent mode.Bool `json:"unifiedAgent"`
	// Onboarded: onboarded to the EDR service (Defender for Endpoint).
	Onboarded mode.Bool `json:"onboarded"`
	// Mode is the running mode the device reports (AMRunningMode).
	Mode mode.Mode `json:"mode"`
	// Running: the built-in antivirus service runs. Used when Mode is not
	// known (older platforms, or only "sc query" output at hand).
	Running mode.Bool `json:"running"`
	// CloudProtection: cloud-delivered protection is on (MAPSReporting
	// is not 0).
	CloudProtection mode.Bool `json:"cloudProtection"`
	// PlatformVersion is AMProductVersion.
	PlatformVersion mode.Version `json:"platformVersion"`
	// EngineVersion is AMEngineVersion.
	EngineVersion mode.Version `json:"engineVersion"`
}

// FactsFromPlatform fills the facts that Get-MpComputerStatus and
// Get-MpPreference output can show: the running mode, whether the service
// runs, the platform and engine versions, and cloud-delivered protection.
// Either argument may be nil. The output cannot show the operating system
// or the unified agent; onboarding it shows only indirectly: "Passive Mode"
// and "EDR Block Mode" exist only on onboarded devices, so they set
// Onboarded. The caller fills the rest.
func FactsFromPlatform(s *mode.Status, p *mode.Preferences) DeviceFacts {
	var f DeviceFacts
	if s != nil {
		f.DeviceID = s.ComputerID
		f.Mode = s.AMRunningMode
		f.Running = s.Running()
		f.PlatformVersion = s.AMProductVersion
		f.EngineVersion = s.AMEngineVersion
		if f.Mode == mode.Passive || f.Mode == mode.EDRBlock {
			f.Onboarded = mode.True
		}
	}
	if p != nil {
		f.CloudProtection = p.CloudDeliveredProtection()
	}
	return f
}

// Check is the result of one requirement for one device.
type Check struct {
	// ID names the requirement.
	ID RequirementID `json:"id"`
	// Requirement says it in words, "Cloud-delivered protection is on".
	Requirement string `json:"requirement"`
	// Result is pass, fail or unknown.
	Result Result `json:"result"`
	// Observed is the value seen, or "not given".
	Observed string `json:"observed"`
	// Required is the value needed.
	Required string `json:"required"`
	// Remedy is what to do about a failure (or, for unknown, what to find
	// out); empty on a pass.
	Remedy string `json:"remedy,omitempty"`
}

// String returns the one-line form: "fail  cloud-protection: observed
// MAPSReporting Disabled, required ...".
func (c Check) String() string {
	return fmt.Sprintf("%-7s %s: observed %s, required %s", c.Result, c.ID, c.Observed, c.Required)
}

const notGiven = "not given"

// Report is a device's eligibility for EDR in block mode under one
// ruleset, whether block mode is in effect, and what to do.
type Report struct {
	// Ruleset names the ruleset the checks followed.
	Ruleset string `json:"ruleset"`
	// DeviceID is the device's id, if known.
	DeviceID string `json:"deviceId,omitempty"`
	// Eligible is Pass when every check passes, Fail when any fails, and
	// Unknown otherwise.
	Eligible Result `json:"eligible"`
	// Checks holds one entry per requirement, in a fixed order.
	Checks []Check `json:"checks"`
	// InEffect says whether block mode is in effect: Pass or Fail when
	// known, Unknown when neither the device's reported mode nor the
	// settings history tell.
	InEffect Result `json:"inEffect"`
	// InEffectReason explains InEffect.
	InEffectReason string `json:"inEffectReason"`
	// State is the effective state from the settings history, when the
	// report was made with one ([History.Assess]).
	State *EffectiveState `json:"state,omitempty"`
	// Recommendations are what the security team should do, most
	// important first.
	Recommendations []Recommendation `json:"recommendations,omitempty"`
}

// Check returns the check with the given id.
func (r Report) Check(id RequirementID) (Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Eligibility checks a device against the current ruleset; see
// [Ruleset.Eligibility].
func Eligibility(f DeviceFacts) Report { return Current().Eligibility(f) }

// Eligibility checks a device against every requirement of the ruleset.
// It is pure. InEffect comes from the mode the device reports: "EDR Block
// Mode" is in effect; "Passive Mode", "SxS Passive Mode" and "Not running"
// are not; "Normal" is reported whether or not block mode is on, so it
// leaves InEffect unknown. Use [History.Assess] to add the settings
// history.
func (rs *Ruleset) Eligibility(f DeviceFacts) Report {
	r := Report{Ruleset: rs.Name, DeviceID: f.DeviceID}
	r.Checks = []Check{
		rs.checkOS(f),
		checkBool(ReqOnboarded, "The device is onboarded to Defender for Endpoint", f.Onboarded, "onboarded",
			"onboard the device to Microsoft Defender for Endpoint (Plan 2)"),
		checkAntivirus(f),
		checkBool(ReqCloudProtection, "Cloud-delivered protection is on", f.CloudProtection, "on (MAPSReporting 1 or 2)",
			"turn on cloud-delivered protection: Set-MpPreference -MAPSReporting Advanced"),
		checkVersion(ReqPlatformVersion, "Antimalware platform version (AMProductVersion)", f.PlatformVersion, rs.MinPlatform, "update the antimalware platform"),
		checkVersion(ReqEngineVersion, "Antimalware engine version (AMEngineVersion)", f.EngineVersion, rs.MinEngine, "update the antimalware engine"),
	}
	results := make([]Result, len(r.Checks))
	for i, c := range r.Checks {
		results[i] = c.Result
	}
	r.Eligible = and(results...)
	r.InEffect, r.InEffectReason = reportedInEffect(f.Mode)
	r.Recommendations = rs.recommend(&r, f)
	return r
}

func reportedInEffect(m mode.Mode) (Result, string) {
	switch m {
	case mode.EDRBlock:
		return Pass, `the device reports AMRunningMode "EDR Block Mode"`
	case mode.Passive, mode.SxSPassive, mode.NotRunning:
		return Fail, fmt.Sprintf("the device reports AMRunningMode %q", m.String())
	case mode.Active:
		return Unknown, `the device reports AMRunningMode "Normal", which it reports whether or not block mode is on`
	}
	return Unknown, "the device's running mode is not known"
}

func (rs *Ruleset) checkOS(f DeviceFacts) Check {
	c := Check{ID: ReqOS, Requirement: "The operating system is supported", Required: rs.osList()}
	if f.OS == mode.OSUnknown {
		c.Observed, c.Remedy = notGiven, "find out the device's operating system"
		return c
	}
	c.Observed = f.OS.String()
	rule, listed := rs.OS[f.OS]
	switch {
	case !listed || !rule.Eligible:
		c.Result = Fail
		if rule.Note != "" {
			c.Observed += " (" + rule.Note + ")"
		}
		c.Remedy = "move the device to a supported operating system"
	case rule.NeedsUnifiedAgent:
		c.Observed += ", unified solution: " + f.UnifiedAgent.String()
		switch f.UnifiedAgent {
		case mode.True:
			c.Result = Pass
		case mode.False:
			c.Result = Fail
			c.Remedy = "onboard " + f.OS.String() + " with the modern, unified solution"
		default:
			c.Remedy = "find out whether " + f.OS.String() + " was onboarded with the modern, unified solution"
		}
	case rule.NeedsActiveMode:
		c.Observed += ", mode: " + f.Mode.String()
		switch {
		case f.Mode == mode.Active:
			c.Result = Pass
		case f.Mode.Known():
			c.Result = Fail
			c.Remedy = "run Microsoft Defender Antivirus in active mode on " + f.OS.String() + " (" + rule.Note + ")"
		default:
			c.Remedy = "find out the running mode (Get-MpComputerStatus | select AMRunningMode)"
		}
	default:
		c.Result = Pass
	}
	return c
}

// osList is the Required text of the OS check: the eligible releases.
func (rs *Ruleset) osList() string {
	var names []string
	for _, o := range mode.OSes() {
		rule, ok := rs.OS[o]
		if !ok || !rule.Eligible {
			continue
		}
		n := o.String()
		switch {
		case rule.NeedsUnifiedAgent:
			n += " (unified solution)"
		case rule.NeedsActiveMode:
			n += " (active mode)"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

func checkBool(id RequirementID, what string, v mode.Bool, required, remedy string) Check {
	c := Check{ID: id, Requirement: what, Required: required, Observed: notGiven}
	switch v {
	case mode.True:
		c.Result, c.Observed = Pass, "yes"
	case mode.False:
		c.Result, c.Observed, c.Remedy = Fail, "no", remedy
	default:
		c.Remedy = "find out: " + remedy
	}
	return c
}

func checkAntivirus(f DeviceFacts) Check {
	c := Check{ID: ReqAntivirus, Requirement: "Microsoft Defender Antivirus is installed and running in active or passive mode",
		Required: "Normal, Passive Mode or EDR Block Mode"}
	switch {
	case f.Mode == mode.Active || f.Mode == mode.Passive || f.Mode == mode.EDRBlock:
		c.Result, c.Observed = Pass, f.Mode.String()
	case f.Mode.Known():
		c.Result, c.Observed = Fail, f.Mode.String()
		c.Remedy = "run Microsoft Defender Antivirus in active or passive mode (onboard the device so it can run passive beside another antivirus)"
	case f.Running == mode.False:
		c.Result, c.Observed = Fail, "service not running"
		c.Remedy = "install Microsoft Defender Antivirus and start its service (WinDefend)"
	case f.Running == mode.True:
		c.Observed = "service running, mode not reported"
		c.Remedy = "find out the running mode (Get-MpComputerStatus | select AMRunningMode; platforms before 4.18.2008 do not report it)"
	default:
		c.Observed = notGiven
		c.Remedy = "find out the running mode (Get-MpComputerStatus | select AMRunningMode)"
	}
	return c
}

func checkVersion(id RequirementID, what string, v, minimum mode.Version, remedy string) Check {
	c := Check{ID: id, Requirement: what, Required: "at least " + minimum.String()}
	switch {
	case v.IsZero():
		c.Observed, c.Remedy = notGiven, "find out the version (Get-MpComputerStatus)"
	case v.AtLeast(minimum):
		c.Result, c.Observed = Pass, v.String()
	default:
		c.Result, c.Observed = Fail, v.String()
		c.Remedy = remedy + " to " + minimum.String() + " or later"
	}
	return c
}
