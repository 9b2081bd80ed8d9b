package remediate

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/exclusions"
)

// realisticList is an exclusion list of n entries shaped like real ones:
// half folders, a fifth exact files, a fifth extensions, a tenth wildcards.
func realisticList(n int) exclusions.List {
	var l exclusions.List
	for i := range n {
		switch {
		case i%10 < 5:
			l.Paths = append(l.Paths, fmt.Sprintf(`C:\Program Files\Vendor%d\App%d`, i%97, i))
		case i%10 < 7:
			l.Paths = append(l.Paths, fmt.Sprintf(`D:\Data\Share%d\file%d.db`, i%89, i))
		case i%10 < 9:
			l.Extensions = append(l.Extensions, fmt.Sprintf(".x%d", i))
		default:
			l.Paths = append(l.Paths, fmt.Sprintf(`C:\Users\*\AppData\Local\App%d\*.tmp`, i))
		}
	}
	return l
}

// edrAlert is a Graph alert with one process and one file evidence item,
// as Defender for Endpoint exports it.
const edrAlert = `{"id":"da638390671234567890_1126483905","providerAlertId":"638390671234567890_1126483905","incidentId":"4211","status":"new","severity":"high","classification":null,"determination":null,"serviceSource":"microsoftDefenderForEndpoint","detectionSource":"microsoftDefenderForEndpoint","detectorId":"7f1c3c1d-0b2e-4bfa-9a45-1e6e0b9d2d11","tenantId":"b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c","title":"Suspicious process injection observed","description":"A process injected code into another process.","category":"DefenseEvasion","createdDateTime":"2023-12-19T10:12:47.3312345Z","lastUpdateDateTime":"2023-12-19T10:14:02.12Z","firstActivityDateTime":"2023-12-19T10:11:58.11Z","lastActivityDateTime":"2023-12-19T10:12:30.98Z","threatDisplayName":"Trojan:Win32/Wacatac.B!ml","threatFamilyName":"Wacatac","mitreTechniques":["T1055"],"evidence":[{"@odata.type":"#microsoft.graph.security.processEvidence","createdDateTime":"2023-12-19T10:12:47.33Z","verdict":"malicious","remediationStatus":"none","remediationStatusDetails":null,"roles":[],"tags":[],"detectionStatus":"detected","mdeDeviceId":"2f1b6c1e0d1a4b0d8c7e6a5b4c3d2e1f00112233","processId":4120,"processCommandLine":"invoice.exe /silent","processCreationDateTime":"2023-12-19T10:11:58.11Z","parentProcessId":3208,"parentProcessCreationDateTime":"2023-12-19T09:58:01.02Z","imageFile":{"sha1":"5c2b7e3f1d0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","fileName":"invoice.exe","filePath":"C:\\Users\\alex\\Downloads","fileSize":482816,"filePublisher":null,"signer":null,"issuer":null},"parentProcessImageFile":{"sha1":null,"sha256":null,"fileName":"explorer.exe","filePath":"C:\\Windows","fileSize":5134848,"filePublisher":"Microsoft Corporation","signer":"Microsoft Windows","issuer":"Microsoft Windows Production PCA 2011"},"userAccount":{"accountName":"alex","domainName":"CONTOSO","userSid":"S-1-5-21-1-2-3-1104","azureAdUserId":null,"userPrincipalName":"alex@contoso.com"}},{"@odata.type":"#microsoft.graph.security.fileEvidence","createdDateTime":"2023-12-19T10:12:47.33Z","verdict":"malicious","remediationStatus":"none","remediationStatusDetails":null,"roles":[],"tags":[],"detectionStatus":"detected","mdeDeviceId":"2f1b6c1e0d1a4b0d8c7e6a5b4c3d2e1f00112233","fileDetails":{"sha1":"1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b","sha256":"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae","fileName":"payload.dll","filePath":"C:\\Users\\alex\\AppData\\Local\\Temp","fileSize":73728,"filePublisher":null,"signer":null,"issuer":null}}]}`

// BenchmarkDecide measures Decide on a detection with one process and one
// file evidence item against a 10,000-rule exclusion set, beside decoding
// the same detection from JSON, in the same run: the decision must never be
// the bottleneck of ingest.
func BenchmarkDecide(b *testing.B) {
	m, err := exclusions.Compile(realisticList(10000), exclusions.Options{})
	if err != nil {
		b.Fatal(err)
	}
	det, err := detect.Parse([]byte(edrAlert))
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Detection: det, BlockMode: onState, AntivirusMode: 3, Exclusions: m,
		Indicators: []Indicator{{Type: IndicatorSHA256, Value: "00", Action: "Allowed"}}}
	if d := Decide(in); d.Verdict != Remediate || len(d.Actions) != 3 {
		b.Fatalf("unexpected decision: %v", d)
	}
	b.Run("op=decide/trace=off", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Decide(in)
		}
	})
	b.Run("op=decide/trace=on", func(b *testing.B) {
		in := in
		in.Trace = true
		b.ReportAllocs()
		for b.Loop() {
			_ = Decide(in)
		}
	})
	b.Run("op=decode/impl=detect.Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := detect.Parse([]byte(edrAlert)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=decode/impl=json.Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d detect.Detection
			if err := json.Unmarshal([]byte(edrAlert), &d); err != nil {
				b.Fatal(err)
			}
		}
	})
}
