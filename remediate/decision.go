package remediate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/internal/enum"
)

// Verdict is what block mode does with a detection as a whole.
type Verdict uint8

// The verdicts. The zero value is not a verdict.
const (
	// Remediate: every artifact that can be acted on is stopped or
	// quarantined.
	Remediate Verdict = iota + 1
	// PartialRemediate: some artifacts are remediated, others are left
	// alone (excluded, not actionable, the other vendor's).
	PartialRemediate
	// DetectOnly: nothing is remediated; the detection is recorded as
	// detected.
	DetectOnly
	// NoAction: nothing is left to do; every artifact was already stopped.
	NoAction
)

var verdictNames = [...]string{"", "remediate", "partial remediation", "detect only", "no action"}

// String returns the verdict's name, "detect only".
func (v Verdict) String() string {
	return enum.Name(v, "Verdict", verdictNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (v Verdict) MarshalText() ([]byte, error) {
	return enum.Text(v, "remediate: verdict", verdictNames[:])
}

// ActionKind is a remediation action.
type ActionKind uint8

// The actions, in the order they run: a process is stopped before its file
// is quarantined.
const (
	// StopProcess stops a running process.
	StopProcess ActionKind = iota + 1
	// Quarantine moves a file into quarantine.
	Quarantine
)

var actionNames = [...]string{"", "stop process", "quarantine file"}

// String returns the action's name, "quarantine file".
func (k ActionKind) String() string {
	return enum.Name(k, "ActionKind", actionNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (k ActionKind) MarshalText() ([]byte, error) {
	return enum.Text(k, "remediate: action kind", actionNames[:])
}

// Action is one step of a remediation plan.
type Action struct {
	// Kind is what to do.
	Kind ActionKind `json:"kind"`
	// DetectionID is the detection the action remediates, so that a host
	// can tie its work to the alert.
	DetectionID string `json:"detectionId"`
	// Evidence is the index, in the detection's evidence, of the item the
	// action is for.
	Evidence int `json:"evidence"`
	// DeviceID is the device to act on: the evidence item's own device,
	// or the detection's.
	DeviceID string `json:"deviceId,omitempty"`
	// ProcessID is the process to stop (StopProcess).
	ProcessID int64 `json:"processId,omitempty"`
	// Path is the file: the process's image for StopProcess, the file to
	// quarantine for Quarantine, as the evidence reports it.
	Path string `json:"path"`
	// SHA256 identifies the file's content, when the evidence gives it.
	SHA256 string `json:"sha256,omitempty"`
}

// String returns the one-line form, "stop process 4120 (C:\...\x.exe)".
func (a Action) String() string {
	if a.Kind == StopProcess {
		return fmt.Sprintf("%s %d (%s)", a.Kind, a.ProcessID, a.Path)
	}
	return fmt.Sprintf("%s %s", a.Kind, a.Path)
}

// ItemOutcome is what happens to one evidence item.
type ItemOutcome uint8

// The item outcomes.
const (
	// ItemRemediate: the item's artifact is stopped and/or quarantined.
	ItemRemediate ItemOutcome = iota + 1
	// ItemExcluded: an antivirus exclusion covers the artifact; left alone.
	ItemExcluded
	// ItemAlreadyStopped: the artifact was already blocked or prevented.
	ItemAlreadyStopped
	// ItemOtherAntivirus: the artifact belongs to the primary, non-Microsoft
	// antivirus, which block mode never touches.
	ItemOtherAntivirus
	// ItemNotActionable: the SDK cannot act on the item (an evidence kind
	// that is not a file or process, or one without a path); detect only.
	ItemNotActionable
	// ItemNotRemediated: the detection as a whole is not remediated (block
	// mode not in effect, informational severity, ...); see the decision's
	// rule.
	ItemNotRemediated
	// ItemContext: the item describes the alert's context (a device, a
	// user, an address), not an artifact; it never makes a remediation
	// partial.
	ItemContext
)

var itemOutcomeNames = [...]string{"", "remediate", "excluded", "already stopped", "other vendor's antivirus", "not actionable", "not remediated", "context"}

// String returns the outcome's name, "excluded".
func (o ItemOutcome) String() string {
	return enum.Name(o, "ItemOutcome", itemOutcomeNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (o ItemOutcome) MarshalText() ([]byte, error) {
	return enum.Text(o, "remediate: item outcome", itemOutcomeNames[:])
}

// Item is the decision for one evidence item.
type Item struct {
	// Evidence is the item's index in the detection's evidence.
	Evidence int `json:"evidence"`
	// Type is the item's @odata.type.
	Type string `json:"type"`
	// Outcome is what happens to it.
	Outcome ItemOutcome `json:"outcome"`
	// Rule is the id of the rule that decided the outcome.
	Rule string `json:"rule"`
	// Path is the artifact's path as the evidence reports it (a process's
	// image), or "".
	Path string `json:"path,omitempty"`
	// Exclusion is the antivirus exclusion that covers the artifact
	// (ItemExcluded), or the other vendor's folder that holds it
	// (ItemOtherAntivirus); the zero Rule otherwise.
	Exclusion exclusions.Rule `json:"exclusion,omitzero"`
	// Canonical is the canonical form of Path that the exclusion matcher
	// compared, empty when it was not consulted.
	Canonical string `json:"canonical,omitempty"`
	// Notes are what the matcher left open about the path (a possible
	// short name, a trailing dot, a stream, a restricted exclusion that
	// did not apply, ...): why a path that looks excluded is not.
	Notes exclusions.Notes `json:"notes,omitempty"`
}

// Step is one rule consulted, in order: its id, the value it looked at,
// and what it concluded.
type Step struct {
	// Rule is the rule's id.
	Rule string `json:"rule"`
	// Evidence is the evidence item's index for an item rule, -1 for a
	// rule about the detection as a whole.
	Evidence int `json:"evidence"`
	// Observed is the value the rule looked at.
	Observed string `json:"observed"`
	// Outcome is what it concluded: "pass" to go on, or the verdict or item
	// outcome it decided, or "ignored" for an indicator.
	Outcome string `json:"outcome"`
}

// String returns "rule [item N]: observed -> outcome".
func (s Step) String() string {
	where := ""
	if s.Evidence >= 0 {
		where = " [evidence " + strconv.Itoa(s.Evidence) + "]"
	}
	return s.Rule + where + ": " + s.Observed + " -> " + s.Outcome
}

// Decision is the outcome of Decide: what block mode does with a
// detection, the actions in the order they must run, the status the record
// carries if they succeed, and why.
//
// Its JSON form is stable: the field names in the json tags, verdicts,
// outcomes and actions as their String names, the detection status as
// Graph spells it.
type Decision struct {
	// DetectionID is the detection decided on.
	DetectionID string `json:"detectionId"`
	// Verdict is what happens to the detection.
	Verdict Verdict `json:"verdict"`
	// Rule is the id of the rule that decided the verdict.
	Rule string `json:"rule"`
	// Reason says why, in one sentence.
	Reason string `json:"reason"`
	// Status is the detection status the record carries if every action
	// succeeds: Blocked when a running artifact is stopped, Prevented when
	// the artifacts are stopped before they run. For DetectOnly it is
	// Detected; for NoAction the status the evidence already had.
	Status detect.DetectionStatus `json:"status"`
	// Actions are the remediation actions, in order: every process stop
	// before any quarantine.
	Actions []Action `json:"actions"`
	// Items holds one entry per evidence item, in evidence order.
	Items []Item `json:"items"`
	// IgnoredIndicators counts the allow indicators that matched an
	// artifact and were ignored, as block mode does.
	IgnoredIndicators int `json:"ignoredIndicators"`
	// Trace holds every rule consulted, in order, when Input.Trace was
	// set.
	Trace []Step `json:"trace,omitempty"`
	// Ruleset and SettingsVersion are those of the block-mode state the
	// decision was made under.
	Ruleset         string `json:"ruleset,omitempty"`
	SettingsVersion int    `json:"settingsVersion"`
}

// String returns the one-line human form:
// "det-1: remediate (remediate-artifacts) -> blocked: stop process 4120 (...); quarantine file ...".
func (d Decision) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (%s) -> %s", d.DetectionID, d.Verdict, d.Rule, d.Status)
	for i, a := range d.Actions {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(a.String())
	}
	for _, it := range d.Items {
		if it.Outcome == ItemExcluded {
			fmt.Fprintf(&b, "; evidence %d excluded by %s", it.Evidence, it.Exclusion)
		}
	}
	return b.String()
}
