package mode

import "github.com/blockmode/blockmode/internal/enum"

// Capability is a protection feature whose availability depends on the
// running mode.
type Capability uint8

// The capabilities, in the order of [Capabilities].
const (
	// RealTimeProtection blocks threats as files are accessed.
	RealTimeProtection Capability = iota + 1
	// OnAccessScanning scans files when they are opened.
	OnAccessScanning
	// CloudDeliveredProtection uses the cloud service for verdicts.
	CloudDeliveredProtection
	// ScheduledScanning runs scheduled and on-demand scans.
	ScheduledScanning
	// LimitedPeriodicScanning is the periodic scan Windows clients run
	// beside another vendor's antivirus.
	LimitedPeriodicScanning
	// SecurityIntelligenceUpdates keeps detection content current.
	SecurityIntelligenceUpdates
	// RemediateOwnDetections remediates what the built-in antivirus
	// itself detects.
	RemediateOwnDetections
	// RemediateEDRDetections blocks and remediates artifacts found by
	// post-breach (EDR) detection.
	RemediateEDRDetections
	// NetworkProtection blocks connections to malicious hosts.
	NetworkProtection
	// AttackSurfaceReduction enforces attack surface reduction rules.
	AttackSurfaceReduction
	// PUAProtection blocks potentially unwanted applications.
	PUAProtection

	numCapabilities = iota + 1
)

var capabilityNames = [numCapabilities]string{
	"", "real-time protection", "on-access scanning", "cloud-delivered protection",
	"scheduled and on-demand scanning", "limited periodic scanning",
	"security intelligence updates", "remediation of its own detections",
	"remediation of EDR detections", "network protection",
	"attack surface reduction rules", "PUA protection",
}

// String returns the capability's name, "network protection".
func (c Capability) String() string {
	return enum.Name(c, "Capability", capabilityNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (c Capability) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Capabilities returns every capability in table order.
func Capabilities() []Capability {
	cs := make([]Capability, 0, numCapabilities-1)
	for c := Capability(1); c < numCapabilities; c++ {
		cs = append(cs, c)
	}
	return cs
}

// Support says whether a mode provides a capability. The zero value is
// [SupportUnknown].
type Support uint8

// The Support values.
const (
	SupportUnknown Support = iota // the mode is unknown
	NotSupported                  // the mode does not provide it
	Supported                     // the mode provides it
	Limited                       // the mode provides part of it; the entry's note says which
)

var supportNames = []string{"unknown", "no", "yes", "limited"}

// String returns "yes", "no", "limited" or "unknown".
func (s Support) String() string { return enum.Name(s, "Support", supportNames) }

// MarshalText implements [encoding.TextMarshaler].
func (s Support) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Available reports whether s is Supported or Limited.
func (s Support) Available() bool { return s == Supported || s == Limited }

// Entry is one cell of the capability table: whether a mode provides a
// capability, and a note when the answer needs one.
type Entry struct {
	Mode       Mode       `json:"mode"`
	Capability Capability `json:"capability"`
	Support    Support    `json:"support"`
	Note       string     `json:"note,omitempty"`
}

// cell is a table cell: the support and an optional note.
type cell struct {
	s    Support
	note string
}

var (
	yes = cell{s: Supported}
	no  = cell{s: NotSupported}
)

// Notes quoted or summarised from Microsoft's "Microsoft Defender Antivirus
// compatibility with other security products" page (the protection table
// and its notes) and the "EDR in block mode" page.
const (
	noteRTPPassive   = "no antivirus blocking or enforcement in passive mode, even where real-time protection is enabled"
	noteScanPassive  = "scans are not scheduled in passive mode; on-demand scans, catch-up quick scans and scans after a security intelligence update still run"
	noteSIUPassive   = "the update cadence follows Windows Update settings only; Defender's own update schedules are ignored"
	noteEDRActive    = "only when EDR in block mode is turned on; real-time protection is expected to block first, and block mode lets automatic actions follow post-breach behavioural detections"
	noteEDRBlock     = "artifacts that EDR detects are blocked and remediated; the other vendor's antivirus is never touched"
	noteOwnBlockMode = "passive mode does not remediate its own scan detections; EDR in block mode remediates what EDR detects"
	noteLPS          = "Windows 10 and 11 only, when not onboarded; Microsoft does not support it in enterprise environments"
	noteSxSScan      = "limited periodic scanning only"
)

// capabilityTable is the documented capability matrix, one row per mode
// and one column per capability. The rows for Active, Passive, EDRBlock and
// NotRunning follow the protection table of the compatibility page (its
// "EDR in block mode" column as published until 2022, whose rows agree with
// the current page's passive column and notes); SxSPassive follows the
// "limited periodic scanning" row.
var capabilityTable = [numModes][numCapabilities]cell{
	Active: {
		RealTimeProtection:          yes,
		OnAccessScanning:            yes,
		CloudDeliveredProtection:    yes,
		ScheduledScanning:           yes,
		LimitedPeriodicScanning:     no,
		SecurityIntelligenceUpdates: yes,
		RemediateOwnDetections:      yes,
		RemediateEDRDetections:      {Limited, noteEDRActive},
		NetworkProtection:           yes,
		AttackSurfaceReduction:      yes,
		PUAProtection:               yes,
	},
	Passive: {
		RealTimeProtection:          {NotSupported, noteRTPPassive},
		OnAccessScanning:            no,
		CloudDeliveredProtection:    no,
		ScheduledScanning:           {Limited, noteScanPassive},
		LimitedPeriodicScanning:     no,
		SecurityIntelligenceUpdates: {Supported, noteSIUPassive},
		RemediateOwnDetections:      no,
		RemediateEDRDetections:      no,
		NetworkProtection:           no,
		AttackSurfaceReduction:      no,
		PUAProtection:               no,
	},
	EDRBlock: {
		RealTimeProtection:          {NotSupported, noteRTPPassive},
		OnAccessScanning:            no,
		CloudDeliveredProtection:    no,
		ScheduledScanning:           {Limited, noteScanPassive},
		LimitedPeriodicScanning:     no,
		SecurityIntelligenceUpdates: {Supported, noteSIUPassive},
		RemediateOwnDetections:      {NotSupported, noteOwnBlockMode},
		RemediateEDRDetections:      {Supported, noteEDRBlock},
		NetworkProtection:           no,
		AttackSurfaceReduction:      no,
		PUAProtection:               no,
	},
	SxSPassive: {
		RealTimeProtection:          no,
		OnAccessScanning:            no,
		CloudDeliveredProtection:    no,
		ScheduledScanning:           {Limited, noteSxSScan},
		LimitedPeriodicScanning:     {Supported, noteLPS},
		SecurityIntelligenceUpdates: yes,
		RemediateOwnDetections:      {Limited, "threats found by the periodic scan are remediated"},
		RemediateEDRDetections:      no,
		NetworkProtection:           no,
		AttackSurfaceReduction:      no,
		PUAProtection:               no,
	},
	NotRunning: {
		RealTimeProtection:          no,
		OnAccessScanning:            no,
		CloudDeliveredProtection:    no,
		ScheduledScanning:           no,
		LimitedPeriodicScanning:     no,
		SecurityIntelligenceUpdates: no,
		RemediateOwnDetections:      no,
		RemediateEDRDetections:      no,
		NetworkProtection:           no,
		AttackSurfaceReduction:      no,
		PUAProtection:               no,
	},
}

// Supports returns whether m provides c, with a note where the answer
// needs one. For Unknown, and for a capability out of range, the support
// is SupportUnknown.
func (m Mode) Supports(c Capability) Entry {
	e := Entry{Mode: m, Capability: c}
	if m.Known() && c > 0 && c < numCapabilities {
		cl := capabilityTable[m][c]
		e.Support, e.Note = cl.s, cl.note
	}
	return e
}

// Capabilities returns the row of the capability table for m: one entry per
// capability, in the order of [Capabilities].
func (m Mode) Capabilities() []Entry {
	out := make([]Entry, 0, numCapabilities-1)
	for c := Capability(1); c < numCapabilities; c++ {
		out = append(out, m.Supports(c))
	}
	return out
}
