package ocsf

import "github.com/blockmode/blockmode/remediate"

// Event is one OCSF event: a [*DetectionFinding], a
// [*FileRemediationActivity] or a [*ProcessRemediationActivity]. Use a type
// switch, or Header for the attributes they share. The set is closed.
type Event interface {
	// Header returns the event's base attributes.
	Header() *Base
	event()
}

// Base holds the base event's attributes (events/base_event.json) that
// every event of the package carries. Times are milliseconds since the
// Unix epoch (the schema's timestamp_t); a zero time is left out.
type Base struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name,omitempty"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name,omitempty"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name,omitempty"`
	// TypeUID is ClassUID*100 + ActivityID; TypeName is
	// "<class name>: <activity name>".
	TypeUID  int    `json:"type_uid"`
	TypeName string `json:"type_name,omitempty"`
	// Time is when the event happened: for a finding, when the engine
	// finished with the record; for a remediation, when the action
	// finished.
	Time       int64      `json:"time"`
	SeverityID SeverityID `json:"severity_id"`
	Severity   string     `json:"severity,omitempty"`
	// StatusID and Status are the event's status; see [StatusID].
	StatusID StatusID `json:"status_id,omitempty"`
	Status   string   `json:"status,omitempty"`
	// StatusDetail says why: the decision's reason for a finding, the
	// hook's error for a failed remediation.
	StatusDetail string `json:"status_detail,omitempty"`
	// Message is the one-line human form.
	Message   string `json:"message,omitempty"`
	StartTime int64  `json:"start_time,omitempty"`
	EndTime   int64  `json:"end_time,omitempty"`
	// Duration is EndTime - StartTime in milliseconds.
	Duration int64    `json:"duration,omitempty"`
	Metadata Metadata `json:"metadata"`
	// Device is the device the detection or action is about (the host
	// profile's device; an optional attribute of Detection Finding).
	Device *Device `json:"device,omitempty"`
}

// Header returns b.
func (b *Base) Header() *Base { return b }

// Metadata is the event's metadata (objects/metadata.json).
type Metadata struct {
	// Version is the schema version, [Version].
	Version string  `json:"version"`
	Product Product `json:"product"`
	// Profiles are the schema profiles applied: "host" and, for a
	// finding, "security_control".
	Profiles []string `json:"profiles,omitempty"`
	// CorrelationUID and OriginalEventUID are the action record's id, the
	// same in every event made from one record.
	CorrelationUID   string `json:"correlation_uid,omitempty"`
	OriginalEventUID string `json:"original_event_uid,omitempty"`
	// TenantUID is the alert's tenantId, when the detection has one.
	TenantUID string `json:"tenant_uid,omitempty"`
}

// Product is a software product (objects/product.json).
type Product struct {
	Name       string `json:"name,omitempty"`
	VendorName string `json:"vendor_name,omitempty"`
	Version    string `json:"version,omitempty"`
}

// Device is a device (objects/device.json).
type Device struct {
	// UID is the Defender for Endpoint device id.
	UID string `json:"uid,omitempty"`
	// Hostname is the deviceEvidence's deviceDnsName.
	Hostname string `json:"hostname,omitempty"`
	// TypeID is Server for a Windows Server platform, Unknown otherwise.
	TypeID int    `json:"type_id"`
	Type   string `json:"type,omitempty"`
	OS     *OS    `json:"os,omitempty"`
}

// OS is an operating system (objects/os.json).
type OS struct {
	// Name is the deviceEvidence's osPlatform, "Windows11".
	Name string `json:"name"`
	// TypeID is Windows (100), Linux (200), macOS (300), or Unknown.
	TypeID  int    `json:"type_id"`
	Type    string `json:"type,omitempty"`
	Version string `json:"version,omitempty"`
	Build   string `json:"build,omitempty"`
}

// File is a file (objects/file.json).
type File struct {
	Name string `json:"name"`
	// Path is the full path, when the source gives a folder.
	Path        string        `json:"path,omitempty"`
	Ext         string        `json:"ext,omitempty"`
	TypeID      int           `json:"type_id"`
	Type        string        `json:"type,omitempty"`
	Size        int64         `json:"size,omitempty"`
	Hashes      []Fingerprint `json:"hashes,omitempty"`
	CompanyName string        `json:"company_name,omitempty"`
}

// Fingerprint is a file hash (objects/fingerprint.json).
type Fingerprint struct {
	AlgorithmID int    `json:"algorithm_id"`
	Algorithm   string `json:"algorithm,omitempty"`
	Value       string `json:"value"`
}

// Process is a process (objects/process.json).
type Process struct {
	PID         int64  `json:"pid,omitempty"`
	Name        string `json:"name,omitempty"`
	CmdLine     string `json:"cmd_line,omitempty"`
	CreatedTime int64  `json:"created_time,omitempty"`
	// TerminatedTime is when a stop succeeded.
	TerminatedTime int64    `json:"terminated_time,omitempty"`
	File           *File    `json:"file,omitempty"`
	ParentProcess  *Process `json:"parent_process,omitempty"`
}

// DetectionFinding is a Detection Finding (class_uid 2004): the detection,
// and what block mode did with it as the security_control profile's
// action and disposition.
type DetectionFinding struct {
	Base
	FindingInfo FindingInfo `json:"finding_info"`
	// ActionID is what block mode did; DispositionID the outcome. The
	// package documentation has the table.
	ActionID      ActionID      `json:"action_id"`
	Action        string        `json:"action,omitempty"`
	DispositionID DispositionID `json:"disposition_id"`
	Disposition   string        `json:"disposition,omitempty"`
	// IsAlert is true for every detection, an excluded one included (a
	// threat left alone by an exclusion is what a SOC most needs to see),
	// and false for the update that records an undo.
	IsAlert bool `json:"is_alert"`
	// Policy is the decision rule that decided the verdict.
	Policy    *Policy    `json:"policy,omitempty"`
	Malware   []Malware  `json:"malware,omitempty"`
	Evidences []Evidence `json:"evidences,omitempty"`
	// Unmapped holds what the schema has no attribute for.
	Unmapped FindingUnmapped `json:"unmapped"`
}

func (*DetectionFinding) event() {}

// FindingInfo describes the finding (objects/finding_info.json).
type FindingInfo struct {
	// UID is the detection's id.
	UID   string `json:"uid"`
	Title string `json:"title,omitempty"`
	// Desc is the alert's description, when it has one.
	Desc string `json:"desc,omitempty"`
	// CreatedTime is the alert's createdDateTime; FirstSeenTime and
	// LastSeenTime its first and last activity.
	CreatedTime   int64 `json:"created_time,omitempty"`
	FirstSeenTime int64 `json:"first_seen_time,omitempty"`
	LastSeenTime  int64 `json:"last_seen_time,omitempty"`
	// ModifiedTime is when an undone record was undone.
	ModifiedTime int64 `json:"modified_time,omitempty"`
	// Types holds the alert's category, "Execution".
	Types []string `json:"types,omitempty"`
	// DataSources holds the alert's detectionSource.
	DataSources []string `json:"data_sources,omitempty"`
	// Product is the product that raised the alert: its serviceSource.
	Product *Product `json:"product,omitempty"`
	// SrcURL is the alert's alertWebUrl.
	SrcURL string `json:"src_url,omitempty"`
}

// Policy is the rule that decided (objects/policy.json): Name is the
// decision's rule id, Desc its reason, Version the ruleset.
type Policy struct {
	Name    string `json:"name,omitempty"`
	Desc    string `json:"desc,omitempty"`
	Version string `json:"version,omitempty"`
}

// Malware is the detected threat (objects/malware.json), from the alert's
// threatDisplayName; ClassificationIDs come from the type part of a
// Microsoft threat name ("Trojan:Win32/...").
type Malware struct {
	Name              string   `json:"name"`
	ClassificationIDs []int    `json:"classification_ids"`
	Classifications   []string `json:"classifications,omitempty"`
	Path              string   `json:"path,omitempty"`
	Provider          string   `json:"provider,omitempty"`
}

// Evidence is one evidence item of the alert (objects/evidences.json):
// file, process and device evidence are mapped; other kinds are left out.
type Evidence struct {
	// Name is the item's @odata.type.
	Name      string   `json:"name,omitempty"`
	Device    *Device  `json:"device,omitempty"`
	File      *File    `json:"file,omitempty"`
	Process   *Process `json:"process,omitempty"`
	VerdictID int      `json:"verdict_id,omitempty"`
	Verdict   string   `json:"verdict,omitempty"`
}

// FindingUnmapped is a finding's unmapped object: the action record's own
// terms.
type FindingUnmapped struct {
	// RecordStatus is the record's status as the engine names it,
	// "would block (audit)".
	RecordStatus string `json:"record_status"`
	// Mode is "enforce" or "audit".
	Mode string `json:"mode"`
	// WouldBlock is set for an audit-mode record: block mode would have
	// remediated, and no action was taken.
	WouldBlock bool `json:"would_block,omitempty"`
	// Verdict, Rule and the versions are the decision's.
	Verdict           string `json:"verdict,omitempty"`
	Rule              string `json:"rule,omitempty"`
	Ruleset           string `json:"ruleset,omitempty"`
	SettingsVersion   int    `json:"settings_version"`
	IgnoredIndicators int    `json:"ignored_indicators,omitempty"`
	// ReceivedTime and DecidedTime are from the engine's clock.
	ReceivedTime int64  `json:"received_time,omitempty"`
	DecidedTime  int64  `json:"decided_time,omitempty"`
	Note         string `json:"note,omitempty"`
	Revision     int    `json:"revision,omitempty"`
	// Actions are every planned action and its result, including those
	// that were not run and have no remediation event.
	Actions []ActionSummary `json:"actions,omitempty"`
	// Items and Trace are the decision's, in remediate's JSON form.
	Items []remediate.Item `json:"items,omitempty"`
	Trace []remediate.Step `json:"trace,omitempty"`
}

// ActionSummary is one planned action in a finding.
type ActionSummary struct {
	Kind      string `json:"kind"`
	Result    string `json:"result"`
	Evidence  int    `json:"evidence"`
	Path      string `json:"path,omitempty"`
	ProcessID int64  `json:"process_id,omitempty"`
	Error     string `json:"error,omitempty"`
	// CommandUID is the command_uid of the action's remediation events;
	// empty for an action that was not run.
	CommandUID string `json:"command_uid,omitempty"`
}

// D3FEND is a MITRE D3FEND countermeasure (objects/d3fend.json).
type D3FEND struct {
	Tactic    D3FENDItem `json:"d3f_tactic"`
	Technique D3FENDItem `json:"d3f_technique"`
}

// D3FENDItem is a D3FEND tactic or technique (objects/d3f_tactic.json,
// objects/d3f_technique.json).
type D3FENDItem struct {
	Name string `json:"name,omitempty"`
	UID  string `json:"uid,omitempty"`
}

// RemediationUnmapped is a remediation event's unmapped object.
type RemediationUnmapped struct {
	// RecordStatus is the record's status.
	RecordStatus string `json:"record_status"`
	// Action and Result are the action's kind and result as the engine
	// names them, "quarantine file", "not supported by host".
	Action string `json:"action"`
	Result string `json:"result"`
	// Evidence is the index of the evidence item the action is for.
	Evidence     int    `json:"evidence"`
	Attempts     int    `json:"attempts,omitempty"`
	QuarantineID string `json:"quarantine_id,omitempty"`
}

// FileRemediationActivity is a File Remediation Activity (class_uid 7002):
// one quarantine (activity Evict) or restore (Restore) of a file.
type FileRemediationActivity struct {
	Base
	// CommandUID is "<record id>/actions/<index>".
	CommandUID      string              `json:"command_uid"`
	Countermeasures []D3FEND            `json:"countermeasures,omitempty"`
	File            File                `json:"file"`
	Unmapped        RemediationUnmapped `json:"unmapped"`
}

func (*FileRemediationActivity) event() {}

// ProcessRemediationActivity is a Process Remediation Activity (class_uid
// 7003): one stop of a process (activity Evict).
type ProcessRemediationActivity struct {
	Base
	// CommandUID is "<record id>/actions/<index>".
	CommandUID      string              `json:"command_uid"`
	Countermeasures []D3FEND            `json:"countermeasures,omitempty"`
	Process         Process             `json:"process"`
	Unmapped        RemediationUnmapped `json:"unmapped"`
}

func (*ProcessRemediationActivity) event() {}
