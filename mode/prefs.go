package mode

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/blockmode/blockmode/internal/enum"
)

// MAPSReporting is the Microsoft Active Protection Service membership, the
// Get-MpPreference property that turns cloud-delivered protection on. The
// platform encodes it as 0 (Disabled), 1 (Basic) or 2 (Advanced); the zero
// value of this type means not reported.
type MAPSReporting uint8

// The MAPSReporting values.
const (
	MAPSUnset    MAPSReporting = iota // not reported
	MAPSDisabled                      // 0: cloud-delivered protection off
	MAPSBasic                         // 1: basic membership (now treated as advanced)
	MAPSAdvanced                      // 2: advanced membership
)

var mapsNames = []string{"Unset", "Disabled", "Basic", "Advanced"}

// String returns the platform's name for r ("Advanced").
func (r MAPSReporting) String() string { return enum.Name(r, "MAPSReporting", mapsNames) }

// MarshalText implements [encoding.TextMarshaler].
func (r MAPSReporting) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Enforcement is the state of a protection feature that can be off, on, or
// in audit mode: the Get-MpPreference properties PUAProtection and
// EnableNetworkProtection. The platform encodes it as 0 (Disabled), 1
// (Enabled, which blocks) or 2 (AuditMode); the zero value of this type
// means not reported.
type Enforcement uint8

// The Enforcement values.
const (
	EnforcementUnset    Enforcement = iota // not reported
	EnforcementDisabled                    // 0: off
	EnforcementEnabled                     // 1: on, blocking
	EnforcementAudit                       // 2: audit mode: detect and report, do not block
)

var enforcementNames = []string{"Unset", "Disabled", "Enabled", "AuditMode"}

// String returns the platform's name for e ("AuditMode").
func (e Enforcement) String() string { return enum.Name(e, "Enforcement", enforcementNames) }

// MarshalText implements [encoding.TextMarshaler].
func (e Enforcement) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// SubmitSamplesConsent is whether samples are sent for cloud analysis. The
// platform encodes it as 0 (AlwaysPrompt), 1 (SendSafeSamples), 2
// (NeverSend) or 3 (SendAllSamples); the zero value of this type means not
// reported.
type SubmitSamplesConsent uint8

// The SubmitSamplesConsent values.
const (
	ConsentUnset           SubmitSamplesConsent = iota // not reported
	ConsentAlwaysPrompt                                // 0
	ConsentSendSafeSamples                             // 1
	ConsentNeverSend                                   // 2
	ConsentSendAllSamples                              // 3
)

var consentNames = []string{"Unset", "AlwaysPrompt", "SendSafeSamples", "NeverSend", "SendAllSamples"}

// String returns the platform's name for c ("SendSafeSamples").
func (c SubmitSamplesConsent) String() string {
	return enum.Name(c, "SubmitSamplesConsent", consentNames)
}

// MarshalText implements [encoding.TextMarshaler].
func (c SubmitSamplesConsent) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// hiddenExclusionsPrefix starts the placeholder Get-MpPreference prints in
// place of each exclusion list when it does not run as an administrator:
// "N/A: Must be an administrator to view exclusions".
const hiddenExclusionsPrefix = "N/A:"

// Preferences is what Get-MpPreference reports (the CIM class
// MSFT_MpPreference), or the part of it that the input held. Property names
// are the platform's. As with [Status], a property the input did not
// report keeps its zero value, which means "not reported", and untyped
// properties are kept in Extra.
type Preferences struct {
	// Form is the form the preferences were read from.
	Form Form `json:"-"`

	// ComputerID is the platform's device identifier.
	ComputerID string `json:"ComputerID,omitempty"`

	// MAPSReporting turns cloud-delivered protection on (any value but
	// Disabled).
	MAPSReporting MAPSReporting `json:"MAPSReporting"`
	// SubmitSamplesConsent is whether samples are sent for analysis.
	SubmitSamplesConsent SubmitSamplesConsent `json:"SubmitSamplesConsent"`
	// PUAProtection is protection against potentially unwanted
	// applications.
	PUAProtection Enforcement `json:"PUAProtection"`
	// EnableNetworkProtection is network protection.
	EnableNetworkProtection Enforcement `json:"EnableNetworkProtection"`

	// The switches that turn protection features off.
	DisableRealtimeMonitoring Bool `json:"DisableRealtimeMonitoring"`
	DisableBehaviorMonitoring Bool `json:"DisableBehaviorMonitoring"`
	DisableIOAVProtection     Bool `json:"DisableIOAVProtection"`
	DisableBlockAtFirstSeen   Bool `json:"DisableBlockAtFirstSeen"`

	// ExclusionPath lists the antivirus file and folder exclusions.
	ExclusionPath []string `json:"ExclusionPath"`
	// ExclusionExtension lists the antivirus file-extension exclusions.
	ExclusionExtension []string `json:"ExclusionExtension"`
	// ExclusionProcess lists the processes whose opened files are
	// excluded.
	ExclusionProcess []string `json:"ExclusionProcess"`
	// ExclusionIpAddress lists the IP addresses excluded from network
	// inspection.
	ExclusionIpAddress []string `json:"ExclusionIpAddress"`
	// ExclusionsHidden is true when the platform withheld the exclusion
	// lists because Get-MpPreference did not run as an administrator. The
	// lists are then empty and unknown.
	ExclusionsHidden bool `json:"ExclusionsHidden,omitempty"`

	// Reported lists the properties the input held, in input order.
	Reported []string `json:"-"`
	// Extra holds, as JSON, every property this package does not type.
	Extra map[string]json.RawMessage `json:"Extra,omitempty"`
}

var preferenceFields = fieldTable[Preferences]{
	"computerid":                stringField(func(p *Preferences) *string { return &p.ComputerID }),
	"mapsreporting":             enumField(func(p *Preferences) *MAPSReporting { return &p.MAPSReporting }, mapsNames),
	"submitsamplesconsent":      enumField(func(p *Preferences) *SubmitSamplesConsent { return &p.SubmitSamplesConsent }, consentNames),
	"puaprotection":             enumField(func(p *Preferences) *Enforcement { return &p.PUAProtection }, enforcementNames),
	"enablenetworkprotection":   enumField(func(p *Preferences) *Enforcement { return &p.EnableNetworkProtection }, enforcementNames),
	"disablerealtimemonitoring": boolField(func(p *Preferences) *Bool { return &p.DisableRealtimeMonitoring }),
	"disablebehaviormonitoring": boolField(func(p *Preferences) *Bool { return &p.DisableBehaviorMonitoring }),
	"disableioavprotection":     boolField(func(p *Preferences) *Bool { return &p.DisableIOAVProtection }),
	"disableblockatfirstseen":   boolField(func(p *Preferences) *Bool { return &p.DisableBlockAtFirstSeen }),
	"exclusionpath":             stringsField(func(p *Preferences) *[]string { return &p.ExclusionPath }),
	"exclusionextension":        stringsField(func(p *Preferences) *[]string { return &p.ExclusionExtension }),
	"exclusionprocess":          stringsField(func(p *Preferences) *[]string { return &p.ExclusionProcess }),
	"exclusionipaddress":        stringsField(func(p *Preferences) *[]string { return &p.ExclusionIpAddress }),
}

// exclusionLists are the properties Get-MpPreference withholds from a
// user who is not an administrator.
var exclusionLists = []string{"ExclusionPath", "ExclusionExtension", "ExclusionProcess", "ExclusionIpAddress"}

// ParsePreferences reads the output of Get-MpPreference, as JSON from
// "| ConvertTo-Json" (Windows PowerShell 5.1 or PowerShell 7) or the
// console's list form. It uses a zero [Parser].
func ParsePreferences(r io.Reader) (*Preferences, error) { return Parser{}.Preferences(r) }

// Preferences reads the output of Get-MpPreference; see
// [ParsePreferences]. Any error is a [*ParseError] naming the property and
// value at fault.
//
// Two errors come with a usable result: when the exclusion lists were
// withheld (the error wraps [ErrHiddenExclusions]; ExclusionsHidden is
// set), and when the console shortened a list (the error wraps
// [ErrTruncatedList]; that list is nil). Everything else in the returned
// Preferences is complete, so a caller that does not need the lists may go
// on; a caller that does must not read the empty lists as "no exclusions".
func (p Parser) Preferences(r io.Reader) (*Preferences, error) {
	doc, err := p.parseDocument(r)
	if err != nil {
		return nil, err
	}
	prefs := new(Preferences)
	d, err := decode(doc, preferenceFields, prefs, "Get-MpPreference (is this another command's output?)")
	if err != nil {
		return nil, err
	}
	prefs.Form, prefs.Reported, prefs.Extra = d.form, d.reported, d.extra
	partial := d.partial
	for _, name := range exclusionLists {
		list := prefs.list(name)
		hidden := 0
		for _, e := range *list {
			if strings.HasPrefix(strings.TrimSpace(e), hiddenExclusionsPrefix) {
				hidden++
			}
		}
		if hidden == 0 {
			continue
		}
		if hidden != len(*list) {
			return nil, newParseError(name, hiddenExclusionsPrefix, 0, fmt.Errorf("%w: exclusions beside the placeholder for hidden exclusions", ErrSyntax))
		}
		*list = nil
		prefs.ExclusionsHidden = true
		partial = append(partial, newParseError(name, hiddenExclusionsPrefix, 0, ErrHiddenExclusions))
	}
	return prefs, errors.Join(partial...)
}

func (p *Preferences) list(name string) *[]string {
	switch name {
	case "ExclusionPath":
		return &p.ExclusionPath
	case "ExclusionExtension":
		return &p.ExclusionExtension
	case "ExclusionProcess":
		return &p.ExclusionProcess
	}
	return &p.ExclusionIpAddress
}

// Has reports whether the input held the named property (compared without
// regard to case), even if its value was null.
func (p *Preferences) Has(name string) bool { return has(p.Reported, name) }

// CloudDeliveredProtection reports whether cloud-delivered protection is on:
// True when MAPSReporting is Basic or Advanced, False when it is Disabled,
// Unset when it was not reported.
func (p *Preferences) CloudDeliveredProtection() Bool {
	if p.MAPSReporting == MAPSUnset {
		return Unset
	}
	return BoolOf(p.MAPSReporting != MAPSDisabled)
}
