package ocsf

// Version is the OCSF schema version the events follow: the released
// ocsf/ocsf-schema 1.8.0 (version.json at tag 1.8.0). It is every event's
// metadata.version.
const Version = "1.8.0"

// The categories (categories.json) and classes the package writes. A
// class_uid is the category_uid times 1000 plus the class's uid in its
// category, and a type_uid is the class_uid times 100 plus the activity_id.
const (
	// CategoryFindings is the Findings category.
	CategoryFindings = 2
	// CategoryRemediation is the Remediation category.
	CategoryRemediation = 7

	// ClassDetectionFinding is Detection Finding
	// (events/findings/detection_finding.json, uid 4 in Findings).
	ClassDetectionFinding = 2004
	// ClassFileRemediationActivity is File Remediation Activity
	// (events/remediation/file_remediation_activity.json, uid 2 in
	// Remediation).
	ClassFileRemediationActivity = 7002
	// ClassProcessRemediationActivity is Process Remediation Activity
	// (events/remediation/process_remediation_activity.json, uid 3 in
	// Remediation).
	ClassProcessRemediationActivity = 7003
)

// The activity_id values the package writes.
const (
	// FindingCreate is Detection Finding's "Create": a finding was created
	// (events/findings/finding.json).
	FindingCreate = 1
	// FindingUpdate is Detection Finding's "Update": a finding was
	// updated. An undone remediation is exported as an update.
	FindingUpdate = 2
	// RemediationEvict is the remediation classes' "Evict" (the MITRE
	// D3FEND tactic d3f:Evict): stopping a process and quarantining a file
	// (events/remediation/remediation_activity.json).
	RemediationEvict = 2
	// RemediationRestore is the remediation classes' "Restore" (d3f:Restore):
	// restoring a quarantined file.
	RemediationRestore = 3
)

// SeverityID is the base event's severity_id (dictionary.json).
type SeverityID int

// The severity_id values.
const (
	SeverityUnknown       SeverityID = 0
	SeverityInformational SeverityID = 1
	SeverityLow           SeverityID = 2
	SeverityMedium        SeverityID = 3
	SeverityHigh          SeverityID = 4
	SeverityCritical      SeverityID = 5
	SeverityFatal         SeverityID = 6
	SeverityOther         SeverityID = 99
)

// String returns the schema's caption, "High".
func (s SeverityID) String() string {
	return caption(int(s), severityCaptions)
}

var severityCaptions = map[int]string{0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical", 6: "Fatal", 99: "Other"}

// StatusID is an event's status_id. The values and captions differ by
// class: Detection Finding uses the finding statuses
// (events/findings/finding.json: New, In Progress, Suppressed, Resolved,
// Archived, Deleted); the remediation classes use the base statuses
// (dictionary.json: Success, Failure) and add their own
// (events/remediation/remediation_activity.json: Does Not Exist, Partial,
// Unsupported, Error).
type StatusID int

// The status_id values of the remediation classes.
const (
	StatusUnknown      StatusID = 0
	StatusSuccess      StatusID = 1
	StatusFailure      StatusID = 2
	StatusDoesNotExist StatusID = 3
	StatusPartial      StatusID = 4
	StatusUnsupported  StatusID = 5
	StatusError        StatusID = 6
	StatusOther        StatusID = 99
)

// The status_id values of Detection Finding.
const (
	FindingNew        StatusID = 1
	FindingInProgress StatusID = 2
	FindingSuppressed StatusID = 3
	FindingResolved   StatusID = 4
	FindingArchived   StatusID = 5
	FindingDeleted    StatusID = 6
)

var remediationStatusCaptions = map[int]string{0: "Unknown", 1: "Success", 2: "Failure", 3: "Does Not Exist", 4: "Partial", 5: "Unsupported", 6: "Error", 99: "Other"}

var findingStatusCaptions = map[int]string{0: "Unknown", 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 5: "Archived", 6: "Deleted", 99: "Other"}

// ActionID is the security_control profile's action_id
// (profiles/security_control.json): what the control did.
type ActionID int

// The action_id values.
const (
	ActionUnknown  ActionID = 0
	ActionAllowed  ActionID = 1
	ActionDenied   ActionID = 2
	ActionObserved ActionID = 3
	ActionModified ActionID = 4
	ActionOther    ActionID = 99
)

// String returns the schema's caption, "Denied".
func (a ActionID) String() string {
	return caption(int(a), actionCaptions)
}

var actionCaptions = map[int]string{0: "Unknown", 1: "Allowed", 2: "Denied", 3: "Observed", 4: "Modified", 99: "Other"}

// DispositionID is the security_control profile's disposition_id
// (dictionary.json): the outcome of the control's action. Only the values
// the package writes are declared.
type DispositionID int

// The disposition_id values the package writes.
const (
	DispositionUnknown     DispositionID = 0
	DispositionAllowed     DispositionID = 1
	DispositionBlocked     DispositionID = 2
	DispositionQuarantined DispositionID = 3
	DispositionRestored    DispositionID = 9
	DispositionDetected    DispositionID = 15
	DispositionError       DispositionID = 27
	DispositionOther       DispositionID = 99
)

// String returns the schema's caption, "Quarantined".
func (d DispositionID) String() string {
	return caption(int(d), dispositionCaptions)
}

var dispositionCaptions = map[int]string{0: "Unknown", 1: "Allowed", 2: "Blocked", 3: "Quarantined", 9: "Restored", 15: "Detected", 27: "Error", 99: "Other"}

func caption(v int, names map[int]string) string {
	if s, ok := names[v]; ok {
		return s
	}
	return "Other"
}

// The fingerprint algorithm_id values (objects/fingerprint.json).
const (
	hashMD5    = 1
	hashSHA1   = 2
	hashSHA256 = 3
)

// The file type_id values (objects/file.json). The schema says to use
// Regular File when it is not known whether a file is executable.
const (
	fileRegular    = 1
	fileExecutable = 8
)

// The device type_id values (objects/endpoint.json, dictionary.json).
const (
	deviceUnknown = 0
	deviceServer  = 1
)

// The evidence verdict_id values (objects/evidences.json).
const (
	verdictUnknown      = 0
	verdictSuspicious   = 4
	verdictBenign       = 5
	verdictSecurityRisk = 8
	verdictOther        = 99
)
