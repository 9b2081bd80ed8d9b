package detect

// The enumerations in this file are Microsoft Graph security API v1.0
// "evolvable enumerations". Each is a string type whose value is the wire
// string exactly as Graph sends it, so a value this package does not know
// (a member added to Graph later, or a typo in hand-written input) is kept as
// it was read and written back unchanged; it is never mapped to a default.
// Known reports whether a value is one the documentation lists.
//
// Each list below is copied from the page named in its comment, in the
// microsoftgraph/microsoft-graph-docs-contrib repository
// (api-reference/v1.0/resources/...), as published on learn.microsoft.com
// under /graph/api/resources/.

// Source is the detection technology or sensor that raised an alert: the
// alert's "detectionSource" property.
//
// Values from security-alert.md, "detectionSource values" (the property
// description and the table agree). The members after SourceUnknownFutureValue
// are returned by Graph only with the request header
// "Prefer: include-unknown-enum-members".
type Source string

// Source values (security-alert.md, detectionSource).
const (
	SourceUnknown                             Source = "unknown"
	SourceMicrosoftDefenderForEndpoint        Source = "microsoftDefenderForEndpoint" // EDR: post-breach behavioural sensor
	SourceAntivirus                           Source = "antivirus"                    // Microsoft Defender Antivirus (includes PUA protection)
	SourceSmartScreen                         Source = "smartScreen"
	SourceCustomTI                            Source = "customTi" // custom threat intelligence (indicators)
	SourceMicrosoftDefenderForOffice365       Source = "microsoftDefenderForOffice365"
	SourceAutomatedInvestigation              Source = "automatedInvestigation"
	SourceMicrosoftThreatExperts              Source = "microsoftThreatExperts"
	SourceCustomDetection                     Source = "customDetection"
	SourceMicrosoftDefenderForIdentity        Source = "microsoftDefenderForIdentity"
	SourceCloudAppSecurity                    Source = "cloudAppSecurity"
	SourceMicrosoft365Defender                Source = "microsoft365Defender"
	SourceAzureADIdentityProtection           Source = "azureAdIdentityProtection"
	SourceManual                              Source = "manual"
	SourceMicrosoftDataLossPrevention         Source = "microsoftDataLossPrevention"
	SourceAppGovernancePolicy                 Source = "appGovernancePolicy"
	SourceAppGovernanceDetection              Source = "appGovernanceDetection"
	SourceUnknownFutureValue                  Source = "unknownFutureValue"
	SourceMicrosoftDefenderForCloud           Source = "microsoftDefenderForCloud"
	SourceMicrosoftDefenderForIoT             Source = "microsoftDefenderForIoT"
	SourceMicrosoftDefenderForServers         Source = "microsoftDefenderForServers"
	SourceMicrosoftDefenderForStorage         Source = "microsoftDefenderForStorage"
	SourceMicrosoftDefenderForDNS             Source = "microsoftDefenderForDNS"
	SourceMicrosoftDefenderForDatabases       Source = "microsoftDefenderForDatabases"
	SourceMicrosoftDefenderForContainers      Source = "microsoftDefenderForContainers"
	SourceMicrosoftDefenderForNetwork         Source = "microsoftDefenderForNetwork"
	SourceMicrosoftDefenderForAppService      Source = "microsoftDefenderForAppService"
	SourceMicrosoftDefenderForKeyVault        Source = "microsoftDefenderForKeyVault"
	SourceMicrosoftDefenderForResourceManager Source = "microsoftDefenderForResourceManager"
	SourceMicrosoftDefenderForAPIManagement   Source = "microsoftDefenderForApiManagement"
)

// Known reports whether s is one of the documented detectionSource values.
func (s Source) Known() bool {
	switch s {
	case SourceUnknown, SourceMicrosoftDefenderForEndpoint, SourceAntivirus,
		SourceSmartScreen, SourceCustomTI, SourceMicrosoftDefenderForOffice365,
		SourceAutomatedInvestigation, SourceMicrosoftThreatExperts,
		SourceCustomDetection, SourceMicrosoftDefenderForIdentity,
		SourceCloudAppSecurity, SourceMicrosoft365Defender,
		SourceAzureADIdentityProtection, SourceManual,
		SourceMicrosoftDataLossPrevention, SourceAppGovernancePolicy,
		SourceAppGovernanceDetection, SourceUnknownFutureValue,
		SourceMicrosoftDefenderForCloud, SourceMicrosoftDefenderForIoT,
		SourceMicrosoftDefenderForServers, SourceMicrosoftDefenderForStorage,
		SourceMicrosoftDefenderForDNS, SourceMicrosoftDefenderForDatabases,
		SourceMicrosoftDefenderForContainers, SourceMicrosoftDefenderForNetwork,
		SourceMicrosoftDefenderForAppService, SourceMicrosoftDefenderForKeyVault,
		SourceMicrosoftDefenderForResourceManager,
		SourceMicrosoftDefenderForAPIManagement:
		return true
	}
	return false
}

// String returns the wire value ("" when the property was absent or null).
func (s Source) String() string { return string(s) }

// MarshalText returns the wire value unchanged.
func (s Source) MarshalText() ([]byte, error) { return []byte(s), nil }

// UnmarshalText stores text unchanged, known or not.
func (s *Source) UnmarshalText(text []byte) error { *s = Source(text); return nil }

// ServiceSource is the product that created an alert: the alert's
// "serviceSource" property.
//
// Values from security-alert.md, "serviceSource values".
// ServiceMicrosoftDefenderForCloud is returned only with
// "Prefer: include-unknown-enum-members".
type ServiceSource string

// ServiceSource values (security-alert.md, serviceSource).
const (
	ServiceUnknown                       ServiceSource = "unknown"
	ServiceMicrosoftDefenderForEndpoint  ServiceSource = "microsoftDefenderForEndpoint"
	ServiceMicrosoftDefenderForIdentity  ServiceSource = "microsoftDefenderForIdentity"
	ServiceMicrosoftDefenderForCloudApps ServiceSource = "microsoftDefenderForCloudApps"
	ServiceMicrosoftDefenderForOffice365 ServiceSource = "microsoftDefenderForOffice365"
	ServiceMicrosoft365Defender          ServiceSource = "microsoft365Defender"
	ServiceAzureADIdentityProtection     ServiceSource = "azureAdIdentityProtection"
	ServiceMicrosoftAppGovernance        ServiceSource = "microsoftAppGovernance"
	ServiceDataLossPrevention            ServiceSource = "dataLossPrevention"
	ServiceUnknownFutureValue            ServiceSource = "unknownFutureValue"
	ServiceMicrosoftDefenderForCloud     ServiceSource = "microsoftDefenderForCloud"
)

// Known reports whether s is one of the documented serviceSource values.
func (s ServiceSource) Known() bool {
	switch s {
	case ServiceUnknown, ServiceMicrosoftDefenderForEndpoint,
		ServiceMicrosoftDefenderForIdentity, ServiceMicrosoftDefenderForCloudApps,
		ServiceMicrosoftDefenderForOffice365, ServiceMicrosoft365Defender,
		ServiceAzureADIdentityProtection, ServiceMicrosoftAppGovernance,
		ServiceDataLossPrevention, ServiceUnknownFutureValue,
		ServiceMicrosoftDefenderForCloud:
		return true
	}
	return false
}

// String returns the wire value ("" when the property was absent or null).
func (s ServiceSource) String() string { return string(s) }

// MarshalText returns the wire value unchanged.
func (s ServiceSource) MarshalText() ([]byte, error) { return []byte(s), nil }

// UnmarshalText stores text unchanged, known or not.
func (s *ServiceSource) UnmarshalText(text []byte) error { *s = ServiceSource(text); return nil }

// Severity is an alert's "severity" property (Graph type alertSeverity).
//
// Values from security-alert.md, "alertSeverity values".
type Severity string

// Severity values (security-alert.md, alertSeverity).
const (
	SeverityUnknown            Severity = "unknown"
	SeverityInformational      Severity = "informational"
	SeverityLow                Severity = "low"
	SeverityMedium             Severity = "medium"
	SeverityHigh               Severity = "high"
	SeverityUnknownFutureValue Severity = "unknownFutureValue"
)

// Known reports whether s is one of the documented alertSeverity values.
func (s Severity) Known() bool {
	switch s {
	case SeverityUnknown, SeverityInformational, SeverityLow, SeverityMedium,
		SeverityHigh, SeverityUnknownFutureValue:
		return true
	}
	return false
}

// String returns the wire value ("" when the property was absent or null).
func (s Severity) String() string { return string(s) }

// MarshalText returns the wire value unchanged.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s), nil }

// UnmarshalText stores text unchanged, known or not.
func (s *Severity) UnmarshalText(text []byte) error { *s = Severity(text); return nil }

// AlertStatus is the workflow state of an alert in the portal: the alert's
// "status" property (Graph type alertStatus). It is not the
// [DetectionStatus] of the artifacts.
//
// Values from security-alert.md, "alertStatus values" (the table also lists
// "unknown", which the property description omits; both are accepted as
// known).
type AlertStatus string

// AlertStatus values (security-alert.md, alertStatus).
const (
	AlertStatusUnknown            AlertStatus = "unknown"
	AlertStatusNew                AlertStatus = "new"
	AlertStatusInProgress         AlertStatus = "inProgress"
	AlertStatusResolved           AlertStatus = "resolved"
	AlertStatusUnknownFutureValue AlertStatus = "unknownFutureValue"
)

// Known reports whether s is one of the documented alertStatus values.
func (s AlertStatus) Known() bool {
	switch s {
	case AlertStatusUnknown, AlertStatusNew, AlertStatusInProgress,
		AlertStatusResolved, AlertStatusUnknownFutureValue:
		return true
	}
	return false
}

// String returns the wire value ("" when the property was absent or null).
func (s AlertStatus) String() string { return string(s) }

// MarshalText returns the wire value unchanged.
func (s AlertStatus) MarshalText() ([]byte, error) { return []byte(s), nil }

// UnmarshalText stores text unchanged, known or not.
func (s *AlertStatus) UnmarshalText(text []byte) error { *s = AlertStatus(text); return nil }

// Classification says whether an analyst judged the alert a true threat: the
// alert's "classification" property (Graph type alertClassification).
//
// Values from security-alert.md, "alertClassification values".
type Classification string

// Classification values (security-alert.md, alertClassification).
const (
	ClassificationUnknown                       Classification = "unknown"
	ClassificationFalsePositive                 Classification = "falsePositive"
	ClassificationTruePositive                  Classification = "truePositive"
	ClassificationInformationalExpectedActivity Classification = "informationalExpectedActivity"
	ClassificationUnknownFutureValue            Classification = "unknownFutureValue"
)

// Known reports whether c is one of the documented alertClassification values.
func (c Classification) Known() bool {
	switch c {
	case ClassificationUnknown, ClassificationFalsePositive,
		ClassificationTruePositive, ClassificationInformationalExpectedActivity,
		ClassificationUnknownFutureValue:
		return true
	}
	return false
}

// String returns the wire value ("" when the property was absent or null).
func (c Classification) String() string { return string(c) }

// MarshalText returns the wire value unchanged.
func (c Classification) MarshalText() ([]byte, error) { return []byte(c), nil }

// UnmarshalText stores text unchanged, known or not.
func (c *Classification) UnmarshalText(text []byte) error {
	*c = Classification(text)
	return nil
}

// DetectionStatus is what happened to a detected artifact: the
// "detectionStatus" property of fileEvidence and processEvidence, and the
// status a remediated detection is recorded with in the action history.
//
// Values from security-fileevidence.md and security-processevidence.md
// (property detectionStatus: "detected, blocked, prevented,
// unknownFutureValue"); security-alertevidence.md describes them in a table
// mislabelled "detectionSource values": detected — the threat executed and
// was detected; blocked — remediated at run time; prevented — prevented from
// occurring (running, downloading, ...).
type DetectionStatus string

// DetectionStatus values (security-fileevidence.md, detectionStatus).
const (
	Detected                          DetectionStatus = "detected"
	Blocked                           DetectionStatus = "blocked"
	Prevented                         DetectionStatus = "prevented"
	DetectionStatusUnknownFutureValue DetectionStatus = "unknownFutureValue"
)

// Known reports whether s is one of the documented detectionStatus values.
func (s DetectionStatus) Known() bool {
	switch s {
	case Detected, Blocked, Prevented, DetectionStatusUnknownFutureValue:
		return true
	}
	return false
}

// Stopped reports whether the artifact was stopped: Blocked or Prevented.
func (s DetectionStatus) Stopped() bool { return s == Blocked || s == Prevented }

// String returns the wire value ("" when the property was absent or null).
func (s DetectionStatus) String() string { return string(s) }

// MarshalText returns the wire value unchanged.
func (s DetectionStatus) MarshalText() ([]byte, error) { return []byte(s), nil }

// UnmarshalText stores text unchanged, known or not.
func (s *DetectionStatus) UnmarshalText(text []byte) error {
	*s = DetectionStatus(text)
	return nil
}

// RemediationStatus is the state of the remediation action taken on an
// evidence item: the alertEvidence "remediationStatus" property (Graph type
// evidenceRemediationStatus).
//
// Values from security-alertevidence.md, "evidenceRemediationStatus values"
// (the first table of that name; the page repeats the heading over a table
// of verdict values, see [Verdict]).
type RemediationStatus string

// RemediationStatus values (security-alertevidence.md,
// evidenceRemediationStatus).
const (
	RemediationNone               RemediationStatus = "none"       // no threats were found
	RemediationRemediated         RemediationStatus = "remediated" // remediation action completed successfully
	RemediationPrevented          RemediationStatus = "prevented"  // the threat was prevented from executing
	RemediationBlocked            RemediationStatus = "blocked"    // the threat was blocked while executing
	RemediationNotFound           RemediationStatus = "notFound"   // the evidence was not found
	RemediationUnknownFutureValue RemediationStatus = "unknownFutureValue"
)

// Known reports whether s is one of the documented evidenceRemediationStatus
// values.
func (s RemediationStatus) Known() bool {
	switch s {
	case RemediationNone, RemediationRemediated, RemediationPrevented,
		RemediationBlocked, RemediationNotFound, RemediationUnknownFutureValue:
		return true
	}
	return false
}

// String returns the wire value ("" when the property was absent or null).
func (s RemediationStatus) String() string { return string(s) }

// MarshalText returns the wire value unchanged.
func (s RemediationStatus) MarshalText() ([]byte, error) { return []byte(s), nil }

// UnmarshalText stores text unchanged, known or not.
func (s *RemediationStatus) UnmarshalText(text []byte) error {
	*s = RemediationStatus(text)
	return nil
}

// Verdict is the decision automated investigation reached on an evidence
// item: the alertEvidence "verdict" property (Graph type evidenceVerdict).
//
// Values from security-alertevidence.md, property verdict and the
// "evidenceVerdict values" table: unknown, suspicious, malicious,
// noThreatsFound, unknownFutureValue. (A second, mislabelled table on the
// same page says "clean" instead of "noThreatsFound"; "clean" is not treated
// as known, but is kept like any other value.)
type Verdict string

// Verdict values (security-alertevidence.md, evidenceVerdict).
const (
	VerdictUnknown            Verdict = "unknown"
	VerdictSuspicious         Verdict = "suspicious"
	VerdictMalicious          Verdict = "malicious"
	VerdictNoThreatsFound     Verdict = "noThreatsFound"
	VerdictUnknownFutureValue Verdict = "unknownFutureValue"
)

// Known reports whether v is one of the documented evidenceVerdict values.
func (v Verdict) Known() bool {
	switch v {
	case VerdictUnknown, VerdictSuspicious, VerdictMalicious,
		VerdictNoThreatsFound, VerdictUnknownFutureValue:
		return true
	}
	return false
}

// String returns the wire value ("" when the property was absent or null).
func (v Verdict) String() string { return string(v) }

// MarshalText returns the wire value unchanged.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v), nil }

// UnmarshalText stores text unchanged, known or not.
func (v *Verdict) UnmarshalText(text []byte) error { *v = Verdict(text); return nil }
