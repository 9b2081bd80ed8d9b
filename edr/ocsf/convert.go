package ocsf

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/edr"
	"github.com/blockmode/blockmode/remediate"
)

// Options configures the events. The zero value is ready to use.
type Options struct {
	// ProductName is metadata.product.name; "" means "blockmode".
	ProductName string
	// VendorName is metadata.product.vendor_name; "" means "blockmode".
	VendorName string
	// ProductVersion is metadata.product.version: the version of the
	// program exporting the records. "" leaves it out.
	ProductVersion string
}

// The errors a record that cannot be encoded gives, inside a
// [*RecordError].
var (
	// ErrNotTerminal: the record is in progress; it has no outcome to
	// export yet. A caller exporting a history skips it.
	ErrNotTerminal = errors.New("ocsf: record is not terminal")
	// ErrMalformed: the record lacks what every event needs (an id, a
	// known status, a time) or contradicts itself (an audit-mode record
	// with an action that ran).
	ErrMalformed = errors.New("ocsf: malformed record")
)

// RecordError reports a record that cannot be encoded: which record, which
// field, the value found, and why (ErrNotTerminal or ErrMalformed).
type RecordError struct {
	ID    string
	Field string
	Value string
	Err   error
}

// Error returns "ocsf: record det-1: status "in progress": record is not terminal".
func (e *RecordError) Error() string {
	why := strings.TrimPrefix(e.Err.Error(), "ocsf: ")
	return fmt.Sprintf("ocsf: record %q: %s %q: %s", e.ID, e.Field, e.Value, why)
}

// Unwrap returns e.Err.
func (e *RecordError) Unwrap() error { return e.Err }

// Events converts one terminal action record into OCSF events: a
// [*DetectionFinding] first, then, in the record's action order, one
// remediation event per action that ran — a [*ProcessRemediationActivity]
// for a process stop, a [*FileRemediationActivity] for a quarantine —
// and a further [*FileRemediationActivity] (activity Restore) for each
// quarantine that was undone. Actions that did not run (skipped, pending,
// and every action of an audit-mode record) give no remediation event;
// they are listed in the finding's unmapped actions.
//
// A record that cannot be encoded gives a *RecordError that wraps
// ErrNotTerminal (a record in progress) or ErrMalformed. A record without
// a Detection is encoded with what the record itself holds.
func Events(r edr.Record, opts Options) ([]Event, error) {
	c, err := newConverter(r, opts)
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, 1+len(r.Actions))
	out = append(out, c.finding())
	var restores []Event
	for i := range r.Actions {
		a := &r.Actions[i]
		ev := c.remediation(i, a)
		if ev == nil {
			continue
		}
		out = append(out, ev)
		if a.Result == edr.Restored && a.Kind == remediate.Quarantine {
			restores = append(restores, c.restore(i, a))
		}
	}
	return append(out, restores...), nil
}

// converter holds what every event of one record shares.
type converter struct {
	r       *edr.Record
	opts    Options
	det     *detect.Detection // never nil: an empty one for a record without one
	time    int64
	sev     SeverityID
	sevName string
	devices map[string]*Device
	tenant  string
}

func newConverter(r edr.Record, opts Options) (*converter, error) {
	fail := func(field, value string, err error) error {
		return &RecordError{ID: r.ID, Field: field, Value: value, Err: err}
	}
	if r.ID == "" {
		return nil, fail("id", "", ErrMalformed)
	}
	if r.Status == edr.InProgress {
		return nil, fail("status", r.Status.String(), ErrNotTerminal)
	}
	if !r.Status.Terminal() {
		return nil, fail("status", r.Status.String(), ErrMalformed)
	}
	t := firstTime(r.Finished, r.Decided, r.Received)
	if t.IsZero() {
		return nil, fail("finished", "", ErrMalformed)
	}
	if r.Mode == edr.Audit || r.Status == edr.WouldBlock {
		for i, a := range r.Actions {
			if a.Result != edr.Skipped && a.Result != edr.Pending {
				return nil, fail(fmt.Sprintf("actions[%d].result", i), a.Result.String()+" in audit mode", ErrMalformed)
			}
		}
	}
	if opts.ProductName == "" {
		opts.ProductName = "blockmode"
	}
	if opts.VendorName == "" {
		opts.VendorName = "blockmode"
	}
	c := &converter{r: &r, opts: opts, det: r.Detection, time: t.UnixMilli()}
	if c.det == nil {
		c.det = &detect.Detection{}
	}
	c.sev, c.sevName = severity(c.det.Severity)
	c.devices = devicesOf(c.det.Evidence)
	c.tenant = extraString(c.det, "tenantId")
	return c, nil
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// ms returns t in milliseconds since the epoch, or 0 for the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func (c *converter) base(class, activity int, className, activityName string, profiles ...string) Base {
	cat, catName := CategoryFindings, "Findings"
	if class/1000 == CategoryRemediation {
		cat, catName = CategoryRemediation, "Remediation"
	}
	return Base{
		ActivityID:   activity,
		ActivityName: activityName,
		CategoryUID:  cat,
		CategoryName: catName,
		ClassUID:     class,
		ClassName:    className,
		TypeUID:      class*100 + activity,
		TypeName:     className + ": " + activityName,
		Time:         c.time,
		SeverityID:   c.sev,
		Severity:     c.sevName,
		Metadata: Metadata{
			Version:          Version,
			Product:          Product{Name: c.opts.ProductName, VendorName: c.opts.VendorName, Version: c.opts.ProductVersion},
			Profiles:         profiles,
			CorrelationUID:   c.r.ID,
			OriginalEventUID: c.r.ID,
			TenantUID:        c.tenant,
		},
	}
}

// outcome is how a record status reads in the security_control profile.
type outcome struct {
	activity    int
	action      ActionID
	disposition DispositionID
	// dispositionName overrides the caption for DispositionOther.
	dispositionName string
	alert           bool
}

// outcomes maps every terminal record status. Prevented reads as
// Quarantined when a quarantine succeeded (see finding).
var outcomes = map[edr.RecordStatus]outcome{
	edr.Blocked:             {FindingCreate, ActionDenied, DispositionBlocked, "", true},
	edr.Prevented:           {FindingCreate, ActionDenied, DispositionBlocked, "", true},
	edr.Detected:            {FindingCreate, ActionObserved, DispositionDetected, "", true},
	edr.Excluded:            {FindingCreate, ActionAllowed, DispositionAllowed, "", true},
	edr.Failed:              {FindingCreate, ActionObserved, DispositionError, "", true},
	edr.PartiallyRemediated: {FindingCreate, ActionDenied, DispositionOther, "Partially Remediated", true},
	edr.WouldBlock:          {FindingCreate, ActionObserved, DispositionDetected, "", true},
	edr.Undone:              {FindingUpdate, ActionModified, DispositionRestored, "", false},
}

// auditNote begins the status_detail of an audit-mode finding.
const auditNote = "audit mode: block mode would have remediated this detection; no action was taken"

func (c *converter) finding() *DetectionFinding {
	r, d := c.r, c.det
	o, ok := outcomes[r.Status]
	if !ok {
		// Unreachable: newConverter accepts terminal statuses only, and
		// outcomes lists them all (TestOutcomesCoverEveryStatus).
		o = outcome{FindingCreate, ActionUnknown, DispositionUnknown, "", true}
	}
	if r.Status == edr.Prevented && c.quarantined() {
		o.disposition = DispositionQuarantined
	}
	activityName := "Create"
	if o.activity == FindingUpdate {
		activityName = "Update"
	}
	f := &DetectionFinding{
		Base:          c.base(ClassDetectionFinding, o.activity, "Detection Finding", activityName, "host", "security_control"),
		ActionID:      o.action,
		Action:        o.action.String(),
		DispositionID: o.disposition,
		Disposition:   o.disposition.String(),
		IsAlert:       o.alert,
	}
	if o.dispositionName != "" {
		f.Disposition = o.dispositionName
	}
	f.StatusID, f.Status = findingStatus(d.AlertStatus)
	f.StatusDetail = r.Decision.Reason
	if r.Status == edr.WouldBlock {
		f.StatusDetail = auditNote
		if r.Decision.Reason != "" {
			f.StatusDetail += ": " + r.Decision.Reason
		}
	}
	title := d.Title
	if title == "" {
		title = "detection " + r.ID
	}
	f.Message = r.Status.String() + ": " + title
	f.StartTime, f.EndTime = ms(d.FirstActivity), ms(d.LastActivity)
	f.Device = c.device(firstString(r.DeviceID, d.DeviceID))

	f.FindingInfo = FindingInfo{
		UID:           firstString(d.ID, r.ID),
		Title:         d.Title,
		Desc:          extraString(d, "description"),
		CreatedTime:   ms(d.Time),
		FirstSeenTime: ms(d.FirstActivity),
		LastSeenTime:  ms(d.LastActivity),
		SrcURL:        extraString(d, "alertWebUrl"),
	}
	if r.Status == edr.Undone {
		f.FindingInfo.ModifiedTime = ms(r.Finished)
	}
	if d.Category != "" {
		f.FindingInfo.Types = []string{d.Category}
	}
	if d.Source != "" {
		f.FindingInfo.DataSources = []string{string(d.Source)}
	}
	if d.ServiceSource != "" {
		f.FindingInfo.Product = &Product{Name: string(d.ServiceSource)}
	}
	if r.Decision.Rule != "" {
		f.Policy = &Policy{Name: r.Decision.Rule, Desc: r.Decision.Reason, Version: firstString(r.Decision.Ruleset, r.Ruleset)}
	}
	if d.ThreatName != "" {
		f.Malware = []Malware{malware(d)}
	}
	f.Evidences = c.evidences()

	u := &f.Unmapped
	u.RecordStatus = r.Status.String()
	u.Mode = r.Mode.String()
	u.WouldBlock = r.Status == edr.WouldBlock
	if r.Decision.Verdict != 0 {
		u.Verdict = r.Decision.Verdict.String()
	}
	u.Rule = r.Decision.Rule
	u.Ruleset = r.Ruleset
	u.SettingsVersion = r.SettingsVersion
	u.IgnoredIndicators = r.Decision.IgnoredIndicators
	u.ReceivedTime, u.DecidedTime = ms(r.Received), ms(r.Decided)
	u.Note = r.Note
	u.Revision = r.Revision
	u.Items = r.Decision.Items
	u.Trace = r.Decision.Trace
	for i, a := range r.Actions {
		s := ActionSummary{
			Kind:      a.Kind.String(),
			Result:    a.Result.String(),
			Evidence:  a.Evidence,
			Path:      a.Path,
			ProcessID: a.ProcessID,
			Error:     actionError(&a),
		}
		if ran(a.Result) && remediationClass(a.Kind) != 0 {
			s.CommandUID = c.commandUID(i)
		}
		u.Actions = append(u.Actions, s)
	}
	return f
}

// quarantined reports whether a quarantine of the record succeeded.
func (c *converter) quarantined() bool {
	for _, a := range c.r.Actions {
		if a.Kind == remediate.Quarantine && (a.Result == edr.Succeeded || a.Result == edr.Restored) {
			return true
		}
	}
	return false
}

// ran reports whether an action with result res was run, and so has a
// remediation event.
func ran(res edr.ActionResult) bool {
	switch res {
	case edr.Succeeded, edr.ActionFailed, edr.NotSupported, edr.Cancelled, edr.Restored:
		return true
	}
	return false
}

func remediationClass(k remediate.ActionKind) int {
	switch k {
	case remediate.StopProcess:
		return ClassProcessRemediationActivity
	case remediate.Quarantine:
		return ClassFileRemediationActivity
	}
	return 0
}

func (c *converter) commandUID(i int) string {
	return c.r.ID + "/actions/" + strconv.Itoa(i)
}

func actionError(a *edr.ActionRecord) string {
	if a.Panic != "" {
		return "hook panicked: " + a.Panic
	}
	return a.Error
}

// actionStatus maps an action result that ran to the remediation status.
// Restored is the quarantine's own status: it succeeded, and was undone
// later (a separate Restore event).
func actionStatus(res edr.ActionResult) (StatusID, string) {
	id := StatusOther
	switch res {
	case edr.Succeeded, edr.Restored:
		id = StatusSuccess
	case edr.ActionFailed:
		id = StatusFailure
	case edr.NotSupported:
		id = StatusUnsupported
	default:
		// Cancelled has no schema value.
		return id, "Cancelled"
	}
	return id, remediationStatusCaptions[int(id)]
}

// remediation returns the event of action i, or nil if the action did not
// run or is of a kind the package does not know.
func (c *converter) remediation(i int, a *edr.ActionRecord) Event {
	class := remediationClass(a.Kind)
	if class == 0 || !ran(a.Result) {
		return nil
	}
	dev := c.device(firstString(a.DeviceID, c.r.DeviceID, c.det.DeviceID))
	b := c.actionBase(class, RemediationEvict, "Evict", a)
	b.Device = dev
	b.StatusID, b.Status = actionStatus(a.Result)
	b.StatusDetail = actionError(a)
	if b.StatusDetail == "" && b.StatusID != StatusSuccess {
		b.StatusDetail = a.Result.String()
	}
	if b.StatusID == StatusSuccess {
		b.SeverityID, b.Severity = SeverityInformational, SeverityInformational.String()
	}
	b.Message = a.Action.String() + ": " + strings.ToLower(b.Status)
	u := RemediationUnmapped{
		RecordStatus: c.r.Status.String(),
		Action:       a.Kind.String(),
		Result:       a.Result.String(),
		Evidence:     a.Evidence,
		Attempts:     a.Attempts,
		QuarantineID: a.QuarantineID,
	}
	if class == ClassProcessRemediationActivity {
		p := c.processOf(a)
		if a.Result == edr.Succeeded {
			p.TerminatedTime = ms(a.Finished)
		}
		return &ProcessRemediationActivity{
			Base:            b,
			CommandUID:      c.commandUID(i),
			Countermeasures: []D3FEND{{Tactic: D3FENDItem{Name: "Evict"}, Technique: D3FENDItem{Name: "Process Termination", UID: "D3-PT"}}},
			Process:         p,
			Unmapped:        u,
		}
	}
	return &FileRemediationActivity{
		Base:            b,
		CommandUID:      c.commandUID(i),
		Countermeasures: []D3FEND{{Tactic: D3FENDItem{Name: "Evict"}, Technique: D3FENDItem{Name: "File Eviction", UID: "D3-FEV"}}},
		File:            c.fileOf(a),
		Unmapped:        u,
	}
}

// restore returns the Restore event of quarantine i, which was undone. The
// record keeps no time of its own for a restore: the event's time is the
// record's Finished time, which Engine.Undo sets when every restore
// succeeds.
func (c *converter) restore(i int, a *edr.ActionRecord) Event {
	b := c.base(ClassFileRemediationActivity, RemediationRestore, "File Remediation Activity", "Restore", "host")
	b.Time = c.time
	b.Device = c.device(firstString(a.DeviceID, c.r.DeviceID, c.det.DeviceID))
	b.StatusID, b.Status = actionStatus(edr.Succeeded)
	b.SeverityID, b.Severity = SeverityInformational, SeverityInformational.String()
	b.StatusDetail = c.r.Note
	b.Message = "restore file " + a.Path + ": success"
	return &FileRemediationActivity{
		Base:            b,
		CommandUID:      c.commandUID(i) + "/restore",
		Countermeasures: []D3FEND{{Tactic: D3FENDItem{Name: "Restore"}, Technique: D3FENDItem{Name: "Restore File", UID: "D3-RF"}}},
		File:            c.fileOf(a),
		Unmapped: RemediationUnmapped{
			RecordStatus: c.r.Status.String(),
			Action:       "restore file",
			Result:       a.Result.String(),
			Evidence:     a.Evidence,
			QuarantineID: a.QuarantineID,
		},
	}
}

// actionBase is the base of an action's event: its time is when the
// action finished (or started, or the record's time).
func (c *converter) actionBase(class, activity int, activityName string, a *edr.ActionRecord) Base {
	className := "File Remediation Activity"
	if class == ClassProcessRemediationActivity {
		className = "Process Remediation Activity"
	}
	b := c.base(class, activity, className, activityName, "host")
	if t := firstTime(a.Finished, a.Started); !t.IsZero() {
		b.Time = t.UnixMilli()
	}
	b.StartTime, b.EndTime = ms(a.Started), ms(a.Finished)
	if b.StartTime != 0 && b.EndTime >= b.StartTime {
		b.Duration = b.EndTime - b.StartTime
	}
	return b
}

// evidenceAt returns the detection's evidence item i, or nil.
func (c *converter) evidenceAt(i int) detect.Evidence {
	if i < 0 || i >= len(c.det.Evidence) {
		return nil
	}
	return c.det.Evidence[i]
}

// fileOf is the file an action is about: from its evidence item when that
// is a file or process, else from the action's path and hash.
func (c *converter) fileOf(a *edr.ActionRecord) File {
	switch e := c.evidenceAt(a.Evidence).(type) {
	case *detect.FileEvidence:
		if e != nil && !e.File.IsZero() {
			return fileOf(&e.File, false)
		}
	case *detect.ProcessEvidence:
		if e != nil && !e.Image.IsZero() {
			return fileOf(&e.Image, true)
		}
	}
	f := File{Name: baseName(a.Path), Path: a.Path, TypeID: fileRegular, Type: "Regular File"}
	f.Ext = ext(f.Name)
	if a.SHA256 != "" {
		f.Hashes = []Fingerprint{{AlgorithmID: hashSHA256, Algorithm: "SHA-256", Value: a.SHA256}}
	}
	return f
}

// processOf is the process a stop is about.
func (c *converter) processOf(a *edr.ActionRecord) Process {
	if e, ok := c.evidenceAt(a.Evidence).(*detect.ProcessEvidence); ok && e != nil {
		p := processOf(e)
		if a.ProcessID != 0 {
			p.PID = a.ProcessID
		}
		return p
	}
	p := Process{PID: a.ProcessID, Name: baseName(a.Path)}
	if a.Path != "" || a.SHA256 != "" {
		f := c.fileOf(&edr.ActionRecord{Action: remediate.Action{Path: a.Path, SHA256: a.SHA256, Evidence: -1}})
		f.TypeID, f.Type = fileExecutable, "Executable File"
		p.File = &f
	}
	return p
}

func processOf(e *detect.ProcessEvidence) Process {
	p := Process{PID: e.ProcessID, Name: e.Image.Name, CmdLine: e.CommandLine, CreatedTime: ms(e.Started)}
	if !e.Image.IsZero() {
		f := fileOf(&e.Image, true)
		p.File = &f
		p.Name = f.Name
	}
	if e.ParentID != 0 || !e.ParentImage.IsZero() {
		pp := &Process{PID: e.ParentID, Name: e.ParentImage.Name, CreatedTime: ms(e.ParentStarted)}
		if !e.ParentImage.IsZero() {
			f := fileOf(&e.ParentImage, true)
			pp.File = &f
			pp.Name = f.Name
		}
		p.ParentProcess = pp
	}
	return p
}

func fileOf(d *detect.FileDetails, executable bool) File {
	f := File{Name: d.Name, Size: d.Size, CompanyName: d.Publisher, TypeID: fileRegular, Type: "Regular File"}
	if executable {
		f.TypeID, f.Type = fileExecutable, "Executable File"
	}
	if d.Path != "" {
		f.Path = d.FullPath()
	}
	if f.Name == "" {
		f.Name = baseName(d.Path)
	}
	f.Ext = ext(f.Name)
	for _, h := range [...]struct {
		id   int
		name string
		v    string
	}{{hashMD5, "MD5", d.MD5}, {hashSHA1, "SHA-1", d.SHA1}, {hashSHA256, "SHA-256", d.SHA256}} {
		if h.v != "" {
			f.Hashes = append(f.Hashes, Fingerprint{AlgorithmID: h.id, Algorithm: h.name, Value: h.v})
		}
	}
	return f
}

// baseName returns the last element of a Windows or POSIX path.
func baseName(p string) string {
	return p[strings.LastIndexAny(p, `\/`)+1:]
}

// ext returns a file name's extension without the dot, or "".
func ext(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return ""
	}
	return name[i+1:]
}

// evidences maps the detection's file, process and device evidence. A file
// or process item names its device only when it is not the finding's.
func (c *converter) evidences() []Evidence {
	main := firstString(c.r.DeviceID, c.det.DeviceID)
	other := func(id string) *Device {
		if id == main {
			return nil
		}
		return c.device(id)
	}
	var out []Evidence
	for _, ev := range c.det.Evidence {
		switch e := ev.(type) {
		case *detect.FileEvidence:
			if e == nil {
				continue
			}
			f := fileOf(&e.File, false)
			id, name := verdict(e.Verdict)
			out = append(out, Evidence{Name: detect.TypeFileEvidence, File: &f, Device: other(e.DeviceID), VerdictID: id, Verdict: name})
		case *detect.ProcessEvidence:
			if e == nil {
				continue
			}
			p := processOf(e)
			id, name := verdict(e.Verdict)
			out = append(out, Evidence{Name: detect.TypeProcessEvidence, Process: &p, Device: other(e.DeviceID), VerdictID: id, Verdict: name})
		case *detect.OtherEvidence:
			if e == nil {
				continue
			}
			if dev := c.device(e.DeviceID()); dev != nil && strings.TrimPrefix(e.Type, "#") == detect.TypeDeviceEvidence[1:] {
				out = append(out, Evidence{Name: detect.TypeDeviceEvidence, Device: dev})
			}
		}
	}
	return out
}

// graphDevice is the part of a Graph deviceEvidence item the package
// reads.
type graphDevice struct {
	ID         string          `json:"mdeDeviceId"`
	DNSName    string          `json:"deviceDnsName"`
	OSPlatform string          `json:"osPlatform"`
	OSBuild    json.RawMessage `json:"osBuild"`
	Version    string          `json:"version"`
}

// devicesOf returns the devices the deviceEvidence items describe, by id.
// An item that does not decode is ignored: its device is then known by id
// alone.
func devicesOf(evidence []detect.Evidence) map[string]*Device {
	var out map[string]*Device
	for _, ev := range evidence {
		o, ok := ev.(*detect.OtherEvidence)
		if !ok || o == nil || strings.TrimPrefix(o.Type, "#") != detect.TypeDeviceEvidence[1:] {
			continue
		}
		var g graphDevice
		if json.Unmarshal(o.Raw, &g) != nil || g.ID == "" {
			continue
		}
		if _, dup := out[g.ID]; dup {
			continue
		}
		dev := &Device{UID: g.ID, Hostname: g.DNSName, TypeID: deviceUnknown, Type: "Unknown"}
		if strings.HasPrefix(g.OSPlatform, "WindowsServer") {
			dev.TypeID, dev.Type = deviceServer, "Server"
		}
		if g.OSPlatform != "" {
			os := &OS{Name: g.OSPlatform, Version: g.Version}
			os.TypeID, os.Type = osType(g.OSPlatform)
			var n json.Number
			if json.Unmarshal(g.OSBuild, &n) == nil {
				os.Build = n.String()
			}
			dev.OS = os
		}
		if out == nil {
			out = make(map[string]*Device)
		}
		out[g.ID] = dev
	}
	return out
}

// device returns the device with id, with what the deviceEvidence says of
// it, or nil for "".
func (c *converter) device(id string) *Device {
	if id == "" {
		return nil
	}
	if d, ok := c.devices[id]; ok {
		cp := *d
		return &cp
	}
	return &Device{UID: id, TypeID: deviceUnknown, Type: "Unknown"}
}

func osType(platform string) (int, string) {
	p := strings.ToLower(platform)
	switch {
	case strings.HasPrefix(p, "windows"):
		return 100, "Windows"
	case strings.HasPrefix(p, "linux"):
		return 200, "Linux"
	case strings.HasPrefix(p, "macos"):
		return 300, "macOS"
	}
	return 0, "Unknown"
}

func severity(s detect.Severity) (SeverityID, string) {
	var id SeverityID
	switch s {
	case "", detect.SeverityUnknown:
		id = SeverityUnknown
	case detect.SeverityInformational:
		id = SeverityInformational
	case detect.SeverityLow:
		id = SeverityLow
	case detect.SeverityMedium:
		id = SeverityMedium
	case detect.SeverityHigh:
		id = SeverityHigh
	default:
		return SeverityOther, string(s)
	}
	return id, id.String()
}

// findingStatus maps the alert's workflow status; an absent or unknown one
// is left out.
func findingStatus(s detect.AlertStatus) (StatusID, string) {
	var id StatusID
	switch s {
	case "", detect.AlertStatusUnknown:
		return 0, ""
	case detect.AlertStatusNew:
		id = FindingNew
	case detect.AlertStatusInProgress:
		id = FindingInProgress
	case detect.AlertStatusResolved:
		id = FindingResolved
	default:
		return StatusOther, string(s)
	}
	return id, findingStatusCaptions[int(id)]
}

func verdict(v detect.Verdict) (int, string) {
	switch v {
	case "", detect.VerdictUnknown:
		return verdictUnknown, ""
	case detect.VerdictSuspicious:
		return verdictSuspicious, "Suspicious"
	case detect.VerdictMalicious:
		return verdictSecurityRisk, "Security Risk"
	case detect.VerdictNoThreatsFound:
		return verdictBenign, "Benign"
	}
	return verdictOther, string(v)
}

// malwareTypes maps the type part of a Microsoft threat name to the
// malware classification_ids (objects/malware.json).
var malwareTypes = map[string]struct {
	id   int
	name string
}{
	"adware":           {1, "Adware"},
	"backdoor":         {2, "Backdoor"},
	"ransom":           {10, "Ransomware"},
	"spyware":          {17, "Spyware"},
	"trojan":           {18, "Trojan"},
	"trojandownloader": {6, "Downloader"},
	"trojandropper":    {7, "Dropper"},
	"virus":            {19, "Virus"},
	"worm":             {22, "Worm"},
}

func malware(d *detect.Detection) Malware {
	m := Malware{Name: d.ThreatName, Provider: string(d.Source), ClassificationIDs: []int{0}, Classifications: []string{"Unknown"}}
	if typ, _, ok := strings.Cut(d.ThreatName, ":"); ok && typ != "" {
		if t, ok := malwareTypes[strings.ToLower(typ)]; ok {
			m.ClassificationIDs, m.Classifications = []int{t.id}, []string{t.name}
		} else {
			m.ClassificationIDs, m.Classifications = []int{99}, []string{typ}
		}
	}
	return m
}

// extraString returns the alert property name from Extra when it is a
// JSON string, or "".
func extraString(d *detect.Detection, name string) string {
	raw, ok := d.Extra[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

func firstString(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
