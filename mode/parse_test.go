package mode

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func utf16LE(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func TestParseStatusJSONForms(t *testing.T) {
	const ps51 = `{
    "AMEngineVersion":  "1.1.24090.11",
    "AMProductVersion":  "4.18.24090.11",
    "AMRunningMode":  "EDR Block Mode",
    "AMServiceEnabled":  true,
    "AntivirusEnabled":  true,
    "AntivirusSignatureLastUpdated":  "\/Date(1732857600000)\/",
    "IsTamperProtected":  false,
    "RealTimeProtectionEnabled":  false,
    "ComputerState":  0,
    "PSComputerName":  null,
    "CimClass":  "ROOT/Microsoft/Windows/Defender:MSFT_MpComputerStatus",
    "CimInstanceProperties":  "AMEngineVersion = \"1.1.24090.11\" AMProductVersion = \"4.18.24090.11\"",
    "CimSystemProperties":  "Microsoft.Management.Infrastructure.CimSystemProperties"
}`
	const ps7 = `{
  "AMEngineVersion": "1.1.24090.11",
  "AMProductVersion": "4.18.24090.11",
  "AMRunningMode": "EDR Block Mode",
  "AMServiceEnabled": true,
  "AntivirusEnabled": true,
  "AntivirusSignatureLastUpdated": "2024-11-29T06:20:00+01:00",
  "IsTamperProtected": false,
  "RealTimeProtectionEnabled": false,
  "ComputerState": 0,
  "PSComputerName": null
}`
	want := Status{
		Form:                          FormJSON,
		AMRunningMode:                 EDRBlock,
		AMProductVersion:              Version{4, 18, 24090, 11},
		AMEngineVersion:               Version{1, 1, 24090, 11},
		AMServiceEnabled:              True,
		AntivirusEnabled:              True,
		AntivirusSignatureLastUpdated: time.Date(2024, 11, 29, 5, 20, 0, 0, time.UTC),
		IsTamperProtected:             False,
		RealTimeProtectionEnabled:     False,
	}
	for name, in := range map[string][]byte{
		"powershell 5.1":             []byte(ps51),
		"powershell 7":               []byte(ps7),
		"utf-8 with byte-order mark": append([]byte{0xEF, 0xBB, 0xBF}, ps7...),
		"utf-16le with byte-order mark (5.1 redirected with >)": utf16LE(ps51, true),
		"utf-16le without byte-order mark":                      utf16LE(ps7, false),
		"array of one object":                                   []byte("[" + ps7 + "]"),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseStatus(bytes.NewReader(in))
			require.NoError(t, err)
			opts := cmp.Options{
				cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
				cmp.FilterPath(func(p cmp.Path) bool {
					n := p.Last().String()
					return n == ".Reported" || n == ".Extra"
				}, cmp.Ignore()),
			}
			if d := cmp.Diff(want, *got, opts); d != "" {
				t.Errorf("status (-want +got):\n%s", d)
			}
			assert.True(t, got.Has("amrunningmode"))
			assert.True(t, got.Has("PSComputerName"), "a null property was still reported")
			assert.False(t, got.Has("NISEnabled"))
			assert.JSONEq(t, "0", string(got.Extra["ComputerState"]), "untyped properties are kept")
			assert.Equal(t, True, got.Running())
		})
	}
}

func TestParseStatusBadInput(t *testing.T) {
	cases := []struct {
		name      string
		in        string
		wantErr   error
		wantField string
	}{
		{"empty", "", ErrFormat, ""},
		{"white space", " \r\n\t", ErrFormat, ""},
		{"truncated JSON", `{"AMRunningMode": "Normal", "AMProductVersion": "4.18`, ErrSyntax, ""},
		{"truncated after a comma", `{"AMRunningMode": "Normal",`, ErrSyntax, ""},
		{"unknown mode", `{"AMRunningMode": "Turbo Mode"}`, ErrUnknownMode, "AMRunningMode"},
		{"mode as a number", `{"AMRunningMode": 2}`, ErrType, "AMRunningMode"},
		{"malformed version", `{"AMProductVersion": "4.18.2001"}`, ErrInvalidVersion, "AMProductVersion"},
		{"version as a number", `{"AMEngineVersion": 1.1}`, ErrType, "AMEngineVersion"},
		{"boolean as a string", `{"AntivirusEnabled": "True"}`, ErrType, "AntivirusEnabled"},
		{"boolean as a number", `{"RealTimeProtectionEnabled": 1}`, ErrType, "RealTimeProtectionEnabled"},
		{"date that is not a date", `{"AntivirusSignatureLastUpdated": "yesterday"}`, ErrType, "AntivirusSignatureLastUpdated"},
		{"date out of range", `{"AntivirusSignatureLastUpdated": "\/Date(999999999999999999)\/"}`, ErrType, "AntivirusSignatureLastUpdated"},
		{"duplicate property", `{"AMRunningMode": "Normal", "amrunningmode": "EDR Block Mode"}`, ErrDuplicateField, "amrunningmode"},
		{"two devices", `[{"AMRunningMode": "Normal"}, {"AMRunningMode": "Normal"}]`, ErrMultipleObjects, ""},
		{"empty array", `[]`, ErrFormat, ""},
		{"array of strings", `["Normal"]`, ErrFormat, ""},
		{"not an object", `"Normal"`, ErrFormat, ""},
		{"trailing data", `{"AMRunningMode": "Normal"} {}`, ErrSyntax, ""},
		{"invalid UTF-8", "AMRunningMode : \xff\xfe\xfd", ErrSyntax, ""},
		{"binary junk", "\x00\x01\x02\x03garbage", ErrSyntax, ""},
		{"text that is no form", "hello world", ErrSyntax, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseStatus(strings.NewReader(tc.in))
			assert.Nil(t, s)
			require.ErrorIs(t, err, tc.wantErr)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.wantField, pe.Field)
		})
	}
}

func TestParserLimit(t *testing.T) {
	// A hostile 100 MB value is never read whole: the parser stops at its
	// limit.
	big := io.MultiReader(strings.NewReader(`{"AMRunningMode": "`), &repeatReader{b: 'A', n: 100 << 20}, strings.NewReader(`"}`))
	r := &countingReader{r: big}
	_, err := Parser{MaxBytes: 1 << 20}.Status(r)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.LessOrEqual(t, r.n, int64(1<<20)+64*1024, "read no more than the limit and a buffer")

	_, err = Parser{}.Status(strings.NewReader(`{"AMRunningMode": "Normal"}`))
	require.NoError(t, err)
}

type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	if len(p) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= len(p)
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestParseStatusListForm(t *testing.T) {
	in := "\r\n" +
		"AMEngineVersion                  : 1.1.24090.11\r\n" +
		"AMProductVersion                 : 4.18.24090.11\r\n" +
		"AMRunningMode                    : EDR Block Mode\r\n" +
		"AMServiceEnabled                 : True\r\n" +
		"AntivirusSignatureLastUpdated    : 11/29/2024 4:20:00 AM\r\n" +
		"ComputerID                       : 7C1F5A8E-3B5D-4C8A-9E62-1D0F2B7A4C11\r\n" +
		"IsTamperProtected                : False\r\n" +
		"PSComputerName                   :\r\n" +
		"TamperProtectionSource           : Signatures\r\n" +
		"\r\n\r\n"
	got, err := ParseStatus(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, FormList, got.Form)
	assert.Equal(t, EDRBlock, got.AMRunningMode)
	assert.Equal(t, MustParseVersion("4.18.24090.11"), got.AMProductVersion)
	assert.Equal(t, True, got.AMServiceEnabled)
	assert.Equal(t, False, got.IsTamperProtected)
	assert.Equal(t, time.Date(2024, 11, 29, 4, 20, 0, 0, time.UTC), got.AntivirusSignatureLastUpdated)
	assert.Equal(t, "7C1F5A8E-3B5D-4C8A-9E62-1D0F2B7A4C11", got.ComputerID)
	assert.Equal(t, "Signatures", got.TamperProtectionSource)
	assert.True(t, got.Has("PSComputerName"))
	assert.Equal(t, "", got.PSComputerName)
	assert.Equal(t, Unset, got.RealTimeProtectionEnabled, "not in the input, so not false")
}

func TestParseListFormErrors(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		wantErr  error
		wantLine int
	}{
		{"line without a colon", "AMRunningMode : Normal\nthis is not a property\n", ErrSyntax, 2},
		{"name with a space", "AM Running Mode : Normal\n", ErrSyntax, 1},
		{"two objects", "AMRunningMode : Normal\n\nAMRunningMode : Normal\n", ErrMultipleObjects, 3},
		{"boolean that is not", "AMServiceEnabled : Yes\n", ErrType, 1},
		{"bad version on line 2", "AMRunningMode : Normal\nAMEngineVersion : 1.1\n", ErrInvalidVersion, 2},
		{"continuation with nothing before it", "   wrapped\nAMRunningMode : Normal\n", ErrSyntax, 1},
		{"date in another culture", "AntivirusSignatureLastUpdated : 29.11.2024 04:20:00\n", ErrType, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseStatus(strings.NewReader(tc.in))
			require.ErrorIs(t, err, tc.wantErr)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.wantLine, pe.Line)
		})
	}
}

func TestParseStatusTableForm(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Status
	}{
		{
			name: "select AMRunningMode",
			in:   "\r\nAMRunningMode\r\n-------------\r\nEDR Block Mode\r\n\r\n\r\n",
			want: Status{AMRunningMode: EDRBlock},
		},
		{
			name: "select several columns",
			in:   "\nAMRunningMode    AMProductVersion AMServiceEnabled\n-------------    ---------------- ----------------\nSxS Passive Mode 4.18.24090.11                True\n",
			want: Status{AMRunningMode: SxSPassive, AMProductVersion: Version{4, 18, 24090, 11}, AMServiceEnabled: True},
		},
		{
			name: "right-aligned value wider than its header",
			in:   "AMRunningMode     ComputerState\n-------------     -------------\nNormal        12345678901234567\n",
			want: Status{AMRunningMode: Active, Extra: map[string]json.RawMessage{"ComputerState": json.RawMessage(`"12345678901234567"`)}},
		},
		{
			name: "value shorter than its column",
			in:   "AMRunningMode AMProductVersion\n------------- ----------------\nNormal        4.18.2001.10\n",
			want: Status{AMRunningMode: Active, AMProductVersion: Version{4, 18, 2001, 10}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseStatus(strings.NewReader(tc.in))
			require.NoError(t, err)
			assert.Equal(t, FormTable, got.Form)
			got.Form, got.Reported = 0, nil
			assert.Equal(t, tc.want, *got)
		})
	}
	_, err := ParseStatus(strings.NewReader("AMRunningMode\n-------------\nNormal\nNormal\n"))
	assert.ErrorIs(t, err, ErrMultipleObjects)
	_, err = ParseStatus(strings.NewReader("AMRunningMode\n-------------\n"))
	assert.ErrorIs(t, err, ErrSyntax)
}

func TestParseStatusServiceQuery(t *testing.T) {
	running := "\r\nSERVICE_NAME: windefend \r\n" +
		"        TYPE               : 10  WIN32_OWN_PROCESS  \r\n" +
		"        STATE              : 4  RUNNING \r\n" +
		"                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)\r\n" +
		"        WIN32_EXIT_CODE    : 0  (0x0)\r\n" +
		"        SERVICE_EXIT_CODE  : 0  (0x0)\r\n" +
		"        CHECKPOINT         : 0x0\r\n" +
		"        WAIT_HINT          : 0x0\r\n"
	stopped := strings.Replace(strings.Replace(running, "4  RUNNING", "1  STOPPED", 1), "(STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)", "(NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)", 1)
	missing := "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n"
	for _, tc := range []struct {
		name    string
		in      string
		want    ServiceState
		running Bool
	}{
		{"running", running, ServiceRunning, True},
		{"stopped", stopped, ServiceStopped, False},
		{"not installed", missing, ServiceNotInstalled, False},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseStatus(strings.NewReader(tc.in))
			require.NoError(t, err)
			assert.Equal(t, FormServiceQuery, got.Form)
			assert.Equal(t, tc.want, got.ServiceState)
			assert.Equal(t, tc.running, got.Running())
			assert.Equal(t, Unknown, got.AMRunningMode, "sc does not tell the running mode")
		})
	}
	for _, bad := range []string{
		"SERVICE_NAME: windefend\n        TYPE : 10  WIN32_OWN_PROCESS\n",              // no STATE
		"SERVICE_NAME: windefend\n        STATE : 9  EXPLODED\n",                       // no such state
		"SERVICE_NAME: windefend\n        STATE : 4  STOPPED\n",                        // code and name disagree
		"[SC] OpenSCManager FAILED 5:\n\nAccess is denied.\n",                          // other failure
		"SERVICE_NAME: a\n STATE : 4  RUNNING\nSERVICE_NAME: b\n STATE : 4  RUNNING\n", // two services
	} {
		_, err := ParseStatus(strings.NewReader(bad))
		var pe *ParseError
		assert.True(t, errors.As(err, &pe), "%q: %v", bad, err)
	}
}

func TestParsePreferences(t *testing.T) {
	const ps51 = `{
    "ExclusionExtension":  ".log",
    "ExclusionPath":  [
                          "C:\\Program Files\\Contoso\\Agent",
                          "%ProgramData%\\Contoso\\*.tmp"
                      ],
    "ExclusionProcess":  null,
    "MAPSReporting":  2,
    "PUAProtection":  1,
    "EnableNetworkProtection":  2,
    "SubmitSamplesConsent":  1,
    "DisableRealtimeMonitoring":  false,
    "CloudBlockLevel":  0
}`
	got, err := ParsePreferences(strings.NewReader(ps51))
	require.NoError(t, err)
	assert.Equal(t, []string{".log"}, got.ExclusionExtension, "a single item comes as a bare string")
	assert.Equal(t, []string{`C:\Program Files\Contoso\Agent`, `%ProgramData%\Contoso\*.tmp`}, got.ExclusionPath)
	assert.Nil(t, got.ExclusionProcess)
	assert.True(t, got.Has("ExclusionProcess"))
	assert.Equal(t, MAPSAdvanced, got.MAPSReporting)
	assert.Equal(t, True, got.CloudDeliveredProtection())
	assert.Equal(t, EnforcementEnabled, got.PUAProtection)
	assert.Equal(t, EnforcementAudit, got.EnableNetworkProtection)
	assert.Equal(t, ConsentSendSafeSamples, got.SubmitSamplesConsent)
	assert.Equal(t, False, got.DisableRealtimeMonitoring)
	assert.Equal(t, Unset, got.DisableBehaviorMonitoring)
	assert.JSONEq(t, "0", string(got.Extra["CloudBlockLevel"]))

	off, err := ParsePreferences(strings.NewReader(`{"MAPSReporting": 0}`))
	require.NoError(t, err)
	assert.Equal(t, False, off.CloudDeliveredProtection())
	none, err := ParsePreferences(strings.NewReader(`{"PUAProtection": 0}`))
	require.NoError(t, err)
	assert.Equal(t, Unset, none.CloudDeliveredProtection(), "MAPSReporting not reported is not 'off'")
}

func TestParsePreferencesBadInput(t *testing.T) {
	cases := []struct {
		name, in  string
		wantErr   error
		wantField string
	}{
		{"MAPSReporting out of range", `{"MAPSReporting": 3}`, ErrRange, "MAPSReporting"},
		{"MAPSReporting negative", `{"MAPSReporting": -1}`, ErrRange, "MAPSReporting"},
		{"MAPSReporting as a fraction", `{"MAPSReporting": 1.5}`, ErrType, "MAPSReporting"},
		{"MAPSReporting as a string", `{"MAPSReporting": "2"}`, ErrType, "MAPSReporting"},
		{"PUAProtection out of range", `{"PUAProtection": 7}`, ErrRange, "PUAProtection"},
		{"exclusions as a number", `{"ExclusionPath": 5}`, ErrType, "ExclusionPath"},
		{"exclusions as an object", `{"ExclusionPath": {"a": 1}}`, ErrType, "ExclusionPath"},
		{"exclusions with a number inside", `{"ExclusionPath": ["C:\\a", 5]}`, ErrType, "ExclusionPath"},
		{"list form without closing brace", "ExclusionPath : {C:\\a, C:\\b\n", ErrSyntax, "ExclusionPath"},
		{"placeholder mixed with exclusions", `{"ExclusionPath": ["N/A: Must be an administrator to view exclusions", "C:\\a"]}`, ErrSyntax, "ExclusionPath"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePreferences(strings.NewReader(tc.in))
			assert.Nil(t, p)
			require.ErrorIs(t, err, tc.wantErr)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.wantField, pe.Field)
		})
	}
}

func TestParsePreferencesHiddenExclusions(t *testing.T) {
	const placeholder = "N/A: Must be an administrator to view exclusions"
	for name, in := range map[string]string{
		"json": `{"MAPSReporting": 2, "ExclusionPath": ["` + placeholder + `"], "ExclusionExtension": ["` + placeholder + `"], "ExclusionProcess": ["` + placeholder + `"]}`,
		"list": "ExclusionExtension : {" + placeholder + "}\nExclusionPath      : {" + placeholder + "}\nExclusionProcess   : {" + placeholder + "}\nMAPSReporting      : 2\n",
	} {
		t.Run(name, func(t *testing.T) {
			p, err := ParsePreferences(strings.NewReader(in))
			require.ErrorIs(t, err, ErrHiddenExclusions)
			require.NotNil(t, p, "the rest of the preferences is usable")
			assert.True(t, p.ExclusionsHidden)
			assert.Nil(t, p.ExclusionPath)
			assert.Nil(t, p.ExclusionExtension)
			assert.Nil(t, p.ExclusionProcess)
			assert.Equal(t, MAPSAdvanced, p.MAPSReporting)
		})
	}
}

func TestParsePreferencesListForm(t *testing.T) {
	// Format-List wraps a long value onto lines indented to the value
	// column, breaking after the space that follows a comma.
	in := "\n" +
		"AttackSurfaceReductionOnlyExclusions          :\n" +
		"ExclusionExtension                            : {.log, .ldf}\n" +
		"ExclusionIpAddress                            :\n" +
		"ExclusionPath                                 : {C:\\Program Files\\Contoso\\Agent, C:\\ProgramData\\Contoso\\Cache,\n" +
		"                                                D:\\SQL\\Data}\n" +
		"ExclusionProcess                              : {sqlservr.exe}\n" +
		"MAPSReporting                                 : 2\n" +
		"PUAProtection                                 : 2\n" +
		"SubmitSamplesConsent                          : 1\n"
	p, err := ParsePreferences(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, FormList, p.Form)
	assert.Equal(t, []string{".log", ".ldf"}, p.ExclusionExtension)
	assert.Equal(t, []string{`C:\Program Files\Contoso\Agent`, `C:\ProgramData\Contoso\Cache`, `D:\SQL\Data`}, p.ExclusionPath)
	assert.Equal(t, []string{"sqlservr.exe"}, p.ExclusionProcess)
	assert.Nil(t, p.ExclusionIpAddress)
	assert.Equal(t, MAPSAdvanced, p.MAPSReporting)
	assert.Equal(t, EnforcementAudit, p.PUAProtection)
	assert.Equal(t, ConsentSendSafeSamples, p.SubmitSamplesConsent)
	assert.JSONEq(t, `""`, string(p.Extra["AttackSurfaceReductionOnlyExclusions"]))

	// A word longer than the console is broken inside the word, with no
	// space at the break.
	long := "ExclusionPath : {C:\\A\\Very\\Long\\Fol\n                der\\Name}\n"
	p, err = ParsePreferences(strings.NewReader(long))
	require.NoError(t, err)
	assert.Equal(t, []string{`C:\A\Very\Long\Folder\Name`}, p.ExclusionPath)
}

func TestParsePreferencesTruncatedList(t *testing.T) {
	// Past $FormatEnumerationLimit (4 by default) items the console shows
	// "...": the list cannot be known from this input.
	for _, ellipsis := range []string{"...", "…"} {
		in := "ExclusionPath : {C:\\a, C:\\b, C:\\c, C:\\d" + ellipsis + "}\nMAPSReporting : 1\n"
		p, err := ParsePreferences(strings.NewReader(in))
		require.ErrorIs(t, err, ErrTruncatedList)
		var pe *ParseError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "ExclusionPath", pe.Field)
		require.NotNil(t, p)
		assert.Nil(t, p.ExclusionPath, "a shortened list is never used as the list")
		assert.Equal(t, MAPSBasic, p.MAPSReporting)
	}
}

func TestStatusMarshalsToJSON(t *testing.T) {
	s := Status{AMRunningMode: EDRBlock, AMProductVersion: Version{4, 18, 2001, 10}, AntivirusEnabled: True}
	b, err := json.Marshal(s)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, "EDR Block Mode", m["AMRunningMode"])
	assert.Equal(t, "4.18.2001.10", m["AMProductVersion"])
	assert.Equal(t, true, m["AntivirusEnabled"])
	assert.Nil(t, m["IsTamperProtected"], "unset marshals as null")
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func TestParseRejectsTheOtherCmdletsOutput(t *testing.T) {
	prefs, err := os.ReadFile(filepath.Join("testdata", "prefs", "ps51-exclusions.json"))
	require.NoError(t, err)
	status, err := os.ReadFile(filepath.Join("testdata", "status", "ps7-normal.json"))
	require.NoError(t, err)

	_, err = ParseStatus(bytes.NewReader(prefs))
	require.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), "Get-MpComputerStatus")
	_, err = ParsePreferences(bytes.NewReader(status))
	require.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), "Get-MpPreference")
	for _, in := range []string{`{"foo": 1}`, `{"ComputerID": "x", "PSComputerName": null}`, "Name : Value\n"} {
		_, err = ParseStatus(strings.NewReader(in))
		assert.ErrorIs(t, err, ErrFormat, in)
	}
}

// TestListFormManyContinuationLinesIsLinear: a hostile value wrapped over
// a million lines is joined in linear time, not by re-copying the value
// for every line.
func TestListFormManyContinuationLinesIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("AMRunningMode : Normal\nComputerID : x\n")
	for range 1 << 20 {
		b.WriteString(" y\n")
	}
	start := time.Now()
	s, err := Parser{MaxBytes: 16 << 20}.Status(strings.NewReader(b.String()))
	require.NoError(t, err)
	assert.Len(t, s.ComputerID, 1+2*(1<<20))
	assert.Less(t, time.Since(start), 10*time.Second)
}

// TestJSONErrorsNameTheLine: a JSON document that breaks off or goes wrong
// is reported with the line where it did, so that a person can find it in
// a file of hundreds of lines.
func TestJSONErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
	}{
		{"truncated", "{\n  \"AMRunningMode\": \"Normal\",\n  \"AMProductVersion\": \"4.18", 3},
		{"syntax", "{\n  \"AMRunningMode\": \"Normal\",\n  \"AMProductVersion\" \"4.18.2001.10\"\n}", 3},
		{"data after", "{\"AMRunningMode\": \"Normal\"}\n{", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseStatus(strings.NewReader(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, tc.line, err)
			}
		})
	}
}
