package ocsf_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/edr/ocsf"
	"github.com/blockmode/blockmode/remediate"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// requiredAttrs lists, per class_uid, the attributes OCSF 1.8.0 marks
// "required" (tag 1.8.0 of github.com/ocsf/ocsf-schema), with "extends"
// and "$include" resolved:
//
//	events/base_event.json: activity_id, category_uid, class_uid, metadata,
//	  severity_id, time, type_uid
//	events/findings/finding.json: finding_info
//	events/findings/detection_finding.json: (none of its own)
//	events/remediation/remediation_activity.json: command_uid
//	events/remediation/file_remediation_activity.json: file
//	events/remediation/process_remediation_activity.json: process
//
// The cloud and osint profiles' required attributes (cloud, osint) apply
// only when those profiles are in metadata.profiles, which they are not.
var requiredAttrs = map[int][]string{
	2004: {"activity_id", "category_uid", "class_uid", "metadata", "severity_id", "time", "type_uid", "finding_info"},
	7002: {"activity_id", "category_uid", "class_uid", "metadata", "severity_id", "time", "type_uid", "command_uid", "file"},
	7003: {"activity_id", "category_uid", "class_uid", "metadata", "severity_id", "time", "type_uid", "command_uid", "process"},
}

// requiredObjectAttrs lists the required attributes of the objects the
// events use (objects/<name>.json at tag 1.8.0, extends resolved), keyed
// by the attribute that holds the object.
var requiredObjectAttrs = map[string][]string{
	"finding_info": {"uid"},                   // objects/finding_info.json
	"metadata":     {"product", "version"},    // objects/metadata.json
	"device":       {"type_id"},               // objects/device.json
	"os":           {"name", "type_id"},       // objects/os.json
	"file":         {"name", "type_id"},       // objects/file.json
	"hashes":       {"algorithm_id", "value"}, // objects/fingerprint.json
	"malware":      {"classification_ids"},    // objects/malware.json
}

// checkRequired reports every required attribute missing from the encoded
// event, at any depth.
func checkRequired(t *testing.T, class int, ev map[string]any) {
	t.Helper()
	for _, k := range requiredAttrs[class] {
		if v, ok := ev[k]; !ok || v == nil {
			t.Errorf("class %d: required attribute %q missing", class, k)
		}
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if req, ok := requiredObjectAttrs[k]; ok {
					objs := []any{x}
					if arr, ok := x.([]any); ok {
						objs = arr
					}
					for _, o := range objs {
						m, ok := o.(map[string]any)
						if !ok {
							t.Errorf("class %d: %s.%s is %T, want an object", class, path, k, o)
							continue
						}
						for _, r := range req {
							if _, ok := m[r]; !ok {
								t.Errorf("class %d: %s.%s lacks required %q", class, path, k, r)
							}
						}
					}
				}
				if k != "unmapped" {
					walk(path+"."+k, x)
				}
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	walk("", ev)
}

func decode(t *testing.T, ev ocsf.Event) map[string]any {
	t.Helper()
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func num(m map[string]any, k string) int {
	f, _ := m[k].(float64)
	return int(f)
}

func TestEvents(t *testing.T) {
	seen := map[edr.RecordStatus]bool{}
	for _, tc := range cases(t) {
		t.Run(tc.name, func(t *testing.T) {
			seen[tc.rec.Status] = true
			evs, err := ocsf.Events(tc.rec, ocsf.Options{ProductVersion: "0.9.0"})
			require.NoError(t, err)
			require.Len(t, evs, 1+len(tc.remediations))

			var classes [][3]int
			for i, ev := range evs {
				m := decode(t, ev)
				class, activity := num(m, "class_uid"), num(m, "activity_id")
				checkRequired(t, class, m)

				h := ev.Header()
				assert.Equal(t, class, h.ClassUID)
				assert.Equal(t, class/1000, num(m, "category_uid"), "category_uid is class_uid / 1000")
				assert.Equal(t, class*100+activity, num(m, "type_uid"), "type_uid is class_uid*100 + activity_id")
				assert.Equal(t, ocsf.Version, h.Metadata.Version)
				assert.Equal(t, ocsf.Product{Name: "blockmode", VendorName: "blockmode", Version: "0.9.0"}, h.Metadata.Product)
				assert.Equal(t, tc.rec.ID, h.Metadata.CorrelationUID)
				assert.Equal(t, tc.rec.ID, h.Metadata.OriginalEventUID)
				assert.NotZero(t, h.Time)
				if i == 0 {
					f, ok := ev.(*ocsf.DetectionFinding)
					require.True(t, ok, "first event is %T, want the finding", ev)
					assert.Equal(t, ocsf.ClassDetectionFinding, class)
					assert.Equal(t, tc.act, activity, "activity_id")
					assert.Equal(t, tc.action, num(m, "action_id"), "action_id")
					assert.Equal(t, tc.disp, num(m, "disposition_id"), "disposition_id")
					assert.Equal(t, tc.alert, m["is_alert"], "is_alert")
					assert.Equal(t, tc.rec.Detection.ID, f.FindingInfo.UID)
					assert.Equal(t, tc.rec.Detection.Title, f.FindingInfo.Title)
					assert.Equal(t, tc.rec.Decision.Rule, f.Policy.Name, "the deciding rule")
					assert.Contains(t, f.StatusDetail, tc.rec.Decision.Reason)
					assert.Equal(t, tc.rec.Status.String(), f.Unmapped.RecordStatus)
					assert.Equal(t, tc.rec.Finished.UnixMilli(), f.Time)
					assert.Equal(t, []string{"host", "security_control"}, f.Metadata.Profiles)
					assert.Equal(t, ocsf.SeverityHigh, f.SeverityID)
					assert.Equal(t, ocsf.FindingNew, f.StatusID, "the alert's workflow status")
					require.NotNil(t, f.Device)
					assert.Equal(t, "ws-fin-042.contoso.local", f.Device.Hostname)
					continue
				}
				classes = append(classes, [3]int{class, activity, num(m, "status_id")})
				if h.StatusID != ocsf.StatusSuccess {
					assert.NotEmpty(t, h.StatusDetail, "a remediation that did not succeed says why")
				}
			}
			assert.Equal(t, tc.remediations, classes, "remediation events: class_uid, activity_id, status_id")
		})
	}
	for _, s := range edr.RecordStatuses() {
		if s.Terminal() {
			assert.True(t, seen[s], "no test case for status %s", s)
		}
	}
}

func TestEvents_wouldBlockIsNeverABlock(t *testing.T) {
	var tc testCase
	for _, c := range cases(t) {
		if c.name == "would_block" {
			tc = c
		}
	}
	evs, err := ocsf.Events(tc.rec, ocsf.Options{})
	require.NoError(t, err)
	require.Len(t, evs, 1, "no hook ran, so no remediation event")
	f := evs[0].(*ocsf.DetectionFinding)
	assert.Equal(t, ocsf.ActionObserved, f.ActionID)
	assert.Equal(t, ocsf.DispositionDetected, f.DispositionID)
	assert.NotEqual(t, ocsf.DispositionBlocked, f.DispositionID)
	assert.True(t, strings.HasPrefix(f.StatusDetail, "audit mode: block mode would have remediated"), f.StatusDetail)
	assert.True(t, f.Unmapped.WouldBlock)
	assert.Equal(t, "audit", f.Unmapped.Mode)
	for _, a := range f.Unmapped.Actions {
		assert.Empty(t, a.CommandUID, "an action that did not run has no remediation event")
	}
}

func TestEvents_remediationDetails(t *testing.T) {
	tcs := cases(t)
	byName := map[string]edr.Record{}
	for _, tc := range tcs {
		byName[tc.name] = tc.rec
	}

	t.Run("stop_process_carries_the_process_and_its_termination", func(t *testing.T) {
		evs, err := ocsf.Events(byName["blocked"], ocsf.Options{})
		require.NoError(t, err)
		p := evs[1].(*ocsf.ProcessRemediationActivity)
		assert.Equal(t, int64(9412), p.Process.PID)
		assert.Equal(t, "invoice_2023-12.exe", p.Process.Name)
		assert.Equal(t, `"invoice_2023-12.exe" /silent`, p.Process.CmdLine)
		require.NotNil(t, p.Process.File)
		assert.Equal(t, `C:\Users\alex.wu\Downloads\invoice_2023-12.exe`, p.Process.File.Path)
		require.NotNil(t, p.Process.ParentProcess)
		assert.Equal(t, int64(5168), p.Process.ParentProcess.PID)
		assert.Equal(t, p.EndTime, p.Process.TerminatedTime)
		assert.Equal(t, int64(40), p.Duration)
		assert.Equal(t, "da638390671234567890_1126483905/actions/0", p.CommandUID)
		assert.Equal(t, ocsf.SeverityInformational, p.SeverityID, "a successful remediation is informational")
		assert.Equal(t, "D3-PT", p.Countermeasures[0].Technique.UID)

		q := evs[2].(*ocsf.FileRemediationActivity)
		assert.Equal(t, "invoice_2023-12.exe", q.File.Name)
		assert.Equal(t, "exe", q.File.Ext)
		assert.Equal(t, "q-9412", q.Unmapped.QuarantineID)
		assert.Contains(t, q.File.Hashes, ocsf.Fingerprint{AlgorithmID: 3, Algorithm: "SHA-256", Value: exeHash})
	})

	t.Run("failed_action_keeps_the_hook_error_and_the_detection_severity", func(t *testing.T) {
		evs, err := ocsf.Events(byName["failed"], ocsf.Options{})
		require.NoError(t, err)
		p := evs[1].(*ocsf.ProcessRemediationActivity)
		assert.Equal(t, "access is denied", p.StatusDetail)
		assert.Equal(t, "Failure", p.Status)
		assert.Equal(t, ocsf.SeverityHigh, p.SeverityID)
		assert.Zero(t, p.Process.TerminatedTime)
		assert.Equal(t, 3, p.Unmapped.Attempts)
		f := evs[0].(*ocsf.DetectionFinding)
		require.Len(t, f.Unmapped.Actions, 2, "the skipped quarantine is listed in the finding")
		assert.Equal(t, "skipped", f.Unmapped.Actions[1].Result)
		assert.Empty(t, f.Unmapped.Actions[1].CommandUID)
		assert.Equal(t, p.CommandUID, f.Unmapped.Actions[0].CommandUID)
	})

	t.Run("hook_panic_is_a_failure_with_the_panic_value", func(t *testing.T) {
		evs, err := ocsf.Events(byName["failed_hook_panicked"], ocsf.Options{})
		require.NoError(t, err)
		q := evs[1].(*ocsf.FileRemediationActivity)
		assert.Equal(t, ocsf.StatusFailure, q.StatusID)
		assert.Equal(t, "hook panicked: runtime error: invalid memory address", q.StatusDetail)
		b, _ := json.Marshal(q)
		assert.NotContains(t, string(b), "goroutine", "the stack is not exported")
	})

	t.Run("cancelled_action_is_status_other_cancelled", func(t *testing.T) {
		evs, err := ocsf.Events(byName["partially_remediated"], ocsf.Options{})
		require.NoError(t, err)
		q := evs[2].(*ocsf.FileRemediationActivity)
		assert.Equal(t, ocsf.StatusOther, q.StatusID)
		assert.Equal(t, "Cancelled", q.Status)
		assert.Equal(t, "Partially Remediated", evs[0].(*ocsf.DetectionFinding).Disposition)
	})

	t.Run("undone_quarantine_gives_evict_then_restore", func(t *testing.T) {
		rec := byName["undone"]
		evs, err := ocsf.Events(rec, ocsf.Options{})
		require.NoError(t, err)
		q, r := evs[1].(*ocsf.FileRemediationActivity), evs[2].(*ocsf.FileRemediationActivity)
		assert.Equal(t, ocsf.RemediationEvict, q.ActivityID)
		assert.Equal(t, ocsf.RemediationRestore, r.ActivityID)
		assert.Equal(t, 700203, r.TypeUID)
		assert.Equal(t, rec.Finished.UnixMilli(), r.Time)
		assert.Less(t, q.Time, r.Time)
		assert.Equal(t, q.CommandUID+"/restore", r.CommandUID)
		assert.Equal(t, "undone by alice@contoso.com", r.StatusDetail)
		f := evs[0].(*ocsf.DetectionFinding)
		assert.Equal(t, rec.Finished.UnixMilli(), f.FindingInfo.ModifiedTime)
	})

	t.Run("excluded_names_the_exclusion", func(t *testing.T) {
		evs, err := ocsf.Events(byName["excluded"], ocsf.Options{})
		require.NoError(t, err)
		b, err := json.Marshal(evs[0])
		require.NoError(t, err)
		assert.Contains(t, string(b), `"kind":"ExclusionPath"`)
		assert.Contains(t, string(b), `C:\\Users\\*\\Downloads`)
	})
}

func TestEvents_errors(t *testing.T) {
	d := behavioral(t)
	good := record(d, edr.Detected, remediate.Decision{Verdict: remediate.DetectOnly, Rule: remediate.RuleBlockModeInEffect})
	tests := []struct {
		name  string
		edit  func(*edr.Record)
		field string
		want  error
	}{
		{"in_progress_is_not_terminal", func(r *edr.Record) { r.Status = edr.InProgress; r.Finished = time.Time{} }, "status", ocsf.ErrNotTerminal},
		{"zero_status_is_malformed", func(r *edr.Record) { r.Status = 0 }, "status", ocsf.ErrMalformed},
		{"unknown_status_is_malformed", func(r *edr.Record) { r.Status = 200 }, "status", ocsf.ErrMalformed},
		{"empty_id_is_malformed", func(r *edr.Record) { r.ID = "" }, "id", ocsf.ErrMalformed},
		{"no_time_is_malformed", func(r *edr.Record) { r.Received, r.Decided, r.Finished = time.Time{}, time.Time{}, time.Time{} }, "finished", ocsf.ErrMalformed},
		{"audit_record_with_an_action_that_ran_is_malformed", func(r *edr.Record) {
			r.Mode, r.Status = edr.Audit, edr.WouldBlock
			r.Actions = []edr.ActionRecord{{Action: stopAction(d), Result: edr.Succeeded}}
		}, "actions[0].result", ocsf.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := good
			tc.edit(&r)
			evs, err := ocsf.Events(r, ocsf.Options{})
			assert.Nil(t, evs)
			require.ErrorIs(t, err, tc.want)
			var re *ocsf.RecordError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.field, re.Field)
			assert.Equal(t, r.ID, re.ID)
			assert.True(t, strings.HasPrefix(err.Error(), "ocsf: record "), err.Error())

			var buf bytes.Buffer
			assert.ErrorIs(t, ocsf.NewEncoder(&buf, ocsf.Options{}).Encode(r), tc.want)
			assert.Zero(t, buf.Len(), "a record that cannot be encoded writes nothing")
		})
	}
}

// TestEvents_hostile feeds records with empty, nil and out-of-range
// fields: each gives events or a *RecordError, never a panic, and what it
// gives encodes to JSON.
func TestEvents_hostile(t *testing.T) {
	var records []edr.Record
	records = append(records,
		edr.Record{},
		edr.Record{ID: "x"},
		edr.Record{ID: "x", Status: edr.Blocked},
		edr.Record{ID: "x", Status: edr.Blocked, Finished: t0},
		edr.Record{ID: "x", Status: edr.Undone, Finished: t0, Actions: []edr.ActionRecord{{Result: edr.Restored}}},
		edr.Record{ID: "x", Status: edr.Failed, Received: t0, Actions: []edr.ActionRecord{
			{Action: remediate.Action{Kind: remediate.StopProcess, Evidence: -5}, Result: edr.ActionFailed},
			{Action: remediate.Action{Kind: remediate.Quarantine, Evidence: 1 << 30}, Result: edr.Succeeded},
			{Action: remediate.Action{Kind: 77}, Result: edr.Succeeded},
			{Action: remediate.Action{Kind: remediate.Quarantine}, Result: 99},
			{Action: remediate.Action{Kind: remediate.StopProcess}, Result: edr.Restored},
		}},
		edr.Record{ID: "x", Status: edr.Blocked, Finished: t0, Detection: &detect.Detection{}},
		edr.Record{ID: "x", Status: edr.Blocked, Finished: t0, Detection: &detect.Detection{
			Severity: "catastrophic", AlertStatus: "archived", ThreatName: ":", Extra: map[string]json.RawMessage{"description": []byte(`{`), "tenantId": nil},
			Evidence: []detect.Evidence{
				nil,
				(*detect.FileEvidence)(nil),
				(*detect.ProcessEvidence)(nil),
				(*detect.OtherEvidence)(nil),
				&detect.FileEvidence{},
				&detect.ProcessEvidence{},
				&detect.OtherEvidence{},
				&detect.OtherEvidence{Type: detect.TypeDeviceEvidence, Raw: []byte(`{"mdeDeviceId":7}`)},
				&detect.OtherEvidence{Type: detect.TypeDeviceEvidence, Raw: []byte(`{"mdeDeviceId":"d","osBuild":"x","osPlatform":"Plan9"}`)},
				&detect.OtherEvidence{Type: detect.TypeDeviceEvidence, Raw: []byte(`not json`)},
			}},
			Actions: []edr.ActionRecord{
				{Action: remediate.Action{Kind: remediate.StopProcess, Evidence: 0}, Result: edr.Succeeded},
				{Action: remediate.Action{Kind: remediate.StopProcess, Evidence: 2}, Result: edr.Succeeded},
				{Action: remediate.Action{Kind: remediate.Quarantine, Evidence: 1, Path: `\`}, Result: edr.Succeeded},
				{Action: remediate.Action{Kind: remediate.Quarantine, Evidence: 4, Path: "."}, Result: edr.Succeeded, Started: t0.Add(time.Hour), Finished: t0},
			}},
	)
	for _, tc := range cases(t) {
		r := tc.rec.Clone()
		r.Detection = nil
		records = append(records, r)
		r = tc.rec.Clone()
		r.Decision = remediate.Decision{}
		r.DeviceID = ""
		records = append(records, r)
	}
	for i, r := range records {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			evs, err := ocsf.Events(r, ocsf.Options{})
			if err != nil {
				var re *ocsf.RecordError
				require.ErrorAs(t, err, &re)
				return
			}
			require.NotEmpty(t, evs)
			for _, ev := range evs {
				m := decode(t, ev)
				class := num(m, "class_uid")
				for _, k := range requiredAttrs[class] {
					assert.Contains(t, m, k)
				}
				assert.Equal(t, class*100+num(m, "activity_id"), num(m, "type_uid"))
				assert.GreaterOrEqual(t, num(m, "duration"), 0)
			}
		})
	}
}

func TestEncoder_golden(t *testing.T) {
	var buf bytes.Buffer
	enc := ocsf.NewEncoder(&buf, ocsf.Options{ProductVersion: "1.0.0", VendorName: "Contoso"})
	lines := 0
	for _, tc := range cases(t) {
		require.NoError(t, enc.Encode(tc.rec), tc.name)
		lines += 1 + len(tc.remediations)
	}
	got := buf.Bytes()
	assert.Equal(t, lines, bytes.Count(got, []byte("\n")), "one line per event")
	for i, line := range bytes.Split(bytes.TrimSuffix(got, []byte("\n")), []byte("\n")) {
		assert.True(t, json.Valid(line), "line %d is not JSON", i+1)
	}
	const golden = "testdata/records.golden"
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update to create it")
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("encoded events differ from %s (-want +got; go test -update rewrites it):\n%s", golden, diff)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestEncoder_writerError(t *testing.T) {
	boom := errors.New("disk full")
	err := ocsf.NewEncoder(failWriter{boom}, ocsf.Options{}).Encode(cases(t)[0].rec)
	assert.ErrorIs(t, err, boom)
}

func TestEnumCaptions(t *testing.T) {
	assert.Equal(t, "Observed", ocsf.ActionObserved.String())
	assert.Equal(t, "Quarantined", ocsf.DispositionQuarantined.String())
	assert.Equal(t, "Error", ocsf.DispositionError.String())
	assert.Equal(t, "Informational", ocsf.SeverityInformational.String())
	assert.Equal(t, "Other", ocsf.DispositionID(12345).String())
}
