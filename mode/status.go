package mode

import (
	"encoding/json"
	"io"
	"time"
)

// Status is what Get-MpComputerStatus reports about the built-in antivirus
// on one device (the CIM class MSFT_MpComputerStatus), or the part of it
// that the input held. Property names are the platform's.
//
// A property the input did not report keeps its zero value, which for every
// typed field means "not reported": [Unset] for a [Bool], the zero
// [Version], [Unknown] for the mode, the zero time. Use [Status.Has] to ask
// whether a property was in the input. Properties this package does not
// type are kept, as JSON, in Extra, so output from a newer platform loses
// nothing.
type Status struct {
	// Form is the form the status was read from.
	Form Form `json:"-"`

	// ComputerID is the platform's device identifier.
	ComputerID string `json:"ComputerID,omitempty"`
	// PSComputerName is the remote computer's name when the output came
	// through PowerShell remoting; empty otherwise.
	PSComputerName string `json:"PSComputerName,omitempty"`

	// AMRunningMode is the running mode. Platforms older than about
	// 4.18.2001 do not report it.
	AMRunningMode Mode `json:"AMRunningMode"`
	// AMProductVersion is the antimalware platform version.
	AMProductVersion Version `json:"AMProductVersion"`
	// AMEngineVersion is the antimalware engine version.
	AMEngineVersion Version `json:"AMEngineVersion"`
	// AMServiceVersion is the antimalware service version.
	AMServiceVersion Version `json:"AMServiceVersion"`
	// NISEngineVersion is the network inspection system engine version.
	NISEngineVersion Version `json:"NISEngineVersion"`
	// AntivirusSignatureVersion is the security intelligence version.
	AntivirusSignatureVersion Version `json:"AntivirusSignatureVersion"`
	// AntivirusSignatureLastUpdated is when security intelligence was last
	// updated.
	AntivirusSignatureLastUpdated time.Time `json:"AntivirusSignatureLastUpdated,omitzero"`

	// The service and protection flags, as the platform reports them. In
	// passive mode the protection flags may still read true: the running
	// mode, not these flags, says whether the antivirus enforces.
	AMServiceEnabled            Bool `json:"AMServiceEnabled"`
	AntispywareEnabled          Bool `json:"AntispywareEnabled"`
	AntivirusEnabled            Bool `json:"AntivirusEnabled"`
	BehaviorMonitorEnabled      Bool `json:"BehaviorMonitorEnabled"`
	IoavProtectionEnabled       Bool `json:"IoavProtectionEnabled"`
	NISEnabled                  Bool `json:"NISEnabled"`
	OnAccessProtectionEnabled   Bool `json:"OnAccessProtectionEnabled"`
	RealTimeProtectionEnabled   Bool `json:"RealTimeProtectionEnabled"`
	IsTamperProtected           Bool `json:"IsTamperProtected"`
	IsVirtualMachine            Bool `json:"IsVirtualMachine"`
	DefenderSignaturesOutOfDate Bool `json:"DefenderSignaturesOutOfDate"`

	// TamperProtectionSource says what turned tamper protection on
	// ("ATP", "UI", "Signatures", ...).
	TamperProtectionSource string `json:"TamperProtectionSource,omitempty"`

	// ServiceState is the state of the WinDefend service, reported only by
	// "sc query windefend".
	ServiceState ServiceState `json:"ServiceState,omitzero"`

	// Reported lists the properties the input held, in input order.
	Reported []string `json:"-"`
	// Extra holds, as JSON, every property this package does not type.
	Extra map[string]json.RawMessage `json:"Extra,omitempty"`
}

var statusFields = fieldTable[Status]{
	"computerid":                    stringField(func(s *Status) *string { return &s.ComputerID }),
	"pscomputername":                stringField(func(s *Status) *string { return &s.PSComputerName }),
	"amrunningmode":                 func(s *Status, p prop) (err error) { s.AMRunningMode, err = p.asMode(); return err },
	"amproductversion":              versionField(func(s *Status) *Version { return &s.AMProductVersion }),
	"amengineversion":               versionField(func(s *Status) *Version { return &s.AMEngineVersion }),
	"amserviceversion":              versionField(func(s *Status) *Version { return &s.AMServiceVersion }),
	"nisengineversion":              versionField(func(s *Status) *Version { return &s.NISEngineVersion }),
	"antivirussignatureversion":     versionField(func(s *Status) *Version { return &s.AntivirusSignatureVersion }),
	"antivirussignaturelastupdated": func(s *Status, p prop) (err error) { s.AntivirusSignatureLastUpdated, _, err = p.asTime(); return err },
	"amserviceenabled":              boolField(func(s *Status) *Bool { return &s.AMServiceEnabled }),
	"antispywareenabled":            boolField(func(s *Status) *Bool { return &s.AntispywareEnabled }),
	"antivirusenabled":              boolField(func(s *Status) *Bool { return &s.AntivirusEnabled }),
	"behaviormonitorenabled":        boolField(func(s *Status) *Bool { return &s.BehaviorMonitorEnabled }),
	"ioavprotectionenabled":         boolField(func(s *Status) *Bool { return &s.IoavProtectionEnabled }),
	"nisenabled":                    boolField(func(s *Status) *Bool { return &s.NISEnabled }),
	"onaccessprotectionenabled":     boolField(func(s *Status) *Bool { return &s.OnAccessProtectionEnabled }),
	"realtimeprotectionenabled":     boolField(func(s *Status) *Bool { return &s.RealTimeProtectionEnabled }),
	"istamperprotected":             boolField(func(s *Status) *Bool { return &s.IsTamperProtected }),
	"isvirtualmachine":              boolField(func(s *Status) *Bool { return &s.IsVirtualMachine }),
	"defendersignaturesoutofdate":   boolField(func(s *Status) *Bool { return &s.DefenderSignaturesOutOfDate }),
	"tamperprotectionsource":        stringField(func(s *Status) *string { return &s.TamperProtectionSource }),
	// From "sc query windefend".
	"service_name": func(s *Status, p prop) error { return nil },
	"state": func(s *Status, p prop) error {
		st, ok := parseServiceStateName(p.text)
		if !ok {
			return p.typeError("a service state")
		}
		s.ServiceState = st
		return nil
	},
}

// ParseStatus reads the output of Get-MpComputerStatus in any of the forms
// the package accepts: JSON from "| ConvertTo-Json" (Windows PowerShell 5.1
// or PowerShell 7), the console's list or table form, or the output of
// "sc query windefend". It uses a zero [Parser].
func ParseStatus(r io.Reader) (*Status, error) { return Parser{}.Status(r) }

// Status reads the output of Get-MpComputerStatus; see [ParseStatus]. Any
// error is a [*ParseError] naming the property and value at fault.
func (p Parser) Status(r io.Reader) (*Status, error) {
	doc, err := p.parseDocument(r)
	if err != nil {
		return nil, err
	}
	s := new(Status)
	d, err := decode(doc, statusFields, s, "Get-MpComputerStatus (is this another command's output?)")
	if err != nil {
		return nil, err
	}
	s.Form, s.Reported, s.Extra = d.form, d.reported, d.extra
	return s, nil
}

// Has reports whether the input held the named property (compared without
// regard to case), even if its value was null.
func (s *Status) Has(name string) bool { return has(s.Reported, name) }

// Running reports whether the built-in antivirus runs, from the facts the
// status holds: the running mode if reported, otherwise the service state
// from "sc query", otherwise AMServiceEnabled. It returns Unset when none of
// them was reported.
func (s *Status) Running() Bool {
	switch {
	case s.AMRunningMode.Known():
		return BoolOf(s.AMRunningMode != NotRunning)
	case s.ServiceState != ServiceUnknown:
		return BoolOf(s.ServiceState.Running())
	}
	return s.AMServiceEnabled
}
