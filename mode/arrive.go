package mode

import "strings"

// Facts are what decides the running mode of a device's built-in
// antivirus. Each fact is a [Bool]: a fact left Unset is unknown, and a
// rule that needs it gives an Unknown mode naming it, never a guess.
type Facts struct {
	// OS is the operating system release.
	OS OS
	// Onboarded: the device is onboarded to the EDR service (Microsoft
	// Defender for Endpoint).
	Onboarded Bool
	// OtherAVPrimary: another vendor's antivirus is installed and is the
	// primary antivirus.
	OtherAVPrimary Bool
	// ForcePassiveMode: on Windows Server, the registry value
	// ForceDefenderPassiveMode (REG_DWORD under HKLM\SOFTWARE\Policies\
	// Microsoft\Windows Advanced Threat Protection) is 1; on Linux and
	// macOS, the enforcementLevel preference is "passive".
	ForcePassiveMode Bool
	// Installed: the built-in antivirus is installed (on Windows Server, the
	// Windows-Defender feature is present). Windows 10 and 11 always have
	// it; Linux and macOS have it once onboarded.
	Installed Bool
	// Disabled: on Windows Server, the built-in antivirus was turned off by
	// hand or by policy. (On Windows 10 and 11 it is disabled only
	// automatically, by the rules for another vendor's antivirus.)
	Disabled Bool
	// UnifiedAgent: Windows Server 2016 or 2012 R2 was onboarded with the
	// modern, unified solution.
	UnifiedAgent Bool
	// SecurityCenter: the Windows Security Center service is enabled. When
	// it is disabled on a client, the built-in antivirus cannot see another
	// vendor's product and stays active.
	SecurityCenter Bool
	// LimitedPeriodicScanning: limited periodic scanning is turned on
	// (Windows 10 and 11, beside another vendor's antivirus).
	LimitedPeriodicScanning Bool
	// SmartAppControl: Smart App Control is on or in evaluation (Windows
	// 11).
	SmartAppControl Bool
	// BlockMode: EDR in block mode is in effect on the device.
	BlockMode Bool
}

// fact names one of the Bool facts, for rules and reports.
type fact uint8

const (
	factOnboarded fact = iota
	factOtherAV
	factForcePassive
	factInstalled
	factDisabled
	factUnified
	factSecurityCenter
	factLPS
	factSAC
	factBlockMode
	numFacts
)

// factNames are the Facts field names, indexed by fact.
var factNames = [numFacts]string{
	"Onboarded", "OtherAVPrimary", "ForcePassiveMode", "Installed", "Disabled",
	"UnifiedAgent", "SecurityCenter", "LimitedPeriodicScanning", "SmartAppControl", "BlockMode",
}

func (f Facts) values() [numFacts]Bool {
	return [numFacts]Bool{
		f.Onboarded, f.OtherAVPrimary, f.ForcePassiveMode, f.Installed, f.Disabled,
		f.UnifiedAgent, f.SecurityCenter, f.LimitedPeriodicScanning, f.SmartAppControl, f.BlockMode,
	}
}

// osSet is a set of OS releases.
type osSet uint32

func oses(list ...OS) osSet {
	var s osSet
	for _, o := range list {
		s |= 1 << o
	}
	return s
}

func (s osSet) has(o OS) bool { return s&(1<<o) != 0 }

var (
	clients      = oses(Windows10, Windows11)
	modernServer = oses(WindowsServerSAC, WindowsServer2019, WindowsServer2022, WindowsServer2025)
	legacyServer = oses(WindowsServer2016, WindowsServer2012R2)
	servers      = modernServer | legacyServer | oses(WindowsServer2008R2)
	unixes       = oses(Linux, MacOS)
)

// when is one condition of a rule: a fact and the value it must have.
type when struct {
	f    fact
	want bool
}

// arrivalRule is one row of the running-mode table.
type arrivalRule struct {
	id     string
	os     osSet
	when   []when
	mode   Mode
	reason string
	action string // what an administrator should do, if anything
}

// Sources: Microsoft's "Microsoft Defender Antivirus compatibility with
// other security products" page (its tables "without Defender for
// Endpoint" and "with a non-Microsoft antivirus", the Windows Server notes
// and the passive-mode requirements), and for Linux and macOS the
// enforcementLevel preference of "Set preferences for Defender for Endpoint
// on Linux/Mac".
var arrivalRules = []arrivalRule{
	{
		id: "server-2008r2-no-builtin-av", os: oses(WindowsServer2008R2),
		mode:   NotRunning,
		reason: "Windows Server 2008 R2 has no built-in Microsoft Defender Antivirus",
	},
	{
		id: "server-2012r2-needs-unified-agent", os: oses(WindowsServer2012R2), when: []when{{factUnified, false}},
		mode:   NotRunning,
		reason: "Windows Server 2012 R2 has Microsoft Defender Antivirus only with the modern, unified solution",
		action: "onboard the server with the modern, unified solution",
	},
	{
		id: "server-av-uninstalled", os: servers, when: []when{{factInstalled, false}},
		mode:   NotRunning,
		reason: "the Windows-Defender feature is not installed",
	},
	{
		id: "server-av-disabled", os: servers, when: []when{{factDisabled, true}},
		mode:   NotRunning,
		reason: "Microsoft Defender Antivirus was turned off by hand or by policy",
	},
	// Windows 10 and 11.
	{
		id: "client-defender-primary", os: clients, when: []when{{factOtherAV, false}},
		mode:   Active,
		reason: "Microsoft Defender Antivirus is the primary antivirus (active mode, whether or not the device is onboarded)",
	},
	{
		id: "client-security-center-off", os: clients, when: []when{{factOtherAV, true}, {factSecurityCenter, false}},
		mode:   Active,
		reason: "the Windows Security Center service is disabled, so Microsoft Defender Antivirus cannot detect the other antivirus and stays active",
		action: "enable the Windows Security Center service",
	},
	{
		id: "client-other-av-onboarded", os: clients, when: []when{{factOtherAV, true}, {factSecurityCenter, true}, {factOnboarded, true}},
		mode:   Passive,
		reason: "a non-Microsoft antivirus is primary and the device is onboarded: passive mode (automatically)",
	},
	{
		id: "client-other-av-limited-periodic-scanning", os: clients, when: []when{{factOtherAV, true}, {factSecurityCenter, true}, {factOnboarded, false}, {factLPS, true}},
		mode:   SxSPassive,
		reason: "a non-Microsoft antivirus is primary, the device is not onboarded, and limited periodic scanning is on",
	},
	{
		id: "windows11-smart-app-control-undocumented", os: oses(Windows11), when: []when{{factOtherAV, true}, {factSecurityCenter, true}, {factOnboarded, false}, {factLPS, false}, {factSAC, true}},
		mode:   Unknown,
		reason: "the documentation disagrees: one table says Windows 11 with Smart App Control on goes into passive mode, the other says it is disabled (automatically)",
	},
	{
		id: "client-other-av-not-onboarded", os: clients, when: []when{{factOtherAV, true}, {factSecurityCenter, true}, {factOnboarded, false}, {factLPS, false}},
		mode:   NotRunning,
		reason: "a non-Microsoft antivirus is primary and the device is not onboarded: disabled (automatically)",
	},
	// Windows Server.
	{
		id: "server-2016-legacy-other-av", os: oses(WindowsServer2016), when: []when{{factUnified, false}, {factOtherAV, true}},
		mode:   Active,
		reason: "Windows Server 2016 without the unified solution cannot run passive mode; Microsoft Defender Antivirus stays active beside the other antivirus",
		action: "uninstall Microsoft Defender Antivirus (Uninstall-WindowsFeature Windows-Defender and Windows-Defender-Gui), or onboard with the unified solution",
	},
	{
		id: "server-defender-primary", os: servers, when: []when{{factInstalled, true}, {factOtherAV, false}},
		mode:   Active,
		reason: "Microsoft Defender Antivirus is the primary antivirus (active mode, whether or not the server is onboarded)",
	},
	{
		id: "server-other-av-onboarded-passive-set", os: servers, when: []when{{factInstalled, true}, {factOtherAV, true}, {factOnboarded, true}, {factForcePassive, true}},
		mode:   Passive,
		reason: "a non-Microsoft antivirus is primary, the server is onboarded and ForceDefenderPassiveMode is 1: passive mode (set manually)",
	},
	{
		id: "server-other-av-onboarded-passive-not-set", os: servers, when: []when{{factInstalled, true}, {factOtherAV, true}, {factOnboarded, true}, {factForcePassive, false}},
		mode:   Active,
		reason: "Windows Server does not enter passive mode automatically when another antivirus is installed; ForceDefenderPassiveMode is not 1, so it stays active",
		action: `set ForceDefenderPassiveMode (REG_DWORD) to 1 under HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection`,
	},
	{
		id: "server-other-av-not-onboarded", os: servers, when: []when{{factInstalled, true}, {factOtherAV, true}, {factOnboarded, false}},
		mode:   Active,
		reason: "passive mode needs onboarding; on a server that is not onboarded Microsoft Defender Antivirus stays active beside the other antivirus",
		action: "disable or uninstall Microsoft Defender Antivirus by hand (Uninstall-WindowsFeature Windows-Defender), or onboard the server",
	},
	// Linux and macOS.
	{
		id: "unix-not-onboarded", os: unixes, when: []when{{factOnboarded, false}},
		mode:   NotRunning,
		reason: "on Linux and macOS the antivirus comes with Defender for Endpoint, and the device is not onboarded",
	},
	{
		id: "unix-passive", os: unixes, when: []when{{factOnboarded, true}, {factForcePassive, true}},
		mode:   Passive,
		reason: "the enforcementLevel preference is passive",
	},
	{
		id: "unix-active", os: unixes, when: []when{{factOnboarded, true}, {factForcePassive, false}},
		mode:   Active,
		reason: "the enforcementLevel preference is real_time or on_demand, not passive",
	},
}

// Arrival is the mode a device arrives at and why.
type Arrival struct {
	// Mode is the resulting running mode; Unknown when a needed fact was
	// not given (see Missing) or the documentation does not settle it.
	Mode Mode `json:"mode"`
	// Rule is the id of the rule that decided, such as
	// "client-other-av-onboarded"; empty when no rule could decide.
	Rule string `json:"rule,omitempty"`
	// Reason explains the result in one sentence.
	Reason string `json:"reason"`
	// Action is what an administrator should do, if anything.
	Action string `json:"action,omitempty"`
	// Missing names the facts (Facts field names) that were needed but
	// Unset.
	Missing []string `json:"missing,omitempty"`
}

// String returns the one-line form: "EDR Block Mode (client-other-av-
// onboarded): ...".
func (a Arrival) String() string {
	s := a.Mode.String()
	if a.Rule != "" {
		s += " (" + a.Rule + ")"
	}
	s += ": " + a.Reason
	if len(a.Missing) > 0 {
		s += " [missing: " + strings.Join(a.Missing, ", ") + "]"
	}
	return s
}

// Arrive returns the running mode a device arrives at from its facts,
// following the rules of Microsoft's compatibility page. It is pure.
//
// Rules are tried in order. A rule whose conditions all hold decides. A
// rule that could hold but needs a fact that is Unset stops the search
// with an Unknown mode naming the missing facts: the answer would depend
// on them. When the result is passive and block mode is in effect
// (BlockMode), the mode is EDRBlock; when it is passive on Windows and
// BlockMode is Unset, the mode is Unknown, since the platform would report
// either "Passive Mode" or "EDR Block Mode".
func Arrive(f Facts) Arrival {
	if f.OS == OSUnknown || f.OS >= numOS {
		return Arrival{Mode: Unknown, Reason: "the operating system is not known", Missing: []string{"OS"}}
	}
	vals := f.values()
	for _, r := range arrivalRules {
		if !r.os.has(f.OS) {
			continue
		}
		var missing []string
		fails := false
		for _, c := range r.when {
			v := vals[c.f]
			if !v.Known() {
				missing = append(missing, factNames[c.f])
				continue
			}
			if (v == True) != c.want {
				fails = true
				break
			}
		}
		if fails {
			continue
		}
		if len(missing) > 0 {
			return Arrival{Mode: Unknown, Rule: r.id, Reason: "cannot tell whether this rule applies: " + r.reason, Missing: missing}
		}
		a := Arrival{Mode: r.mode, Rule: r.id, Reason: r.reason, Action: r.action}
		if a.Mode == Passive && f.OS.Family() != FamilyLinux && f.OS.Family() != FamilyMacOS {
			switch f.BlockMode {
			case True:
				a.Mode = EDRBlock
				a.Reason += "; EDR in block mode is in effect"
			case Unset:
				a.Mode = Unknown
				a.Reason += "; Passive Mode or EDR Block Mode depending on whether block mode is in effect"
				a.Missing = []string{factNames[factBlockMode]}
			}
		}
		return a
	}
	// Unreachable with a complete table; kept so a gap is visible, not a
	// guess.
	return Arrival{Mode: Unknown, Reason: "no documented rule covers these facts"}
}
