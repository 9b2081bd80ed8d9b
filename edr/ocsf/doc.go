// Package ocsf exports the engine's action records ([edr.Record]) as
// events of the Open Cybersecurity Schema Framework (OCSF), schema version
// 1.8.0 ([Version]), for a SIEM to ingest.
//
// What it owns: the mapping from one terminal record to OCSF events, the
// typed event structs, and an [Encoder] that writes them as JSON lines.
// What it does not own: reading the history (package edr and its stores)
// and the export command line.
//
// # Events
//
// One record gives, in this order:
//
//   - one Detection Finding (class_uid 2004, category Findings 2;
//     events/findings/detection_finding.json), with the security_control
//     and host profiles: the detection as finding_info (uid = the
//     detection's id, title, times, category, source), its severity, the
//     device, the mapped evidence and threat, the deciding rule and its
//     reason as policy and status_detail, and what block mode did as
//     action_id and disposition_id;
//   - one Process Remediation Activity (7003;
//     events/remediation/process_remediation_activity.json) per process
//     stop that ran, and one File Remediation Activity (7002;
//     events/remediation/file_remediation_activity.json) per quarantine
//     that ran, both with activity Evict (the MITRE D3FEND tactic) and
//     status_id Success, Failure, Unsupported (the host has no hook) or
//     Other with status "Cancelled", the hook's error in status_detail;
//   - one File Remediation Activity with activity Restore per quarantine
//     that was undone.
//
// type_uid is class_uid*100 + activity_id; times are milliseconds since the
// Unix epoch. Every event's metadata carries the schema version, the
// product (see [Options]) and the record's id as correlation_uid and
// original_event_uid, so the events of one record can be joined. What the
// schema has no attribute for (the record status as the engine names it,
// the mode, the decision's verdict, items and trace, every planned action
// with its result) is in unmapped.
//
// # Record status to finding
//
//	record status          activity  action_id       disposition_id              is_alert
//	Blocked                Create 1  Denied 2        Blocked 2                   true
//	Prevented              Create 1  Denied 2        Quarantined 3 if a          true
//	                                                 quarantine succeeded,
//	                                                 else Blocked 2
//	Detected               Create 1  Observed 3      Detected 15                 true
//	Excluded               Create 1  Allowed 1       Allowed 1                   true
//	Failed                 Create 1  Observed 3      Error 27                    true
//	PartiallyRemediated    Create 1  Denied 2        Other 99                    true
//	                                                 ("Partially Remediated")
//	WouldBlock (audit)     Create 1  Observed 3      Detected 15                 true
//	Undone                 Update 2  Modified 4      Restored 9                  false
//
// An audit-mode record is never written as a block: its finding is
// Observed/Detected, its status_detail begins "audit mode: block mode would
// have remediated this detection; no action was taken", unmapped has
// would_block true, and it has no remediation events (no hook ran). The
// finding's status_id is the alert's workflow status (New, In Progress,
// Resolved), left out when the alert has none.
//
// # Records that cannot be encoded
//
// [Events] and [Encoder.Encode] return a [*RecordError] wrapping
// [ErrNotTerminal] for a record still in progress, and [ErrMalformed] for
// one without an id, with an unknown status, with no time at all, or in
// audit mode with an action that ran.
package ocsf
