package detect

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The @odata.type values of the evidence kinds this package models or looks
// into (security-alertevidence.md lists every derived type; the others are
// kept as [OtherEvidence]).
const (
	TypeFileEvidence    = "#microsoft.graph.security.fileEvidence"
	TypeProcessEvidence = "#microsoft.graph.security.processEvidence"
	TypeDeviceEvidence  = "#microsoft.graph.security.deviceEvidence"
)

// Evidence is one item of an alert's "evidence" collection (Graph type
// alertEvidence). It is one of [*FileEvidence], [*ProcessEvidence] or
// [*OtherEvidence]; use a type switch:
//
//	switch ev := ev.(type) {
//	case *detect.FileEvidence:    // ev.File.FullPath(), ev.DetectionStatus, ...
//	case *detect.ProcessEvidence: // ev.ProcessID, ev.Image, ...
//	case *detect.OtherEvidence:   // ev.Type, ev.Raw
//	}
//
// The set is closed: no other type implements Evidence. A nil Evidence in a
// [Detection] cannot be encoded.
type Evidence interface {
	// ODataType returns the item's @odata.type, e.g. TypeFileEvidence.
	ODataType() string
	json.Marshaler
	appendJSON(buf []byte) ([]byte, error)
}

// FileDetails is a file's common properties (Graph type fileDetails,
// security-filedetails.md): the file of a fileEvidence, and the image files
// of a process and of its parent in a processEvidence.
//
// Path and Name are as the platform reported them: a real name on the
// device's file system, not a pattern a person typed.
type FileDetails struct {
	Name      string // fileName: the name of the file, e.g. "invoice.exe"
	Path      string // filePath: the folder that holds it, e.g. `C:\Users\alex\Downloads`
	Size      int64  // fileSize: bytes; 0 when not reported
	SHA1      string // sha1, in hex as Graph reports it
	SHA256    string // sha256
	MD5       string // md5
	Signer    string // signer of a signed file
	Issuer    string // issuer: the certificate authority that issued the signer's certificate
	Publisher string // filePublisher

	// Extra holds the properties this package does not model (for
	// example "sha265Ac"), as raw JSON, keyed by name. They are written back
	// unchanged. Values may share memory with the decoded input: replace
	// them rather than modifying them in place.
	Extra map[string]json.RawMessage

	orig []byte
	// full caches FullPath for a decoded value; FullPath uses it only while
	// it still equals what Path and Name give.
	full string
}

var detailsSchema = newSchema(2,
	func(d *FileDetails) *map[string]json.RawMessage { return &d.Extra },
	func(d *FileDetails) *[]byte { return &d.orig },
	field[FileDetails]{name: "fileName", kind: kString, str: func(d *FileDetails) *string { return &d.Name }},
	field[FileDetails]{name: "filePath", kind: kString, str: func(d *FileDetails) *string { return &d.Path }},
	field[FileDetails]{name: "fileSize", kind: kInt, num: func(d *FileDetails) *int64 { return &d.Size }},
	field[FileDetails]{name: "sha1", kind: kString, str: func(d *FileDetails) *string { return &d.SHA1 }},
	field[FileDetails]{name: "sha256", kind: kString, str: func(d *FileDetails) *string { return &d.SHA256 }},
	field[FileDetails]{name: "md5", kind: kString, str: func(d *FileDetails) *string { return &d.MD5 }},
	field[FileDetails]{name: "signer", kind: kString, common: true, str: func(d *FileDetails) *string { return &d.Signer }},
	field[FileDetails]{name: "issuer", kind: kString, common: true, str: func(d *FileDetails) *string { return &d.Issuer }},
	field[FileDetails]{name: "filePublisher", kind: kString, common: true, str: func(d *FileDetails) *string { return &d.Publisher }},
)

// IsZero reports whether d holds nothing: no modelled value and no Extra.
func (d FileDetails) IsZero() bool {
	return d.Name == "" && d.Path == "" && d.Size == 0 && d.SHA1 == "" &&
		d.SHA256 == "" && d.MD5 == "" && d.Signer == "" && d.Issuer == "" &&
		d.Publisher == "" && len(d.Extra) == 0
}

// FullPath joins Path and Name with the separator Path already uses
// (backslash unless Path has only forward slashes): `C:\Windows\System32` and
// "services.exe" give `C:\Windows\System32\services.exe`. If either is empty
// the other is returned as is. No other cleaning is done: canonical forms for
// comparison belong to the exclusions package.
//
// For a decoded value the result is computed once, at decode time, so that
// deciding on a detection does not allocate it again.
func (d *FileDetails) FullPath() string {
	if d.full != "" && d.fullIsCurrent() {
		return d.full
	}
	return d.joinPath()
}

// fullIsCurrent reports whether the cached full path is still Path, one
// separator and Name, after any change made to them in Go.
func (d *FileDetails) fullIsCurrent() bool {
	f := d.full
	if len(f) != len(d.Path)+1+len(d.Name) || !strings.HasPrefix(f, d.Path) || !strings.HasSuffix(f, d.Name) {
		return false
	}
	sep := f[len(d.Path)]
	return (sep == '\\' || sep == '/') && d.joinSep() == sep && !strings.HasSuffix(d.Path, string(sep))
}

func (d *FileDetails) joinSep() byte {
	if !strings.Contains(d.Path, `\`) && strings.Contains(d.Path, "/") {
		return '/'
	}
	return '\\'
}

func (d *FileDetails) joinPath() string {
	switch {
	case d.Path == "":
		return d.Name
	case d.Name == "":
		return d.Path
	}
	sep := `\`
	if !strings.Contains(d.Path, `\`) && strings.Contains(d.Path, "/") {
		sep = "/"
	}
	if strings.HasSuffix(d.Path, sep) {
		return d.Path + d.Name
	}
	return d.Path + sep + d.Name
}

func (d *FileDetails) decode(raw []byte) error {
	*d = FileDetails{}
	if isNull(raw) {
		d.orig = raw
		return nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return ErrType
	}
	_, err := detailsSchema.decodeAt(raw, 0, 1, d)
	d.cacheFullPath(err)
	return err
}

// cacheFullPath computes FullPath once after a successful decode.
func (d *FileDetails) cacheFullPath(err error) {
	if err == nil && d.Path != "" && d.Name != "" {
		d.full = d.joinPath()
	}
}

func (d FileDetails) appendJSON(buf []byte) ([]byte, error) {
	if isNull(d.orig) && d.IsZero() {
		return append(buf, "null"...), nil
	}
	return detailsSchema.encode(buf, &d)
}

// MarshalJSON encodes d as a Graph fileDetails object; see [Detection.MarshalJSON].
func (d FileDetails) MarshalJSON() ([]byte, error) {
	out, err := d.appendJSON(nil)
	if err != nil {
		return nil, err
	}
	return compact(out)
}

// UnmarshalJSON decodes a Graph fileDetails object (or null) into d,
// replacing its contents.
func (d *FileDetails) UnmarshalJSON(data []byte) error {
	data, err := own(data)
	if err != nil || data == nil {
		return err
	}
	if data[0] != '{' {
		return ErrNotObject
	}
	return d.decode(data)
}

// FileEvidence is a file reported as evidence (Graph type fileEvidence,
// security-fileevidence.md, which inherits security-alertevidence.md).
type FileEvidence struct {
	Created                  time.Time         // createdDateTime: when the evidence was added to the alert
	Verdict                  Verdict           // verdict of automated investigation
	RemediationStatus        RemediationStatus // remediationStatus
	RemediationStatusDetails string            // remediationStatusDetails
	Roles                    []string          // roles (evidenceRole values, e.g. "attacker", "contextual")
	Tags                     []string          // tags
	DetectionStatus          DetectionStatus   // detectionStatus: detected, blocked or prevented
	DeviceID                 string            // mdeDeviceId: the Defender for Endpoint device the file is on
	File                     FileDetails       // fileDetails

	// Extra holds the properties this package does not model (for example
	// "detailedRoles"), as raw JSON, keyed by name; see [FileDetails.Extra].
	Extra map[string]json.RawMessage

	orig []byte
}

var fileSchema = newSchema(4,
	func(e *FileEvidence) *map[string]json.RawMessage { return &e.Extra },
	func(e *FileEvidence) *[]byte { return &e.orig },
	field[FileEvidence]{name: "@odata.type", kind: kType, typeName: TypeFileEvidence},
	field[FileEvidence]{name: "createdDateTime", kind: kTime, tm: func(e *FileEvidence) *time.Time { return &e.Created }},
	field[FileEvidence]{name: "verdict", kind: kString, common: true, str: func(e *FileEvidence) *string { return (*string)(&e.Verdict) }},
	field[FileEvidence]{name: "remediationStatus", kind: kString, common: true, str: func(e *FileEvidence) *string { return (*string)(&e.RemediationStatus) }},
	field[FileEvidence]{name: "remediationStatusDetails", kind: kString, str: func(e *FileEvidence) *string { return &e.RemediationStatusDetails }},
	field[FileEvidence]{name: "roles", kind: kStrings, strs: func(e *FileEvidence) *[]string { return &e.Roles }},
	field[FileEvidence]{name: "tags", kind: kStrings, strs: func(e *FileEvidence) *[]string { return &e.Tags }},
	field[FileEvidence]{name: "detectionStatus", kind: kString, common: true, str: func(e *FileEvidence) *string { return (*string)(&e.DetectionStatus) }},
	field[FileEvidence]{name: "mdeDeviceId", kind: kString, str: func(e *FileEvidence) *string { return &e.DeviceID }},
	field[FileEvidence]{name: "fileDetails", kind: kDetails, det: func(e *FileEvidence) *FileDetails { return &e.File }},
)

// ODataType returns TypeFileEvidence.
func (e *FileEvidence) ODataType() string { return TypeFileEvidence }

func (e *FileEvidence) appendJSON(buf []byte) ([]byte, error) {
	if e == nil {
		return nil, errNilEvidence
	}
	return fileSchema.encode(buf, e)
}

// MarshalJSON encodes e as a Graph fileEvidence object; see [Detection.MarshalJSON].
func (e FileEvidence) MarshalJSON() ([]byte, error) {
	out, err := e.appendJSON(nil)
	if err != nil {
		return nil, err
	}
	return compact(out)
}

// UnmarshalJSON decodes a Graph fileEvidence object into e, replacing its
// contents. The object's @odata.type is not checked.
func (e *FileEvidence) UnmarshalJSON(data []byte) error {
	data, err := own(data)
	if err != nil || data == nil {
		return err
	}
	if data[0] != '{' {
		return ErrNotObject
	}
	*e = FileEvidence{}
	_, err = fileSchema.decodeAt(data, 0, 1, e)
	return err
}

// ProcessEvidence is a process reported as evidence (Graph type
// processEvidence, security-processevidence.md, which inherits
// security-alertevidence.md).
//
// Graph v1.0 reports no end time for a process; if a producer adds one, it
// is kept in Extra.
type ProcessEvidence struct {
	Created                  time.Time         // createdDateTime: when the evidence was added to the alert
	Verdict                  Verdict           // verdict of automated investigation
	RemediationStatus        RemediationStatus // remediationStatus
	RemediationStatusDetails string            // remediationStatusDetails
	Roles                    []string          // roles
	Tags                     []string          // tags
	DetectionStatus          DetectionStatus   // detectionStatus: detected, blocked or prevented
	DeviceID                 string            // mdeDeviceId: the Defender for Endpoint device the process ran on

	ProcessID     int64       // processId (PID)
	CommandLine   string      // processCommandLine
	Image         FileDetails // imageFile: the process's executable
	Started       time.Time   // processCreationDateTime
	ParentID      int64       // parentProcessId
	ParentImage   FileDetails // parentProcessImageFile
	ParentStarted time.Time   // parentProcessCreationDateTime

	// Extra holds the properties this package does not model (for example
	// "userAccount", "detailedRoles"), as raw JSON, keyed by name; see
	// [FileDetails.Extra].
	Extra map[string]json.RawMessage

	orig []byte
}

var processSchema = newSchema(4,
	func(e *ProcessEvidence) *map[string]json.RawMessage { return &e.Extra },
	func(e *ProcessEvidence) *[]byte { return &e.orig },
	field[ProcessEvidence]{name: "@odata.type", kind: kType, typeName: TypeProcessEvidence},
	field[ProcessEvidence]{name: "createdDateTime", kind: kTime, tm: func(e *ProcessEvidence) *time.Time { return &e.Created }},
	field[ProcessEvidence]{name: "verdict", kind: kString, common: true, str: func(e *ProcessEvidence) *string { return (*string)(&e.Verdict) }},
	field[ProcessEvidence]{name: "remediationStatus", kind: kString, common: true, str: func(e *ProcessEvidence) *string { return (*string)(&e.RemediationStatus) }},
	field[ProcessEvidence]{name: "remediationStatusDetails", kind: kString, str: func(e *ProcessEvidence) *string { return &e.RemediationStatusDetails }},
	field[ProcessEvidence]{name: "roles", kind: kStrings, strs: func(e *ProcessEvidence) *[]string { return &e.Roles }},
	field[ProcessEvidence]{name: "tags", kind: kStrings, strs: func(e *ProcessEvidence) *[]string { return &e.Tags }},
	field[ProcessEvidence]{name: "detectionStatus", kind: kString, common: true, str: func(e *ProcessEvidence) *string { return (*string)(&e.DetectionStatus) }},
	field[ProcessEvidence]{name: "mdeDeviceId", kind: kString, str: func(e *ProcessEvidence) *string { return &e.DeviceID }},
	field[ProcessEvidence]{name: "processId", kind: kInt, num: func(e *ProcessEvidence) *int64 { return &e.ProcessID }},
	field[ProcessEvidence]{name: "processCommandLine", kind: kString, str: func(e *ProcessEvidence) *string { return &e.CommandLine }},
	field[ProcessEvidence]{name: "imageFile", kind: kDetails, det: func(e *ProcessEvidence) *FileDetails { return &e.Image }},
	field[ProcessEvidence]{name: "processCreationDateTime", kind: kTime, tm: func(e *ProcessEvidence) *time.Time { return &e.Started }},
	field[ProcessEvidence]{name: "parentProcessId", kind: kInt, num: func(e *ProcessEvidence) *int64 { return &e.ParentID }},
	field[ProcessEvidence]{name: "parentProcessImageFile", kind: kDetails, det: func(e *ProcessEvidence) *FileDetails { return &e.ParentImage }},
	field[ProcessEvidence]{name: "parentProcessCreationDateTime", kind: kTime, tm: func(e *ProcessEvidence) *time.Time { return &e.ParentStarted }},
)

// ODataType returns TypeProcessEvidence.
func (e *ProcessEvidence) ODataType() string { return TypeProcessEvidence }

func (e *ProcessEvidence) appendJSON(buf []byte) ([]byte, error) {
	if e == nil {
		return nil, errNilEvidence
	}
	return processSchema.encode(buf, e)
}

// MarshalJSON encodes e as a Graph processEvidence object; see [Detection.MarshalJSON].
func (e ProcessEvidence) MarshalJSON() ([]byte, error) {
	out, err := e.appendJSON(nil)
	if err != nil {
		return nil, err
	}
	return compact(out)
}

// UnmarshalJSON decodes a Graph processEvidence object into e, replacing its
// contents. The object's @odata.type is not checked.
func (e *ProcessEvidence) UnmarshalJSON(data []byte) error {
	data, err := own(data)
	if err != nil || data == nil {
		return err
	}
	if data[0] != '{' {
		return ErrNotObject
	}
	*e = ProcessEvidence{}
	_, err = processSchema.decodeAt(data, 0, 1, e)
	return err
}

// OtherEvidence is an evidence item of a kind this package does not model
// (deviceEvidence, userEvidence, ipEvidence, urlEvidence, mailboxEvidence,
// registry keys, kinds added to Graph later, ...). It is kept whole as raw
// JSON, so nothing is dropped.
type OtherEvidence struct {
	// Type is the item's @odata.type as read, e.g.
	// "#microsoft.graph.security.ipEvidence". Encoding ignores it when Raw is
	// set.
	Type string
	// Raw is the whole JSON object, written back unchanged. It may share
	// memory with the decoded input: replace it rather than modifying it in
	// place. When Raw is empty the item is written as {"@odata.type":Type}.
	Raw json.RawMessage
}

// ODataType returns e.Type.
func (e *OtherEvidence) ODataType() string { return e.Type }

// DeviceID returns the item's "mdeDeviceId" property, if Raw has one that is
// a string (deviceEvidence has it), or "".
func (e *OtherEvidence) DeviceID() string {
	it, ok := newObjIter(e.Raw)
	if !ok {
		return ""
	}
	id := ""
	for {
		k, v, ok := it.next()
		if !ok {
			return id
		}
		if string(keyName(k)) == "mdeDeviceId" {
			id, _ = unquote(v)
		}
	}
}

func (e *OtherEvidence) appendJSON(buf []byte) ([]byte, error) {
	if e == nil {
		return nil, errNilEvidence
	}
	if len(e.Raw) == 0 {
		buf = append(buf, `{"@odata.type":`...)
		buf = appendString(buf, e.Type)
		return append(buf, '}'), nil
	}
	return append(buf, e.Raw...), nil
}

// MarshalJSON returns e.Raw, compacted (see [OtherEvidence.Raw]).
func (e OtherEvidence) MarshalJSON() ([]byte, error) {
	out, err := e.appendJSON(nil)
	if err != nil {
		return nil, err
	}
	return compact(out)
}

// UnmarshalJSON keeps a copy of data as Raw and reads Type from it. It
// returns a *FieldError when the object has no string "@odata.type".
func (e *OtherEvidence) UnmarshalJSON(data []byte) error {
	data, err := own(data)
	if err != nil || data == nil {
		return err
	}
	if data[0] != '{' {
		return ErrNotObject
	}
	t, err := evidenceType(data)
	if err != nil {
		return err
	}
	*e = OtherEvidence{Type: t, Raw: data}
	return nil
}

// evidenceType returns the @odata.type of an evidence object.
func evidenceType(obj []byte) (string, error) {
	it, ok := newObjIter(obj)
	if !ok {
		return "", newFieldError("", obj, ErrType)
	}
	var raw []byte
	for {
		k, v, ok := it.next()
		if !ok {
			break
		}
		if string(keyName(k)) == "@odata.type" {
			raw = v
		}
	}
	if raw == nil || isNull(raw) {
		return "", newFieldError("@odata.type", raw, ErrMissingField)
	}
	t, ok := unquote(raw)
	if !ok {
		return "", newFieldError("@odata.type", raw, ErrType)
	}
	if t == "" {
		return "", newFieldError("@odata.type", raw, ErrMissingField)
	}
	return t, nil
}

// decodeEvidenceAt reads the evidence array that starts at b[i] == '['.
// depth counts the array.
func decodeEvidenceAt(b []byte, i, depth int, dst *[]Evidence) (int, error) {
	if depth > maxDepth {
		return -1, errBadJSON
	}
	out := make([]Evidence, 0, 4)
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		*dst = out
		return i + 1, nil
	}
	for n := 0; ; n++ {
		ev, e, err := decodeEvidenceItemAt(b, i, depth)
		if err != nil {
			if err == errBadJSON {
				return -1, err
			}
			return -1, prefix("["+strconv.Itoa(n)+"]", err)
		}
		out = append(out, ev)
		i = skipSpace(b, e)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			*dst = out
			return i + 1, nil
		}
		return -1, errBadJSON
	}
}

// decodeEvidenceItemAt reads one evidence object starting at b[i] and picks
// its Go type by its @odata.type. Graph writes @odata.type first; then the
// object is read in one pass, otherwise it is scanned once to find the type.
func decodeEvidenceItemAt(b []byte, i, depth int) (Evidence, int, error) {
	if i >= len(b) {
		return nil, -1, errBadJSON
	}
	if b[i] != '{' {
		return nil, -1, wrongType(b, i, depth)
	}
	t, ok := leadingType(b, i)
	if !ok {
		e := scanValueDepth(b, i, depth)
		if e < 0 {
			return nil, -1, errBadJSON
		}
		var err error
		if t, err = evidenceType(b[i:e]); err != nil {
			return nil, -1, err
		}
	}
	switch strings.TrimPrefix(t, "#") {
	case TypeFileEvidence[1:]:
		ev := &FileEvidence{}
		e, err := fileSchema.decodeAt(b, i, depth+1, ev)
		return ev, e, err
	case TypeProcessEvidence[1:]:
		ev := &ProcessEvidence{}
		e, err := processSchema.decodeAt(b, i, depth+1, ev)
		return ev, e, err
	}
	e := scanValueDepth(b, i, depth)
	if e < 0 {
		return nil, -1, errBadJSON
	}
	return &OtherEvidence{Type: t, Raw: json.RawMessage(b[i:e:e])}, e, nil
}

// leadingType returns the @odata.type of the object at b[i] if it is the
// object's first member and a plain, non-empty string.
func leadingType(b []byte, i int) (string, bool) {
	const key = `"@odata.type"`
	i = skipSpace(b, i+1)
	if len(b)-i < len(key) || string(b[i:i+len(key)]) != key {
		return "", false
	}
	i = skipSpace(b, i+len(key))
	if i >= len(b) || b[i] != ':' {
		return "", false
	}
	i = skipSpace(b, i+1)
	if i >= len(b) || b[i] != '"' {
		return "", false
	}
	e, plain := scanStringPlain(b, i)
	if e < 0 || !plain || e-i < 3 {
		return "", false
	}
	return intern(b[i+1 : e-1]), true
}

// errNilEvidence is returned when encoding a Detection whose Evidence holds
// a nil item.
var errNilEvidence = errors.New("detect: nil evidence item")

func appendEvidenceList(buf []byte, evs []Evidence) ([]byte, error) {
	buf = append(buf, '[')
	for i, e := range evs {
		if i > 0 {
			buf = append(buf, ',')
		}
		if e == nil {
			return nil, errNilEvidence
		}
		var err error
		if buf, err = e.appendJSON(buf); err != nil {
			return nil, err
		}
	}
	return append(buf, ']'), nil
}
