package ocsf_test

import (
	"os"
	"testing"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/remediate"
)

// t0 is when the engine received the detections of the test records.
var t0 = time.Date(2023, 12, 4, 9, 18, 44, 0, time.UTC)

// behavioral loads testdata/edr_behavioral.json, a Graph alert (copied
// from detect/testdata): evidence 0 is the device, 1 a process (PID 9412),
// 2 its image file, 3 a user, 4 an IP address, 5 a URL.
func behavioral(t testing.TB) *detect.Detection {
	t.Helper()
	b, err := os.ReadFile("testdata/edr_behavioral.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := detect.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const (
	exePath = `C:\Users\alex.wu\Downloads\invoice_2023-12.exe`
	exeHash = "4d2f7c9a1b3e5f7081a2c4e6f8091b2d3c4e5f60718293a4b5c6d7e8f9012345"
)

func stopAction(d *detect.Detection) remediate.Action {
	return remediate.Action{Kind: remediate.StopProcess, DetectionID: d.ID, Evidence: 1, DeviceID: d.DeviceID, ProcessID: 9412, Path: exePath, SHA256: exeHash}
}

func quarantineAction(d *detect.Detection) remediate.Action {
	return remediate.Action{Kind: remediate.Quarantine, DetectionID: d.ID, Evidence: 2, DeviceID: d.DeviceID, Path: exePath, SHA256: exeHash}
}

// ran returns the record of action a that ran from start for 40ms.
func ran(a remediate.Action, res edr.ActionResult, start time.Time) edr.ActionRecord {
	return edr.ActionRecord{Action: a, Result: res, Attempts: 1, Started: start, Finished: start.Add(40 * time.Millisecond)}
}

// record returns a terminal record of d as the engine makes it, with the
// given decision and actions.
func record(d *detect.Detection, status edr.RecordStatus, dec remediate.Decision, actions ...edr.ActionRecord) edr.Record {
	dec.DetectionID = d.ID
	dec.Ruleset, dec.SettingsVersion = "2025-05", 3
	for _, a := range actions {
		dec.Actions = append(dec.Actions, a.Action)
	}
	return edr.Record{
		ID:              d.ID,
		DeviceID:        d.DeviceID,
		Status:          status,
		Detection:       d,
		Decision:        dec,
		Actions:         actions,
		Ruleset:         "2025-05",
		SettingsVersion: 3,
		Received:        t0,
		Decided:         t0.Add(time.Millisecond),
		Finished:        t0.Add(200 * time.Millisecond),
		Revision:        2,
	}
}

var remediateDecision = remediate.Decision{
	Verdict: remediate.Remediate,
	Rule:    remediate.RuleRemediateArtifact,
	Reason:  "block mode is in effect and the artifacts are not excluded",
	Status:  detect.Blocked,
	Items: []remediate.Item{
		{Evidence: 1, Type: detect.TypeProcessEvidence, Outcome: remediate.ItemRemediate, Rule: remediate.RuleRemediateArtifact, Path: exePath},
		{Evidence: 2, Type: detect.TypeFileEvidence, Outcome: remediate.ItemRemediate, Rule: remediate.RuleRemediateArtifact, Path: exePath},
	},
	Trace: []remediate.Step{
		{Rule: remediate.RuleBlockModeInEffect, Evidence: -1, Observed: "on", Outcome: "pass"},
		{Rule: remediate.RuleRemediateArtifact, Evidence: 1, Observed: exePath, Outcome: "remediate"},
	},
}

// testCase is one record and what its events must say.
type testCase struct {
	name   string
	rec    edr.Record
	action int // finding action_id
	disp   int // finding disposition_id
	act    int // finding activity_id
	alert  bool
	// remediations are the remediation events, in order: class_uid,
	// activity_id, status_id.
	remediations [][3]int
}

// cases holds a record of every terminal status, some twice.
func cases(t testing.TB) []testCase {
	d := behavioral(t)
	at := t0.Add(10 * time.Millisecond)

	prevented := remediateDecision
	prevented.Status = detect.Prevented

	failed := ran(stopAction(d), edr.ActionFailed, at)
	failed.Attempts, failed.Error = 3, "access is denied"
	skipped := edr.ActionRecord{Action: quarantineAction(d), Result: edr.Skipped, Error: "the process running this file was not stopped, so the file is not quarantined"}

	panicked := ran(quarantineAction(d), edr.ActionFailed, at)
	panicked.Panic, panicked.Stack = "runtime error: invalid memory address", "goroutine 7 [running]:..."

	cancelled := ran(quarantineAction(d), edr.Cancelled, at.Add(50*time.Millisecond))
	cancelled.Error = "context canceled"

	quarantined := ran(quarantineAction(d), edr.Succeeded, at.Add(50*time.Millisecond))
	quarantined.QuarantineID = "q-9412"
	restored := quarantined
	restored.Result = edr.Restored

	audit := record(d, edr.WouldBlock, remediateDecision,
		edr.ActionRecord{Action: stopAction(d), Result: edr.Skipped},
		edr.ActionRecord{Action: quarantineAction(d), Result: edr.Skipped})
	audit.Mode = edr.Audit

	undone := record(d, edr.Undone, prevented, restored)
	undone.Finished = t0.Add(2 * time.Hour)
	undone.Note = "undone by alice@contoso.com"
	undone.Revision = 3

	noAction := remediate.Decision{Verdict: remediate.NoAction, Rule: remediate.RuleAlreadyStopped, Reason: "every artifact was already prevented", Status: detect.Prevented}

	excluded := remediate.Decision{
		Verdict: remediate.DetectOnly, Rule: remediate.RuleExclusion, Reason: "every artifact is covered by an antivirus exclusion", Status: detect.Detected,
		Items: []remediate.Item{
			{Evidence: 1, Type: detect.TypeProcessEvidence, Outcome: remediate.ItemExcluded, Rule: remediate.RuleExclusion, Path: exePath,
				Exclusion: exclusions.Rule{Kind: exclusions.ExclusionPath, Text: `C:\Users\*\Downloads`, Index: 0}, Canonical: `c:\users\alex.wu\downloads\invoice_2023-12.exe`},
		},
	}

	const (
		fileClass = 7002
		procClass = 7003
	)
	return []testCase{
		{name: "blocked", rec: record(d, edr.Blocked, remediateDecision, ran(stopAction(d), edr.Succeeded, at), quarantined),
			action: 2, disp: 2, act: 1, alert: true, remediations: [][3]int{{procClass, 2, 1}, {fileClass, 2, 1}}},
		{name: "prevented_quarantined", rec: record(d, edr.Prevented, prevented, quarantined),
			action: 2, disp: 3, act: 1, alert: true, remediations: [][3]int{{fileClass, 2, 1}}},
		{name: "prevented_already", rec: record(d, edr.Prevented, noAction),
			action: 2, disp: 2, act: 1, alert: true},
		{name: "detected", rec: record(d, edr.Detected, remediate.Decision{Verdict: remediate.DetectOnly, Rule: remediate.RuleBlockModeInEffect, Reason: "block mode is off", Status: detect.Detected}),
			action: 3, disp: 15, act: 1, alert: true},
		{name: "excluded", rec: record(d, edr.Excluded, excluded),
			action: 1, disp: 1, act: 1, alert: true},
		{name: "failed", rec: record(d, edr.Failed, remediateDecision, failed, skipped),
			action: 3, disp: 27, act: 1, alert: true, remediations: [][3]int{{procClass, 2, 2}}},
		{name: "failed_hook_panicked", rec: record(d, edr.Failed, prevented, panicked),
			action: 3, disp: 27, act: 1, alert: true, remediations: [][3]int{{fileClass, 2, 2}}},
		{name: "failed_not_supported", rec: record(d, edr.Failed, remediateDecision, ran(stopAction(d), edr.NotSupported, at), skipped),
			action: 3, disp: 27, act: 1, alert: true, remediations: [][3]int{{procClass, 2, 5}}},
		{name: "partially_remediated", rec: record(d, edr.PartiallyRemediated, remediateDecision, ran(stopAction(d), edr.Succeeded, at), cancelled),
			action: 2, disp: 99, act: 1, alert: true, remediations: [][3]int{{procClass, 2, 1}, {fileClass, 2, 99}}},
		{name: "would_block", rec: audit,
			action: 3, disp: 15, act: 1, alert: true},
		{name: "undone", rec: undone,
			action: 4, disp: 9, act: 2, alert: false, remediations: [][3]int{{fileClass, 2, 1}, {fileClass, 3, 1}}},
	}
}
