package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// summary is what the tests check of each sample at the alert level.
type summary struct {
	ID             string
	Time           time.Time
	DeviceID       string
	Source         Source
	SourceKnown    bool
	ServiceSource  ServiceSource
	Category       string
	Severity       Severity
	Title          string
	ThreatName     string
	ThreatFamily   string
	Status         DetectionStatus
	AlertStatus    AlertStatus
	Classification Classification
	Evidence       []string // @odata.type of each item, "Go type:" prefixed
}

func summarize(d *Detection) summary {
	s := summary{
		ID: d.ID, Time: d.Time, DeviceID: d.DeviceID, Source: d.Source,
		SourceKnown: d.Source.Known(), ServiceSource: d.ServiceSource,
		Category: d.Category, Severity: d.Severity, Title: d.Title,
		ThreatName: d.ThreatName, ThreatFamily: d.ThreatFamily, Status: d.Status,
		AlertStatus: d.AlertStatus, Classification: d.Classification,
	}
	for _, e := range d.Evidence {
		switch e.(type) {
		case *FileEvidence:
			s.Evidence = append(s.Evidence, "file:"+e.ODataType())
		case *ProcessEvidence:
			s.Evidence = append(s.Evidence, "process:"+e.ODataType())
		case *OtherEvidence:
			s.Evidence = append(s.Evidence, "other:"+e.ODataType())
		}
	}
	return s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDecode_realShapedSamples(t *testing.T) {
	const ns = "#microsoft.graph.security."
	tests := []struct {
		file string
		want summary
	}{
		{"edr_behavioral.json", summary{
			ID: "da638390671234567890_1126483905", Time: utc("2023-12-04T09:18:43.4521876Z"),
			DeviceID: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
			Source:   SourceMicrosoftDefenderForEndpoint, SourceKnown: true,
			ServiceSource: ServiceMicrosoftDefenderForEndpoint, Category: "Execution",
			Severity: SeverityHigh, Title: "Suspicious process launched from the Downloads folder",
			Status: Detected, AlertStatus: AlertStatusNew,
			Evidence: []string{"other:" + ns + "deviceEvidence", "process:" + ns + "processEvidence",
				"file:" + ns + "fileEvidence", "other:" + ns + "userEvidence",
				"other:" + ns + "ipEvidence", "other:" + ns + "urlEvidence"},
		}},
		{"av_blocked.json", summary{
			ID: "da638391023456789012_-587211345", Time: utc("2023-12-04T11:02:17.3369241Z"),
			DeviceID: "8c0a5d6f2e1b3a4c5d6e7f80912a3b4c5d6e7f80",
			Source:   SourceAntivirus, SourceKnown: true,
			ServiceSource: ServiceMicrosoftDefenderForEndpoint, Category: "Malware",
			Severity: SeverityMedium, Title: "'EICAR_Test_File' malware was prevented",
			ThreatName: "Virus:DOS/EICAR_Test_File", ThreatFamily: "EICAR_Test_File",
			Status: Blocked, AlertStatus: AlertStatusResolved, Classification: ClassificationTruePositive,
			Evidence: []string{"other:" + ns + "deviceEvidence", "file:" + ns + "fileEvidence"},
		}},
		{"pua_prevented.json", summary{
			ID: "da638391554433221100_1877665544", Time: utc("2023-12-05T08:30:12.1Z"),
			DeviceID: "f00dfeed0123456789abcdef0123456789abcdef",
			Source:   SourceAntivirus, SourceKnown: true,
			ServiceSource: ServiceMicrosoftDefenderForEndpoint, Category: "UnwantedSoftware",
			Severity: SeverityLow, Title: "'Presenoker' unwanted software was prevented",
			ThreatName: "PUA:Win32/Presenoker", ThreatFamily: "Presenoker",
			Status: Prevented, AlertStatus: AlertStatusNew,
			Evidence: []string{"file:" + ns + "fileEvidence"},
		}},
		{"test_alert_informational.json", summary{
			ID: "da638392110987654321_-1412553087", Time: utc("2023-12-05T14:03:27.9013376Z"),
			DeviceID: "77c1d0e2f3a4b5c6d7e8f9012a3b4c5d6e7f8091",
			Source:   SourceMicrosoftDefenderForEndpoint, SourceKnown: true,
			ServiceSource: ServiceMicrosoftDefenderForEndpoint, Category: "Execution",
			Severity: SeverityInformational, Title: "Suspicious PowerShell command line",
			Status: Detected, AlertStatus: AlertStatusNew,
			Classification: ClassificationInformationalExpectedActivity,
			Evidence:       []string{"other:" + ns + "deviceEvidence", "process:" + ns + "processEvidence"},
		}},
		{"unknown_fields.json", summary{
			ID: "ad5e8a3c7b1f2d4e6a8c0e2f4a6c8e0f", Time: utc("2023-12-06T16:45:00Z"),
			DeviceID: "2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e",
			Source:   "microsoftDefenderForQuantumSensors", SourceKnown: false,
			ServiceSource: ServiceMicrosoft365Defender, Category: "Collection",
			Severity: SeverityMedium, Title: "Suspicious inbox manipulation rule followed by a file dropped on a device",
			Status: Blocked, AlertStatus: AlertStatusInProgress, Classification: ClassificationUnknown,
			Evidence: []string{"other:" + ns + "mailboxEvidence", "other:" + ns + "holographicDisplayEvidence",
				"file:" + ns + "fileEvidence"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d := decodeSample(t, tt.file)
			if diff := cmp.Diff(tt.want, summarize(d)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecode_processAndFileEvidenceOfAnEDRAlert(t *testing.T) {
	d := decodeSample(t, "edr_behavioral.json")
	require.Len(t, d.Evidence, 6)
	image := FileDetails{
		Name: "invoice_2023-12.exe", Path: `C:\Users\alex.wu\Downloads`, Size: 1482752,
		SHA1:   "a3b1c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f3a5b7",
		SHA256: "4d2f7c9a1b3e5f7081a2c4e6f8091b2d3c4e5f60718293a4b5c6d7e8f9012345",
	}
	wantProcess := &ProcessEvidence{
		Created: utc("2023-12-04T09:18:43.71Z"), Verdict: VerdictSuspicious,
		RemediationStatus: RemediationNone, Roles: []string{}, Tags: []string{},
		DetectionStatus: Detected, DeviceID: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
		ProcessID: 9412, CommandLine: `"invoice_2023-12.exe" /silent`, Image: image,
		Started:  utc("2023-12-04T09:15:07.203Z"),
		ParentID: 5168,
		ParentImage: FileDetails{
			Name: "explorer.exe", Path: `C:\Windows`, Size: 5468632, Publisher: "Microsoft Corporation",
			Signer: "Microsoft Windows", Issuer: "Microsoft Windows Production PCA 2011",
		},
		ParentStarted: utc("2023-12-04T07:58:30.6621094Z"),
	}
	ignoreExtra := cmpopts.IgnoreFields(ProcessEvidence{}, "Extra")
	if diff := cmp.Diff(wantProcess, d.Evidence[1], ignoreOrig, ignoreExtra, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("process evidence (-want +got):\n%s", diff)
	}
	p := d.Evidence[1].(*ProcessEvidence)
	assert.ElementsMatch(t, []string{"detailedRoles", "userAccount"}, keys(p.Extra), "unmodelled process properties are kept")
	assert.Equal(t, `C:\Users\alex.wu\Downloads\invoice_2023-12.exe`, p.Image.FullPath())

	wantFile := &FileEvidence{
		Created: utc("2023-12-04T09:18:43.71Z"), Verdict: VerdictSuspicious,
		RemediationStatus: RemediationNone, Roles: []string{}, Tags: []string{},
		DetectionStatus: Detected, DeviceID: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
		File: image,
	}
	if diff := cmp.Diff(wantFile, d.Evidence[2], ignoreOrig, cmpopts.IgnoreFields(FileEvidence{}, "Extra")); diff != "" {
		t.Errorf("file evidence (-want +got):\n%s", diff)
	}

	other := d.Evidence[0].(*OtherEvidence)
	assert.Equal(t, TypeDeviceEvidence, other.Type)
	assert.Equal(t, "1e5bc9d7e413ddd7902c2932e418702b84d0cc07", other.DeviceID())
	assert.True(t, json.Valid(other.Raw))
	assert.Contains(t, string(other.Raw), `"deviceDnsName": "ws-fin-042.contoso.local"`, "other evidence is kept as it was read")
}

func TestDecode_unknownFieldsAndEvidenceTypesAreKept(t *testing.T) {
	d := decodeSample(t, "unknown_fields.json")
	assert.Contains(t, keys(d.Extra), "futureRiskAssessment")
	assert.JSONEq(t, `{"score":73,"model":"v3","factors":["newForwardingRule","externalSender"]}`, string(d.Extra["futureRiskAssessment"]))
	assert.Equal(t, json.RawMessage("true"), d.Extra["isPreview"])

	future := d.Evidence[1].(*OtherEvidence)
	assert.Equal(t, "#microsoft.graph.security.holographicDisplayEvidence", future.Type)
	assert.Contains(t, string(future.Raw), `"remediationStatus": "quarantinedInFuture"`)

	f := d.Evidence[2].(*FileEvidence)
	assert.Equal(t, int64(48213), f.File.Size, "Int64 as a string (IEEE754Compatible) is read")
	assert.Equal(t, "0123456789abcdef0123456789abcdef", f.File.MD5)
	assert.ElementsMatch(t, []string{"sha265Ac", "zoneIdentifier"}, keys(f.File.Extra))
	assert.ElementsMatch(t, []string{"detailedRoles", "fileOrigin"}, keys(f.Extra))
	assert.Equal(t, RemediationRemediated, f.RemediationStatus)
}

func keys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestRoundTrip(t *testing.T) {
	for _, name := range samples {
		t.Run(name+"/unchanged_alert_encodes_to_its_input", func(t *testing.T) {
			in := mustRead(t, name)
			d := decodeSample(t, name)
			out := marshal(t, d)
			sameJSON(t, in, out)
			var compact bytes.Buffer
			require.NoError(t, json.Compact(&compact, in))
			direct, err := d.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, compact.String(), string(direct), "members keep their order and unchanged values their bytes")
		})
		t.Run(name+"/decode_encode_decode_gives_the_same_detection", func(t *testing.T) {
			d := decodeSample(t, name)
			var again Detection
			require.NoError(t, json.Unmarshal(marshal(t, d), &again))
			if diff := cmp.Diff(d, &again, ignoreOrig); diff != "" {
				t.Errorf("(-first +second):\n%s", diff)
			}
		})
	}
}

func TestRoundTrip_changesMadeInGoAreWrittenAndTheRestIsKept(t *testing.T) {
	in := mustRead(t, "unknown_fields.json")
	d := decodeSample(t, "unknown_fields.json")
	d.Severity = SeverityHigh
	d.Title = "Renamed \"alert\" <with> markup\n"
	d.LastActivity = time.Time{}
	d.Extra["blockmodeNote"] = json.RawMessage(`{"decided":true}`)
	delete(d.Extra, "systemTags")
	f := d.Evidence[2].(*FileEvidence)
	f.RemediationStatus = RemediationBlocked
	f.File.Size = 48214
	f.Roles = append(f.Roles, "contextual")
	d.Evidence = append(d.Evidence, &FileEvidence{DetectionStatus: Prevented, File: FileDetails{Name: "x.dll"}})

	want := generic(t, in).(map[string]any)
	want["severity"] = "high"
	want["title"] = "Renamed \"alert\" <with> markup\n"
	want["lastActivityDateTime"] = nil
	want["blockmodeNote"] = map[string]any{"decided": true}
	delete(want, "systemTags")
	ev := want["evidence"].([]any)
	fe := ev[2].(map[string]any)
	fe["remediationStatus"] = "blocked"
	fe["roles"] = []any{"contextual"}
	fe["fileDetails"].(map[string]any)["fileSize"] = json.Number("48214")
	want["evidence"] = append(ev, map[string]any{
		"@odata.type":     TypeFileEvidence,
		"detectionStatus": "prevented",
		"fileDetails":     map[string]any{"fileName": "x.dll"},
	})
	// The new item makes Status differ from what the evidence implies
	// (blocked and prevented: blocked), so no top-level status is needed;
	// DeviceID still follows from the evidence.
	if diff := cmp.Diff(want, generic(t, marshal(t, d))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMarshal_detectionBuiltInGo(t *testing.T) {
	d := Detection{
		ID:       "agent-0001",
		Time:     time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC),
		Source:   SourceMicrosoftDefenderForEndpoint,
		Severity: SeverityHigh,
		Title:    "Suspicious behaviour",
		Evidence: []Evidence{
			&ProcessEvidence{ProcessID: 42, DeviceID: "dev1", DetectionStatus: Detected,
				Image: FileDetails{Name: "evil.exe", Path: `C:\Temp`}},
			&OtherEvidence{Type: "#microsoft.graph.security.urlEvidence"},
		},
		Extra: map[string]json.RawMessage{"zeta": json.RawMessage(`1`), "alpha": json.RawMessage(`"a"`), "id": json.RawMessage(`"ignored"`)},
	}
	d.DeviceID = DeviceIDOf(d.Evidence)
	d.Status = StatusOf(d.Evidence)
	out := marshal(t, d)
	sameJSON(t, []byte(`{
		"id": "agent-0001",
		"createdDateTime": "2024-03-01T12:00:00Z",
		"detectionSource": "microsoftDefenderForEndpoint",
		"severity": "high",
		"title": "Suspicious behaviour",
		"evidence": [
			{"@odata.type": "#microsoft.graph.security.processEvidence", "detectionStatus": "detected",
			 "mdeDeviceId": "dev1", "processId": 42,
			 "imageFile": {"fileName": "evil.exe", "filePath": "C:\\Temp"}},
			{"@odata.type": "#microsoft.graph.security.urlEvidence"}
		],
		"alpha": "a",
		"zeta": 1
	}`), out)
	assert.Less(t, bytes.Index(out, []byte(`"alpha"`)), bytes.Index(out, []byte(`"zeta"`)), "new Extra members are written in name order")

	var back Detection
	require.NoError(t, json.Unmarshal(out, &back))
	delete(d.Extra, "id")
	if diff := cmp.Diff(d, back, ignoreOrig, cmpopts.EquateEmpty(),
		cmp.Transformer("raw", func(e *OtherEvidence) string { return e.Type })); diff != "" {
		t.Errorf("(-built +decoded):\n%s", diff)
	}
}

func TestMarshal_nilEvidenceIsAnError(t *testing.T) {
	var nilFile *FileEvidence
	for _, ev := range []Evidence{nil, nilFile} {
		_, err := json.Marshal(Detection{ID: "x", Evidence: []Evidence{ev}})
		assert.Error(t, err)
	}
}

func TestMarshal_invalidExtraIsAnError(t *testing.T) {
	_, err := Detection{ID: "x", Extra: map[string]json.RawMessage{"bad": json.RawMessage(`{`)}}.MarshalJSON()
	assert.Error(t, err)
}

func TestDeviceID(t *testing.T) {
	const dev = `{"@odata.type":"#microsoft.graph.security.deviceEvidence","mdeDeviceId":"dev-from-device"}`
	const file = `{"@odata.type":"#microsoft.graph.security.fileEvidence","mdeDeviceId":"dev-from-file"}`
	const proc = `{"@odata.type":"#microsoft.graph.security.processEvidence","mdeDeviceId":"dev-from-process"}`
	const user = `{"@odata.type":"#microsoft.graph.security.userEvidence"}`
	tests := []struct {
		name, in, want string
		written        bool // whether encoding writes a top-level mdeDeviceId
	}{
		{"top-level_mdeDeviceId_wins_over_evidence", `{"id":"a","mdeDeviceId":"dev-top","evidence":[` + dev + `]}`, "dev-top", true},
		{"deviceEvidence_comes_before_file_and_process_evidence", `{"id":"a","evidence":[` + file + `,` + dev + `]}`, "dev-from-device", false},
		{"first_file_or_process_evidence_when_there_is_no_device_evidence", `{"id":"a","evidence":[` + user + `,` + proc + `,` + file + `]}`, "dev-from-process", false},
		{"empty_when_no_evidence_names_a_device", `{"id":"a","evidence":[` + user + `]}`, "", false},
		{"deviceEvidence_without_the_hash_prefix_counts", `{"id":"a","evidence":[{"@odata.type":"microsoft.graph.security.deviceEvidence","mdeDeviceId":"d2"}]}`, "d2", false},
		{"null_top-level_mdeDeviceId_means_none", `{"id":"a","mdeDeviceId":null,"evidence":[` + dev + `]}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Detection
			require.NoError(t, json.Unmarshal([]byte(tt.in), &d))
			assert.Equal(t, tt.want, d.DeviceID)
			_, written := memberOf(t, marshal(t, d), "mdeDeviceId")
			assert.Equal(t, tt.written, written)
		})
	}
	t.Run("a_DeviceID_set_in_Go_that_evidence_does_not_imply_survives_a_round_trip", func(t *testing.T) {
		var d Detection
		require.NoError(t, json.Unmarshal([]byte(`{"id":"a","evidence":[`+dev+`]}`), &d))
		d.DeviceID = "dev-override"
		var back Detection
		require.NoError(t, json.Unmarshal(marshal(t, d), &back))
		assert.Equal(t, "dev-override", back.DeviceID)
		// And without any evidence:
		back2 := Detection{}
		require.NoError(t, json.Unmarshal(marshal(t, Detection{ID: "b", DeviceID: "dev-only"}), &back2))
		assert.Equal(t, "dev-only", back2.DeviceID)
	})
}

func TestStatus(t *testing.T) {
	file := func(s DetectionStatus) Evidence { return &FileEvidence{DetectionStatus: s} }
	proc := func(s DetectionStatus) Evidence { return &ProcessEvidence{DetectionStatus: s} }
	other := &OtherEvidence{Type: "#microsoft.graph.security.ipEvidence"}
	tests := []struct {
		name string
		ev   []Evidence
		want DetectionStatus
	}{
		{"no_evidence_means_no_status", nil, ""},
		{"other_evidence_has_no_status", []Evidence{other}, ""},
		{"items_without_a_status_are_ignored", []Evidence{file(""), proc(Blocked)}, Blocked},
		{"all_blocked_is_blocked", []Evidence{file(Blocked), proc(Blocked)}, Blocked},
		{"all_prevented_is_prevented", []Evidence{file(Prevented)}, Prevented},
		{"blocked_and_prevented_is_blocked_because_something_ran", []Evidence{file(Prevented), proc(Blocked)}, Blocked},
		{"one_artifact_only_detected_makes_the_alert_detected", []Evidence{proc(Blocked), file(Detected)}, Detected},
		{"an_unknown_status_is_not_counted_as_stopped", []Evidence{file(Blocked), file("quarantinedLater")}, "quarantinedLater"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, StatusOf(tt.ev))
		})
	}
	t.Run("top-level_detectionStatus_wins_and_is_kept", func(t *testing.T) {
		in := `{"id":"a","detectionStatus":"prevented","evidence":[{"@odata.type":"#microsoft.graph.security.fileEvidence","detectionStatus":"detected"}]}`
		var d Detection
		require.NoError(t, json.Unmarshal([]byte(in), &d))
		assert.Equal(t, Prevented, d.Status)
		sameJSON(t, []byte(in), marshal(t, d))
	})
	t.Run("a_Status_set_in_Go_survives_a_round_trip", func(t *testing.T) {
		d := Detection{ID: "a", Status: Blocked, Evidence: []Evidence{file(Detected)}}
		var back Detection
		require.NoError(t, json.Unmarshal(marshal(t, d), &back))
		assert.Equal(t, Blocked, back.Status)
	})
}

func TestDecode_errorsNameTheField(t *testing.T) {
	const fileEv = `{"@odata.type":"#microsoft.graph.security.fileEvidence",`
	const procEv = `{"@odata.type":"#microsoft.graph.security.processEvidence",`
	tests := []struct {
		name  string
		in    string
		field string // "" when the error is not a *FieldError
		want  error
	}{
		{"id_is_required", `{"title":"x"}`, "id", ErrMissingField},
		{"id_must_not_be_null", `{"id":null}`, "id", ErrMissingField},
		{"id_must_not_be_empty", `{"id":""}`, "id", ErrMissingField},
		{"id_must_be_a_string", `{"id":17}`, "id", ErrType},
		{"severity_must_be_a_string", `{"id":"a","severity":["high"]}`, "severity", ErrType},
		{"timestamps_must_be_ISO_8601", `{"id":"a","createdDateTime":"yesterday"}`, "createdDateTime", ErrValue},
		{"timestamps_must_be_strings", `{"id":"a","createdDateTime":1700000000}`, "createdDateTime", ErrType},
		{"evidence_must_be_an_array", `{"id":"a","evidence":{}}`, "evidence", ErrType},
		{"evidence_items_must_be_objects", `{"id":"a","evidence":[1]}`, "evidence[0]", ErrType},
		{"evidence_items_need_an_odata_type", `{"id":"a","evidence":[{},{"verdict":"unknown"}]}`, "evidence[0].@odata.type", ErrMissingField},
		{"odata_type_anywhere_in_the_item_is_found", `{"id":"a","evidence":[{"verdict":"x","@odata.type":7}]}`, "evidence[0].@odata.type", ErrType},
		{"processId_must_be_an_integer", `{"id":"a","evidence":[` + procEv + `"processId":1.5}]}`, "evidence[0].processId", ErrValue},
		{"processId_must_fit_in_64_bits", `{"id":"a","evidence":[` + procEv + `"processId":99999999999999999999}]}`, "evidence[0].processId", ErrValue},
		{"processId_must_be_a_number", `{"id":"a","evidence":[` + procEv + `"processId":true}]}`, "evidence[0].processId", ErrType},
		{"nested_file_details_errors_have_the_full_path", `{"id":"a","evidence":[` + fileEv + `"fileDetails":{"fileSize":"big"}}]}`, "evidence[0].fileDetails.fileSize", ErrValue},
		{"fileDetails_must_be_an_object", `{"id":"a","evidence":[` + fileEv + `"fileDetails":"C:\\x"}]}`, "evidence[0].fileDetails", ErrType},
		{"roles_must_hold_strings", `{"id":"a","evidence":[` + fileEv + `"roles":["a",2]}]}`, "evidence[0].roles[1]", ErrType},
		{"malformed_JSON_is_a_syntax_error", `{"id":"a",}`, "", ErrSyntax},
		{"a_syntax_error_outranks_an_earlier_field_error", `{"id":5,`, "", ErrSyntax},
		{"trailing_data_is_a_syntax_error", `{"id":"a"} {}`, "", ErrSyntax},
		{"an_array_is_not_an_alert", `[{"id":"a"}]`, "", ErrNotObject},
		{"a_string_is_not_an_alert", `"a"`, "", ErrNotObject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Detection
			err := json.Unmarshal([]byte(tt.in), &d)
			if tt.want == ErrSyntax {
				// encoding/json rejects the input before calling
				// UnmarshalJSON; call it directly.
				err = d.UnmarshalJSON([]byte(tt.in))
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			var fe *FieldError
			if tt.field == "" {
				assert.False(t, errors.As(err, &fe), "unexpected *FieldError %v", err)
				return
			}
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
	t.Run("syntax_errors_wrap_the_json_SyntaxError", func(t *testing.T) {
		err := new(Detection).UnmarshalJSON([]byte(`{"id":"a",}`))
		var se *json.SyntaxError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, int64(11), se.Offset)
	})
	t.Run("long_values_are_shortened_in_errors", func(t *testing.T) {
		err := json.Unmarshal([]byte(`{"id":"a","createdDateTime":"`+string(bytes.Repeat([]byte("x"), 1000))+`"}`), new(Detection))
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		assert.LessOrEqual(t, len(fe.Value), maxErrorValue+3)
	})
}

func TestParse_isUnmarshalJSON(t *testing.T) {
	for _, name := range samples {
		data := mustRead(t, name)
		got, err := Parse(data)
		require.NoError(t, err)
		if diff := cmp.Diff(decodeSample(t, name), got, ignoreOrig); diff != "" {
			t.Errorf("%s (-Unmarshal +Parse):\n%s", name, diff)
		}
		data[0] = 'x' // the caller may reuse its buffer
		assert.Equal(t, got.ID, decodeSample(t, name).ID)
		sameJSON(t, mustRead(t, name), marshal(t, got))
	}
	_, err := Parse([]byte(`{"id":"a",`))
	assert.ErrorIs(t, err, ErrSyntax)
	_, err = Parse([]byte(`null`))
	assert.ErrorIs(t, err, ErrNotObject)
}

func TestUnmarshal_nullLeavesTheDetectionUnchanged(t *testing.T) {
	d := Detection{ID: "keep"}
	require.NoError(t, json.Unmarshal([]byte("null"), &d))
	assert.Equal(t, "keep", d.ID)
}

func TestUnmarshal_replacesThePreviousContents(t *testing.T) {
	d := decodeSample(t, "edr_behavioral.json")
	require.NoError(t, json.Unmarshal([]byte(`{"id":"small"}`), d))
	assert.Empty(t, d.Evidence)
	assert.Empty(t, d.Extra)
	assert.Equal(t, `{"id":"small"}`, string(marshal(t, d)))
}

func TestTimestamps(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Time
	}{
		{"seven_fraction_digits_as_Graph_writes_them", "2023-12-04T09:18:43.4521876Z", time.Date(2023, 12, 4, 9, 18, 43, 452187600, time.UTC)},
		{"no_fraction", "2023-12-04T09:18:43Z", time.Date(2023, 12, 4, 9, 18, 43, 0, time.UTC)},
		{"an_offset_is_kept", "2023-12-04T10:18:43+01:00", time.Date(2023, 12, 4, 9, 18, 43, 0, time.UTC)},
		{"no_zone_is_read_as_UTC", "2023-12-04T09:18:43.5", time.Date(2023, 12, 4, 9, 18, 43, 500000000, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"id":"a","createdDateTime":"` + tt.in + `"}`
			var d Detection
			require.NoError(t, json.Unmarshal([]byte(in), &d))
			assert.True(t, tt.want.Equal(d.Time), "got %v", d.Time)
			assert.Equal(t, in, string(marshal(t, d)), "an unchanged timestamp is written as it was read")
		})
	}
	t.Run("a_changed_timestamp_is_written_in_RFC_3339", func(t *testing.T) {
		var d Detection
		require.NoError(t, json.Unmarshal([]byte(`{"id":"a","createdDateTime":"2023-12-04T09:18:43.4521876Z"}`), &d))
		d.Time = d.Time.Add(time.Second)
		assert.Equal(t, `{"id":"a","createdDateTime":"2023-12-04T09:18:44.4521876Z"}`, string(marshal(t, d)))
	})
}

func TestFileDetails_FullPath(t *testing.T) {
	tests := []struct {
		name       string
		path, file string
		want       string
	}{
		{"windows_folder_and_name_are_joined_with_a_backslash", `C:\Windows\System32`, "cmd.exe", `C:\Windows\System32\cmd.exe`},
		{"a_trailing_separator_is_not_doubled", `C:\`, "pagefile.sys", `C:\pagefile.sys`},
		{"a_forward_slash_path_uses_slashes", "/usr/bin", "curl", "/usr/bin/curl"},
		{"no_folder_gives_the_name", "", "a.exe", "a.exe"},
		{"no_name_gives_the_folder", `C:\Temp`, "", `C:\Temp`},
		{"a_UNC_path", `\\fileserver\share\drop`, "payload.exe", `\\fileserver\share\drop\payload.exe`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := FileDetails{Path: tt.path, Name: tt.file}
			assert.Equal(t, tt.want, d.FullPath())
		})
	}
}

// TestFullPath_cachedOnDecodeFollowsEdits: a decoded FileDetails computes
// its full path once, and an edit in Go is never answered from the cache.
func TestFullPath_cachedOnDecodeFollowsEdits(t *testing.T) {
	var d FileDetails
	require.NoError(t, json.Unmarshal([]byte(`{"fileName":"a.exe","filePath":"C:\\Temp"}`), &d))
	assert.Equal(t, `C:\Temp\a.exe`, d.FullPath())
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = d.FullPath() }), "answered from the cache")
	for _, edit := range []struct {
		path, name, want string
	}{
		{`C:\Tmp`, "a.exe", `C:\Tmp\a.exe`},
		{`C:\Temp`, "b.exe", `C:\Temp\b.exe`},
		{`D:\Temp`, "a.exe", `D:\Temp\a.exe`},
		{`C:\Temp\`, "a.exe", `C:\Temp\a.exe`},
		{"/tmp", "a.exe", "/tmp/a.exe"},
		{`C:\Temp\a`, "", `C:\Temp\a`},
		{`C:\Tem`, "p\\a.exe", `C:\Tem\p\a.exe`},
	} {
		e := d
		e.Path, e.Name = edit.path, edit.name
		assert.Equal(t, edit.want, e.FullPath(), "%+v", edit)
	}
}

func TestEvidenceTypes_unmarshalOnTheirOwn(t *testing.T) {
	d := decodeSample(t, "edr_behavioral.json")
	for i, ev := range d.Evidence {
		raw := marshal(t, ev)
		var got Evidence
		switch ev.(type) {
		case *FileEvidence:
			got = new(FileEvidence)
		case *ProcessEvidence:
			got = new(ProcessEvidence)
		default:
			got = new(OtherEvidence)
		}
		require.NoError(t, json.Unmarshal(raw, got), "item %d", i)
		if diff := cmp.Diff(ev, got, ignoreOrig); diff != "" {
			t.Errorf("item %d (-want +got):\n%s", i, diff)
		}
		sameJSON(t, raw, marshal(t, got))
	}
	var fd FileDetails
	require.NoError(t, json.Unmarshal([]byte(`{"fileName":"a","sha1":null}`), &fd))
	assert.Equal(t, `{"fileName":"a","sha1":null}`, string(marshal(t, fd)))
	assert.ErrorIs(t, json.Unmarshal([]byte(`{}`), new(OtherEvidence)), ErrMissingField)
	assert.ErrorIs(t, json.Unmarshal([]byte(`[]`), new(FileEvidence)), ErrNotObject)
}

func TestDuplicateMembers_lastOneWinsAsInEncodingJSON(t *testing.T) {
	in := []byte(`{"id":"first","x":1,"id":"second","x":2}`)
	var d Detection
	require.NoError(t, json.Unmarshal(in, &d))
	assert.Equal(t, "second", d.ID)
	out := marshal(t, d)
	sameJSON(t, in, out)
	assert.Equal(t, 1, bytes.Count(out, []byte(`"id"`)), "each member is written once")
	assert.True(t, slices.Equal(keys(d.Extra), []string{"x"}))

	t.Run("a_later_null_clears_an_earlier_value", func(t *testing.T) {
		in := []byte(`{"id":"a","title":"x","createdDateTime":"2024-01-01T00:00:00Z","evidence":[{"@odata.type":"#microsoft.graph.security.processEvidence","processId":5,"imageFile":{"fileName":"a"},"processId":null,"imageFile":null}],"title":null,"createdDateTime":null,"evidence":null}`)
		var d Detection
		require.NoError(t, json.Unmarshal(in, &d))
		assert.Empty(t, d.Title)
		assert.True(t, d.Time.IsZero())
		assert.Nil(t, d.Evidence)
		sameJSON(t, in, marshal(t, d))
	})
}
