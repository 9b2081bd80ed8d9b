package detect

import (
	"slices"
	"strings"
)

// interned holds strings that recur in nearly every alert — property names
// this package does not model, evidence types, enumeration values — so that
// decoding can use one shared copy instead of allocating each time. It is
// built once and only read.
var interned = func() *nameTable {
	names := []string{
		// alert properties kept in Extra (security-alert.md)
		"@odata.type", "providerAlertId", "incidentId", "determination", "detectorId",
		"tenantId", "description", "recommendedActions", "assignedTo", "alertWebUrl",
		"incidentWebUrl", "actorDisplayName", "mitreTechniques", "lastUpdateDateTime",
		"resolvedDateTime", "comments", "systemTags",
		// evidence properties kept in Extra
		"detailedRoles", "userAccount", "sha265Ac",
		// evidence types (security-alertevidence.md)
		TypeFileEvidence, TypeProcessEvidence, TypeDeviceEvidence,
		"#microsoft.graph.security.analyzedMessageEvidence",
		"#microsoft.graph.security.cloudApplicationEvidence",
		"#microsoft.graph.security.ipEvidence",
		"#microsoft.graph.security.mailboxEvidence",
		"#microsoft.graph.security.mailClusterEvidence",
		"#microsoft.graph.security.oauthApplicationEvidence",
		"#microsoft.graph.security.registryKeyEvidence",
		"#microsoft.graph.security.registryValueEvidence",
		"#microsoft.graph.security.securityGroupEvidence",
		"#microsoft.graph.security.urlEvidence",
		"#microsoft.graph.security.userEvidence",
		// common categories
		"Execution", "Malware", "UnwantedSoftware", "DefenseEvasion", "Persistence",
		"SuspiciousActivity", "CredentialAccess", "Discovery", "LateralMovement",
		"Collection", "CommandAndControl", "Exfiltration", "Impact", "InitialAccess",
		"PrivilegeEscalation", "Ransomware", "Exploit",
		// values that fill otherwise empty strings
		"Microsoft Corporation", "Microsoft Windows", "Microsoft Windows Production PCA 2011",
	}
	for _, v := range []Source{SourceUnknown, SourceMicrosoftDefenderForEndpoint, SourceAntivirus,
		SourceSmartScreen, SourceCustomTI, SourceMicrosoftDefenderForOffice365,
		SourceAutomatedInvestigation, SourceMicrosoftThreatExperts, SourceCustomDetection,
		SourceMicrosoftDefenderForIdentity, SourceCloudAppSecurity, SourceMicrosoft365Defender,
		SourceAzureADIdentityProtection, SourceManual, SourceMicrosoftDataLossPrevention,
		SourceAppGovernancePolicy, SourceAppGovernanceDetection, SourceUnknownFutureValue,
		SourceMicrosoftDefenderForCloud, SourceMicrosoftDefenderForServers} {
		names = append(names, string(v))
	}
	for _, v := range []ServiceSource{ServiceMicrosoftDefenderForIdentity, ServiceMicrosoftDefenderForCloudApps,
		ServiceMicrosoftAppGovernance, ServiceDataLossPrevention} {
		names = append(names, string(v))
	}
	for _, v := range []Severity{SeverityInformational, SeverityLow, SeverityMedium, SeverityHigh} {
		names = append(names, string(v))
	}
	for _, v := range []AlertStatus{AlertStatusNew, AlertStatusInProgress, AlertStatusResolved} {
		names = append(names, string(v))
	}
	for _, v := range []Classification{ClassificationFalsePositive, ClassificationTruePositive,
		ClassificationInformationalExpectedActivity} {
		names = append(names, string(v))
	}
	for _, v := range []DetectionStatus{Detected, Blocked, Prevented} {
		names = append(names, string(v))
	}
	for _, v := range []RemediationStatus{RemediationNone, RemediationRemediated, RemediationNotFound} {
		names = append(names, string(v))
	}
	for _, v := range []Verdict{VerdictSuspicious, VerdictMalicious, VerdictNoThreatsFound} {
		names = append(names, string(v))
	}
	var set []string
	for _, n := range names {
		if n != "" && !slices.Contains(set, n) {
			set = append(set, strings.Clone(n))
		}
	}
	return newNameTable(set)
}()

// maxInterned is the length of the longest string worth looking up.
const maxInterned = 64

// intern returns b as a string, shared if it is a common one.
func intern(b []byte) string {
	if len(b) <= maxInterned {
		if i := interned.find(b); i >= 0 {
			return interned.names[i]
		}
	}
	return string(b)
}
