package detect

import (
	"encoding"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// enum is what every enumeration type offers.
type enum interface {
	fmt.Stringer
	encoding.TextMarshaler
	Known() bool
}

func TestEnums_documentedValuesAreKnown(t *testing.T) {
	tests := []struct {
		name   string
		values []enum
	}{
		{"detectionSource", []enum{SourceUnknown, SourceMicrosoftDefenderForEndpoint, SourceAntivirus, SourceSmartScreen,
			SourceCustomTI, SourceMicrosoftDefenderForOffice365, SourceAutomatedInvestigation, SourceMicrosoftThreatExperts,
			SourceCustomDetection, SourceMicrosoftDefenderForIdentity, SourceCloudAppSecurity, SourceMicrosoft365Defender,
			SourceAzureADIdentityProtection, SourceManual, SourceMicrosoftDataLossPrevention, SourceAppGovernancePolicy,
			SourceAppGovernanceDetection, SourceUnknownFutureValue, SourceMicrosoftDefenderForCloud, SourceMicrosoftDefenderForIoT,
			SourceMicrosoftDefenderForServers, SourceMicrosoftDefenderForStorage, SourceMicrosoftDefenderForDNS,
			SourceMicrosoftDefenderForDatabases, SourceMicrosoftDefenderForContainers, SourceMicrosoftDefenderForNetwork,
			SourceMicrosoftDefenderForAppService, SourceMicrosoftDefenderForKeyVault, SourceMicrosoftDefenderForResourceManager,
			SourceMicrosoftDefenderForAPIManagement}},
		{"serviceSource", []enum{ServiceUnknown, ServiceMicrosoftDefenderForEndpoint, ServiceMicrosoftDefenderForIdentity,
			ServiceMicrosoftDefenderForCloudApps, ServiceMicrosoftDefenderForOffice365, ServiceMicrosoft365Defender,
			ServiceAzureADIdentityProtection, ServiceMicrosoftAppGovernance, ServiceDataLossPrevention,
			ServiceUnknownFutureValue, ServiceMicrosoftDefenderForCloud}},
		{"alertSeverity", []enum{SeverityUnknown, SeverityInformational, SeverityLow, SeverityMedium, SeverityHigh, SeverityUnknownFutureValue}},
		{"alertStatus", []enum{AlertStatusUnknown, AlertStatusNew, AlertStatusInProgress, AlertStatusResolved, AlertStatusUnknownFutureValue}},
		{"alertClassification", []enum{ClassificationUnknown, ClassificationFalsePositive, ClassificationTruePositive,
			ClassificationInformationalExpectedActivity, ClassificationUnknownFutureValue}},
		{"detectionStatus", []enum{Detected, Blocked, Prevented, DetectionStatusUnknownFutureValue}},
		{"evidenceRemediationStatus", []enum{RemediationNone, RemediationRemediated, RemediationPrevented, RemediationBlocked,
			RemediationNotFound, RemediationUnknownFutureValue}},
		{"evidenceVerdict", []enum{VerdictUnknown, VerdictSuspicious, VerdictMalicious, VerdictNoThreatsFound, VerdictUnknownFutureValue}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			for _, v := range tt.values {
				assert.True(t, v.Known(), "%q", v)
				assert.NotEmpty(t, v.String())
				text, err := v.MarshalText()
				require.NoError(t, err)
				assert.Equal(t, v.String(), string(text))
				assert.False(t, seen[v.String()], "duplicate %q", v)
				seen[v.String()] = true
			}
		})
	}
}

func TestEnums_wireValuesAreGraphs(t *testing.T) {
	// Spot checks of the exact strings against the documentation.
	assert.Equal(t, "microsoftDefenderForEndpoint", string(SourceMicrosoftDefenderForEndpoint))
	assert.Equal(t, "customTi", string(SourceCustomTI))
	assert.Equal(t, "azureAdIdentityProtection", string(SourceAzureADIdentityProtection))
	assert.Equal(t, "microsoftDefenderForApiManagement", string(SourceMicrosoftDefenderForAPIManagement))
	assert.Equal(t, "informational", string(SeverityInformational))
	assert.Equal(t, "inProgress", string(AlertStatusInProgress))
	assert.Equal(t, "informationalExpectedActivity", string(ClassificationInformationalExpectedActivity))
	assert.Equal(t, "notFound", string(RemediationNotFound))
	assert.Equal(t, "noThreatsFound", string(VerdictNoThreatsFound))
}

func TestEnums_unknownValuesAreKeptNotDefaulted(t *testing.T) {
	tests := []struct {
		name string
		in   string
		got  func(*Detection) enum
	}{
		{"detectionSource", `"detectionSource":"microsoftDefenderForQuantum"`, func(d *Detection) enum { return d.Source }},
		{"serviceSource", `"serviceSource":"someNewProduct"`, func(d *Detection) enum { return d.ServiceSource }},
		{"severity_in_another_case_is_not_the_same_value", `"severity":"High"`, func(d *Detection) enum { return d.Severity }},
		{"status", `"status":"archived"`, func(d *Detection) enum { return d.AlertStatus }},
		{"classification", `"classification":"benignPositive"`, func(d *Detection) enum { return d.Classification }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"id":"a",` + tt.in + `}`
			var d Detection
			require.NoError(t, json.Unmarshal([]byte(in), &d))
			v := tt.got(&d)
			assert.False(t, v.Known())
			assert.Contains(t, tt.in, `"`+v.String()+`"`, "the raw value is kept")
			assert.JSONEq(t, in, string(marshal(t, d)))
		})
	}
	t.Run("evidence_statuses", func(t *testing.T) {
		in := `{"id":"a","evidence":[{"@odata.type":"#microsoft.graph.security.fileEvidence","detectionStatus":"quarantinedLater","remediationStatus":"queued","verdict":"clean"}]}`
		var d Detection
		require.NoError(t, json.Unmarshal([]byte(in), &d))
		f := d.Evidence[0].(*FileEvidence)
		for _, v := range []enum{f.DetectionStatus, f.RemediationStatus, f.Verdict} {
			assert.False(t, v.Known(), "%q", v)
		}
		assert.Equal(t, DetectionStatus("quarantinedLater"), f.DetectionStatus)
		assert.JSONEq(t, in+"", string(marshal(t, d)))
	})
	t.Run("the_empty_value_means_absent_and_is_not_known", func(t *testing.T) {
		var s Severity
		assert.False(t, s.Known())
	})
}

func TestEnums_textRoundTrip(t *testing.T) {
	targets := []encoding.TextUnmarshaler{new(Source), new(ServiceSource), new(Severity), new(AlertStatus),
		new(Classification), new(DetectionStatus), new(RemediationStatus), new(Verdict)}
	for _, u := range targets {
		require.NoError(t, u.UnmarshalText([]byte("someFutureValue")))
		m := u.(encoding.TextMarshaler)
		text, err := m.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, "someFutureValue", string(text), "%T", u)
	}
}

func TestDetectionStatus_Stopped(t *testing.T) {
	assert.True(t, Blocked.Stopped())
	assert.True(t, Prevented.Stopped())
	assert.False(t, Detected.Stopped())
	assert.False(t, DetectionStatus("").Stopped())
	assert.False(t, DetectionStatus("unknownFutureValue").Stopped())
}
