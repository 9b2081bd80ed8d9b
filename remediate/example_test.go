package remediate_test

import (
	"fmt"
	"strings"

	"github.com/blockmode/blockmode/detect"
	"github.com/blockmode/blockmode/exclusions"
	"github.com/blockmode/blockmode/mode"
	"github.com/blockmode/blockmode/remediate"
)

const alert = `{"id":"da638390671234567890_1126483905","severity":"high","detectionSource":"microsoftDefenderForEndpoint",
"category":"Execution","title":"Suspicious process","createdDateTime":"2023-12-19T10:12:47Z","evidence":[
{"@odata.type":"#microsoft.graph.security.processEvidence","detectionStatus":"detected","mdeDeviceId":"2f1b6c1e0d1a4b0d8c7e6a5b4c3d2e1f00112233",
 "processId":4120,"imageFile":{"fileName":"invoice.exe","filePath":"C:\\Users\\alex\\Downloads","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
{"@odata.type":"#microsoft.graph.security.fileEvidence","detectionStatus":"detected","mdeDeviceId":"2f1b6c1e0d1a4b0d8c7e6a5b4c3d2e1f00112233",
 "fileDetails":{"fileName":"report.xlsm","filePath":"C:\\Finance\\Shared","sha256":"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}}]}`

func ExampleDecide() {
	det, err := detect.Parse([]byte(alert))
	if err != nil {
		panic(err)
	}
	excl, err := exclusions.Compile(exclusions.List{Paths: []string{`C:\Finance`}}, exclusions.Options{})
	if err != nil {
		panic(err)
	}
	d := remediate.Decide(remediate.Input{
		Detection:     det,
		BlockMode:     remediate.BlockMode{InEffect: true, State: "on", Ruleset: "2025-05", SettingsVersion: 4},
		AntivirusMode: mode.EDRBlock,
		Exclusions:    excl,
		Indicators:    []remediate.Indicator{{Type: remediate.IndicatorSHA256, Value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Action: "Allowed"}},
	})
	fmt.Println(d.Verdict, "->", d.Status)
	for _, a := range d.Actions {
		fmt.Println(" ", a)
	}
	for _, it := range d.Items {
		fmt.Printf("  evidence %d: %s (%s)\n", it.Evidence, it.Outcome, it.Rule)
	}
	fmt.Println("allow indicators ignored:", d.IgnoredIndicators)
	// Output:
	// partial remediation -> blocked
	//   stop process 4120 (C:\Users\alex\Downloads\invoice.exe)
	//   quarantine file C:\Users\alex\Downloads\invoice.exe
	//   evidence 0: remediate (remediate-artifact)
	//   evidence 1: excluded (antivirus-exclusion)
	// allow indicators ignored: 1
}

func ExampleDecide_trace() {
	det, err := detect.Parse([]byte(alert))
	if err != nil {
		panic(err)
	}
	d := remediate.Decide(remediate.Input{
		Detection:     det,
		BlockMode:     remediate.BlockMode{InEffect: false, State: "turning on", Reason: "turned on 5 minutes ago; not counted on until the change reaches the device"},
		AntivirusMode: mode.Passive,
		Trace:         true,
	})
	fmt.Println(d)
	for _, s := range d.Trace {
		fmt.Println(" ", strings.TrimSpace(s.String()))
	}
	// Output:
	// da638390671234567890_1126483905: detect only (block-mode-in-effect) -> detected
	//   detection-valid: id da638390671234567890_1126483905 -> pass
	//   already-stopped: 0 of 2 artifacts already stopped -> pass
	//   block-mode-in-effect: state turning on: turned on 5 minutes ago; not counted on until the change reaches the device -> detect only
}
