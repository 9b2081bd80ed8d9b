package remediate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
)

const (
	procPath  = `C:\Users\alex\Downloads\invoice.exe`
	dropPath  = `C:\Users\alex\AppData\Local\Temp\payload.dll`
	avFolder  = `C:\Program Files\Contoso AV`
	avBinary  = `C:\Program Files\Contoso AV\scanner.exe`
	sha256Bad = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

func file(path, sha string, status detect.DetectionStatus) *detect.FileEvidence {
	dir, name := splitWin(path)
	return &detect.FileEvidence{DetectionStatus: status, File: detect.FileDetails{Path: dir, Name: name, SHA256: sha}}
}

func splitWin(p string) (dir, name string) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '\\' {
			return p[:i], p[i+1:]
		}
	}
	return "", p
}

func process(pid int64, path string, status detect.DetectionStatus) *detect.ProcessEvidence {
	dir, name := splitWin(path)
	return &detect.ProcessEvidence{DetectionStatus: status, ProcessID: pid, Image: detect.FileDetails{Path: dir, Name: name, SHA256: sha256Bad}}
}

func detection(evidence ...detect.Evidence) *detect.Detection {
	return &detect.Detection{
		ID: "da638390671234567890_1126483905", DeviceID: "2f1b6c1e0d1a4b0d8c7e6a5b4c3d2e1f00112233",
		Source: detect.SourceMicrosoftDefenderForEndpoint, Category: "Execution", Severity: detect.SeverityHigh,
		Title: "Suspicious process", Evidence: evidence,
	}
}

var onState = BlockMode{InEffect: true, State: "on", Ruleset: "2025-05", SettingsVersion: 3}

func compile(t testing.TB, l exclusions.List) *exclusions.Matcher {
	t.Helper()
	m, err := exclusions.Compile(l, exclusions.Options{Strict: true})
	require.NoError(t, err)
	return m
}

// base is a passive device with block mode on and an EDR detection of a
// running process and the file it dropped.
func base(t testing.TB) Input {
	return Input{
		Detection:     detection(process(4120, procPath, detect.Detected), file(dropPath, sha256Bad, detect.Detected)),
		BlockMode:     onState,
		AntivirusMode: mode.EDRBlock,
		Trace:         true,
	}
}

func outcomes(d Decision) []ItemOutcome {
	var out []ItemOutcome
	for _, it := range d.Items {
		out = append(out, it.Outcome)
	}
	return out
}

func TestDecide(t *testing.T) {
	other, err := CompileOtherAntivirus(avFolder)
	require.NoError(t, err)
	cases := []struct {
		name     string
		edit     func(*Input)
		verdict  Verdict
		rule     string
		status   detect.DetectionStatus
		actions  []ActionKind
		outcomes []ItemOutcome
	}{
		{
			name:    "block_mode_in_effect_in_passive_mode_remediates_and_stops_the_process_first",
			edit:    func(in *Input) {},
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Blocked,
			actions:  []ActionKind{StopProcess, Quarantine, Quarantine},
			outcomes: []ItemOutcome{ItemRemediate, ItemRemediate},
		},
		{
			name:    "a_file_stopped_before_it_ran_is_prevented",
			edit:    func(in *Input) { in.Detection = detection(file(dropPath, sha256Bad, detect.Detected)) },
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Prevented,
			actions: []ActionKind{Quarantine}, outcomes: []ItemOutcome{ItemRemediate},
		},
		{
			name: "block_mode_not_in_effect_is_detect_only",
			edit: func(in *Input) {
				in.BlockMode = BlockMode{InEffect: false, State: "off", Reason: "block mode is not turned on for this device"}
			},
			verdict: DetectOnly, rule: RuleBlockModeInEffect, status: detect.Detected,
			outcomes: []ItemOutcome{ItemNotRemediated, ItemNotRemediated},
		},
		{
			name:    "turning_off_within_the_window_still_blocks",
			edit:    func(in *Input) { in.BlockMode = BlockMode{InEffect: true, State: "turning off"} },
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Blocked,
			actions: []ActionKind{StopProcess, Quarantine, Quarantine}, outcomes: []ItemOutcome{ItemRemediate, ItemRemediate},
		},
		{
			name: "not_eligible_device_is_detect_only",
			edit: func(in *Input) {
				in.BlockMode = BlockMode{State: "not eligible", Reason: "cloud-delivered protection is off"}
			},
			verdict: DetectOnly, rule: RuleBlockModeInEffect, status: detect.Detected,
			outcomes: []ItemOutcome{ItemNotRemediated, ItemNotRemediated},
		},
		{
			name:    "antivirus_not_running_is_detect_only",
			edit:    func(in *Input) { in.AntivirusMode = mode.NotRunning },
			verdict: DetectOnly, rule: RuleAntivirusMode, status: detect.Detected,
			outcomes: []ItemOutcome{ItemNotRemediated, ItemNotRemediated},
		},
		{
			name:    "informational_test_alert_is_not_remediated",
			edit:    func(in *Input) { in.Detection.Severity = detect.SeverityInformational },
			verdict: DetectOnly, rule: RuleInformational, status: detect.Detected,
			outcomes: []ItemOutcome{ItemNotRemediated, ItemNotRemediated},
		},
		{
			name: "active_antivirus_already_blocked_the_artifact_needs_no_action",
			edit: func(in *Input) {
				in.AntivirusMode = mode.Active
				in.Detection = detection(file(dropPath, sha256Bad, detect.Blocked))
				in.Detection.Source = detect.SourceAntivirus
			},
			verdict: NoAction, rule: RuleAlreadyStopped, status: detect.Blocked,
			outcomes: []ItemOutcome{ItemAlreadyStopped},
		},
		{
			name:    "active_antivirus_behavioural_edr_detection_gets_automatic_actions",
			edit:    func(in *Input) { in.AntivirusMode = mode.Active },
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Blocked,
			actions: []ActionKind{StopProcess, Quarantine, Quarantine}, outcomes: []ItemOutcome{ItemRemediate, ItemRemediate},
		},
		{
			name: "active_antivirus_detection_left_to_real_time_protection",
			edit: func(in *Input) {
				in.AntivirusMode = mode.Active
				in.Detection.Source = detect.SourceAntivirus
				in.Detection.Category = "Malware"
			},
			verdict: DetectOnly, rule: RuleActiveModePath, status: detect.Detected,
			outcomes: []ItemOutcome{ItemNotRemediated, ItemNotRemediated},
		},
		{
			name: "active_antivirus_pua_with_pua_protection_enabled_is_remediated",
			edit: func(in *Input) {
				in.AntivirusMode = mode.Active
				in.Detection = detection(file(dropPath, sha256Bad, detect.Detected))
				in.Detection.Source, in.Detection.Category = detect.SourceAntivirus, "UnwantedSoftware"
				in.Settings.PUAProtection = mode.EnforcementEnabled
			},
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Prevented,
			actions: []ActionKind{Quarantine}, outcomes: []ItemOutcome{ItemRemediate},
		},
		{
			name: "active_antivirus_pua_in_audit_mode_is_detect_only",
			edit: func(in *Input) {
				in.AntivirusMode = mode.Active
				in.Detection.Source, in.Detection.Category = detect.SourceAntivirus, "UnwantedSoftware"
				in.Settings.PUAProtection = mode.EnforcementAudit
			},
			verdict: DetectOnly, rule: RuleActiveModePath, status: detect.Detected,
			outcomes: []ItemOutcome{ItemNotRemediated, ItemNotRemediated},
		},
		{
			name: "active_antivirus_automated_investigation_may_remediate",
			edit: func(in *Input) {
				in.AntivirusMode = mode.Active
				in.Detection.Source = detect.SourceCustomDetection
				in.Settings.AutomatedInvestigation = mode.True
			},
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Blocked,
			actions: []ActionKind{StopProcess, Quarantine, Quarantine}, outcomes: []ItemOutcome{ItemRemediate, ItemRemediate},
		},
		{
			name: "excluded_artifact_is_not_remediated",
			edit: func(in *Input) {
				in.Exclusions = compile(t, exclusions.List{Paths: []string{`C:\Users\alex\AppData\Local\Temp`}})
			},
			verdict: PartialRemediate, rule: RuleCombine, status: detect.Blocked,
			actions: []ActionKind{StopProcess, Quarantine}, outcomes: []ItemOutcome{ItemRemediate, ItemExcluded},
		},
		{
			name: "every_artifact_excluded_is_detect_only",
			edit: func(in *Input) {
				in.Exclusions = compile(t, exclusions.List{Paths: []string{`C:\Users\alex`}})
			},
			verdict: DetectOnly, rule: RuleExclusion, status: detect.Detected,
			outcomes: []ItemOutcome{ItemExcluded, ItemExcluded},
		},
		{
			name: "allow_indicator_does_not_stop_remediation",
			edit: func(in *Input) {
				in.Indicators = []Indicator{{ID: "7", Type: IndicatorSHA256, Value: sha256Bad, Action: "Allowed"}}
			},
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Blocked,
			actions: []ActionKind{StopProcess, Quarantine, Quarantine}, outcomes: []ItemOutcome{ItemRemediate, ItemRemediate},
		},
		{
			name: "excluded_with_allow_indicator_and_block_mode_off_is_detect_only_for_block_mode",
			edit: func(in *Input) {
				in.BlockMode = BlockMode{State: "off"}
				in.Exclusions = compile(t, exclusions.List{Paths: []string{`C:\Users\alex`}})
				in.Indicators = []Indicator{{Type: IndicatorSHA256, Value: sha256Bad, Action: "Allowed"}}
			},
			verdict: DetectOnly, rule: RuleBlockModeInEffect, status: detect.Detected,
			outcomes: []ItemOutcome{ItemNotRemediated, ItemNotRemediated},
		},
		{
			name: "other_vendors_antivirus_is_never_touched",
			edit: func(in *Input) {
				in.Detection = detection(process(700, avBinary, detect.Detected), file(dropPath, sha256Bad, detect.Detected))
				in.OtherAntivirus = other
			},
			verdict: PartialRemediate, rule: RuleCombine, status: detect.Prevented,
			actions: []ActionKind{Quarantine}, outcomes: []ItemOutcome{ItemOtherAntivirus, ItemRemediate},
		},
		{
			name: "evidence_without_a_path_is_detect_only_for_that_item",
			edit: func(in *Input) {
				in.Detection.Evidence = append(in.Detection.Evidence, &detect.FileEvidence{File: detect.FileDetails{SHA256: sha256Bad}})
			},
			verdict: PartialRemediate, rule: RuleCombine, status: detect.Blocked,
			actions: []ActionKind{StopProcess, Quarantine, Quarantine}, outcomes: []ItemOutcome{ItemRemediate, ItemRemediate, ItemNotActionable},
		},
		{
			name: "unknown_evidence_kind_is_not_actionable_and_context_is_ignored",
			edit: func(in *Input) {
				in.Detection.Evidence = append(in.Detection.Evidence,
					&detect.OtherEvidence{Type: "#microsoft.graph.security.deviceEvidence", Raw: json.RawMessage(`{}`)},
					&detect.OtherEvidence{Type: "#microsoft.graph.security.registryValueEvidence", Raw: json.RawMessage(`{}`)})
			},
			verdict: PartialRemediate, rule: RuleCombine, status: detect.Blocked,
			actions: []ActionKind{StopProcess, Quarantine, Quarantine}, outcomes: []ItemOutcome{ItemRemediate, ItemRemediate, ItemContext, ItemNotActionable},
		},
		{
			name: "context_evidence_alone_does_not_make_a_remediation_partial",
			edit: func(in *Input) {
				in.Detection.Evidence = append(in.Detection.Evidence,
					&detect.OtherEvidence{Type: "#microsoft.graph.security.userEvidence", Raw: json.RawMessage(`{}`)})
			},
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Blocked,
			actions: []ActionKind{StopProcess, Quarantine, Quarantine}, outcomes: []ItemOutcome{ItemRemediate, ItemRemediate, ItemContext},
		},
		{
			name: "one_artifact_already_blocked_the_other_remediated",
			edit: func(in *Input) {
				in.Detection = detection(process(4120, procPath, detect.Blocked), file(dropPath, sha256Bad, detect.Detected))
			},
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Prevented,
			actions: []ActionKind{Quarantine}, outcomes: []ItemOutcome{ItemAlreadyStopped, ItemRemediate},
		},
		{
			name: "the_same_file_is_quarantined_once",
			edit: func(in *Input) {
				in.Detection = detection(process(4120, procPath, detect.Detected), file(procPath, sha256Bad, detect.Detected))
			},
			verdict: Remediate, rule: RuleRemediateArtifact, status: detect.Blocked,
			actions: []ActionKind{StopProcess, Quarantine}, outcomes: []ItemOutcome{ItemRemediate, ItemRemediate},
		},
		{
			name:    "no_evidence_is_detect_only",
			edit:    func(in *Input) { in.Detection.Evidence = nil },
			verdict: DetectOnly, rule: RuleEvidenceKind, status: detect.Detected,
		},
		{
			name:    "detection_without_id_is_detect_only",
			edit:    func(in *Input) { in.Detection.ID = "" },
			verdict: DetectOnly, rule: RuleDetectionValid, status: detect.Detected,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base(t)
			tc.edit(&in)
			d := Decide(in)
			assert.Equal(t, tc.verdict, d.Verdict, d.String())
			assert.Equal(t, tc.rule, d.Rule)
			assert.Equal(t, tc.status, d.Status)
			assert.NotEmpty(t, d.Reason)
			var kinds []ActionKind
			for _, a := range d.Actions {
				kinds = append(kinds, a.Kind)
			}
			if d := cmp.Diff(tc.actions, kinds); d != "" {
				t.Errorf("actions (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.outcomes, outcomes(d)); d != "" {
				t.Errorf("item outcomes (-want +got):\n%s", d)
			}
			require.NotEmpty(t, d.Trace)
			assert.Equal(t, RuleDetectionValid, d.Trace[0].Rule, "the trace starts at the first rule")
			// Without a trace, the same decision.
			in.Trace = false
			plain := Decide(in)
			d.Trace = nil
			assert.Equal(t, d, plain)
		})
	}
}

func TestDecideExplainsItself(t *testing.T) {
	in := base(t)
	in.Exclusions = compile(t, exclusions.List{Paths: []string{`%ProgramData%\Contoso`, `C:\Users\alex\AppData\Local\Temp\*.dll`}})
	in.Indicators = []Indicator{
		{ID: "41", Type: IndicatorSHA256, Value: sha256Bad, Action: "Allowed"},
		{ID: "42", Type: IndicatorIP, Value: "203.0.113.9", Action: "Allowed"},
		{ID: "43", Type: IndicatorSHA256, Value: sha256Bad, Action: "Block"},
	}
	d := Decide(in)
	require.Equal(t, PartialRemediate, d.Verdict, d.String())
	ex := d.Items[1]
	assert.Equal(t, ItemExcluded, ex.Outcome)
	assert.Equal(t, exclusions.ExclusionPath, ex.Exclusion.Kind)
	assert.Equal(t, `C:\Users\alex\AppData\Local\Temp\*.dll`, ex.Exclusion.Text)
	assert.Equal(t, 1, ex.Exclusion.Index)
	assert.Equal(t, dropPath, ex.Canonical, "the canonical path compared")
	assert.Equal(t, 1, d.IgnoredIndicators, "the process image's allow indicator; the IP does not name a file; a block indicator is not an allow")

	var rules []string
	for _, s := range d.Trace {
		rules = append(rules, s.Rule)
		assert.NotEmpty(t, s.Observed, s.Rule)
		assert.NotEmpty(t, s.Outcome, s.Rule)
	}
	want := []string{
		RuleDetectionValid, RuleAlreadyStopped, RuleBlockModeInEffect, RuleAntivirusMode, RuleInformational, RuleActiveModePath,
		RuleEvidenceKind, RuleItemStopped, RuleOtherAntivirus, RuleExclusion, RuleIndicators, RuleRemediateArtifact,
		RuleEvidenceKind, RuleItemStopped, RuleOtherAntivirus, RuleExclusion,
		RuleCombine,
	}
	if diff := cmp.Diff(want, rules); diff != "" {
		t.Errorf("trace rules (-want +got):\n%s", diff)
	}
	assert.Contains(t, d.String(), "evidence 1 excluded by ExclusionPath[1]")
	for _, s := range d.Trace {
		if s.Rule == RuleIndicators {
			assert.Equal(t, "ignored", s.Outcome)
			assert.Contains(t, s.Observed, "id 41")
		}
	}
}

func TestDecisionJSONIsStable(t *testing.T) {
	in := base(t)
	in.Trace = false
	b, err := json.MarshalIndent(Decide(in), "", "  ")
	require.NoError(t, err)
	golden := filepath.Join("testdata", "decision.golden.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, os.WriteFile(golden, append(b, '\n'), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(b))
}

func TestRulesTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		assert.False(t, seen[r.ID], "duplicate rule %s", r.ID)
		seen[r.ID] = true
		assert.Contains(t, []string{"detection", "evidence"}, r.Scope)
		assert.NotEmpty(t, r.Description)
	}
	for _, id := range []string{RuleDetectionValid, RuleAlreadyStopped, RuleBlockModeInEffect, RuleAntivirusMode, RuleInformational,
		RuleActiveModePath, RuleEvidenceKind, RuleItemStopped, RuleOtherAntivirus, RuleExclusion, RuleIndicators, RuleRemediateArtifact, RuleCombine} {
		assert.True(t, seen[id], id)
	}
}

func TestDecideDoubtfulPaths(t *testing.T) {
	other, err := CompileOtherAntivirus(`C:\Program Files\Vendor`)
	require.NoError(t, err)
	excl := compile(t, exclusions.List{Paths: []string{`C:\Program Files\Tools`}})
	cases := []struct {
		name    string
		path    string
		other   bool
		outcome ItemOutcome
	}{
		// A short name may hide the other vendor's folder: never acted on.
		{"short_name_that_may_be_the_other_vendors_is_left_alone", `C:\PROGRA~1\Vendor\agent.exe`, true, ItemNotActionable},
		// A short name never buys an exclusion: remediated.
		{"short_name_that_may_be_excluded_is_remediated", `C:\PROGRA~1\Tools\x.exe`, false, ItemRemediate},
		// A path that does not canonicalise is not acted on.
		{"relative_path_is_not_acted_on", `Tools\x.exe`, false, ItemNotActionable},
		{"control_character_is_not_acted_on", "C:\\Temp\\a\x01.exe", false, ItemNotActionable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Detection: detection(file(tc.path, sha256Bad, detect.Detected)), BlockMode: onState,
				AntivirusMode: mode.EDRBlock, Exclusions: excl, Trace: true}
			if tc.other {
				in.OtherAntivirus = other
			}
			d := Decide(in)
			require.Len(t, d.Items, 1)
			assert.Equal(t, tc.outcome, d.Items[0].Outcome, d.String())
			if tc.outcome != ItemRemediate {
				assert.Empty(t, d.Actions)
			}
		})
	}
}
