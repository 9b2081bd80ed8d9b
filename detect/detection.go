package detect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Detection is one alert as Microsoft Graph security API v1.0 reports it
// (resource type microsoft.graph.security.alert, security-alert.md),
// reduced to what deciding and recording a remediation needs, with
// everything else kept in Extra.
//
// The JSON form is Graph's: [json.Unmarshal] reads an alert object as the
// List alerts_v2 / Get alert APIs return it, and [json.Marshal] writes it
// back. A decoded Detection encodes to an object equal to its input, member
// for member (unknown properties, nulls and the spelling of unchanged values
// included), with the changes made in Go applied.
//
// A Detection is not safe for concurrent modification.
type Detection struct {
	// ID is the alert's "id" (for Defender for Endpoint alerts, e.g.
	// "da637551227677560813_-961444813"). Required: decoding fails with a
	// *FieldError for Field "id" when it is absent, null or empty.
	ID string

	// Time is "createdDateTime": when Microsoft 365 Defender created the
	// alert. It is the time the detection became known, and the one to order
	// detections and records by. The activity itself spans FirstActivity to
	// LastActivity.
	Time          time.Time
	FirstActivity time.Time // firstActivityDateTime: the earliest activity in the alert
	LastActivity  time.Time // lastActivityDateTime: the latest activity in the alert

	// DeviceID is the Defender for Endpoint device ID (a 40-digit hex
	// string) the alert is about. Graph alerts carry devices in their
	// evidence, so decoding derives it, in this order:
	//
	//  1. a top-level "mdeDeviceId" property, if the input has one (not a
	//     Graph property: this package writes it for a Detection whose
	//     DeviceID cannot be derived from its evidence, and a producer of
	//     non-Graph detections may set it);
	//  2. the "mdeDeviceId" of the first deviceEvidence item that has one;
	//  3. the DeviceID of the first FileEvidence or ProcessEvidence that has
	//     one;
	//  4. "".
	//
	// An alert may span devices: each FileEvidence and ProcessEvidence
	// carries its own DeviceID, which is the one to act on.
	DeviceID string

	Source        Source        // detectionSource: the sensor, e.g. SourceMicrosoftDefenderForEndpoint (EDR), SourceAntivirus
	ServiceSource ServiceSource // serviceSource: the product, e.g. ServiceMicrosoftDefenderForEndpoint
	Category      string        // category: attack kill-chain category, e.g. "Execution", "Malware", "UnwantedSoftware"
	Severity      Severity      // severity: informational, low, medium, high
	Title         string        // title, e.g. "Suspicious PowerShell command line"
	ThreatName    string        // threatDisplayName, e.g. "Trojan:Win32/Wacatac.B!ml"; "" when none
	ThreatFamily  string        // threatFamilyName, e.g. "Wacatac"

	// Status is the detection status of the alert as a whole: what
	// happened to its artifacts. Graph reports detectionStatus per file and
	// process evidence item, not per alert, so decoding derives it:
	//
	//  1. a top-level "detectionStatus" property, if the input has one (not
	//     a Graph property; written, like "mdeDeviceId", only when Status
	//     differs from what the evidence implies);
	//  2. otherwise, from the DetectionStatus of the FileEvidence and
	//     ProcessEvidence items that have one: the first that is neither
	//     Blocked nor Prevented (Detected, or a value unknown to this
	//     package) if any, since then not every artifact was stopped; else
	//     Blocked if any item is Blocked; else Prevented if any is; else "".
	Status DetectionStatus

	AlertStatus    AlertStatus    // status: the portal workflow state (new, inProgress, resolved)
	Classification Classification // classification: an analyst's true/false positive call

	// Evidence is the alert's "evidence" collection, in order.
	Evidence []Evidence

	// Extra holds the alert properties this package does not model
	// ("description", "incidentId", "mitreTechniques", "@odata.type", ...),
	// as raw JSON keyed by name, written back unchanged. Values may share
	// memory with the decoded input: replace them rather than modifying them
	// in place. Entries named like a modelled property are ignored when
	// encoding.
	Extra map[string]json.RawMessage

	orig []byte
}

var detectionSchema = newSchema(24,
	func(d *Detection) *map[string]json.RawMessage { return &d.Extra },
	func(d *Detection) *[]byte { return &d.orig },
	field[Detection]{name: "id", kind: kString, required: true, str: func(d *Detection) *string { return &d.ID }},
	field[Detection]{name: "createdDateTime", kind: kTime, tm: func(d *Detection) *time.Time { return &d.Time }},
	field[Detection]{name: "firstActivityDateTime", kind: kTime, tm: func(d *Detection) *time.Time { return &d.FirstActivity }},
	field[Detection]{name: "lastActivityDateTime", kind: kTime, tm: func(d *Detection) *time.Time { return &d.LastActivity }},
	field[Detection]{name: "detectionSource", kind: kString, common: true, str: func(d *Detection) *string { return (*string)(&d.Source) }},
	field[Detection]{name: "serviceSource", kind: kString, common: true, str: func(d *Detection) *string { return (*string)(&d.ServiceSource) }},
	field[Detection]{name: "category", kind: kString, common: true, str: func(d *Detection) *string { return &d.Category }},
	field[Detection]{name: "severity", kind: kString, common: true, str: func(d *Detection) *string { return (*string)(&d.Severity) }},
	field[Detection]{name: "title", kind: kString, str: func(d *Detection) *string { return &d.Title }},
	field[Detection]{name: "threatDisplayName", kind: kString, str: func(d *Detection) *string { return &d.ThreatName }},
	field[Detection]{name: "threatFamilyName", kind: kString, str: func(d *Detection) *string { return &d.ThreatFamily }},
	field[Detection]{name: "status", kind: kString, common: true, str: func(d *Detection) *string { return (*string)(&d.AlertStatus) }},
	field[Detection]{name: "classification", kind: kString, common: true, str: func(d *Detection) *string { return (*string)(&d.Classification) }},
	field[Detection]{name: "evidence", kind: kEvidence, ev: func(d *Detection) *[]Evidence { return &d.Evidence }},
	// The two derived properties come after "evidence", which they read.
	field[Detection]{name: "mdeDeviceId", kind: kString, str: func(d *Detection) *string { return &d.DeviceID },
		derive: func(d *Detection) string { return DeviceIDOf(d.Evidence) }},
	field[Detection]{name: "detectionStatus", kind: kString, common: true, str: func(d *Detection) *string { return (*string)(&d.Status) },
		derive: func(d *Detection) string { return string(StatusOf(d.Evidence)) }},
)

// DeviceIDOf returns the device ID that evidence implies (rules 2 to 4 of
// [Detection.DeviceID]).
func DeviceIDOf(evidence []Evidence) string {
	for _, e := range evidence {
		if o, ok := e.(*OtherEvidence); ok && o != nil && isType(o.Type, TypeDeviceEvidence) {
			if id := o.DeviceID(); id != "" {
				return id
			}
		}
	}
	for _, e := range evidence {
		switch e := e.(type) {
		case *FileEvidence:
			if e != nil && e.DeviceID != "" {
				return e.DeviceID
			}
		case *ProcessEvidence:
			if e != nil && e.DeviceID != "" {
				return e.DeviceID
			}
		}
	}
	return ""
}

// StatusOf returns the detection status that evidence implies (rule 2 of
// [Detection.Status]).
func StatusOf(evidence []Evidence) DetectionStatus {
	blocked, prevented := false, false
	for _, e := range evidence {
		var s DetectionStatus
		switch e := e.(type) {
		case *FileEvidence:
			if e != nil {
				s = e.DetectionStatus
			}
		case *ProcessEvidence:
			if e != nil {
				s = e.DetectionStatus
			}
		}
		switch s {
		case "":
		case Blocked:
			blocked = true
		case Prevented:
			prevented = true
		default:
			return s
		}
	}
	switch {
	case blocked:
		return Blocked
	case prevented:
		return Prevented
	}
	return ""
}

// isType reports whether an @odata.type value names want, with or without
// the leading '#'.
func isType(got, want string) bool {
	return got == want || (len(got) > 0 && got[0] != '#' && got == want[1:])
}

// own validates data as JSON and returns a trimmed copy the caller may keep,
// or nil for the literal null.
func own(data []byte) ([]byte, error) {
	if !valid(data) {
		return nil, syntaxError(data)
	}
	data = trimSpace(data)
	if isNull(data) {
		return nil, nil
	}
	return bytes.Clone(data), nil
}

// UnmarshalJSON decodes one Graph alert object into d, replacing its
// contents; the literal null leaves d unchanged. Errors are *FieldError
// (missing "id", a property of the wrong type or an unreadable value, with
// its JSON path), or wrap ErrSyntax or ErrNotObject.
func (d *Detection) UnmarshalJSON(data []byte) error {
	data = trimSpace(data)
	if isNull(data) {
		return nil
	}
	det, err := parseRecord(bytes.Clone(data))
	if err != nil {
		return err
	}
	*d = *det
	return nil
}

// Parse decodes one Graph alert object, as [Detection.UnmarshalJSON] does,
// into a new Detection. It is the fast path for one record: json.Unmarshal
// scans its input twice with encoding/json's scanner before calling
// UnmarshalJSON, which Parse does not. data is copied; the caller may reuse
// it.
func Parse(data []byte) (*Detection, error) {
	return parseRecord(bytes.Clone(data))
}

// parseRecord decodes one alert object, checking that data is valid JSON as
// it goes. The result keeps references into data.
func parseRecord(data []byte) (*Detection, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		if valid(data) {
			return nil, ErrNotObject
		}
		return nil, syntaxError(data)
	}
	d := new(Detection)
	end, err := detectionSchema.decodeAt(data, i, 1, d)
	if err == nil && skipSpace(data, end) != len(data) {
		err = errBadJSON
	}
	if err != nil {
		// A syntax error anywhere outranks a field error found before it.
		if err == errBadJSON || !valid(data) {
			return nil, syntaxError(data)
		}
		return nil, err
	}
	return d, nil
}

// MarshalJSON encodes d as a Graph alert object. For a decoded Detection,
// the members of the input come first, in their order, each unchanged value
// exactly as it was read; then modelled properties that were absent and now
// have a value; then Extra entries that were not in the input, by name. A
// Detection built in Go is written with its non-zero modelled properties and
// Extra. DeviceID and Status are written ("mdeDeviceId", "detectionStatus")
// only if the input had them or they differ from what the evidence implies,
// so that decoding the output gives them back.
//
// The output is compact (no white space, no newline: fit for JSON lines)
// and checked to be valid JSON; an invalid Extra or OtherEvidence.Raw value
// is an error.
func (d Detection) MarshalJSON() ([]byte, error) {
	out, err := detectionSchema.encode(make([]byte, 0, len(d.orig)+64), &d)
	if err != nil {
		return nil, err
	}
	return compact(out)
}

// compact removes insignificant white space from out (raw values copied from
// pretty-printed input keep theirs) and checks that it is valid JSON.
func compact(out []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(out))
	if err := json.Compact(&buf, out); err != nil {
		return nil, fmt.Errorf("detect: encoding produced invalid JSON (check Extra and OtherEvidence.Raw): %w", err)
	}
	return buf.Bytes(), nil
}
