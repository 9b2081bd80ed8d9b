package remediate

import (
	"context"
	"strings"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
)

// Matcher answers whether a file is excluded. *exclusions.Matcher
// implements it; a nil Matcher in Input means no exclusions.
type Matcher interface {
	Lookup(ctx context.Context, q exclusions.Query) exclusions.Result
}

// BlockMode is the effective state of EDR in block mode on the device at
// the time of the detection, as the edr package computes it (its
// EffectiveState converts to this). Only InEffect decides; the rest
// explains and versions the decision.
type BlockMode struct {
	// InEffect: the device blocks (block mode on, or turning off and not
	// yet reached).
	InEffect bool `json:"inEffect"`
	// State names the state, "on", "turning off", "not eligible", ...
	State string `json:"state,omitempty"`
	// Reason says why, in one sentence; for a state that is not in effect
	// it names the requirement or setting that is missing.
	Reason string `json:"reason,omitempty"`
	// Ruleset names the ruleset of the documentation in force.
	Ruleset string `json:"ruleset,omitempty"`
	// SettingsVersion is the settings version in force.
	SettingsVersion int `json:"settingsVersion"`
}

// Settings are the device settings besides block mode that change what
// happens to a detection when the built-in antivirus is active.
type Settings struct {
	// PUAProtection is the PUAProtection preference: Enabled lets PUA
	// protection remediate potentially unwanted applications.
	PUAProtection mode.Enforcement `json:"puaProtection"`
	// AutomatedInvestigation: automated investigation and remediation is
	// on for the device and may remediate EDR detections.
	AutomatedInvestigation mode.Bool `json:"automatedInvestigation"`
}

// IndicatorType is the kind of an EDR indicator.
type IndicatorType string

// The indicator types that can name a file artifact. IP addresses, URLs
// and domains are indicators too, but no file or process evidence carries
// them.
const (
	IndicatorSHA1        IndicatorType = "FileSha1"
	IndicatorSHA256      IndicatorType = "FileSha256"
	IndicatorMD5         IndicatorType = "FileMd5"
	IndicatorCertificate IndicatorType = "CertificateThumbprint"
	IndicatorIP          IndicatorType = "IpAddress"
	IndicatorURL         IndicatorType = "Url"
	IndicatorDomain      IndicatorType = "DomainName"
)

// Indicator is an EDR indicator of compromise or allow entry. Block mode
// does not honour indicators: an allow indicator never stops a
// remediation, and the decision's trace records each one that matched as
// ignored.
type Indicator struct {
	// ID identifies the indicator in the tenant.
	ID string `json:"id,omitempty"`
	// Type is the kind of value.
	Type IndicatorType `json:"indicatorType"`
	// Value is the hash, thumbprint, address, URL or domain.
	Value string `json:"indicatorValue"`
	// Action is the indicator's action, "Allowed", "Block", "Audit", ...
	Action string `json:"action"`
}

// Allows reports whether the indicator is an allow entry.
func (i Indicator) Allows() bool {
	return strings.EqualFold(i.Action, "Allowed") || strings.EqualFold(i.Action, "Allow")
}

// matches reports whether the indicator names the file. A certificate
// indicator is compared with the signer the evidence reports, which is the
// closest Graph evidence comes to a certificate.
func (i Indicator) matches(f *detect.FileDetails) bool {
	if i.Value == "" {
		return false
	}
	switch i.Type {
	case IndicatorSHA1:
		return strings.EqualFold(i.Value, f.SHA1)
	case IndicatorSHA256:
		return strings.EqualFold(i.Value, f.SHA256)
	case IndicatorMD5:
		return strings.EqualFold(i.Value, f.MD5)
	case IndicatorCertificate:
		return strings.EqualFold(i.Value, f.Signer)
	}
	return false
}

// Input is everything Decide looks at. Decide reads it and never changes
// it.
type Input struct {
	// Detection is the detection to decide on. Required.
	Detection *detect.Detection
	// BlockMode is the effective state of block mode on the device.
	BlockMode BlockMode
	// AntivirusMode is the built-in antivirus's running mode.
	AntivirusMode mode.Mode
	// Exclusions are the device's antivirus exclusions; nil means none.
	Exclusions Matcher
	// OtherAntivirus recognises the files of the primary, non-Microsoft
	// antivirus (its install folders and images), which block mode never
	// acts on; nil means none are known. [CompileOtherAntivirus] builds it.
	OtherAntivirus Matcher
	// Indicators are the tenant's EDR indicators. Block mode ignores them;
	// they appear in the trace.
	Indicators []Indicator
	// Settings are the PUA protection and automated investigation
	// settings.
	Settings Settings
	// Trace asks for the full trace of every rule consulted. Without it
	// the decision still names the deciding rule and each item's rule.
	Trace bool
}

// CompileOtherAntivirus compiles the install folders and image paths of
// the primary, non-Microsoft antivirus into a Matcher for
// Input.OtherAntivirus, with the same path canonicalisation as exclusions
// (a folder covers everything below it).
func CompileOtherAntivirus(paths ...string) (*exclusions.Matcher, error) {
	return exclusions.Compile(exclusions.List{Paths: paths}, exclusions.Options{Strict: true})
}
