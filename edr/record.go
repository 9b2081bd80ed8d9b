package edr

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/internal/enum"
	"github.com/blockmode/blockmode/remediate"
)

// RecordStatus is the state of a record in the action history. Every
// detection handed to the engine ends in exactly one terminal status.
type RecordStatus uint8

// The record statuses.
const (
	// InProgress is the write-ahead state: stored before the first hook
	// runs, so that a crash leaves a trace to resume from. Not terminal.
	InProgress RecordStatus = iota + 1
	// Blocked: every artifact was remediated and a running process was
	// stopped (the action center's "Blocked"), or every artifact had
	// already been blocked when the detection arrived (the decision's
	// verdict then is no action, and the record has no actions).
	Blocked
	// Prevented: every artifact was remediated before it ran
	// ("Prevented"), or had already been prevented.
	Prevented
	// Detected: no action was called for (block mode not in effect,
	// informational, already stopped, ...); the decision says why.
	Detected
	// Excluded: every artifact was left alone because an antivirus
	// exclusion covers it.
	Excluded
	// Failed: remediation was called for and no action succeeded; each
	// action's error is in the record.
	Failed
	// PartiallyRemediated: some actions succeeded and others failed, or
	// some artifacts were left alone.
	PartiallyRemediated
	// WouldBlock: audit mode; the engine decided to remediate and called no
	// hook. Never confusable with Blocked or Prevented.
	WouldBlock
	// Undone: a remediation that was undone: its quarantined files were
	// restored.
	Undone
)

var recordStatusNames = [...]string{"", "in progress", "blocked", "prevented", "detected", "excluded", "failed", "partially remediated", "would block (audit)", "undone"}

// String returns the status's name, "partially remediated".
func (s RecordStatus) String() string {
	return enum.Name(s, "RecordStatus", recordStatusNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (s RecordStatus) MarshalText() ([]byte, error) {
	if s == 0 || int(s) >= len(recordStatusNames) {
		return nil, fmt.Errorf("edr: invalid record status %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler].
func (s *RecordStatus) UnmarshalText(b []byte) error {
	v, ok := enum.Parse[RecordStatus](string(b), recordStatusNames[:])
	if !ok {
		return fmt.Errorf("edr: unknown record status %q", b)
	}
	*s = v
	return nil
}

// Terminal reports whether s is a final status.
func (s RecordStatus) Terminal() bool { return s > InProgress && int(s) < len(recordStatusNames) }

// RecordStatuses returns every status, InProgress first.
func RecordStatuses() []RecordStatus {
	out := make([]RecordStatus, 0, len(recordStatusNames)-1)
	for i := 1; i < len(recordStatusNames); i++ {
		out = append(out, RecordStatus(i))
	}
	return out
}

// ActionResult is what became of one planned action.
type ActionResult uint8

// The action results.
const (
	// Pending: not run yet.
	Pending ActionResult = iota
	// Succeeded: the hook returned no error.
	Succeeded
	// ActionFailed: the hook returned a final error, or temporary errors
	// until the attempts ran out, or panicked, or did not return before
	// its timeout.
	ActionFailed
	// NotSupported: the host has no hook for the action.
	NotSupported
	// Cancelled: the engine's context was cancelled before the action
	// finished.
	Cancelled
	// Skipped: not run because an earlier action for the same artifact
	// failed (a process that was not stopped is not quarantined), or in
	// audit mode.
	Skipped
	// Restored: a quarantine that was undone.
	Restored
)

var actionResultNames = [...]string{"pending", "succeeded", "failed", "not supported by host", "cancelled", "skipped", "restored"}

// String returns the result's name, "not supported by host".
func (r ActionResult) String() string {
	return enum.Name(r, "ActionResult", actionResultNames[:])
}

// MarshalText implements [encoding.TextMarshaler].
func (r ActionResult) MarshalText() ([]byte, error) {
	return enum.Text(r, "edr: action result", actionResultNames[:])
}

// UnmarshalText implements [encoding.TextUnmarshaler].
func (r *ActionResult) UnmarshalText(b []byte) error {
	v, ok := enum.Parse[ActionResult](string(b), actionResultNames[:])
	if !ok {
		return fmt.Errorf("edr: unknown action result %q", b)
	}
	*r = v
	return nil
}

// ActionRecord is one planned action and what became of it.
type ActionRecord struct {
	remediate.Action
	// Result is what became of it.
	Result ActionResult `json:"result"`
	// Attempts counts the calls to the hook.
	Attempts int `json:"attempts,omitempty"`
	// Error is the last error, for a failed action.
	Error string `json:"error,omitempty"`
	// Panic is the panic value, for a hook that panicked, and Stack its
	// stack.
	Panic string `json:"panic,omitempty"`
	Stack string `json:"stack,omitempty"`
	// QuarantineID is the id the Quarantine hook returned, for undo.
	QuarantineID string `json:"quarantineId,omitempty"`
	// Started and Finished are from the engine's clock.
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
}

// Mode is how the engine operates.
type Mode uint8

// The modes.
const (
	// Enforce decides and acts: the normal mode.
	Enforce Mode = iota
	// Audit decides and records what block mode would have done, as
	// WouldBlock, and never calls a hook.
	Audit
)

// String returns "enforce" or "audit".
func (m Mode) String() string {
	if m == Audit {
		return "audit"
	}
	return "enforce"
}

// MarshalText implements [encoding.TextMarshaler].
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (m *Mode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "enforce", "":
		*m = Enforce
	case "audit":
		*m = Audit
	default:
		return fmt.Errorf("edr: unknown mode %q", b)
	}
	return nil
}

// Record is one entry of the action history: a detection, the decision
// made on it, each action and its result, and the versions in force. Like
// OPA's decision-log events, a record carries what is needed to explain it
// and replay it later: the detection, the ruleset and the settings version.
type Record struct {
	// ID is the record's id: the detection's id. A detection handed in
	// twice gives one record.
	ID string `json:"id"`
	// DeviceID is the device the detection is about.
	DeviceID string `json:"deviceId,omitempty"`
	// Status is the record's status; terminal once the engine is done.
	Status RecordStatus `json:"status"`
	// Mode is the engine's mode when the record was made.
	Mode Mode `json:"mode"`
	// Detection is the detection as handed in.
	Detection *detect.Detection `json:"detection"`
	// Decision is the decision, with its trace.
	Decision remediate.Decision `json:"decision"`
	// Actions are the planned actions and their results, in order.
	Actions []ActionRecord `json:"actions"`
	// Ruleset and SettingsVersion are those in force at decision time.
	Ruleset         string `json:"ruleset"`
	SettingsVersion int    `json:"settingsVersion"`
	// Received, Decided and Finished are from the engine's clock;
	// Finished is zero while in progress.
	Received time.Time `json:"received"`
	Decided  time.Time `json:"decided,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	// Note says anything else worth knowing: a recovery after a crash, an
	// undo and who asked for it.
	Note string `json:"note,omitempty"`
	// Revision counts the writes of this record, from 1.
	Revision int `json:"revision"`
}

// String returns the one-line form, "det-1 blocked (2 actions) at ...".
func (r Record) String() string {
	return fmt.Sprintf("%s %s (%d actions, %s) at %s", r.ID, r.Status, len(r.Actions), r.Mode, r.Finished.UTC().Format(time.RFC3339Nano))
}

// Clone returns a copy of the record that shares nothing the engine
// changes: its Actions, which the engine fills in as the actions run. The
// Detection and the Decision are shared: they are never modified once the
// record is made, and callers must not modify them either.
func (r Record) Clone() Record {
	r.Actions = append([]ActionRecord(nil), r.Actions...)
	return r
}

// MarshalJSON is the default encoding; it exists so that Record's JSON form
// is documented here: the json tags above, times in RFC 3339, statuses and
// results by name, the detection in its Graph form.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record
	return json.Marshal(plain(r))
}
